// Small string helpers for reading the kernel's text files (/proc, /sys).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gocker {

// The file's text, or "" when it cannot be read (a probe reports what it finds).
std::string read_text(const std::string& path);
// s without leading and trailing spaces, tabs and newlines.
std::string trim(std::string_view s);
// The non-empty pieces of s between separators.
std::vector<std::string> split(std::string_view s, char sep);

}  // namespace gocker
