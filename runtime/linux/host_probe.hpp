// Host diagnosis: what this kernel and this caller can do for a container. Used by `check` (and
// the cgroup mode/controller detection by the cgroup managers).
//
// Probing is cheap and leaves nothing behind: files under /proc and /sys are read, and syscalls
// are called with arguments the kernel rejects before doing anything (ENOSYS then means "absent",
// any other error "present"). No namespace, cgroup or mount is ever created.
//
// Split in two: probe_host() does the reading; parse_* and config_host_problems() are pure so
// that unit tests can feed them any host.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "spec/config.hpp"

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
std::vector<MountInfo> read_mountinfo();  // /proc/self/mountinfo; empty if unreadable
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
std::vector<CgroupController> cgroup_controllers_from(
    const std::vector<MountInfo>& mounts, std::string_view proc_cgroups,
    const std::map<std::string, std::string>& v2_controllers_files);
std::vector<CgroupController> list_cgroup_controllers();  // read once per process

// Capabilities: "CAP_CHOWN" <-> 0 ... for every capability this build knows.
std::optional<int> capability_number(std::string_view name);
std::string capability_name(int number);  // "CAP_<n>" for numbers beyond the table
// The names of the bits set in `mask`, lowest first, up to and including `last_cap`.
std::vector<std::string> decode_capability_mask(uint64_t mask, int last_cap);
// A "CapEff:\t000001fffeffffff" style field of /proc/<pid>/status.
std::optional<uint64_t> parse_status_hex(std::string_view status, std::string_view field);

// A syscall probed with invalid arguments.
struct SyscallProbe {
    std::string name;
    bool available = false;
    int err = 0;  // what the invalid call returned
};

struct HostReport {
    CgroupMode cgroup_mode = CgroupMode::none;
    std::vector<CgroupController> controllers;
    std::map<std::string, bool> namespaces;  // OCI type ("network") -> /proc/self/ns entry exists
    bool user_ns_enabled = false;
    std::string user_ns_detail;
    bool seccomp_supported = false;  // the kernel accepts SECCOMP_MODE_FILTER
    std::string seccomp_detail;
    std::string libseccomp_version;
    std::string root_fs_type;  // fs type of "/": pivot_root fails on rootfs/ramfs
    bool pivot_root_ok = true;
    std::vector<SyscallProbe> syscalls;  // openat2, open_tree, fsopen, mount_setattr, clone3, ...
    uint64_t cap_effective = 0;
    uint64_t cap_bounding = 0;
    int cap_last = 40;
    std::map<std::string, uint64_t> rlimit_hard;  // "RLIMIT_NOFILE" -> current hard limit
};
HostReport probe_host();

// What in `cfg` this host cannot do, one sentence each naming the config field, e.g.
// "/linux/resources/network: needs the net_cls cgroup controller, which is not mounted".
// Empty: a container with this config can run here (as far as the host is concerned).
std::vector<std::string> config_host_problems(const spec::Config& cfg, const HostReport& host);

}  // namespace gocker
