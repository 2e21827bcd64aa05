// cgroup v1: one directory per hierarchy (<mount>/<path>); co-mounted controllers share one.
#pragma once

#include "linux/cgroups/manager.hpp"

namespace gocker::cgroups {

class V1Manager : public CgroupManager {
public:
    V1Manager(std::vector<Hierarchy> hierarchies, std::string path);

    int version_of(const std::string& controller) const override;
    std::string dir_of(const std::string& controller) const override;
    ControllerSet controllers() const override;
    Status create() override;
    Status apply(const std::vector<CgroupWrite>& writes) override;
    Status apply_device_rules(const std::vector<spec::DeviceCgroupRule>&) override { return {}; }
    int clone_into_fd() const override { return -1; }
    Status attach(pid_t pid, bool cloned_into_v2) override;
    Result<std::vector<pid_t>> procs() const override;
    Status freeze(bool frozen) override;
    Result<bool> frozen() const override;
    Result<uint64_t> oom_kills() const override;
    Status destroy() override;
    std::vector<std::string> leaf_dirs() const override;

private:
    std::vector<Hierarchy> hierarchies_;
};

}  // namespace gocker::cgroups
