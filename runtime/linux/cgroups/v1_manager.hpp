// cgroup v1: one directory per hierarchy (<mount>/<path>); co-mounted controllers share one.
#pragma once

#include "linux/cgroups/manager.hpp"

namespace gocker::cgroups {

class V1Manager : public CgroupManager {
public:
    V1Manager(std::vector<Hierarchy> hierarchies, std::string path);

    GK_CGROUP_MANAGER_OPERATIONS;
    Status apply_device_rules(const std::vector<spec::DeviceCgroupRule>&) override { return {}; }
    int clone_into_fd() const override { return -1; }

private:
    std::vector<Hierarchy> hierarchies_;
};

}  // namespace gocker::cgroups
