// A container's resource use now, from its cgroup (v1, v2 or hybrid): what the runtime's
// `events --stats` reads (linux/cgroups/stats.hpp), reduced to what a console shows.
#pragma once

#include <cstdint>
#include <optional>

#include "common/result.hpp"
#include "store.hpp"

namespace gocker::core {

struct Usage {
    uint64_t cpu_ns = 0;                   // CPU time used since the container started
    uint64_t memory = 0;                   // bytes in use
    std::optional<uint64_t> memory_limit;  // none: no limit
    uint64_t pids = 0;
    std::optional<uint64_t> pids_limit;
};

// Error when the record has no cgroup or it is gone (the container has exited).
Result<Usage> read_usage(const Record& r);

}  // namespace gocker::core
