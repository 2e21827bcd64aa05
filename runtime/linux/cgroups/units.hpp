// The value syntaxes people type for cgroup limits (runc's update flags, the seed's spec flags,
// `events --interval`). Errors quote the value and say what was expected.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "common/result.hpp"

namespace gocker::cgroups {

// "512M", "1G", "1.5g", "4096", "100k", "2GiB", "1gb" (binary multiples); "max" and "-1" -> -1.
Result<int64_t> parse_bytes(std::string_view text, std::string_view flag);

// The seed's --cpu-limit: CPUs as a decimal ("0.5", "1", "2.25") or "max".
struct CpuQuota {
    int64_t quota = -1;  // microseconds per period; -1 = no limit
    uint64_t period = 100000;
};
Result<CpuQuota> parse_cpu_limit(std::string_view text, std::string_view flag);

// Go-style durations: "5s", "100ms", "1m30s", "250us", "2h"; a bare number is seconds.
Result<std::chrono::milliseconds> parse_duration(std::string_view text, std::string_view flag);

}  // namespace gocker::cgroups
