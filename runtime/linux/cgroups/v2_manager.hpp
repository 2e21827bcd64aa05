// cgroup v2: one directory (<mount>/<path>); the controllers a write needs are enabled in the
// cgroup.subtree_control of every ancestor that lacks them (and only those).
#pragma once

#include "common/fd.hpp"
#include "linux/cgroups/manager.hpp"

namespace gocker::cgroups {

class V2Manager : public CgroupManager {
public:
    V2Manager(Hierarchy hierarchy, std::string path);

    GK_CGROUP_MANAGER_OPERATIONS;
    Status apply_device_rules(const std::vector<spec::DeviceCgroupRule>& rules) override;
    int clone_into_fd() const override { return dir_fd_.get(); }

    const std::string& dir() const { return dir_; }
    // Adds "+<ctrl>" to subtree_control from the mount root down to the container's parent.
    Status enable_controllers(const std::set<std::string>& needed);

private:
    Status open_dir();

    Hierarchy hierarchy_;
    std::string dir_;
    UniqueFd dir_fd_;
};

}  // namespace gocker::cgroups
