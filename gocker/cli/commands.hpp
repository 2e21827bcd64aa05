#pragma once

#include <string>
#include <vector>

#include "common/result.hpp"
#include "core/run_options.hpp"
#include "core/store.hpp"

namespace gocker::cli {

std::string main_help();
// Runs command `name` with its arguments; the process's exit code.
int dispatch(const std::string& root, const std::string& name, const std::vector<std::string>& args);

// `gocker run`'s arguments (flags, ROOTFS, COMMAND...) checked exactly as `gocker run` checks
// them: the web console's creation goes through here too.
struct RunRequest {
    core::RunOptions options;
    std::string cgroup_parent;
};
Result<RunRequest> parse_run_args(const std::vector<std::string>& args);

// A record as ps --format json, inspect and the web console show it: the record with its live
// status, plus statusText and address; one (compact), or an array of them.
core::RecordView record_view(const core::Record& r);
std::string record_view_json(const core::Record& r);
std::string record_views_json(const std::vector<core::Record>& rs);

}  // namespace gocker::cli
