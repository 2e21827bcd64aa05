// The seed's limit flags (--cpu-limit 0.5|1|max, --memory-limit 512M|1G|max, --pids-limit N|max)
// as linux.resources: shared by `gocker-runtime spec` and `gocker run`.
#pragma once

#include <optional>
#include <string>

#include "common/result.hpp"
#include "spec/config.hpp"

namespace gocker::cgroups {

struct SeedLimits {
    std::optional<std::string> cpu;     // --cpu-limit
    std::optional<std::string> memory;  // --memory-limit
    std::optional<std::string> pids;    // --pids-limit
};

// Sets cpu quota/period, memory.limit and pids.limit in `res` for the limits given; errors name
// the flag and quote the value ("--memory-limit: invalid value \"12Q\" (expected ...)").
Status add_seed_limits(spec::Resources& res, const SeedLimits& limits);

}  // namespace gocker::cgroups
