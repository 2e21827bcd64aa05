// compile_seccomp: config -> libseccomp filter -> BPF, which the container init does before
// "ready" on every create with a profile. Uses the same large profile as config_bench.
#include <benchmark/benchmark.h>

#include "bench_configs.hpp"
#include "linux/seccomp.hpp"
#include "spec/config_io.hpp"

namespace gocker::bench {
namespace {

spec::Seccomp large_profile() {
    auto cfg = spec::parse_config(large_config_json());
    if (!cfg.ok()) fail("parse_config", cfg.error().message());
    if (!cfg->linux || !cfg->linux->seccomp) fail("large config", "has no linux.seccomp");
    return *cfg->linux->seccomp;
}

void BM_SeccompCompileLarge(benchmark::State& state) {
    state.SetLabel(large_config_source());
    const spec::Seccomp profile = large_profile();
    for (auto _ : state) {
        auto filter = compile_seccomp(profile);
        if (!filter.ok()) fail("compile_seccomp", filter.error().message());
        benchmark::DoNotOptimize(filter);
    }
}
BENCHMARK(BM_SeccompCompileLarge);

// Compiling plus exporting the BPF program: libseccomp generates the program lazily, so this is
// the full cost before seccomp_load().
void BM_SeccompCompileExportLarge(benchmark::State& state) {
    state.SetLabel(large_config_source());
    const spec::Seccomp profile = large_profile();
    for (auto _ : state) {
        auto filter = compile_seccomp(profile);
        if (!filter.ok()) fail("compile_seccomp", filter.error().message());
        auto bpf = filter->export_bpf();
        if (!bpf.ok()) fail("export_bpf", bpf.error().message());
        if (bpf->empty()) fail("export_bpf", "empty program");
        benchmark::DoNotOptimize(bpf);
    }
}
BENCHMARK(BM_SeccompCompileExportLarge);

}  // namespace
}  // namespace gocker::bench
