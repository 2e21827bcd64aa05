// Whole-file reads and atomic writes, shared by the state store and the cgroup code.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace gocker {

// Reads a whole file. Errors: "open PATH" / "read PATH" with the errno.
Result<std::string> read_whole_file(const std::string& path);
// Writes a file atomically: a temp file in the same directory, then rename over `path`.
Status write_file_atomic(const std::string& path, std::string_view data, int mode = 0644);

}  // namespace gocker
