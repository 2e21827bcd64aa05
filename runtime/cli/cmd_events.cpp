// `events [--stats] [--interval D] ID`: with --stats, one {"type":"stats",...} object (runc's
// shape); without, a stream of one JSON object per line: "stats" every interval and "oom" as
// soon as the kernel OOM-kills a process of the container. The stream ends when the container
// stops.
#include <chrono>
#include <iostream>
#include <thread>

#include "cli/cli_json.hpp"
#include "cli/commands.hpp"
#include "cli/lifecycle_options.hpp"
#include "container/lifecycle.hpp"
#include "linux/cgroups/container_cgroup.hpp"
#include "linux/cgroups/stats.hpp"
#include "linux/cgroups/units.hpp"
#include "linux/proc_info.hpp"

namespace gocker::cli {
namespace {

void emit(const char* type, const std::string& id, const std::string* data) {
    std::cout << event_json(type, id, data) << std::endl;
}

}  // namespace

int cmd_events(const GlobalOptions& g, std::vector<std::string>& args) {
    cxxopts::Options opts("gocker-runtime events", "Show a container's resource usage and events (OOM kills).");
    opts.custom_help("[command options] <container-id>");
    opts.add_options()("stats", "print the resource usage once and exit")(
        "interval", "how often to print usage in the stream", cxxopts::value<std::string>()->default_value("5s"))(
        "h,help", "show this help");
    int code = 0;
    auto r = parse_command(opts, args, code);
    if (!r) return code;
    if (!positional(*r, opts, "events", 1, 1, code)) return code;
    const std::string& id = r->unmatched().front();
    std::string what = "events " + id;
    auto interval = cgroups::parse_duration((*r)["interval"].as<std::string>(), "--interval");
    if (!interval) return usage_error(interval.error().message(), opts.help());

    StateStore store(g.root);
    auto info = load_container(store, id);
    if (!info) return report(std::move(info).error().wrap(what));
    if (info->status == spec::ContainerStatus::stopped) return report(Error(what + ": the container is stopped", 0));
    auto cg = cgroups::open_container_cgroup(store.dir(id));
    if (!cg) return report(std::move(cg).error().wrap(what));
    if (r->count("stats")) {
        std::string data = cgroups::stats_json(**cg);
        emit("stats", id, &data);
        return 0;
    }

    // OOM kills are checked often (a counter read), stats only every interval.
    auto ooms = (*cg)->oom_kills();
    uint64_t seen = ooms ? *ooms : 0;
    auto next_stats = std::chrono::steady_clock::now() + *interval;
    const auto tick = std::min<std::chrono::milliseconds>(*interval, std::chrono::milliseconds(100));
    for (;;) {
        auto now_ooms = (*cg)->oom_kills();
        if (now_ooms && *now_ooms > seen) {
            for (; seen < *now_ooms; ++seen) emit("oom", id, nullptr);
        }
        if (!process_alive(info->record.pid, info->record.start_time)) return 0;  // stopped
        if (std::chrono::steady_clock::now() >= next_stats) {
            std::string data = cgroups::stats_json(**cg);
            emit("stats", id, &data);
            next_stats += *interval;
        }
        std::this_thread::sleep_for(tick);
    }
}

}  // namespace gocker::cli
