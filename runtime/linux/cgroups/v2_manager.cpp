#include "linux/cgroups/v2_manager.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <sstream>
#include <thread>

#include "linux/cgroups/cgroup_fs.hpp"
#include "linux/cgroups/device_rules.hpp"

namespace gocker::cgroups {

V2Manager::V2Manager(Hierarchy hierarchy, std::string path) : hierarchy_(std::move(hierarchy)) {
    path_ = std::move(path);
    dir_ = hierarchy_.mount_point + (path_ == "/" ? "" : path_);
}

int V2Manager::version_of(const std::string& controller) const {
    return hierarchy_.controllers.count(controller) ? 2 : 0;
}

std::string V2Manager::dir_of(const std::string& controller) const {
    return controller.empty() || hierarchy_.controllers.count(controller) ? dir_ : std::string();
}

ControllerSet V2Manager::controllers() const {
    ControllerSet s;
    s.v2 = hierarchy_.controllers;
    return s;
}

Status V2Manager::create() {
    GK_TRY(make_cgroup_dirs(hierarchy_.mount_point, path_, created_, journal_fd_, kept_len_));
    return open_dir();
}

// One descriptor for both uses: CLONE_INTO_CGROUP takes any fd of the directory, and
// BPF_PROG_ATTACH needs a real one (not O_PATH).
Status V2Manager::open_dir() {
    dir_fd_.reset(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir_fd_) return sys_error([&] { return "open cgroup " + dir_; });
    return {};
}

Status V2Manager::enable_controllers(const std::set<std::string>& needed) {
    if (needed.empty()) return {};
    std::vector<std::string> ancestors{hierarchy_.mount_point};
    std::string at = hierarchy_.mount_point;
    std::stringstream parts(path_);
    std::string part;
    std::vector<std::string> comps;
    while (std::getline(parts, part, '/'))
        if (!part.empty()) comps.push_back(part);
    for (size_t i = 0; i + 1 < comps.size(); ++i) ancestors.push_back(at += "/" + comps[i]);
    for (const auto& dir : ancestors) {
        std::string enabled = GK_TRY(read_cgroup_file(dir + "/cgroup.subtree_control"));
        std::set<std::string> have;
        std::stringstream words(enabled);
        for (std::string w; words >> w;) have.insert(w);
        for (const auto& c : needed) {
            if (have.count(c)) continue;
            Status st = write_cgroup_file(dir + "/cgroup.subtree_control", "+" + c);
            if (!st) return std::move(st).error().wrap("enable the " + c + " controller");
        }
    }
    return {};
}

Status V2Manager::apply(const std::vector<CgroupWrite>& writes) {
    std::set<std::string> needed;
    for (const auto& w : writes)
        if (!w.controller.empty()) needed.insert(w.controller);
    GK_TRY(enable_controllers(needed));
    return apply_writes(*this, writes);
}

Status V2Manager::apply_device_rules(const std::vector<spec::DeviceCgroupRule>& rules) {
    if (rules.empty()) return {};
    if (!dir_fd_) GK_TRY(open_dir());
    Status st = load_and_attach_device_program(dir_fd_.get(), device_program(rules));
    if (!st) return std::move(st).error().wrap("/linux/resources/devices: " + dir_);
    return {};
}

Status V2Manager::attach(pid_t pid, bool cloned_into_v2) {
    if (cloned_into_v2) return {};
    return write_cgroup_file(dir_ + "/cgroup.procs", std::to_string(pid));
}

Result<std::vector<pid_t>> V2Manager::procs() const { return read_procs_recursive(dir_); }

Status V2Manager::freeze(bool want) {
    GK_TRY(write_cgroup_file(dir_ + "/cgroup.freeze", want ? "1" : "0"));
    // The write only starts freezing; cgroup.events says when every task is stopped.
    for (int i = 0; i < 1000; ++i) {
        std::string events = GK_TRY(read_cgroup_file(dir_ + "/cgroup.events"));
        uint64_t frozen = 0;
        if (flat_keyed_value(events, "frozen", frozen) && (frozen == 1) == want) return {};
        std::this_thread::sleep_for(std::chrono::milliseconds(i < 10 ? 1 : 10));
    }
    return Error(std::string("the cgroup did not become ") + (want ? "frozen" : "thawed") + " (" + dir_ + ")",
                 ETIMEDOUT);
}

Result<bool> V2Manager::frozen() const {
    std::string want = GK_TRY(read_cgroup_file(dir_ + "/cgroup.freeze"));
    return !want.empty() && want[0] == '1';
}

Result<uint64_t> V2Manager::oom_kills() const {
    if (!hierarchy_.controllers.count("memory")) return Error("the memory cgroup controller is not available", ENODEV);
    std::string text = GK_TRY(read_cgroup_file(dir_ + "/memory.events"));
    uint64_t n = 0;
    flat_keyed_value(text, "oom_kill", n);
    return n;
}

std::vector<std::string> V2Manager::leaf_dirs() const { return {dir_}; }

Status V2Manager::destroy() {
    dir_fd_.reset();
    Status st;
    // Never the root, never a cgroup someone else made (it was joined).
    if (path_ != "/" && made(dir_)) st = remove_cgroup_tree(dir_, 2000);
    for (auto it = created_.rbegin(); it != created_.rend(); ++it)
        (void)::rmdir(it->c_str());  // gone already, or not empty: another container's parent
    return st;
}

}  // namespace gocker::cgroups
