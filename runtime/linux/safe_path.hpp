// Paths inside a hostile root filesystem. Everything is resolved relative to an fd on the
// rootfs with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS): ".." and absolute symlinks in
// the image stay inside it, so a symlink can never send a mount or a mknod to the host.
#pragma once

#include <sys/types.h>

#include <string>

#include "common/fd.hpp"
#include "common/result.hpp"

namespace gocker::safe_path {

// openat2(root_fd, path, flags, RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS). `path` is as seen from
// inside the container ("/dev/null"); errors carry errno (ENOENT for a missing path).
Result<UniqueFd> open_in_root(int root_fd, const std::string& path, int flags);

enum class Kind { directory, file };

// Resolves `path` inside the root, creating what is missing component by component (mkdirat, or
// for the last component an empty file when `kind` is file) without ever following a symlink
// out of the root: a dangling symlink is followed inside the root (like runc's securejoin) and
// its target created there. Returns an O_PATH fd on the final object.
Result<UniqueFd> create_in_root(int root_fd, const std::string& path, Kind kind, mode_t mode = 0755);

// "/proc/self/fd/N": the path that makes mount(2) act on exactly the object behind fd N.
std::string fd_path(int fd);

}  // namespace gocker::safe_path
