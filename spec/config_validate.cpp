// Semantic validation of a parsed Config (config.md): version range, required-on-Linux fields,
// process settings, mounts and hooks. The "linux" object is checked in config_validate_linux.cpp.
// One pass; the first problem is reported with its JSON path.
#include <cctype>
#include <set>

#include "spec/config_io.hpp"
#include "spec/validate_util.hpp"

namespace gocker::spec {
namespace {

struct SemVer {
    uint64_t major = 0, minor = 0, patch = 0;
};

// SemVer 2.0.0 core (MAJOR.MINOR.PATCH, no leading zeros) with optional -pre-release and
// +build suffixes, whose contents only need to be non-empty identifiers.
bool parse_semver(std::string_view s, SemVer& out) {
    uint64_t* parts[] = {&out.major, &out.minor, &out.patch};
    size_t i = 0;
    for (int n = 0; n < 3; ++n) {
        size_t start = i;
        uint64_t value = 0;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
            if (value > 1'000'000'000) return false;
            value = value * 10 + static_cast<uint64_t>(s[i] - '0');
            ++i;
        }
        if (i == start || (i - start > 1 && s[start] == '0')) return false;
        *parts[n] = value;
        if (n < 2) {
            if (i >= s.size() || s[i] != '.') return false;
            ++i;
        }
    }
    if (i == s.size()) return true;
    if (s[i] != '-' && s[i] != '+') return false;
    std::string_view rest = s.substr(i + 1);
    if (rest.empty()) return false;
    for (char c : rest)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '+') return false;
    return true;
}

Status validate_version(Reader& r, const std::string& version) {
    auto scope = r.enter("ociVersion");
    SemVer v;
    if (!parse_semver(version, v)) return r.error("not a semantic version: " + quoted(version));
    if (v.major != 1 || v.minor > 3)
        return r.error("unsupported version " + quoted(version) + " (this runtime supports 1.0.0 to 1.3.x)");
    return {};
}

Status validate_id_mappings(Reader& r, const std::vector<IdMapping>& maps) {
    for (size_t i = 0; i < maps.size(); ++i) {
        auto scope = r.enter(i);
        if (maps[i].size == 0) {
            auto s = r.enter("size");
            return r.error("must be greater than 0");
        }
    }
    return {};
}

Status validate_mounts(Reader& r, const std::vector<Mount>& mounts) {
    auto scope = r.enter("mounts");
    for (size_t i = 0; i < mounts.size(); ++i) {
        auto item = r.enter(i);
        const Mount& m = mounts[i];
        {
            auto s = r.enter("destination");
            SPEC_TRY(check_absolute(r, m.destination));
        }
        // config.md: uidMappings "MUST be specified along with gidMappings" (and vice versa).
        if (m.uid_mappings.empty() != m.gid_mappings.empty())
            return r.error("uidMappings and gidMappings must be given together");
        {
            auto s = r.enter("uidMappings");
            SPEC_TRY(validate_id_mappings(r, m.uid_mappings));
        }
        auto s = r.enter("gidMappings");
        SPEC_TRY(validate_id_mappings(r, m.gid_mappings));
    }
    return {};
}

Status validate_cpu_list(Reader& r, std::string_view name, const std::string& list) {
    // config-schema.json: "^[0-9, -]*$"
    for (char c : list)
        if (!std::isdigit(static_cast<unsigned char>(c)) && c != ',' && c != ' ' && c != '-') {
            auto s = r.enter(name);
            return r.error("invalid cpu list " + quoted(list));
        }
    return {};
}

Status validate_capabilities(Reader& r, const Capabilities& caps) {
    auto scope = r.enter("capabilities");
    const std::pair<const char*, const std::vector<std::string>*> sets[] = {{"bounding", &caps.bounding},
                                                                            {"effective", &caps.effective},
                                                                            {"inheritable", &caps.inheritable},
                                                                            {"permitted", &caps.permitted},
                                                                            {"ambient", &caps.ambient}};
    for (const auto& [name, set] : sets) {
        auto s = r.enter(name);
        for (size_t i = 0; i < set->size(); ++i) {
            auto item = r.enter(i);
            SPEC_TRY(check_known(r, names::capabilities, (*set)[i], "capability"));
        }
    }
    return {};
}

Status validate_rlimits(Reader& r, const std::vector<Rlimit>& rlimits) {
    auto scope = r.enter("rlimits");
    std::set<std::string_view> seen;
    for (size_t i = 0; i < rlimits.size(); ++i) {
        auto item = r.enter(i);
        const Rlimit& rl = rlimits[i];
        {
            auto s = r.enter("type");
            SPEC_TRY(check_known(r, names::rlimits, rl.type, "rlimit"));
            if (!seen.insert(rl.type).second) return r.error("duplicate rlimit " + quoted(rl.type));
        }
        if (rl.soft > rl.hard)
            return r.error("soft limit " + std::to_string(rl.soft) + " is greater than hard limit " +
                           std::to_string(rl.hard));
    }
    return {};
}

// The fields of a process object; paths relative to where the reader stands.
Status validate_process_fields(Reader& r, const Process& p) {
    if (p.args.empty()) {
        auto s = r.enter("args");
        return r.error("must not be empty");
    }
    {
        auto s = r.enter("cwd");
        SPEC_TRY(check_absolute(r, p.cwd));
    }
    {
        auto s = r.enter("user");
        if (p.user.umask && *p.user.umask > 0777) {
            auto u = r.enter("umask");
            return r.error("must be at most 0777, got " + std::to_string(*p.user.umask));
        }
        if (!p.user.username.empty()) {
            auto u = r.enter("username");
            return r.error("only supported on Windows");
        }
    }
    if (!p.command_line.empty()) {
        auto s = r.enter("commandLine");
        return r.error("only supported on Windows");
    }
    if (p.capabilities) SPEC_TRY(validate_capabilities(r, *p.capabilities));
    SPEC_TRY(validate_rlimits(r, p.rlimits));
    if (p.oom_score_adj && (*p.oom_score_adj < -1000 || *p.oom_score_adj > 1000)) {
        auto s = r.enter("oomScoreAdj");
        return r.error("must be between -1000 and 1000, got " + std::to_string(*p.oom_score_adj));
    }
    if (p.scheduler) {
        auto s = r.enter("scheduler");
        {
            auto f = r.enter("policy");
            SPEC_TRY(check_known(r, names::scheduler_policies, p.scheduler->policy, "scheduler policy"));
        }
        auto f = r.enter("flags");
        for (size_t i = 0; i < p.scheduler->flags.size(); ++i) {
            auto item = r.enter(i);
            SPEC_TRY(check_known(r, names::scheduler_flags, p.scheduler->flags[i], "scheduler flag"));
        }
    }
    if (p.io_priority) {
        auto s = r.enter("ioPriority");
        {
            auto f = r.enter("class");
            SPEC_TRY(check_known(r, names::io_priority_classes, p.io_priority->io_class, "class"));
        }
        if (p.io_priority->priority < 0 || p.io_priority->priority > 7) {
            auto f = r.enter("priority");
            return r.error("must be between 0 and 7, got " + std::to_string(p.io_priority->priority));
        }
    }
    if (p.exec_cpu_affinity) {
        auto s = r.enter("execCPUAffinity");
        SPEC_TRY(validate_cpu_list(r, "initial", p.exec_cpu_affinity->initial));
        SPEC_TRY(validate_cpu_list(r, "final", p.exec_cpu_affinity->final_));
    }
    return {};
}

Status validate_process(Reader& r, const Process& p) {
    auto scope = r.enter("process");
    return validate_process_fields(r, p);
}

Status validate_hook_list(Reader& r, const char* name, const std::vector<Hook>& hooks) {
    auto scope = r.enter(name);
    for (size_t i = 0; i < hooks.size(); ++i) {
        auto item = r.enter(i);
        {
            auto s = r.enter("path");
            SPEC_TRY(check_absolute(r, hooks[i].path));
        }
        if (hooks[i].timeout && *hooks[i].timeout <= 0) {
            auto s = r.enter("timeout");
            return r.error("must be greater than 0, got " + std::to_string(*hooks[i].timeout));
        }
    }
    return {};
}

Status validate_hooks(Reader& r, const Hooks& h) {
    auto scope = r.enter("hooks");
    SPEC_TRY(validate_hook_list(r, "prestart", h.prestart));
    SPEC_TRY(validate_hook_list(r, "createRuntime", h.create_runtime));
    SPEC_TRY(validate_hook_list(r, "createContainer", h.create_container));
    SPEC_TRY(validate_hook_list(r, "startContainer", h.start_container));
    SPEC_TRY(validate_hook_list(r, "poststart", h.poststart));
    return validate_hook_list(r, "poststop", h.poststop);
}

// hostname/domainname set the UTS namespace's names: without a UTS namespace of its own the
// container would rename the host (config.md, Hostname).
Status validate_uts_name(Reader& r, const Config& cfg, const char* name, const std::string& value) {
    if (value.empty()) return {};
    if (!cfg.linux || cfg.linux->find_namespace("uts") == nullptr) {
        auto s = r.enter(name);
        return r.error("requires a new uts namespace");
    }
    return {};
}

}  // namespace

Status validate_process(const Process& p, std::string_view origin) {
    Reader r(origin);
    return validate_process_fields(r, p);
}

Status validate_config(const Config& cfg, std::string_view origin) {
    Reader r(origin);
    SPEC_TRY(validate_version(r, cfg.oci_version));
    {
        auto s = r.enter("root");
        if (!cfg.root) return r.error("missing (required on Linux)");
        if (cfg.root->path.empty()) {
            auto p = r.enter("path");
            return r.error("must not be empty");
        }
    }
    SPEC_TRY(validate_mounts(r, cfg.mounts));
    if (cfg.process) SPEC_TRY(validate_process(r, *cfg.process));
    SPEC_TRY(validate_uts_name(r, cfg, "hostname", cfg.hostname));
    SPEC_TRY(validate_uts_name(r, cfg, "domainname", cfg.domainname));
    if (cfg.hooks) SPEC_TRY(validate_hooks(r, *cfg.hooks));
    {
        auto s = r.enter("annotations");
        if (cfg.annotations.count("")) return r.error("keys must not be empty");
    }
    if (cfg.linux) SPEC_TRY(validate_linux(r, cfg, *cfg.linux));
    return {};
}

}  // namespace gocker::spec
