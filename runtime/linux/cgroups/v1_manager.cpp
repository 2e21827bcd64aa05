#include "linux/cgroups/v1_manager.hpp"

#include <cerrno>
#include <chrono>
#include <thread>

#include <unistd.h>

#include "common/log.hpp"
#include "linux/cgroups/cgroup_fs.hpp"

namespace gocker::cgroups {

Status apply_writes(const CgroupManager& m, const std::vector<CgroupWrite>& writes) {
    std::vector<const CgroupWrite*> retry;
    auto write_one = [&](const CgroupWrite& w) -> Status {
        // controller "" is a cgroup.* core file: the v2 directory.
        std::string dir = m.dir_of(w.controller);
        if (dir.empty()) return Error(w.field + ": the " + w.controller + " cgroup controller is not available", ENODEV);
        std::string file = dir + "/" + w.file;
        // Write first: the file is there on nearly every kernel, and looking first costs one
        // more system call per write. Only a failed write asks whether the file exists.
        Status st = write_cgroup_file(file, w.value);
        if (!st && !path_exists(file)) {
            if (!w.fallback_file.empty() && path_exists(dir + "/" + w.fallback_file)) {
                st = write_cgroup_file(dir + "/" + w.fallback_file, w.fallback_value);
            } else if (w.optional) {
                log::warning(w.field + ": " + file + " does not exist on this kernel; the value is not applied");
                return {};
            }
        }
        if (!st) return std::move(st).error().wrap(w.field);
        return {};
    };
    for (const auto& w : writes) {
        Status st = write_one(w);
        if (!st) {
            int e = st.error().sys_errno();
            if (e == EINVAL || e == EBUSY || e == EPERM) retry.push_back(&w);
            else return st;
        }
    }
    for (const CgroupWrite* w : retry) GK_TRY(write_one(*w));
    return {};
}

V1Manager::V1Manager(std::vector<Hierarchy> hierarchies, std::string path) : hierarchies_(std::move(hierarchies)) {
    path_ = std::move(path);
}

int V1Manager::version_of(const std::string& controller) const {
    for (const auto& h : hierarchies_)
        if (h.controllers.count(controller)) return 1;
    return 0;
}

std::string V1Manager::dir_of(const std::string& controller) const {
    for (const auto& h : hierarchies_)
        if (h.controllers.count(controller)) return h.mount_point + (path_ == "/" ? "" : path_);
    return {};
}

ControllerSet V1Manager::controllers() const {
    ControllerSet s;
    for (const auto& h : hierarchies_) s.v1.insert(h.controllers.begin(), h.controllers.end());
    return s;
}

// A new v1 cpuset starts with no CPUs and no memory nodes, and a task cannot join it until
// both are set: copy them from the parent, top-down, as runc does.
static Status init_cpuset(const std::string& dir) {
    std::string parent = dir.substr(0, dir.rfind('/'));
    for (const char* f : {"cpuset.cpus", "cpuset.mems"}) {
        std::string mine = GK_TRY(read_cgroup_file(dir + "/" + f));
        if (mine.find_first_not_of(" \n") != std::string::npos) continue;
        std::string theirs = GK_TRY(read_cgroup_file(parent + "/" + f));
        while (!theirs.empty() && theirs.back() == '\n') theirs.pop_back();
        GK_TRY(write_cgroup_file(dir + "/" + f, theirs));
    }
    return {};
}

Status V1Manager::create() {
    for (const auto& h : hierarchies_) {
        GK_TRY(make_cgroup_dirs(h.mount_point, path_, created_));
        if (h.controllers.count("cpuset")) {
            // Every level, not only the ones we made: a parent such as /gocker made by a
            // concurrent create may not have its cpus/mems yet. Writes only fill empty files,
            // with the values the other create would write, so the race is harmless.
            for (size_t slash = path_.find('/', 1);; slash = path_.find('/', slash + 1)) {
                GK_TRY(init_cpuset(h.mount_point + path_.substr(0, slash)));
                if (slash == std::string::npos) break;
            }
        }
    }
    return {};
}

Status V1Manager::apply(const std::vector<CgroupWrite>& writes) { return apply_writes(*this, writes); }

Status V1Manager::attach(pid_t pid, bool) {
    for (const auto& h : hierarchies_) {
        std::string dir = h.mount_point + (path_ == "/" ? "" : path_);
        GK_TRY(write_cgroup_file(dir + "/cgroup.procs", std::to_string(pid)));
    }
    return {};
}

Result<std::vector<pid_t>> V1Manager::procs() const {
    for (const char* pref : {"pids", "freezer", "memory", "cpu"})
        if (version_of(pref)) return read_procs_recursive(dir_of(pref));
    if (hierarchies_.empty()) return Error("no cgroup v1 hierarchy", ENODEV);
    return read_procs_recursive(hierarchies_.front().mount_point + path_);
}

Status V1Manager::freeze(bool want) {
    if (!version_of("freezer")) return Error("pause needs the freezer cgroup controller, which is not mounted", ENODEV);
    std::string file = dir_of("freezer") + "/freezer.state";
    const char* target = want ? "FROZEN" : "THAWED";
    // FREEZING can last while tasks are in uninterruptible sleep: ask again until it sticks.
    for (int i = 0; i < 1000; ++i) {
        GK_TRY(write_cgroup_file(file, target));
        std::string state = GK_TRY(read_cgroup_file(file));
        if (state.rfind(target, 0) == 0) return {};
        std::this_thread::sleep_for(std::chrono::milliseconds(i < 10 ? 1 : 10));
    }
    return Error(std::string("the cgroup did not become ") + target + " (" + file + ")", ETIMEDOUT);
}

Result<bool> V1Manager::frozen() const {
    if (!version_of("freezer")) return false;
    std::string state = GK_TRY(read_cgroup_file(dir_of("freezer") + "/freezer.state"));
    return state.rfind("FROZEN", 0) == 0 || state.rfind("FREEZING", 0) == 0;
}

Result<uint64_t> V1Manager::oom_kills() const {
    if (!version_of("memory")) return Error("the memory cgroup controller is not mounted", ENODEV);
    std::string text = GK_TRY(read_cgroup_file(dir_of("memory") + "/memory.oom_control"));
    uint64_t n = 0;
    flat_keyed_value(text, "oom_kill", n);
    return n;
}

Status V1Manager::destroy() {
    Status first;
    for (const auto& h : hierarchies_) {
        if (path_ == "/") break;  // never remove a hierarchy's root
        Status st = remove_cgroup_tree(h.mount_point + path_, 2000);
        if (!st && first) first = st;
    }
    for (auto it = created_.rbegin(); it != created_.rend(); ++it)
        (void)::rmdir(it->c_str());  // gone already, or not empty: another container's parent
    return first;
}

}  // namespace gocker::cgroups
