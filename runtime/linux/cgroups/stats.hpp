// `events --stats`: the container's usage as the "data" object runc prints (cpu, memory, pids,
// blkio, hugetlb), read from whichever version each controller lives in.
#pragma once

#include <string>
#include <vector>

#include "common/result.hpp"
#include "linux/cgroups/manager.hpp"

namespace gocker::cgroups {

// Compact JSON; a controller the host lacks is left out.
std::string stats_json(const CgroupManager& m);

// "hugepages-2048kB" directory names of /sys/kernel/mm/hugepages -> "2MB", "1GB" (cgroup names).
std::string hugepage_size_name(unsigned long kib);
std::vector<std::string> host_hugepage_sizes();

}  // namespace gocker::cgroups
