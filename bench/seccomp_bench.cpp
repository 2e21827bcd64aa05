// compile_seccomp: config -> libseccomp filter -> BPF, which create does for a profile it has
// not seen before; seccomp_program with a warm cache, which it does for every later container
// with the same profile. Uses the same large profile as config_bench.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "bench_configs.hpp"
#include "linux/seccomp.hpp"
#include "linux/seccomp_cache.hpp"
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

// A cache hit: read <cache>/<hash>.bpf and compare the stored profile text with the key.
void BM_SeccompProgramCacheHit(benchmark::State& state) {
    state.SetLabel(large_config_source());
    const spec::Seccomp profile = large_profile();
    TempRoot cache;  // removed on return, or by fail()
    const std::string& dir = cache.path();
    auto first = seccomp_program(profile, dir);
    if (!first.ok()) fail("seccomp_program", first.error().message());
    for (auto _ : state) {
        auto program = seccomp_program(profile, dir);
        if (!program.ok()) fail("seccomp_program", program.error().message());
        if (!program->from_cache) fail("seccomp_program", "the second compile of a profile missed the cache");
        if (program->bpf != first->bpf) fail("seccomp_program", "the cached program differs from the compiled one");
        benchmark::DoNotOptimize(program);
    }
}
BENCHMARK(BM_SeccompProgramCacheHit);

}  // namespace
}  // namespace gocker::bench
