#include "gui/stats_sampler.hpp"

#include <cstdio>
#include <thread>

#include "core/usage.hpp"

namespace gocker::gui {
namespace {

std::string number_or_null(const std::optional<uint64_t>& v) { return v ? std::to_string(*v) : "null"; }

}  // namespace

Result<std::string> StatsSampler::sample(const core::Record& r) {
    auto now = std::chrono::steady_clock::now();
    auto u = GK_TRY(core::read_usage(r));
    Point before{};
    bool have = false;
    {
        std::lock_guard<std::mutex> g(mu_);
        if (auto it = last_.find(r.id); it != last_.end() && it->second.cpu_ns <= u.cpu_ns) {
            before = it->second;
            have = now - before.at > std::chrono::milliseconds(50);
        }
    }
    if (!have) {
        before = {u.cpu_ns, now};
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        now = std::chrono::steady_clock::now();
        u = GK_TRY(core::read_usage(r));
    }
    {
        std::lock_guard<std::mutex> g(mu_);
        last_[r.id] = {u.cpu_ns, now};
    }
    double wall_ns = static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(now - before.at).count());
    double pct = wall_ns > 0 && u.cpu_ns >= before.cpu_ns ? 100.0 * double(u.cpu_ns - before.cpu_ns) / wall_ns : 0;
    char cpu[32];
    std::snprintf(cpu, sizeof cpu, "%.2f", pct);
    return "{\"cpuPercent\":" + std::string(cpu) + ",\"cpuNs\":" + std::to_string(u.cpu_ns) +
           ",\"memory\":" + std::to_string(u.memory) + ",\"memoryLimit\":" + number_or_null(u.memory_limit) +
           ",\"pids\":" + std::to_string(u.pids) + ",\"pidsLimit\":" + number_or_null(u.pids_limit) + "}";
}

}  // namespace gocker::gui
