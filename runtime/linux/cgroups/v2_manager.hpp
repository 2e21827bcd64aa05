// cgroup v2: one directory (<mount>/<path>); the controllers a write needs are enabled in the
// cgroup.subtree_control of every ancestor that lacks them (and only those).
#pragma once

#include "common/fd.hpp"
#include "linux/cgroups/manager.hpp"

namespace gocker::cgroups {

class V2Manager : public CgroupManager {
public:
    V2Manager(Hierarchy hierarchy, std::string path);

    int version_of(const std::string& controller) const override;
    std::string dir_of(const std::string& controller) const override;
    ControllerSet controllers() const override;
    Status create() override;
    Status apply(const std::vector<CgroupWrite>& writes) override;
    Status apply_device_rules(const std::vector<spec::DeviceCgroupRule>& rules) override;
    int clone_into_fd() const override { return dir_fd_.get(); }
    Status attach(pid_t pid, bool cloned_into_v2) override;
    Result<std::vector<pid_t>> procs() const override;
    Status freeze(bool frozen) override;
    Result<bool> frozen() const override;
    Result<uint64_t> oom_kills() const override;
    Status destroy() override;
    std::vector<std::string> leaf_dirs() const override;

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
