#include "linux/cgroups/v1_manager.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <optional>
#include <thread>

#include <unistd.h>

#include "linux/cgroups/cgroup_fs.hpp"

namespace gocker::cgroups {

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
// both are set: copy them from the parent, top-down, as runc does. Called for each level from
// the top, `inherited` carries the previous level's cpus and mems (read from the parent
// directory only at the top level), so that no file is read twice.
static Status init_cpuset(const std::string& dir, std::array<std::optional<std::string>, 2>& inherited) {
    static constexpr const char* kFiles[] = {"cpuset.cpus", "cpuset.mems"};
    auto trimmed = [](std::string s) {
        while (!s.empty() && s.back() == '\n') s.pop_back();
        return s;
    };
    for (size_t i = 0; i < inherited.size(); ++i) {
        std::string file = dir + "/" + kFiles[i];
        std::string mine = GK_TRY(read_cgroup_file(file));
        if (mine.find_first_not_of(" \n") != std::string::npos) {
            inherited[i] = trimmed(std::move(mine));  // set already: it is what the next level gets
            continue;
        }
        if (!inherited[i])
            inherited[i] = trimmed(GK_TRY(read_cgroup_file(dir.substr(0, dir.rfind('/')) + "/" + kFiles[i])));
        GK_TRY(write_cgroup_file(file, *inherited[i]));
    }
    return {};
}

Status V1Manager::create() {
    for (const auto& h : hierarchies_) {
        GK_TRY(make_cgroup_dirs(h.mount_point, path_, created_, journal_fd_, kept_len_));
        if (h.controllers.count("cpuset")) {
            // Every level, not only the ones we made: a parent such as /gocker made by a
            // concurrent create may not have its cpus/mems yet. Writes only fill empty files,
            // with the values the other create would write, so the race is harmless.
            std::array<std::optional<std::string>, 2> inherited;
            for (size_t slash = path_.find('/', 1);; slash = path_.find('/', slash + 1)) {
                GK_TRY(init_cpuset(h.mount_point + path_.substr(0, slash), inherited));
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

std::vector<std::string> V1Manager::leaf_dirs() const {
    std::vector<std::string> out;
    for (const auto& h : hierarchies_) out.push_back(h.mount_point + (path_ == "/" ? "" : path_));
    return out;
}

Status V1Manager::destroy() {
    Status first;
    const std::vector<std::string> leaves = leaf_dirs();
    for (const auto& leaf : leaves) {
        // Never a hierarchy's root, never a cgroup someone else made (it was joined).
        if (path_ == "/" || !made(leaf)) continue;
        Status st = remove_cgroup_tree(leaf, 2000);
        if (!st && first) first = st;
    }
    // Then the parents we made, deepest first (the leaves were handled above).
    for (auto it = created_.rbegin(); it != created_.rend(); ++it)
        if (std::find(leaves.begin(), leaves.end(), *it) == leaves.end())
            (void)::rmdir(it->c_str());  // not empty: another container's parent
    return first;
}

}  // namespace gocker::cgroups
