// /dev inside the container: device nodes (the default set runc always makes, plus
// linux.devices), the standard links, and the /dev/console mount target. Every path is made
// with safe_path inside the rootfs; nodes already present in the image are replaced unless they
// are exactly the device asked for, so an image cannot plant a symlink where /dev/null goes.
#pragma once

#include <vector>

#include "common/result.hpp"
#include "spec/config.hpp"

namespace gocker::devices {

// null zero full random urandom tty: c, 0666, root-owned (runc's AllowedDevices nodes).
std::vector<spec::Device> default_devices();

// The defaults with linux.devices merged in (a configured path replaces the default one).
std::vector<spec::Device> devices_to_create(const std::vector<spec::Device>& configured);

// mknod each device inside the root (fileMode, uid, gid applied). With bind_from_host (a user
// namespace, where mknod is not allowed) an empty file is made and the host's node at the same
// path is bind-mounted onto it, as runc does.
Status create_devices(int root_fd, const std::vector<spec::Device>& devs, bool bind_from_host);

// /dev/fd -> /proc/self/fd, /dev/std{in,out,err} -> /proc/self/fd/{0,1,2}, /dev/core ->
// /proc/kcore when the host has one, /dev/ptmx -> pts/ptmx when devpts is at /dev/pts.
Status create_dev_links(int root_fd, bool devpts_at_dev_pts, bool has_kcore);

// An empty regular file /dev/console (mode 0600), the target the terminal code binds the pty onto.
Status create_console_target(int root_fd);

}  // namespace gocker::devices
