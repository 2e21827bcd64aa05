// Hybrid hosts (v1 controllers plus a cgroup2 mount, as systemd's "hybrid" layout): each
// controller where it lives. The container also gets a directory in the v2 hierarchy, so that it
// is cloned straight into it (CLONE_INTO_CGROUP) and v2-only controllers (here: hugetlb) work.
#pragma once

#include "linux/cgroups/v1_manager.hpp"
#include "linux/cgroups/v2_manager.hpp"

namespace gocker::cgroups {

class HybridManager : public CgroupManager {
public:
    HybridManager(std::vector<Hierarchy> v1, Hierarchy v2, const std::string& path);

    GK_CGROUP_MANAGER_OPERATIONS;
    void set_journal(int fd) override {
        v1_.set_journal(fd);
        v2_.set_journal(fd);
    }
    Status apply_device_rules(const std::vector<spec::DeviceCgroupRule>& rules) override;
    int clone_into_fd() const override { return v2_.clone_into_fd(); }

private:
    V1Manager v1_;
    V2Manager v2_;
    std::string v2_mount_;
};

}  // namespace gocker::cgroups
