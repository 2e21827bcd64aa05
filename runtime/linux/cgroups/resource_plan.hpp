// linux.resources -> the cgroup file writes that apply them, for the cgroup version each
// controller lives in (v1, v2, or per controller on a hybrid host). Pure functions: the plan is
// data that unit tests check exhaustively; managers only write it.
//
// Mapping (config-linux.md field -> v1 file | v2 file):
//   memory.limit        memory.limit_in_bytes          | memory.max
//   memory.reservation  memory.soft_limit_in_bytes     | memory.low
//   memory.swap         memory.memsw.limit_in_bytes    | memory.swap.max (= swap - limit)
//   memory.kernel       memory.kmem.limit_in_bytes     | - (deprecated; skipped, see docs)
//   memory.kernelTCP    memory.kmem.tcp.limit_in_bytes | -
//   memory.swappiness   memory.swappiness              | -
//   memory.disableOOMKiller memory.oom_control = 1     | -
//   memory.useHierarchy memory.use_hierarchy           | - (always hierarchical)
//   cpu.shares          cpu.shares                     | cpu.weight (converted)
//   cpu.quota/period    cpu.cfs_period_us, cpu.cfs_quota_us | cpu.max "quota period"
//   cpu.burst           cpu.cfs_burst_us               | cpu.max.burst
//   cpu.realtime*       cpu.rt_period_us, cpu.rt_runtime_us | refused (no v2 equivalent)
//   cpu.idle            cpu.idle                       | cpu.idle
//   cpu.cpus/mems       cpuset.cpus / cpuset.mems      | cpuset.cpus / cpuset.mems
//   pids.limit          pids.max                       | pids.max
//   blockIO.weight      blkio.weight (bfq fallback)    | io.bfq.weight (io.weight fallback, converted)
//   blockIO.leafWeight  blkio.leaf_weight              | - (no v2 equivalent)
//   blockIO.weightDevice blkio.weight_device           | io.bfq.weight / io.weight per device
//   blockIO.throttle*   blkio.throttle.{read,write}_{bps,iops}_device | io.max
//   hugepageLimits      hugetlb.<size>.limit_in_bytes  | hugetlb.<size>.max
//   network.classID     net_cls.classid                | refused (v1 only)
//   network.priorities  net_prio.ifpriomap             | refused (v1 only)
//   rdma                rdma.max                       | rdma.max
//   unified             refused                        | the file as named
//   devices             devices.deny/devices.allow     | eBPF program (device_rules.hpp)
//
// A 0 is "not set" wherever runc's libcontainer treats it so, because Go clients (docker,
// containerd, podman) write 0 for every field they do not set: memory limit, reservation, swap,
// kernel, kernelTCP; cpu shares, quota, period, realtimeRuntime, realtimePeriod; blockIO weight,
// leafWeight and the per-device ones; pids limit; network classID (and empty cpus/mems). Such a
// field plans no write (a debug line says so), so `update` leaves its value as it was.
// A memory limit of -1 with no swap limit also lifts the swap limit (runc's rule).
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "spec/config.hpp"

namespace gocker::cgroups {

struct CgroupWrite {
    bool operator==(const CgroupWrite&) const = default;
    int version = 1;         // the hierarchy kind the file lives in
    std::string controller;  // v1: the hierarchy ("memory", "cpu", "blkio"); v2: the controller to enable
    std::string file;
    std::string value;
    std::string fallback_file;  // written instead when `file` does not exist
    std::string fallback_value;
    bool optional = false;  // a missing file is skipped with a warning (deprecated knobs)
    bool quiet = false;     // with optional: skipped without the warning (a write the config implies)
    std::string field;      // the config field, for error messages: "/linux/resources/memory/limit"
};

// Which controllers the host offers, and in which version.
struct ControllerSet {
    std::set<std::string> v1;
    std::set<std::string> v2;
    // 1, 2, or 0 when absent. v1 wins on a hybrid host for controllers mounted in both.
    int version_of(std::string_view name) const;
};

uint64_t cpu_shares_to_weight(uint64_t shares);       // runc's formula: [2, 262144] -> [1, 10000]
uint64_t blkio_weight_to_io_weight(uint64_t weight);  // [10, 1000] -> [1, 10000]

// Every write for `res` (devices included on v1). Errors name the config field.
Result<std::vector<CgroupWrite>> plan_resources(const spec::Resources& res, const ControllerSet& host);

}  // namespace gocker::cgroups
