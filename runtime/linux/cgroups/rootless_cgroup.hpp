// The cgroup of a rootless container (linux/rootless.hpp), as runc and crun do it:
//   - on cgroup v2 a relative (or absent) linux.cgroupsPath is taken below the parent of the
//     caller's own cgroup, which is where a delegated subtree (a systemd user service, or any
//     directory the user owns with controllers enabled) puts it; limits are written there;
//   - when no cgroup can be made (nothing delegated, a v1 or hybrid host) and the config asks
//     for no limit, the container runs in the caller's cgroup, said at debug;
//   - when it asks for a limit, create is refused naming the field and the reason.
// Device rules are not applied (runc ignores them rootless): an unprivileged user can load no
// device program, and the devices the container gets are the user's own anyway.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "linux/cgroups/manager.hpp"
#include "spec/config.hpp"

namespace gocker::cgroups {

// The JSON path of the first limit linux.resources sets (device rules are not limits), if any.
std::optional<std::string> first_limit_field(const spec::Resources& res);

// The path of a rootless container's cgroup on a v2 host: `requested` (linux.cgroupsPath,
// absent or relative: below the parent of `own_cgroup`, the caller's cgroup from
// /proc/self/cgroup).
Result<std::string> rootless_v2_cgroup_path(const std::string* requested, std::string_view id,
                                            std::string_view own_cgroup);

// The caller's cgroup v2 path, from the "0::" line of /proc/self/cgroup.
Result<std::string> own_v2_cgroup();

// The cgroup of a rootless container; null when it runs without one.
Result<std::unique_ptr<CgroupManager>> create_rootless_cgroup(const spec::Config& cfg, std::string_view id,
                                                              int journal_fd = -1);

}  // namespace gocker::cgroups
