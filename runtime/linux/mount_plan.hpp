// config.mounts -> the ordered list of mount operations prepare_rootfs() applies. Pure: the
// decisions (bind or filesystem, relative sources, the flags of the mount and of the remount
// that follows a bind, the sysfs fallback in a user namespace) are made here and unit-tested;
// rootfs.cpp only carries them out.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "spec/config.hpp"

namespace gocker {

enum class MountKind {
    bind,        // mount(source, dest, NULL, MS_BIND[|MS_REC]) then, if needed, a remount with the flags
    filesystem,  // mount(source, dest, fstype, flags, data)
    cgroup,      // "cgroup"/"cgroup2": decided at apply time from the host's cgroup layout
};

struct MountOp {
    size_t index = 0;  // position in config.mounts
    MountKind kind = MountKind::filesystem;
    std::string source;                      // bind: absolute host path (bundle-relative resolved); else as written
    std::string destination;                 // as the user wrote it (errors quote it), resolved inside the rootfs
    std::string fstype;                      // filesystem/cgroup: the type; bind: empty
    unsigned long flags = 0;                 // mount(2) flags of the first mount call
    std::string data;                        // filesystem options passed to the kernel
    unsigned long remount_flags = 0;         // bind only: MS_BIND|MS_REMOUNT|... when the bind carries flags, else 0
    std::vector<unsigned long> propagation;  // applied after the mount, in order
    uint64_t rec_attr_set = 0;               // mount_setattr(AT_RECURSIVE) after the mount, when either is non-zero
    uint64_t rec_attr_clr = 0;
    bool sysfs_fallback = false;  // a sysfs mount turned into an rbind of the host's /sys
    bool copy_up = false;         // tmpfs with "tmpcopyup": filled with the image's content at the destination
};

struct PlanContext {
    std::string bundle;  // absolute bundle directory
    bool in_user_ns = false;
    bool new_net_ns = false;  // sysfs can be mounted in a user namespace only with its own net ns
};

Result<std::vector<MountOp>> build_mount_plan(const spec::Config& cfg, const PlanContext& ctx);

// runc's rule: /dev is populated (default devices, linux.devices, links) unless the config
// bind-mounts something onto /dev.
bool needs_dev_setup(const spec::Config& cfg);

// True when a devpts filesystem is mounted at /dev/pts (then /dev/ptmx links to pts/ptmx).
bool has_devpts_at_dev_pts(const spec::Config& cfg);

// "/a//b/./c/" -> "/a/b/c" (lexical; ".." is kept, resolution inside the rootfs handles it).
std::string clean_container_path(const std::string& path);

}  // namespace gocker
