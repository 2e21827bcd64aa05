// `check`: what this host can do for a container, and with --bundle, whether that bundle's
// config.json is valid and what of it this host cannot do. Exit 0 when a container could run:
// the bundle's config, or without --bundle the default config of `gocker-runtime spec`.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>

#include "cli/cli_json.hpp"
#include "cli/commands.hpp"
#include "cli/parse_options.hpp"
#include "linux/features_probe.hpp"
#include "linux/host_probe.hpp"
#include "linux/lsm.hpp"
#include "linux/rootless_check.hpp"
#include "spec/config_io.hpp"

namespace gocker::cli {
namespace {

using Row = CheckRow;

std::string join(const std::vector<std::string>& words, const char* sep = " ") {
    std::string s;
    for (const auto& w : words) s += (s.empty() ? "" : sep) + w;
    return s;
}

std::vector<Row> host_rows(const HostReport& h) {
    std::vector<Row> rows;
    std::string mode = cgroup_mode_name(h.cgroup_mode);
    std::vector<std::string> v1, v2, v2_at;
    for (const auto& c : h.controllers) {
        (c.version == 1 ? v1 : v2).push_back(c.name);
        if (c.version == 2 && std::find(v2_at.begin(), v2_at.end(), c.mount_point) == v2_at.end())
            v2_at.push_back(c.mount_point);
    }
    rows.push_back({"cgroup mode", h.cgroup_mode == CgroupMode::none ? "warn" : "ok",
                    h.cgroup_mode == CgroupMode::none ? mode + " (no cgroup filesystem mounted)" : mode});
    if (h.cgroup_mode != CgroupMode::v2)
        rows.push_back({"cgroup v1 controllers", v1.empty() ? "warn" : "ok", v1.empty() ? "none" : join(v1)});
    if (h.cgroup_mode == CgroupMode::v2 || h.cgroup_mode == CgroupMode::hybrid)
        rows.push_back(
            {"cgroup v2 controllers", "ok",
             (v2.empty() ? std::string("none") : join(v2)) + (v2_at.empty() ? "" : " (" + join(v2_at) + ")")});
    for (const auto& [type, present] : h.namespaces)
        rows.push_back({"namespace " + type, present ? "ok" : "warn", present ? "supported" : "not in this kernel"});
    rows.push_back({"user namespaces", h.user_ns_enabled ? "ok" : "warn", h.user_ns_detail});
    rows.push_back(
        {"seccomp", h.seccomp_supported ? "ok" : "warn", h.seccomp_detail + "; libseccomp " + h.libseccomp_version});
    rows.push_back({"pivot_root", h.pivot_root_ok ? "ok" : "warn",
                    "/ is " + h.root_fs_type + (h.pivot_root_ok ? "" : ": pivot_root fails here, use --no-pivot")});
    for (const auto& s : h.syscalls)
        rows.push_back(
            {s.name, s.available ? "ok" : "warn", s.available ? "present" : "absent (" + errno_text(s.err) + ")"});
    uint64_t all = h.cap_last >= 63 ? ~uint64_t{0} : (uint64_t{1} << (h.cap_last + 1)) - 1;
    for (const auto& [label, mask] :
         {std::pair{"capabilities effective", h.cap_effective}, std::pair{"capabilities bounding", h.cap_bounding}}) {
        auto missing = decode_capability_mask(all & ~mask, h.cap_last);
        auto have = decode_capability_mask(mask, h.cap_last);
        std::string detail = std::to_string(have.size()) + " of " + std::to_string(h.cap_last + 1);
        if (!missing.empty()) detail += "; missing " + join(missing);
        rows.push_back({label, missing.empty() ? "ok" : "warn", detail});
    }
    return rows;
}

// [confinement] What this build can confine with (the `features` lists) and which security
// modules the host has enabled.
std::vector<Row> confinement_rows() {
    std::vector<Row> rows;
    spec::Features f = implemented_features();
    rows.push_back(
        {"capabilities (this build)", "ok",
         std::to_string(f.capabilities.size()) + " known, " + f.capabilities.front() + " .. " + f.capabilities.back()});
    if (f.seccomp) {
        rows.push_back({"seccomp actions", "ok", join(f.seccomp->actions)});
        rows.push_back({"seccomp operators", "ok", join(f.seccomp->operators)});
        rows.push_back({"seccomp architectures", "ok", join(f.seccomp->archs)});
        std::vector<std::string> unsupported;
        for (const auto& flag : f.seccomp->known_flags)
            if (std::find(f.seccomp->supported_flags.begin(), f.seccomp->supported_flags.end(), flag) ==
                f.seccomp->supported_flags.end())
                unsupported.push_back(flag);
        rows.push_back({"seccomp flags", unsupported.empty() ? "ok" : "warn",
                        join(f.seccomp->supported_flags) +
                            (unsupported.empty() ? "" : "; not with this libseccomp: " + join(unsupported))});
    }
    rows.push_back({"apparmor", apparmor_enabled() ? "ok" : "warn",
                    apparmor_enabled() ? "enabled" : "not enabled on this host: process.apparmorProfile is refused"});
    rows.push_back({"selinux", selinux_enabled() ? "ok" : "warn",
                    selinux_enabled() ? "enabled" : "not enabled on this host: process.selinuxLabel is refused"});
    return rows;
}

// The bundle's rootfs must be a directory; checked here because only `check` knows the bundle.
std::optional<std::string> rootfs_problem(const spec::Config& cfg, const std::string& bundle) {
    if (!cfg.root) return std::nullopt;
    std::string path = cfg.root->path;
    if (!path.empty() && path[0] != '/') path = bundle + "/" + path;
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return "/root/path: \"" + path + "\": " + errno_text(errno);
    if (!S_ISDIR(st.st_mode)) return "/root/path: \"" + path + "\" is not a directory";
    return std::nullopt;
}

}  // namespace

int cmd_check(const GlobalOptions& g, std::vector<std::string>& args) {
    cxxopts::Options opts("gocker-runtime check",
                          "Diagnose the host: cgroups, namespaces, seccomp, syscalls, capabilities.\n"
                          "With --bundle, also validate its config.json and list what this host cannot do of it.\n"
                          "Exits 0 when a container (the bundle's, or the default one) could run here.");
    opts.add_options()("b,bundle", "bundle whose config.json to check", cxxopts::value<std::string>())(
        "format", "output format: text or json", cxxopts::value<std::string>()->default_value("text"))(
        "h,help", "show this help");
    int code = 0;
    auto r = parse_command(opts, args, code);
    if (!r) return code;
    if (!r->unmatched().empty())
        return usage_error("check: unexpected argument \"" + r->unmatched().front() + "\"", opts.help());
    std::string format = (*r)["format"].as<std::string>();
    if (format != "text" && format != "json")
        return usage_error("check: invalid --format \"" + format + "\": expected text or json", opts.help());

    HostReport host = probe_host();
    std::vector<Row> rows = host_rows(host);
    for (auto& row : confinement_rows()) rows.push_back(std::move(row));
    std::vector<std::string> rootless_problems;
    if (g.rootless)
        for (auto& f : rootless_readiness(g.root)) {
            if (f.status == "fail") rootless_problems.push_back(f.item + ": " + f.detail);
            rows.push_back({std::move(f.item), std::move(f.status), std::move(f.detail)});
        }

    std::string config_label, config_error;
    std::vector<std::string> problems;
    if (r->count("bundle")) {
        std::string bundle = (*r)["bundle"].as<std::string>();
        config_label = bundle + "/config.json";
        auto cfg = spec::load_config(config_label);
        if (!cfg) {
            config_error = cfg.error().message();
        } else {
            problems = config_host_problems(*cfg, host);
            if (auto p = rootfs_problem(*cfg, bundle)) problems.push_back(*p);
        }
    } else {
        config_label = "default config (gocker-runtime spec)";
        problems = config_host_problems(spec::default_config(g.rootless, ::geteuid(), ::getegid()), host);
    }
    problems.insert(problems.end(), rootless_problems.begin(), rootless_problems.end());
    rows.push_back({"config", config_error.empty() ? "ok" : "fail",
                    config_error.empty() ? config_label + ": valid" : config_error});
    for (const auto& p : problems) rows.push_back({"config needs", "fail", p});
    bool can_run = config_error.empty() && problems.empty();

    if (format == "json") {
        std::cout << check_json(
            {cgroup_mode_name(host.cgroup_mode), rows, config_label, config_error, problems, can_run});
    } else {
        size_t w_item = 4, w_status = 6;
        for (const auto& row : rows) {
            w_item = std::max(w_item, row.item.size());
            w_status = std::max(w_status, row.status.size());
        }
        auto pad = [](std::string s, size_t w) {
            s.resize(std::max(w, s.size()), ' ');
            return s;
        };
        std::cout << pad("ITEM", w_item) << "  " << pad("STATUS", w_status) << "  DETAIL\n";
        for (const auto& row : rows)
            std::cout << pad(row.item, w_item) << "  " << pad(row.status, w_status) << "  " << row.detail << "\n";
        std::cout << (can_run ? "result: a container can run on this host\n"
                              : "result: a container cannot run on this host\n");
    }
    if (!config_error.empty()) return report(Error("check: " + config_error));
    if (!can_run) {
        log::error("check: " + std::to_string(problems.size()) + " requirement(s) of " + config_label +
                   " cannot be met on this host");
        return 1;
    }
    return 0;
}

}  // namespace gocker::cli
