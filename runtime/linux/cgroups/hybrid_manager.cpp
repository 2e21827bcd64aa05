#include "linux/cgroups/hybrid_manager.hpp"

namespace gocker::cgroups {

HybridManager::HybridManager(std::vector<Hierarchy> v1, Hierarchy v2, const std::string& path)
    : v1_(std::move(v1), path), v2_(v2, path), v2_mount_(v2.mount_point) {
    path_ = path;
}

int HybridManager::version_of(const std::string& controller) const {
    if (v1_.version_of(controller)) return 1;
    return v2_.version_of(controller);
}

std::string HybridManager::dir_of(const std::string& controller) const {
    if (controller.empty()) return v2_.dir();
    if (v1_.version_of(controller)) return v1_.dir_of(controller);
    return v2_.dir_of(controller);
}

ControllerSet HybridManager::controllers() const {
    ControllerSet s = v1_.controllers();
    s.v2 = v2_.controllers().v2;
    return s;
}

Status HybridManager::create() {
    Status st = v1_.create();
    if (st) st = v2_.create();
    // Also on failure: destroy() removes what was made from this list.
    created_ = v1_.created_dirs();
    created_.insert(created_.end(), v2_.created_dirs().begin(), v2_.created_dirs().end());
    return st;
}

Status HybridManager::apply(const std::vector<CgroupWrite>& writes) {
    std::set<std::string> v2_needed;
    for (const auto& w : writes)
        if (w.version == 2 && !w.controller.empty()) v2_needed.insert(w.controller);
    GK_TRY(v2_.enable_controllers(v2_needed));
    return apply_writes(*this, writes);
}

Status HybridManager::apply_device_rules(const std::vector<spec::DeviceCgroupRule>& rules) {
    if (v1_.version_of("devices")) return {};  // devices.allow/deny writes are in the plan
    return v2_.apply_device_rules(rules);
}

Status HybridManager::attach(pid_t pid, bool cloned_into_v2) {
    GK_TRY(v1_.attach(pid, cloned_into_v2));
    return v2_.attach(pid, cloned_into_v2);
}

Result<std::vector<pid_t>> HybridManager::procs() const { return v1_.procs(); }

Status HybridManager::freeze(bool frozen) {
    if (v1_.version_of("freezer")) return v1_.freeze(frozen);
    return v2_.freeze(frozen);
}

Result<bool> HybridManager::frozen() const {
    if (v1_.version_of("freezer")) return v1_.frozen();
    return v2_.frozen();
}

Result<uint64_t> HybridManager::oom_kills() const {
    if (v1_.version_of("memory")) return v1_.oom_kills();
    return v2_.oom_kills();
}

std::vector<std::string> HybridManager::leaf_dirs() const {
    std::vector<std::string> out = v1_.leaf_dirs();
    out.push_back(v2_.dir());
    return out;
}

Status HybridManager::destroy() {
    std::vector<std::string> in_v1, in_v2;
    for (const auto& d : created_) (d.rfind(v2_mount_ + "/", 0) == 0 ? in_v2 : in_v1).push_back(d);
    v1_.set_created_dirs(in_v1);
    v2_.set_created_dirs(in_v2);
    Status a = v1_.destroy();
    Status b = v2_.destroy();
    return a ? b : a;
}

}  // namespace gocker::cgroups
