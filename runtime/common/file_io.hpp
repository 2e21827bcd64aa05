// Whole-file reads and atomic writes, shared by the state store, the cgroup code, the seccomp
// cache, the host probe and the hygiene re-exec.
#pragma once

#include <sys/stat.h>

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace gocker {

// Reads a whole file. Errors: "open PATH" / "read PATH" with the errno. `open_flags` are added
// to O_RDONLY|O_CLOEXEC (e.g. O_NOFOLLOW).
Result<std::string> read_whole_file(const std::string& path, int open_flags = 0);
// Reads what is left of an open file; `path` is for the error ("read PATH").
Result<std::string> read_whole_fd(int fd, const std::string& path);
// Writes a file atomically: a temp file in the same directory, then rename over `path`. The
// temp file has an unpredictable name and is created O_EXCL|O_NOFOLLOW: a file or symlink
// planted there is never written through. `open_flags` are added when it is created.
Status write_file_atomic(const std::string& path, std::string_view data, int mode = 0644, int open_flags = 0);

}  // namespace gocker

namespace gocker {

// Whether a file or directory the runtime is about to trust (the state root, the seccomp cache)
// could have been changed by someone else: it must be of the expected kind (`S_IFDIR`,
// `S_IFREG`), owned by the runtime's effective uid and writable by no group or other user.
// The error is "<what>: <what is wrong>: refusing to trust it", `what` naming the path
// (e.g. "state root /run/gocker").
Status check_private(const std::string& what, const struct stat& st, mode_t kind);

}  // namespace gocker
