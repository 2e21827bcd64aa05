// The console's usage figures: core::read_usage now, with CPU % over the time since the previous
// sample of the same container (the first sample of a container measures 200 ms).
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "common/result.hpp"
#include "core/store.hpp"

namespace gocker::gui {

class StatsSampler {
public:
    // {"cpuPercent":12.5,"cpuNs":N,"memory":B,"memoryLimit":B|null,"pids":N,"pidsLimit":N|null}
    // cpuPercent is of one CPU (200 = two CPUs busy), as top and docker stats show it.
    Result<std::string> sample(const core::Record& r);

private:
    struct Point {
        uint64_t cpu_ns;
        std::chrono::steady_clock::time_point at;
    };
    std::mutex mu_;
    std::map<std::string, Point> last_;
};

}  // namespace gocker::gui
