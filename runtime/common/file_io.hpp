// Whole-file reads and atomic writes, shared by the state store, the cgroup code, the seccomp
// cache, the host probe and the hygiene re-exec.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace gocker {

// Reads a whole file. Errors: "open PATH" / "read PATH" with the errno. `open_flags` are added
// to O_RDONLY|O_CLOEXEC (e.g. O_NOFOLLOW).
Result<std::string> read_whole_file(const std::string& path, int open_flags = 0);
// Writes a file atomically: a temp file in the same directory, then rename over `path`.
// `open_flags` are added when the temp file is created (e.g. O_NOFOLLOW).
Status write_file_atomic(const std::string& path, std::string_view data, int mode = 0644, int open_flags = 0);

}  // namespace gocker
