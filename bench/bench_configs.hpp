// Inputs shared by the micro-benchmarks: the default config as JSON, and a large config (the
// default plus a full seccomp profile). Built once per process; failures abort the benchmark run
// with the reason, since a benchmark of an input that does not parse measures nothing.
#pragma once

#include <string>

namespace gocker::bench {

// config_to_json(default_config()): what `gocker-runtime spec` writes.
const std::string& default_config_json();

// The default config with linux.seccomp set to bundles/profiles/seccomp-default.json when the
// source tree has it, else to a generated profile of 300 syscall names in 60 rules.
const std::string& large_config_json();

// Where the large config's seccomp section came from (for the benchmark label).
const std::string& large_config_source();

// Prints `what: message` to stderr, removes every live TempRoot (std::exit skips their
// destructors) and exits 1.
[[noreturn]] void fail(const std::string& what, const std::string& message);

// A fresh /tmp/gocker-bench-XXXXXX directory, removed by the destructor or, when a benchmark
// fails half-way, by fail().
class TempRoot {
public:
    TempRoot();
    ~TempRoot();
    TempRoot(const TempRoot&) = delete;
    TempRoot& operator=(const TempRoot&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

}  // namespace gocker::bench
