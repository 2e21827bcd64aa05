// What cgroups this host has, from its mounts: the mode (v1, v2, hybrid) and the usable
// controllers. The create path and the cgroup managers ask; `check` reports it. parse_* and
// *_from are pure, so that unit tests can feed them any host.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace gocker {

// v1: only cgroup v1 hierarchies; v2: cgroup2 mounted on /sys/fs/cgroup (unified);
// hybrid: v1 hierarchies plus a cgroup2 mount (usually /sys/fs/cgroup/unified); none: no cgroupfs.
enum class CgroupMode { v1, v2, hybrid, none };
const char* cgroup_mode_name(CgroupMode mode);

// One line of /proc/self/mountinfo, the fields the probes need (octal escapes decoded).
struct MountInfo {
    std::string mount_point;
    std::string fs_type;
    std::string source;
    std::string super_options;  // e.g. "rw,cpu,cpuacct" for a cgroup v1 hierarchy
    bool shared = false;        // a "shared:N" optional field: a peer group member
};
std::vector<MountInfo> parse_mountinfo(std::string_view text);
std::vector<MountInfo> read_mountinfo();         // /proc/self/mountinfo; empty if unreadable
const std::vector<MountInfo>& host_mountinfo();  // read_mountinfo() once per process

CgroupMode cgroup_mode_from_mounts(const std::vector<MountInfo>& mounts);
CgroupMode detect_cgroup_mode();  // read once per process (the host's mounts)

// A controller that can be used, with the hierarchy it lives in.
struct CgroupController {
    std::string name;         // "memory", "pids", "io", ...
    int version = 1;          // 1 or 2
    std::string mount_point;  // e.g. /sys/fs/cgroup/memory or /sys/fs/cgroup/unified
};
// v1: controllers named in the super options of a cgroup mount and enabled in /proc/cgroups
// (named hierarchies such as name=systemd are not controllers). v2: the words of each cgroup2
// mount's cgroup.controllers, given here as mount point -> file content.
std::vector<CgroupController> cgroup_controllers_from(const std::vector<MountInfo>& mounts,
                                                      std::string_view proc_cgroups,
                                                      const std::map<std::string, std::string>& v2_controllers_files);
std::vector<CgroupController> list_cgroup_controllers();  // read once per process

}  // namespace gocker
