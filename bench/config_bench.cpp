// parse_config + validate_config: the first step of every create, before anything touches the
// system. The "validate only" and "parse only" cases split the cost when one of them regresses.
#include <benchmark/benchmark.h>

#include "bench_configs.hpp"
#include "spec/config_io.hpp"

namespace gocker::bench {
namespace {

void parse_and_validate(benchmark::State& state, const std::string& json) {
    for (auto _ : state) {
        auto cfg = spec::parse_config(json);
        if (!cfg.ok()) fail("parse_config", cfg.error().message());
        Status valid = spec::validate_config(*cfg);
        if (!valid.ok()) fail("validate_config", valid.error().message());
        benchmark::DoNotOptimize(cfg);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(json.size()));
}

void BM_ParseValidateDefaultConfig(benchmark::State& state) { parse_and_validate(state, default_config_json()); }
BENCHMARK(BM_ParseValidateDefaultConfig);

void BM_ParseValidateLargeConfig(benchmark::State& state) {
    state.SetLabel(large_config_source());
    parse_and_validate(state, large_config_json());
}
BENCHMARK(BM_ParseValidateLargeConfig);

void BM_ParseDefaultConfig(benchmark::State& state) {
    const std::string& json = default_config_json();
    for (auto _ : state) {
        auto cfg = spec::parse_config(json);
        if (!cfg.ok()) fail("parse_config", cfg.error().message());
        benchmark::DoNotOptimize(cfg);
    }
}
BENCHMARK(BM_ParseDefaultConfig);

void BM_ValidateDefaultConfig(benchmark::State& state) {
    auto cfg = spec::parse_config(default_config_json());
    if (!cfg.ok()) fail("parse_config", cfg.error().message());
    for (auto _ : state) {
        Status valid = spec::validate_config(*cfg);
        if (!valid.ok()) fail("validate_config", valid.error().message());
        benchmark::DoNotOptimize(valid);
    }
}
BENCHMARK(BM_ValidateDefaultConfig);

void BM_ValidateLargeConfig(benchmark::State& state) {
    state.SetLabel(large_config_source());
    auto cfg = spec::parse_config(large_config_json());
    if (!cfg.ok()) fail("parse_config", cfg.error().message());
    for (auto _ : state) {
        Status valid = spec::validate_config(*cfg);
        if (!valid.ok()) fail("validate_config", valid.error().message());
        benchmark::DoNotOptimize(valid);
    }
}
BENCHMARK(BM_ValidateLargeConfig);

// The inverse direction, which `spec` and the saved copy in the state dir use.
void BM_WriteDefaultConfig(benchmark::State& state) {
    const spec::Config cfg = spec::default_config();
    for (auto _ : state) {
        std::string json = spec::config_to_json(cfg);
        benchmark::DoNotOptimize(json);
    }
}
BENCHMARK(BM_WriteDefaultConfig);

}  // namespace
}  // namespace gocker::bench
