// `pause ID`: freeze every process of the container (freezer.state on v1, cgroup.freeze on v2).
#include "cli/commands.hpp"
#include "cli/lifecycle_options.hpp"
#include "container/lifecycle.hpp"
#include "linux/cgroups/container_cgroup.hpp"

namespace gocker::cli {

// Shared by pause and resume: the container must be in `from`; its cgroup is frozen or thawed.
int freeze_command(const GlobalOptions& g, std::vector<std::string>& args, bool freeze) {
    const char* name = freeze ? "pause" : "resume";
    cxxopts::Options opts(std::string("gocker-runtime ") + name,
                          freeze ? "Suspend every process of a running container." : "Resume a paused container.");
    opts.custom_help("<container-id>");
    opts.add_options()("h,help", "show this help");
    int code = 0;
    auto r = parse_command(opts, args, code);
    if (!r) return code;
    if (!positional(*r, opts, name, 1, 1, code)) return code;
    const std::string& id = r->unmatched().front();
    std::string what = std::string(name) + " " + id;
    StateStore store(g.root);
    auto lock = store.lock(id);
    if (!lock) return report(std::move(lock).error().wrap(what));
    auto info = load_container(store, id);
    if (!info) return report(std::move(info).error().wrap(what));
    auto status = info->status;
    if (freeze && status != spec::ContainerStatus::running && status != spec::ContainerStatus::created)
        return report(Error(what + ": the container is " + spec::status_name(status) + ", not running", 0));
    if (!freeze && status != spec::ContainerStatus::paused)
        return report(Error(what + ": the container is " + spec::status_name(status) + ", not paused", 0));
    auto cg = cgroups::open_container_cgroup(store.dir(id));
    if (!cg) return report(std::move(cg).error().wrap(what));
    Status st = (*cg)->freeze(freeze);
    if (!st) return report(std::move(st).error().wrap(what));
    return 0;
}

int cmd_pause(const GlobalOptions& g, std::vector<std::string>& args) { return freeze_command(g, args, true); }

}  // namespace gocker::cli
