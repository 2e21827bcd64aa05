#include "bundle.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "linux/cgroups/seed_limits.hpp"
#include "spec/config_io.hpp"

namespace gocker::core {
namespace {

void set_env(std::vector<std::string>& env, const std::string& kv) {
    std::string key = kv.substr(0, kv.find('='));
    auto it =
        std::find_if(env.begin(), env.end(), [&](const std::string& e) { return e.substr(0, e.find('=')) == key; });
    if (it != env.end()) *it = kv;
    else env.push_back(kv);
}

bool maps_id(const std::vector<spec::IdMapping>& maps, uint32_t id) {
    return std::any_of(maps.begin(), maps.end(),
                       [&](const spec::IdMapping& m) { return id >= m.container_id && id - m.container_id < m.size; });
}

}  // namespace

std::string default_cgroup_parent() {
    const char* env = std::getenv("GOCKER_CGROUP_PARENT");
    return env && *env ? env : "/gocker-cli";
}

Result<spec::Config> make_config(const RunOptions& opts, const BundleInputs& in, const NetworkPlan& net) {
    spec::Config cfg = spec::default_config(false);
    cfg.root = spec::Root{in.root_path, opts.read_only};
    cfg.hostname = opts.hostname;
    spec::Process& p = *cfg.process;
    p.args = opts.args.empty() ? std::vector<std::string>{"sh"} : opts.args;
    p.terminal = opts.tty;
    if (opts.tty) {
        struct winsize ws {};
        if (::ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
            p.console_size = spec::ConsoleSize{ws.ws_row, ws.ws_col};
    }
    for (const auto& kv : opts.env) set_env(p.env, kv);
    if (!opts.workdir.empty()) p.cwd = opts.workdir;
    if (opts.user) {
        auto u = GK_TRY(parse_user(*opts.user));
        p.user.uid = u.first;
        p.user.gid = u.second.value_or(u.first);
    }
    // Ambient capabilities the default asks for without inheritable ones are never raised;
    // dropping them keeps the runtime from warning about it on every run.
    if (p.capabilities) p.capabilities->ambient.clear();

    auto& lx = *cfg.linux;
    for (const char* type : {"pid", "ipc", "uts", "mount"})
        if (!lx.find_namespace(type)) lx.namespaces.push_back({type, ""});
    if (!opts.userns.empty()) {
        lx.namespaces.push_back({"user", ""});
        lx.uid_mappings = opts.userns;
        lx.gid_mappings = opts.userns;
        if (!maps_id(opts.userns, 5))  // devpts' gid=5 needs group 5 mapped (runc spec --rootless drops it too)
            for (auto& m : cfg.mounts)
                if (m.type == "devpts")
                    m.options.erase(std::remove_if(m.options.begin(), m.options.end(),
                                                   [](const std::string& o) { return o.rfind("gid=", 0) == 0; }),
                                    m.options.end());
    }
    apply_network(cfg, net, opts);
    if (!opts.userns.empty() && net.mode == NetworkMode::host) {
        // sysfs can only be mounted by the owner of the network namespace: bind the host's, read-only.
        for (auto& m : cfg.mounts)
            if (m.destination == "/sys")
                m = spec::Mount{"/sys", "/sys", "bind", {"rbind", "nosuid", "noexec", "nodev", "ro"}, {}, {}};
        cfg.mounts.erase(std::remove_if(cfg.mounts.begin(), cfg.mounts.end(),
                                        [](const spec::Mount& m) { return m.destination == "/sys/fs/cgroup"; }),
                         cfg.mounts.end());
    }
    for (const auto& v : opts.volumes)
        cfg.mounts.push_back({v.destination, v.source, "bind", {"rbind", v.readonly ? "ro" : "rw"}, {}, {}});

    if (!lx.resources) lx.resources.emplace();
    cgroups::SeedLimits limits{opts.cpu_limit, opts.memory_limit, opts.pids_limit};
    GK_TRY(cgroups::add_seed_limits(*lx.resources, limits));
    lx.cgroups_path = in.cgroups_path;
    cfg.annotations["gocker.id"] = in.id;
    if (!opts.name.empty()) cfg.annotations["gocker.name"] = opts.name;
    GK_TRY_CTX(spec::validate_config(cfg), "the container's config.json");
    return cfg;
}

}  // namespace gocker::core
