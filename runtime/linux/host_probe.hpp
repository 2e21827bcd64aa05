// Host diagnosis: what this kernel and this caller can do for a container, and what in a config
// this host cannot do: `check`'s diagnostics, all here (the cgroup mode and controllers it reports
// come from linux/cgroups/host_cgroups, which the create path uses too).
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

#include "linux/cgroups/host_cgroups.hpp"
#include "spec/config.hpp"

namespace gocker {

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
