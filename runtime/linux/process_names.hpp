// The config.json spellings of process settings (RLIMIT_NOFILE, SCHED_FIFO, IOPRIO_CLASS_RT,
// MPOL_BIND, LINUX32 ...) mapped to the kernel's numbers. Pure lookups, no system calls, so the
// tables are unit-tested directly. An unknown name gives std::nullopt; the caller reports it.
#pragma once

#include <optional>
#include <string_view>

namespace gocker {

std::optional<int> rlimit_resource(std::string_view name);               // RLIMIT_*
std::optional<int> sched_policy(std::string_view name);                  // SCHED_OTHER ... SCHED_DEADLINE
std::optional<unsigned long> sched_flag(std::string_view name);          // SCHED_FLAG_*
std::optional<int> ioprio_class(std::string_view name);                  // IOPRIO_CLASS_RT/BE/IDLE
std::optional<int> mempolicy_mode(std::string_view name);                // MPOL_*
std::optional<int> mempolicy_flag(std::string_view name);                // MPOL_F_*
std::optional<unsigned long> personality_domain(std::string_view name);  // LINUX, LINUX32

}  // namespace gocker
