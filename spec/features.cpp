// The features document (features.md, features-linux.md).
#include "spec/features.hpp"

#include "spec/json_reader.hpp"
#include "spec/json_write.hpp"
#include "spec/oci_names.hpp"

namespace gocker::spec {
namespace {

constexpr std::string_view kOrigin = "features.json";
using W = json::Pretty;

// {"enabled": bool} objects (apparmor, selinux, intelRdt, netDevices, mountExtensions.idmap).
Status read_enabled(Reader& r, const JsonValue& obj, std::string_view name, std::optional<bool>& out) {
    const JsonValue* v = find_member(obj, name);
    if (v == nullptr) return {};
    auto scope = r.enter(name);
    SPEC_TRY(r.expect_object(*v));
    bool enabled = false;
    SPEC_TRY(field(r, *v, "enabled", enabled));
    out = enabled;
    return {};
}

Status check_names(Reader& r, std::string_view name, const std::vector<std::string>& values, names::List known,
                   std::string_view what) {
    auto scope = r.enter(name);
    for (size_t i = 0; i < values.size(); ++i) {
        if (names::contains(known, values[i])) continue;
        auto item = r.enter(i);
        return r.error("unknown " + std::string(what) + " \"" + values[i] + "\"");
    }
    return {};
}

void write_enabled(W& w, std::string_view name, const std::optional<bool>& v) {
    if (!v) return;
    key(w, name);
    w.StartObject();
    member(w, "enabled", *v);
    w.EndObject();
}

}  // namespace

Status read(Reader& r, const JsonValue& v, Features::Cgroup& out) {
    SPEC_TRY(r.expect_object(v));
    SPEC_TRY(field(r, v, "v1", out.v1));
    SPEC_TRY(field(r, v, "v2", out.v2));
    SPEC_TRY(field(r, v, "systemd", out.systemd));
    SPEC_TRY(field(r, v, "systemdUser", out.systemd_user));
    return field(r, v, "rdma", out.rdma);
}

Status read(Reader& r, const JsonValue& v, Features::Seccomp& out) {
    SPEC_TRY(r.expect_object(v));
    SPEC_TRY(field(r, v, "enabled", out.enabled));
    SPEC_TRY(field(r, v, "actions", out.actions));
    SPEC_TRY(check_names(r, "actions", out.actions, names::seccomp_actions, "seccomp action"));
    SPEC_TRY(field(r, v, "operators", out.operators));
    SPEC_TRY(check_names(r, "operators", out.operators, names::seccomp_operators, "seccomp operator"));
    SPEC_TRY(field(r, v, "archs", out.archs));
    SPEC_TRY(check_names(r, "archs", out.archs, names::seccomp_archs, "seccomp architecture"));
    SPEC_TRY(field(r, v, "knownFlags", out.known_flags));
    SPEC_TRY(check_names(r, "knownFlags", out.known_flags, names::seccomp_flags, "seccomp flag"));
    SPEC_TRY(field(r, v, "supportedFlags", out.supported_flags));
    return check_names(r, "supportedFlags", out.supported_flags, names::seccomp_flags, "seccomp flag");
}

void write(W& w, const Features::Cgroup& c) {
    w.StartObject();
    member(w, "v1", c.v1);
    member(w, "v2", c.v2);
    member(w, "systemd", c.systemd);
    member(w, "systemdUser", c.systemd_user);
    member(w, "rdma", c.rdma);
    w.EndObject();
}

void write(W& w, const Features::Seccomp& s) {
    w.StartObject();
    member(w, "enabled", s.enabled);
    member_if_set(w, "actions", s.actions);
    member_if_set(w, "operators", s.operators);
    member_if_set(w, "archs", s.archs);
    member_if_set(w, "knownFlags", s.known_flags);
    member_if_set(w, "supportedFlags", s.supported_flags);
    w.EndObject();
}

std::string features_to_json(const Features& f) {
    auto body = [&](W& w) {
        w.StartObject();
        member(w, "ociVersionMin", f.oci_version_min);
        member(w, "ociVersionMax", f.oci_version_max);
        member_if_set(w, "hooks", f.hooks);
        member_if_set(w, "mountOptions", f.mount_options);
        bool has_linux = !f.namespaces.empty() || !f.capabilities.empty() || f.cgroup || f.seccomp ||
                         f.apparmor_enabled || f.selinux_enabled || f.intel_rdt_enabled || f.mount_extensions_idmap ||
                         f.net_devices_enabled;
        if (has_linux) {
            key(w, "linux");
            w.StartObject();
            member_if_set(w, "namespaces", f.namespaces);
            member_if_set(w, "capabilities", f.capabilities);
            member_if_set(w, "cgroup", f.cgroup);
            member_if_set(w, "seccomp", f.seccomp);
            write_enabled(w, "apparmor", f.apparmor_enabled);
            write_enabled(w, "selinux", f.selinux_enabled);
            write_enabled(w, "intelRdt", f.intel_rdt_enabled);
            if (f.mount_extensions_idmap) {
                key(w, "mountExtensions");
                w.StartObject();
                write_enabled(w, "idmap", f.mount_extensions_idmap);
                w.EndObject();
            }
            write_enabled(w, "netDevices", f.net_devices_enabled);
            w.EndObject();
        }
        member_if_set(w, "annotations", f.annotations);
        member_if_set(w, "potentiallyUnsafeConfigAnnotations", f.potentially_unsafe_config_annotations);
        w.EndObject();
    };
    return json::pretty(body, ' ', 4) + '\n';
}

Result<Features> parse_features(std::string_view json) {
    rapidjson::Document doc;
    SPEC_TRY(parse_document(doc, json, kOrigin));
    Reader r(kOrigin);
    SPEC_TRY(r.expect_object(doc));
    Features f;
    SPEC_TRY(required(r, doc, "ociVersionMin", f.oci_version_min));
    SPEC_TRY(required(r, doc, "ociVersionMax", f.oci_version_max));
    SPEC_TRY(field(r, doc, "hooks", f.hooks));
    SPEC_TRY(field(r, doc, "mountOptions", f.mount_options));
    SPEC_TRY(field(r, doc, "annotations", f.annotations));
    SPEC_TRY(field(r, doc, "potentiallyUnsafeConfigAnnotations", f.potentially_unsafe_config_annotations));
    const JsonValue* lx = find_member(doc, "linux");
    if (lx == nullptr) return f;
    auto scope = r.enter("linux");
    SPEC_TRY(r.expect_object(*lx));
    SPEC_TRY(field(r, *lx, "namespaces", f.namespaces));
    SPEC_TRY(check_names(r, "namespaces", f.namespaces, names::namespace_types, "namespace type"));
    SPEC_TRY(field(r, *lx, "capabilities", f.capabilities));
    {
        // features-linux.json: "^CAP_[A-Z_]+$" -- newer kernels' names are allowed, not only ours.
        auto caps = r.enter("capabilities");
        for (size_t i = 0; i < f.capabilities.size(); ++i) {
            const std::string& c = f.capabilities[i];
            bool ok = c.size() > 4 && c.starts_with("CAP_") &&
                      c.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ_", 4) == std::string::npos;
            if (ok) continue;
            auto item = r.enter(i);
            return r.error("invalid capability name \"" + c + "\"");
        }
    }
    SPEC_TRY(field(r, *lx, "cgroup", f.cgroup));
    SPEC_TRY(field(r, *lx, "seccomp", f.seccomp));
    SPEC_TRY(read_enabled(r, *lx, "apparmor", f.apparmor_enabled));
    SPEC_TRY(read_enabled(r, *lx, "selinux", f.selinux_enabled));
    SPEC_TRY(read_enabled(r, *lx, "intelRdt", f.intel_rdt_enabled));
    SPEC_TRY(read_enabled(r, *lx, "netDevices", f.net_devices_enabled));
    if (const JsonValue* ext = find_member(*lx, "mountExtensions")) {
        auto e = r.enter("mountExtensions");
        SPEC_TRY(r.expect_object(*ext));
        SPEC_TRY(read_enabled(r, *ext, "idmap", f.mount_extensions_idmap));
    }
    return f;
}

}  // namespace gocker::spec
