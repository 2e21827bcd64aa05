// Where a container's cgroup goes: linux.cgroupsPath turned into one path that is the same in
// every hierarchy (relative to each hierarchy's root). Pure: no system calls.
//
//   absent or ""           -> /gocker/<id>
//   "/a/b" (absolute)      -> /a/b, taken from each hierarchy's root
//   "a/b" (relative)       -> /gocker/a/b  (never under the runtime's own cgroup, which may
//                             belong to someone else, e.g. a sandbox or a service manager)
//   "slice:prefix:name"    -> systemd style, mapped the way systemd would lay it out on
//                             cgroupfs when no systemd is running: the slice expanded
//                             ("a-b.slice" -> /a.slice/a-b.slice; "" -> /system.slice;
//                             "-.slice" -> /), then "<prefix>-<name>.scope" (just
//                             "<name>" when it already ends in ".slice").
// ".." and "." components are refused: a path must never climb out of its hierarchy.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace gocker::cgroups {

inline constexpr std::string_view kDefaultParent = "/gocker";

Result<std::string> resolve_cgroup_path(const std::string* cgroups_path, std::string_view id);

// "a-b-c.slice" -> "/a.slice/a-b.slice/a-b-c.slice"; error for a malformed slice name.
Result<std::string> expand_slice(std::string_view slice);

}  // namespace gocker::cgroups
