#pragma once

#include <string>
#include <vector>

namespace gocker::cli {

std::string main_help();
// Runs command `name` with its arguments; the process's exit code.
int dispatch(const std::string& root, const std::string& name, const std::vector<std::string>& args);

}  // namespace gocker::cli
