#include "gui/stats_sampler.hpp"

#include <thread>

#include "common/json_writer.hpp"
#include "core/usage.hpp"

namespace gocker::gui {

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
    return json::compact([&](auto& w) {
        w.SetMaxDecimalPlaces(2);
        w.StartObject();
        json::key(w, "cpuPercent");
        w.Double(pct);
        json::member(w, "cpuNs", u.cpu_ns);
        json::member(w, "memory", u.memory);
        json::member(w, "memoryLimit", u.memory_limit);
        json::member(w, "pids", u.pids);
        json::member(w, "pidsLimit", u.pids_limit);
        w.EndObject();
    });
}

}  // namespace gocker::gui
