// build_mount_plan of the default config's mounts (proc, dev, devpts, shm, mqueue, sysfs,
// cgroup), as create's child computes it before touching the rootfs.
#include <benchmark/benchmark.h>

#include "bench_configs.hpp"
#include "linux/mount_plan.hpp"
#include "spec/config_io.hpp"

namespace gocker::bench {
namespace {

// build_mount_plan of `cfg` for a container with its own network namespace, once per iteration.
void plan_each_iteration(benchmark::State& state, const spec::Config& cfg) {
    PlanContext ctx;
    ctx.bundle = "/var/lib/bundles/bench";
    ctx.new_net_ns = true;
    for (auto _ : state) {
        auto plan = build_mount_plan(cfg, ctx);
        if (!plan.ok()) fail("build_mount_plan", plan.error().message());
        if (plan->size() != cfg.mounts.size()) fail("build_mount_plan", "one op per mount expected");
        benchmark::DoNotOptimize(plan);
    }
}

void BM_MountPlanDefault(benchmark::State& state) { plan_each_iteration(state, spec::default_config()); }
BENCHMARK(BM_MountPlanDefault);

// Many bind mounts with options, as a compose-style bundle has (volumes, secrets, /etc files).
void BM_MountPlanManyBinds(benchmark::State& state) {
    spec::Config cfg = spec::default_config();
    for (int i = 0; i < 50; ++i) {
        spec::Mount m;
        m.destination = "/data/volume" + std::to_string(i);
        m.source = "volumes/v" + std::to_string(i);
        m.type = "bind";
        m.options = {"rbind", "ro", "nosuid", "nodev", "rprivate"};
        cfg.mounts.push_back(std::move(m));
    }
    plan_each_iteration(state, cfg);
}
BENCHMARK(BM_MountPlanManyBinds);

}  // namespace
}  // namespace gocker::bench
