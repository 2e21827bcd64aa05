#include "linux/cgroups/container_cgroup.hpp"

#include "linux/cgroups/cgroup_fs.hpp"
#include "linux/cgroups/cgroup_path.hpp"
#include "linux/cgroups/device_rules.hpp"
#include "linux/cgroups/rootless_cgroup.hpp"
#include "linux/rootless.hpp"

namespace gocker::cgroups {

// A cgroup that existed before create() is joined (the spec lets cgroupsPath name one), but only
// when nothing runs in it and it is not frozen, as runc 1.2 does: its processes are not the
// container's, yet `kill --all`, `delete` and the limits would all apply to them.
static Status refuse_foreign_cgroup(const CgroupManager& m) {
    for (const auto& leaf : m.leaf_dirs()) {
        if (m.made(leaf)) continue;
        auto pids = read_procs_recursive(leaf);
        if (!pids) return std::move(pids).error().wrap("read the processes of the existing cgroup " + leaf);
        if (!pids->empty())
            return Error("the cgroup " + leaf + " already exists and is not empty: " + std::to_string(pids->size()) +
                             " process(es) found (a container's cgroup must be empty)",
                         EBUSY);
    }
    if (m.made_all_leaves()) return {};
    if (auto frozen = m.frozen(); frozen && *frozen)
        return Error("the cgroup " + m.path() + " already exists and is frozen", EBUSY);
    return {};
}

Result<std::unique_ptr<CgroupManager>> create_cgroup_at(const CgroupLayout& layout, const std::string& path,
                                                        spec::Resources res, bool device_rules, int journal_fd,
                                                        std::string_view shared_parent) {
    auto m = GK_TRY(make_manager(layout, path));
    m->set_journal(journal_fd);
    if (!shared_parent.empty()) m->keep_shared_parent(shared_parent);
    // Plan before touching anything: a config this host cannot honour leaves nothing behind.
    std::vector<CgroupWrite> writes = GK_TRY(plan_resources(res, m->controllers()));
    auto made = [&]() -> Status {
        Status st = m->create();
        if (st) st = refuse_foreign_cgroup(*m);
        if (st) st = m->apply(writes);
        if (st && device_rules) st = m->apply_device_rules(res.devices);
        return st;
    }();
    // destroy() removes only what create() made: a joined cgroup, and a parent such as /gocker
    // that another container (or anyone else) made, stay.
    if (!made) {
        (void)m->destroy();
        return std::move(made).error().wrap("cgroup " + path);
    }
    return m;
}

Result<std::unique_ptr<CgroupManager>> create_container_cgroup(const spec::Config& cfg, std::string_view id,
                                                               int journal_fd) {
    if (rootless_mode()) return create_rootless_cgroup(cfg, id, journal_fd);
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
    spec::Resources res = lnx && lnx->resources ? *lnx->resources : spec::Resources{};
    res.devices = effective_device_rules(lnx);
    return create_cgroup_at(layout, path, std::move(res), true, journal_fd, kDefaultParent);
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
