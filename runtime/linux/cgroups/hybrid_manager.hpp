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

    int version_of(const std::string& controller) const override;
    std::string dir_of(const std::string& controller) const override;
    ControllerSet controllers() const override;
    Status create() override;
    void set_journal(int fd) override {
        v1_.set_journal(fd);
        v2_.set_journal(fd);
    }
    void keep_shared_parent(std::string_view parent) override {
        v1_.keep_shared_parent(parent);
        v2_.keep_shared_parent(parent);
    }
    Status apply(const std::vector<CgroupWrite>& writes) override;
    Status apply_device_rules(const std::vector<spec::DeviceCgroupRule>& rules) override;
    int clone_into_fd() const override { return v2_.clone_into_fd(); }
    Status attach(pid_t pid, bool cloned_into_v2) override;
    Result<std::vector<pid_t>> procs() const override;
    Status freeze(bool frozen) override;
    Result<bool> frozen() const override;
    Result<uint64_t> oom_kills() const override;
    Status destroy() override;
    std::vector<std::string> leaf_dirs() const override;

private:
    V1Manager v1_;
    V2Manager v2_;
    std::string v2_mount_;
};

}  // namespace gocker::cgroups
