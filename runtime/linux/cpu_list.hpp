// Kernel "list" syntax shared by execCPUAffinity (CPUs) and linux.memoryPolicy.nodes (NUMA
// nodes): a comma-separated list of numbers and inclusive ranges, e.g. "0-3,7".
#pragma once

#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace gocker {

// The numbers in ascending order without duplicates. "" gives an empty list; spaces around
// items are allowed; anything else (a reversed range "3-1", "a", "1,,2") is an error that
// quotes the list.
Result<std::vector<unsigned>> parse_cpu_list(std::string_view list);

// sched_setaffinity(0, list) for the calling thread; `field` names the config field in errors
// (`sched_setaffinity to process.execCPUAffinity.final "9": invalid argument`). An empty list
// leaves the affinity alone, as the spec asks.
Status set_cpu_affinity(std::string_view list, std::string_view field);

}  // namespace gocker
