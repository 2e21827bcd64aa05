// The container's root filesystem, set up by the container's init (child side of clone), in its
// new mount namespace. The image is hostile: every path inside the rootfs is resolved inside it
// (openat2 RESOLVE_IN_ROOT, or a walk with O_NOFOLLOW), and mounts are made on the opened fd
// (/proc/self/fd/N or the new mount API), never on a path re-resolved through a symlink.
//
// Order (called by the container init, see docs/architecture.md):
//   prepare_rootfs()   mount propagation, bind the rootfs on itself, every config mount in order,
//                      /dev (default devices, linux.devices, links, devpts), /dev/console target
//   -- parent runs prestart/createRuntime hooks, child runs createContainer hooks --
//   enter_rootfs()     pivot_root (chroot with --no-pivot), sysctl, maskedPaths, readonlyPaths,
//                      root.readonly, final rootfsPropagation
#pragma once

#include <functional>
#include <string>

#include "common/result.hpp"
#include "spec/config.hpp"

namespace gocker {

struct RootfsSpec {
    const spec::Config* cfg = nullptr;
    std::string rootfs;       // absolute host path of the root filesystem
    std::string bundle;       // absolute bundle path (relative bind sources resolve here)
    bool no_pivot = false;    // --no-pivot: chroot instead of pivot_root
    bool in_user_ns = false;  // a new user namespace: devices are bind-mounted from the host, not mknod'ed
    // false: the container shares a mount namespace (joined by path, or the runtime's own): the
    // mounts are made there without touching its propagation, and the init chroots.
    bool new_mount_ns = true;
    bool joined_mount_ns = false;  // ... shared because linux.namespaces names it by path
    // Called before a cgroup filesystem is mounted (the init waits there until it is in its cgroups).
    std::function<Status()> before_cgroup_mount;
};

Status prepare_rootfs(const RootfsSpec& spec);
Status enter_rootfs(const RootfsSpec& spec);

}  // namespace gocker
