// Semantic validation of the "linux" object (config-linux.md): enums, absolute paths and the
// consistency of settings with the namespaces they need.
#include <cctype>
#include <set>

#include "spec/validate_util.hpp"

namespace gocker::spec {
namespace {

bool has_ns(const Linux& lx, const char* type) { return lx.find_namespace(type) != nullptr; }

Status validate_namespaces(Reader& r, const Linux& lx) {
    auto scope = r.enter("namespaces");
    std::set<std::string_view> seen;
    for (size_t i = 0; i < lx.namespaces.size(); ++i) {
        auto item = r.enter(i);
        const Namespace& ns = lx.namespaces[i];
        {
            auto s = r.enter("type");
            SPEC_TRY(check_known(r, names::namespace_types, ns.type, "namespace type"));
            if (!seen.insert(ns.type).second) return r.error("duplicate namespace type " + quoted(ns.type));
        }
        if (!ns.path.empty()) {
            auto s = r.enter("path");
            SPEC_TRY(check_absolute(r, ns.path));
        }
    }
    return {};
}

Status validate_mappings(Reader& r, const Linux& lx, const char* name, const std::vector<IdMapping>& maps) {
    if (maps.empty()) return {};
    auto scope = r.enter(name);
    // Mappings are written to the user namespace's uid_map/gid_map; without one there is nowhere
    // to write them (config-linux.md, User namespace mappings).
    if (!has_ns(lx, "user")) return r.error("requires a user namespace");
    for (size_t i = 0; i < maps.size(); ++i) {
        if (maps[i].size == 0) {
            auto item = r.enter(i);
            auto s = r.enter("size");
            return r.error("must be greater than 0");
        }
    }
    return {};
}

Status validate_time_offsets(Reader& r, const Linux& lx) {
    if (lx.time_offsets.empty()) return {};
    auto scope = r.enter("timeOffsets");
    if (!has_ns(lx, "time")) return r.error("requires a new time namespace");
    for (const auto& [clock, offset] : lx.time_offsets) {
        auto s = r.enter(clock);
        if (clock != "monotonic" && clock != "boottime")
            return r.error("unknown clock (expected \"monotonic\" or \"boottime\")");
        if (offset.nanosecs >= 1'000'000'000u) {
            auto n = r.enter("nanosecs");
            return r.error("must be less than 1000000000, got " + std::to_string(offset.nanosecs));
        }
    }
    return {};
}

Status validate_devices(Reader& r, const std::vector<Device>& devices) {
    auto scope = r.enter("devices");
    for (size_t i = 0; i < devices.size(); ++i) {
        auto item = r.enter(i);
        const Device& d = devices[i];
        if (d.type != "c" && d.type != "b" && d.type != "u" && d.type != "p") {
            auto s = r.enter("type");
            return r.error("unknown device type " + quoted(d.type) + " (expected c, b, u or p)");
        }
        {
            auto s = r.enter("path");
            SPEC_TRY(check_absolute(r, d.path));
        }
        // Permission bits (with setuid, setgid, sticky); clients may add the file-type bits, as
        // podman --privileged does (0o20600 for a character device): runc and crun ignore those,
        // and the node's type comes from `type` (runc does not compare them either).
        if (d.file_mode && (*d.file_mode & ~(07777u | 0170000u)) != 0) {
            auto s = r.enter("fileMode");
            return r.error("must be permission bits (at most 07777, optionally with the file-type bits), got " +
                           std::to_string(*d.file_mode));
        }
    }
    return {};
}

// An interface name as the kernel accepts it (dev_valid_name): 1..15 bytes, not "." or "..",
// no '/', ':' or white space. "%d" templates are allowed in the container-side name.
bool valid_ifname(std::string_view name) {
    if (name.empty() || name.size() > 15 || name == "." || name == "..") return false;
    for (char c : name)
        if (c == '/' || c == ':' || std::isspace(static_cast<unsigned char>(c))) return false;
    return true;
}

Status validate_net_devices(Reader& r, const Linux& lx) {
    auto scope = r.enter("netDevices");
    for (const auto& [host_name, dev] : lx.net_devices) {
        auto s = r.enter(host_name);
        if (!valid_ifname(host_name)) return r.error("invalid interface name " + quoted(host_name));
        if (!dev.name.empty() && !valid_ifname(dev.name)) {
            auto n = r.enter("name");
            return r.error("invalid interface name " + quoted(dev.name));
        }
    }
    return {};
}

// hugepageLimits pageSize: "^[1-9][0-9]*[KMG]B$" (config-linux.json); "64kB" is refused.
bool valid_page_size(std::string_view s) {
    if (s.size() < 3 || s[0] < '1' || s[0] > '9' || s.back() != 'B') return false;
    char unit = s[s.size() - 2];
    if (unit != 'K' && unit != 'M' && unit != 'G') return false;
    for (size_t i = 1; i + 2 < s.size(); ++i)
        if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    return true;
}

// Memory sizes are bytes, with -1 for "no limit" and 0 for "not set" (what Go clients write);
// any other negative number is a mistake the kernel would misread, not a limit.
Status validate_memory(Reader& r, const Memory& m) {
    auto scope = r.enter("memory");
    const std::pair<const char*, const std::optional<int64_t>*> sizes[] = {{"limit", &m.limit},
                                                                           {"reservation", &m.reservation},
                                                                           {"swap", &m.swap},
                                                                           {"kernel", &m.kernel},
                                                                           {"kernelTCP", &m.kernel_tcp}};
    for (const auto& [name, value] : sizes)
        if (*value && **value < -1) {
            auto f = r.enter(name);
            return r.error("must be a number of bytes, or -1 for no limit, got " + std::to_string(**value));
        }
    // UINT64_MAX is -1 as Go writes an unset *uint64 through a signed value; runc skips it.
    if (m.swappiness && *m.swappiness > 100 && *m.swappiness != UINT64_MAX) {
        auto f = r.enter("swappiness");
        return r.error("must be between 0 and 100, got " + std::to_string(*m.swappiness));
    }
    return {};
}

Status validate_resources(Reader& r, const Resources& res) {
    auto scope = r.enter("resources");
    {
        auto s = r.enter("devices");
        for (size_t i = 0; i < res.devices.size(); ++i) {
            auto item = r.enter(i);
            const DeviceCgroupRule& d = res.devices[i];
            if (!d.type.empty() && d.type != "a" && d.type != "c" && d.type != "b") {
                auto f = r.enter("type");
                return r.error("unknown device type " + quoted(d.type) + " (expected a, c or b)");
            }
            if (d.access.find_first_not_of("rwm") != std::string::npos) {
                auto f = r.enter("access");
                return r.error("invalid access " + quoted(d.access) + " (expected a subset of \"rwm\")");
            }
        }
    }
    if (res.memory) SPEC_TRY(validate_memory(r, *res.memory));
    if (res.cpu && res.cpu->idle && *res.cpu->idle != 0 && *res.cpu->idle != 1) {
        auto s = r.enter("cpu");
        auto f = r.enter("idle");
        return r.error("must be 0 or 1, got " + std::to_string(*res.cpu->idle));
    }
    {
        auto s = r.enter("hugepageLimits");
        for (size_t i = 0; i < res.hugepage_limits.size(); ++i) {
            auto item = r.enter(i);
            auto f = r.enter("pageSize");
            const std::string& size = res.hugepage_limits[i].page_size;
            if (!valid_page_size(size))
                return r.error("invalid page size " + quoted(size) + " (expected e.g. \"2MB\", \"1GB\", \"64KB\")");
        }
    }
    auto s = r.enter("unified");
    for (const auto& [file, value] : res.unified) {
        // A key names one file in the container's cgroup directory, never a path out of it.
        if (file.empty() || file.find('/') != std::string::npos || file == "." || file == "..") {
            auto f = r.enter(file);
            return r.error("must name a cgroup interface file, got " + quoted(file));
        }
    }
    return {};
}

Status validate_sysctl(Reader& r, const Linux& lx) {
    auto scope = r.enter("sysctl");
    for (const auto& [name, value] : lx.sysctl) {
        std::string key = name;  // "net/ipv4/ip_forward" is the same knob as "net.ipv4.ip_forward"
        for (char& c : key)
            if (c == '/') c = '.';
        auto s = r.enter(name);
        // Only namespaced knobs may be set: anything else would change the host (runc's rules).
        const char* needs = nullptr;
        if (key.starts_with("net.")) needs = "network";
        else if (key.starts_with("kernel.shm") || key.starts_with("kernel.msg") || key == "kernel.sem" ||
                 key.starts_with("fs.mqueue."))
            needs = "ipc";
        else if (key == "kernel.hostname" || key == "kernel.domainname") needs = "uts";
        else return r.error("not a namespaced sysctl: setting it would change the host");
        if (!has_ns(lx, needs)) return r.error(std::string("requires a new ") + needs + " namespace");
    }
    return {};
}

Status validate_seccomp(Reader& r, const Seccomp& sc) {
    auto scope = r.enter("seccomp");
    bool notify = sc.default_action == "SCMP_ACT_NOTIFY";
    {
        auto s = r.enter("defaultAction");
        SPEC_TRY(check_known(r, names::seccomp_actions, sc.default_action, "seccomp action"));
    }
    {
        auto s = r.enter("architectures");
        for (size_t i = 0; i < sc.architectures.size(); ++i) {
            auto item = r.enter(i);
            SPEC_TRY(check_known(r, names::seccomp_archs, sc.architectures[i], "seccomp architecture"));
        }
    }
    {
        auto s = r.enter("flags");
        for (size_t i = 0; i < sc.flags.size(); ++i) {
            auto item = r.enter(i);
            SPEC_TRY(check_known(r, names::seccomp_flags, sc.flags[i], "seccomp flag"));
        }
    }
    {
        auto s = r.enter("syscalls");
        for (size_t i = 0; i < sc.syscalls.size(); ++i) {
            auto item = r.enter(i);
            const SeccompSyscall& call = sc.syscalls[i];
            {
                auto f = r.enter("names");
                if (call.names.empty()) return r.error("must not be empty");
                for (size_t j = 0; j < call.names.size(); ++j)
                    if (call.names[j].empty()) {
                        auto n = r.enter(j);
                        return r.error("must not be empty");
                    }
            }
            {
                auto f = r.enter("action");
                SPEC_TRY(check_known(r, names::seccomp_actions, call.action, "seccomp action"));
            }
            notify = notify || call.action == "SCMP_ACT_NOTIFY";
            auto f = r.enter("args");
            for (size_t j = 0; j < call.args.size(); ++j) {
                auto a = r.enter(j);
                if (call.args[j].index > 5) {
                    auto n = r.enter("index");
                    return r.error("must be between 0 and 5, got " + std::to_string(call.args[j].index));
                }
                auto n = r.enter("op");
                SPEC_TRY(check_known(r, names::seccomp_operators, call.args[j].op, "seccomp operator"));
            }
        }
    }
    // The notify fd has to go somewhere (config-linux.md, seccomp listenerPath).
    if (notify && sc.listener_path.empty()) {
        auto s = r.enter("listenerPath");
        return r.error("required when SCMP_ACT_NOTIFY is used");
    }
    if (!sc.listener_path.empty()) {
        auto s = r.enter("listenerPath");
        SPEC_TRY(check_absolute(r, sc.listener_path));
    }
    return {};
}

Status validate_path_list(Reader& r, const char* name, const std::vector<std::string>& paths) {
    auto scope = r.enter(name);
    for (size_t i = 0; i < paths.size(); ++i) {
        auto item = r.enter(i);
        SPEC_TRY(check_absolute(r, paths[i]));
    }
    return {};
}

}  // namespace

Status validate_resources(const Resources& res, std::string_view origin) {
    Reader r(origin);
    auto scope = r.enter("linux");
    return validate_resources(r, res);
}

Status validate_linux(Reader& r, const Config& /*cfg*/, const Linux& lx) {
    auto scope = r.enter("linux");
    SPEC_TRY(validate_namespaces(r, lx));
    SPEC_TRY(validate_mappings(r, lx, "uidMappings", lx.uid_mappings));
    SPEC_TRY(validate_mappings(r, lx, "gidMappings", lx.gid_mappings));
    SPEC_TRY(validate_time_offsets(r, lx));
    SPEC_TRY(validate_devices(r, lx.devices));
    SPEC_TRY(validate_net_devices(r, lx));
    if (lx.resources) SPEC_TRY(validate_resources(r, *lx.resources));
    if (lx.intel_rdt && !lx.intel_rdt->mem_bw_schema.empty()) {
        // config-linux.json: "^MB:[^\n]*$"
        const std::string& mb = lx.intel_rdt->mem_bw_schema;
        if (!mb.starts_with("MB:") || mb.find('\n') != std::string::npos) {
            auto s = r.enter("intelRdt");
            auto f = r.enter("memBwSchema");
            return r.error("must be one line starting with \"MB:\", got " + quoted(mb));
        }
    }
    if (lx.memory_policy) {
        auto s = r.enter("memoryPolicy");
        {
            auto f = r.enter("mode");
            SPEC_TRY(check_known(r, names::memory_policy_modes, lx.memory_policy->mode, "memory policy mode"));
        }
        auto f = r.enter("flags");
        for (size_t i = 0; i < lx.memory_policy->flags.size(); ++i) {
            auto item = r.enter(i);
            SPEC_TRY(check_known(r, names::memory_policy_flags, lx.memory_policy->flags[i], "memory policy flag"));
        }
    }
    SPEC_TRY(validate_sysctl(r, lx));
    if (lx.seccomp) SPEC_TRY(validate_seccomp(r, *lx.seccomp));
    if (!lx.rootfs_propagation.empty()) {
        auto s = r.enter("rootfsPropagation");
        SPEC_TRY(check_known(r, names::rootfs_propagations, lx.rootfs_propagation, "propagation"));
    }
    SPEC_TRY(validate_path_list(r, "maskedPaths", lx.masked_paths));
    SPEC_TRY(validate_path_list(r, "readonlyPaths", lx.readonly_paths));
    if (lx.personality) {
        auto s = r.enter("personality");
        auto f = r.enter("domain");
        SPEC_TRY(check_known(r, names::personality_domains, lx.personality->domain, "personality domain"));
    }
    return {};
}

}  // namespace gocker::spec
