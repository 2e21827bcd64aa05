// The state store round trip every lifecycle command does: create+lock the container dir, write
// state.json atomically, read it back, remove the dir. Runs in a fresh temp dir.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "bench_configs.hpp"
#include "container/state_store.hpp"

namespace gocker::bench {
namespace {

ContainerRecord sample_record(const std::string& id) {
    ContainerRecord r;
    r.id = id;
    r.bundle = "/var/lib/bundles/" + id;
    r.rootfs = r.bundle + "/rootfs";
    r.pid = 4242;
    r.start_time = 123456789;
    r.created = now_rfc3339_nano();
    r.annotations = {{"org.opencontainers.image.ref.name", "busybox"}, {"io.gocker.bench", "1"}};
    r.has_pid_ns = true;
    return r;
}

void BM_StateWriteRead(benchmark::State& state) {
    TempRoot root;
    StateStore store(root.path());
    const std::string id = "bench";
    auto lock = store.create_dir(id);
    if (!lock.ok()) fail("create_dir", lock.error().message());
    const ContainerRecord record = sample_record(id);
    for (auto _ : state) {
        Status written = store.write_record(*lock, record);
        if (!written.ok()) fail("write_record", written.error().message());
        auto read = store.read_record(id);
        if (!read.ok()) fail("read_record", read.error().message());
        if (read->pid != record.pid) fail("read_record", "read back a different pid");
        benchmark::DoNotOptimize(read);
    }
}
BENCHMARK(BM_StateWriteRead);

// What create and delete pay for the directory itself: mkdir + flock, then remove.
void BM_StateCreateRemove(benchmark::State& state) {
    TempRoot root;
    StateStore store(root.path());
    const ContainerRecord record = sample_record("bench");
    for (auto _ : state) {
        {
            auto lock = store.create_dir("bench");
            if (!lock.ok()) fail("create_dir", lock.error().message());
            Status written = store.write_record(*lock, record);
            if (!written.ok()) fail("write_record", written.error().message());
        }
        Status removed = store.remove("bench");
        if (!removed.ok()) fail("remove", removed.error().message());
    }
}
BENCHMARK(BM_StateCreateRemove);

void BM_StateRecordJson(benchmark::State& state) {
    const ContainerRecord record = sample_record("bench");
    for (auto _ : state) {
        auto parsed = record_from_json(record_to_json(record));
        if (!parsed.ok()) fail("record_from_json", parsed.error().message());
        benchmark::DoNotOptimize(parsed);
    }
}
BENCHMARK(BM_StateRecordJson);

}  // namespace
}  // namespace gocker::bench
