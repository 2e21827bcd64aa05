#include "linux/process_names.hpp"

#include <linux/ioprio.h>
#include <linux/mempolicy.h>
#include <linux/sched.h>
#include <sys/personality.h>
#include <sys/resource.h>

#include <utility>

namespace gocker {

namespace {

template <class T, size_t N>
std::optional<T> lookup(const std::pair<std::string_view, T> (&table)[N], std::string_view name) {
    for (const auto& [key, value] : table)
        if (key == name) return value;
    return std::nullopt;
}

}  // namespace

std::optional<int> rlimit_resource(std::string_view name) {
    static constexpr std::pair<std::string_view, int> kTable[] = {
        {"RLIMIT_AS", RLIMIT_AS},
        {"RLIMIT_CORE", RLIMIT_CORE},
        {"RLIMIT_CPU", RLIMIT_CPU},
        {"RLIMIT_DATA", RLIMIT_DATA},
        {"RLIMIT_FSIZE", RLIMIT_FSIZE},
        {"RLIMIT_LOCKS", RLIMIT_LOCKS},
        {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
        {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
        {"RLIMIT_NICE", RLIMIT_NICE},
        {"RLIMIT_NOFILE", RLIMIT_NOFILE},
        {"RLIMIT_NPROC", RLIMIT_NPROC},
        {"RLIMIT_RSS", RLIMIT_RSS},
        {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
        {"RLIMIT_RTTIME", RLIMIT_RTTIME},
        {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
        {"RLIMIT_STACK", RLIMIT_STACK},
    };
    return lookup(kTable, name);
}

std::optional<int> sched_policy(std::string_view name) {
    // SCHED_ISO (4) is a number the kernel reserves without a scheduler behind it; sched_setattr reports
    // EINVAL for it, which is the honest answer for a config that asks for it.
    static constexpr std::pair<std::string_view, int> kTable[] = {
        {"SCHED_OTHER", SCHED_NORMAL},      {"SCHED_FIFO", SCHED_FIFO}, {"SCHED_RR", SCHED_RR},
        {"SCHED_BATCH", SCHED_BATCH},       {"SCHED_ISO", 4},           {"SCHED_IDLE", SCHED_IDLE},
        {"SCHED_DEADLINE", SCHED_DEADLINE},
    };
    return lookup(kTable, name);
}

std::optional<unsigned long> sched_flag(std::string_view name) {
    static constexpr std::pair<std::string_view, unsigned long> kTable[] = {
        {"SCHED_FLAG_RESET_ON_FORK", SCHED_FLAG_RESET_ON_FORK},
        {"SCHED_FLAG_RECLAIM", SCHED_FLAG_RECLAIM},
        {"SCHED_FLAG_DL_OVERRUN", SCHED_FLAG_DL_OVERRUN},
        {"SCHED_FLAG_KEEP_POLICY", SCHED_FLAG_KEEP_POLICY},
        {"SCHED_FLAG_KEEP_PARAMS", SCHED_FLAG_KEEP_PARAMS},
        {"SCHED_FLAG_UTIL_CLAMP_MIN", SCHED_FLAG_UTIL_CLAMP_MIN},
        {"SCHED_FLAG_UTIL_CLAMP_MAX", SCHED_FLAG_UTIL_CLAMP_MAX},
    };
    return lookup(kTable, name);
}

std::optional<int> ioprio_class(std::string_view name) {
    static constexpr std::pair<std::string_view, int> kTable[] = {
        {"IOPRIO_CLASS_RT", IOPRIO_CLASS_RT},
        {"IOPRIO_CLASS_BE", IOPRIO_CLASS_BE},
        {"IOPRIO_CLASS_IDLE", IOPRIO_CLASS_IDLE},
    };
    return lookup(kTable, name);
}

std::optional<int> mempolicy_mode(std::string_view name) {
    // MPOL_WEIGHTED_INTERLEAVE (6, Linux 6.9) is newer than this system's headers.
    static constexpr std::pair<std::string_view, int> kTable[] = {
        {"MPOL_DEFAULT", MPOL_DEFAULT},  {"MPOL_PREFERRED", MPOL_PREFERRED},
        {"MPOL_BIND", MPOL_BIND},        {"MPOL_INTERLEAVE", MPOL_INTERLEAVE},
        {"MPOL_LOCAL", MPOL_LOCAL},      {"MPOL_PREFERRED_MANY", MPOL_PREFERRED_MANY},
        {"MPOL_WEIGHTED_INTERLEAVE", 6},
    };
    return lookup(kTable, name);
}

std::optional<int> mempolicy_flag(std::string_view name) {
    static constexpr std::pair<std::string_view, int> kTable[] = {
        {"MPOL_F_NUMA_BALANCING", MPOL_F_NUMA_BALANCING},
        {"MPOL_F_RELATIVE_NODES", MPOL_F_RELATIVE_NODES},
        {"MPOL_F_STATIC_NODES", MPOL_F_STATIC_NODES},
    };
    return lookup(kTable, name);
}

std::optional<unsigned long> personality_domain(std::string_view name) {
    static constexpr std::pair<std::string_view, unsigned long> kTable[] = {
        {"LINUX", PER_LINUX},
        {"LINUX32", PER_LINUX32},
    };
    return lookup(kTable, name);
}

}  // namespace gocker
