#include "linux/cgroups/container_cgroup.hpp"

#include <algorithm>

#include "linux/cgroups/cgroup_fs.hpp"
#include "linux/cgroups/cgroup_path.hpp"
#include "linux/cgroups/device_rules.hpp"

namespace gocker::cgroups {

Result<std::unique_ptr<CgroupManager>> create_container_cgroup(const spec::Config& cfg, std::string_view id) {
    const spec::Linux* lnx = cfg.linux ? &*cfg.linux : nullptr;
    const std::string* requested = lnx && lnx->cgroups_path ? &*lnx->cgroups_path : nullptr;
    std::string path = GK_TRY(resolve_cgroup_path(requested, id));
    const CgroupLayout& layout = detect_layout();
    if (layout.hierarchies.empty()) {
        if (lnx && lnx->resources && !(*lnx->resources == spec::Resources{}))
            return Error("/linux/resources: no cgroup filesystem is mounted on this host", ENODEV);
        return std::unique_ptr<CgroupManager>();
    }
    if (path == "/") return Error("/linux/cgroupsPath: the root cgroup cannot hold a container", EINVAL);
    auto m = GK_TRY(make_manager(layout, path));
    // Plan before touching anything: a config this host cannot honour leaves nothing behind.
    spec::Resources res = lnx && lnx->resources ? *lnx->resources : spec::Resources{};
    res.devices = effective_device_rules(lnx);
    std::vector<CgroupWrite> writes = GK_TRY(plan_resources(res, m->controllers()));
    auto made = [&]() -> Status {
        Status st = m->create();
        if (st) st = m->apply(writes);
        if (st) st = m->apply_device_rules(res.devices);
        return st;
    }();
    // The default parent belongs to this runtime: the last container out removes it, whoever
    // made it (two containers racing would otherwise leave an empty /gocker behind).
    if (path.rfind(std::string(kDefaultParent) + "/", 0) == 0) {
        auto dirs = m->created_dirs();
        for (const auto& h : layout.hierarchies) {
            std::string d = h.mount_point + std::string(kDefaultParent);
            if (std::find(dirs.begin(), dirs.end(), d) == dirs.end()) dirs.insert(dirs.begin(), d);
        }
        m->set_created_dirs(std::move(dirs));
    }
    if (!made) {
        (void)m->destroy();
        return std::move(made).error().wrap("cgroup " + path);
    }
    return m;
}

Result<std::unique_ptr<CgroupManager>> open_container_cgroup(const std::string& state_dir) {
    auto json = read_cgroup_file(state_dir + "/" + std::string(kStateFile));
    if (!json) {
        if (json.error().sys_errno() == ENOENT) return Error("the container has no cgroup", ENOENT);
        return std::move(json).error();
    }
    return load_manager(detect_layout(), *json);
}

}  // namespace gocker::cgroups
