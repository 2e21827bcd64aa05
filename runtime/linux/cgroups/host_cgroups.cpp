#include "linux/cgroups/host_cgroups.hpp"

#include <set>
#include <sstream>

#include "common/text.hpp"

namespace gocker {
namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape_octal(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size()) {
            bool octal = true;
            int v = 0;
            for (size_t k = 1; k <= 3; ++k) {
                if (i + k >= s.size() || s[i + k] < '0' || s[i + k] > '7') {
                    octal = false;
                    break;
                }
                v = v * 8 + (s[i + k] - '0');
            }
            if (octal) {
                out += static_cast<char>(v);
                i += 3;
                continue;
            }
        }
        out += s[i];
    }
    return out;
}

}  // namespace

const char* cgroup_mode_name(CgroupMode mode) {
    switch (mode) {
        case CgroupMode::v1: return "v1";
        case CgroupMode::v2: return "v2";
        case CgroupMode::hybrid: return "hybrid";
        case CgroupMode::none: return "none";
    }
    return "none";
}

std::vector<MountInfo> parse_mountinfo(std::string_view text) {
    std::vector<MountInfo> out;
    for (const auto& line : split(text, '\n')) {
        std::vector<std::string> f = split(line, ' ');
        // id parent maj:min root mount-point options [optional...] - fstype source super-options
        size_t dash = 6;
        while (dash < f.size() && f[dash] != "-") ++dash;
        if (f.size() < 7 || dash + 2 >= f.size()) continue;
        MountInfo m;
        m.mount_point = unescape_octal(f[4]);
        m.fs_type = f[dash + 1];
        m.source = unescape_octal(f[dash + 2]);
        if (dash + 3 < f.size()) m.super_options = f[dash + 3];
        for (size_t i = 6; i < dash; ++i)
            if (f[i].rfind("shared:", 0) == 0) m.shared = true;
        out.push_back(std::move(m));
    }
    return out;
}

std::vector<MountInfo> read_mountinfo() { return parse_mountinfo(read_text("/proc/self/mountinfo")); }

CgroupMode cgroup_mode_from_mounts(const std::vector<MountInfo>& mounts) {
    bool v1 = false, v2 = false, unified_root = false;
    for (const auto& m : mounts) {
        if (m.fs_type == "cgroup") v1 = true;
        if (m.fs_type == "cgroup2") {
            v2 = true;
            if (m.mount_point == "/sys/fs/cgroup") unified_root = true;
        }
    }
    if (unified_root || (v2 && !v1)) return CgroupMode::v2;
    if (v1 && v2) return CgroupMode::hybrid;
    if (v1) return CgroupMode::v1;
    return CgroupMode::none;
}

// The host's cgroup mounts do not change while one command runs: read them once per process
// (create asks for the mode, the controllers and the layout; delete asks again).
const std::vector<MountInfo>& host_mountinfo() {
    static const std::vector<MountInfo> mounts = read_mountinfo();
    return mounts;
}

CgroupMode detect_cgroup_mode() {
    static const CgroupMode mode = cgroup_mode_from_mounts(host_mountinfo());
    return mode;
}

std::vector<CgroupController> cgroup_controllers_from(const std::vector<MountInfo>& mounts,
                                                      std::string_view proc_cgroups,
                                                      const std::map<std::string, std::string>& v2_controllers_files) {
    std::set<std::string> enabled;  // /proc/cgroups: subsys_name hierarchy num_cgroups enabled
    for (const auto& line : split(proc_cgroups, '\n')) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream ls(line);
        std::string name;
        int hierarchy = 0, num = 0, on = 0;
        if (ls >> name >> hierarchy >> num >> on && on == 1) enabled.insert(name);
    }
    std::vector<CgroupController> out;
    std::set<std::string> seen_v1;
    for (const auto& m : mounts) {
        if (m.fs_type == "cgroup") {
            for (const auto& opt : split(m.super_options, ',')) {
                if (enabled.count(opt) && seen_v1.insert(opt).second) out.push_back({opt, 1, m.mount_point});
            }
        } else if (m.fs_type == "cgroup2") {
            auto it = v2_controllers_files.find(m.mount_point);
            if (it == v2_controllers_files.end()) continue;
            for (const auto& word : split(trim(it->second), ' ')) out.push_back({word, 2, m.mount_point});
        }
    }
    return out;
}

std::vector<CgroupController> list_cgroup_controllers() {
    static const std::vector<CgroupController> controllers = [] {
        const auto& mounts = host_mountinfo();
        std::map<std::string, std::string> v2_files;
        for (const auto& m : mounts)
            if (m.fs_type == "cgroup2" && !v2_files.count(m.mount_point))
                v2_files[m.mount_point] = read_text(m.mount_point + "/cgroup.controllers");
        return cgroup_controllers_from(mounts, read_text("/proc/cgroups"), v2_files);
    }();
    return controllers;
}

}  // namespace gocker
