#include "linux/cgroups/seed_limits.hpp"

#include <cerrno>
#include <cstdlib>

#include "linux/cgroups/units.hpp"

namespace gocker::cgroups {

Status add_seed_limits(spec::Resources& res, const SeedLimits& limits) {
    if (limits.cpu) {
        auto q = GK_TRY(parse_cpu_limit(*limits.cpu, "--cpu-limit"));
        if (!res.cpu) res.cpu.emplace();
        res.cpu->quota = q.quota;
        res.cpu->period = q.period;
    }
    if (limits.memory) {
        int64_t bytes = GK_TRY(parse_bytes(*limits.memory, "--memory-limit"));
        if (bytes == 0) return Error("--memory-limit: 0 would leave no memory at all; use max for no limit", EINVAL);
        if (!res.memory) res.memory.emplace();
        res.memory->limit = bytes;
    }
    if (limits.pids) {
        const std::string& v = *limits.pids;
        int64_t n = -1;
        if (v != "max") {
            char* end = nullptr;
            errno = 0;
            long long x = std::strtoll(v.c_str(), &end, 10);
            if (v.empty() || *end || errno || x <= 0)
                return Error(
                    "--pids-limit: invalid value \"" + v + "\" (expected a positive number of processes, or max)", 0);
            n = x;
        }
        res.pids = spec::Pids{n};
    }
    return ok_status();
}

}  // namespace gocker::cgroups
