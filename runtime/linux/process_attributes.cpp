// apply_process_attributes(): the per-process kernel settings from config.json that need the
// init's privileges (rlimits, oomScoreAdj, personality, scheduler, ioPriority, the initial CPU
// affinity, the NUMA memory policy). Runs in the container init after enter_rootfs() and before
// switch_user(); each failure names the config field, the values asked for and the kernel's reason.
#include <linux/ioprio.h>
#include <linux/magic.h>
#include <linux/sched/types.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "common/fd.hpp"
#include "linux/cpu_list.hpp"
#include "linux/process.hpp"
#include "linux/process_names.hpp"

namespace gocker {

namespace {

std::string limit_text(rlim_t v) { return v == RLIM_INFINITY ? "unlimited" : std::to_string(v); }

Status apply_rlimit(const spec::Rlimit& rl) {
    auto resource = rlimit_resource(rl.type);
    if (!resource) return Error("process.rlimits: unknown rlimit type \"" + rl.type + "\"", EINVAL);
    struct rlimit current {};
    getrlimit(*resource, &current);
    const struct rlimit wanted { static_cast<rlim_t>(rl.soft), static_cast<rlim_t>(rl.hard) };
    if (setrlimit(*resource, &wanted) == 0) return ok_status();
    const int err = errno;
    std::string what =
        "setrlimit " + rl.type + " (soft " + limit_text(wanted.rlim_cur) + ", hard " + limit_text(wanted.rlim_max);
    // The common failure: the runtime's bounding set lacks CAP_SYS_RESOURCE (as in this
    // sandbox), so only lowering a hard limit is allowed. Say so instead of a bare EPERM.
    if (err == EPERM && wanted.rlim_max > current.rlim_max) {
        what += "; the current hard limit is " + limit_text(current.rlim_max) +
                " and raising it needs CAP_SYS_RESOURCE, which the runtime does not have";
        if (*resource == RLIMIT_NOFILE) what += ", and may not exceed fs.nr_open";
    }
    return Error(what + ")", err);
}

Status apply_oom_score_adj(int32_t value) {
    const std::string what = "write process.oomScoreAdj " + std::to_string(value) + " to /proc/self/oom_score_adj";
    UniqueFd fd(open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) return sys_error(what);
    // The rootfs is hostile: refuse to "succeed" by writing to a file planted at /proc.
    struct statfs fs {};
    if (fstatfs(fd.get(), &fs) != 0) return sys_error(what);
    if (fs.f_type != PROC_SUPER_MAGIC) return Error(what + ": /proc is not a procfs mount", EXDEV);
    const std::string text = std::to_string(value);
    if (write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) return sys_error(what);
    return ok_status();
}

Status apply_personality(const spec::Personality& p) {
    auto domain = personality_domain(p.domain);
    if (!domain) return Error("linux.personality.domain: unknown domain \"" + p.domain + "\"", EINVAL);
    // The spec defines no flag values yet; refusing them beats silently ignoring them.
    if (!p.flags.empty())
        return Error("linux.personality.flags: flag \"" + p.flags.front() + "\" is not supported", EINVAL);
    if (personality(*domain) == -1) return sys_error([&] { return "personality " + p.domain; });
    return ok_status();
}

Status apply_scheduler(const spec::Scheduler& s) {
    auto policy = sched_policy(s.policy);
    if (!policy) return Error("process.scheduler.policy: unknown policy \"" + s.policy + "\"", EINVAL);
    struct sched_attr attr {};
    attr.size = sizeof(attr);
    attr.sched_policy = static_cast<__u32>(*policy);
    for (const auto& name : s.flags) {
        auto flag = sched_flag(name);
        if (!flag) return Error("process.scheduler.flags: unknown flag \"" + name + "\"", EINVAL);
        attr.sched_flags |= *flag;
    }
    // Absent values are 0, as config.md requires.
    attr.sched_nice = s.nice.value_or(0);
    attr.sched_priority = static_cast<__u32>(s.priority.value_or(0));
    attr.sched_runtime = s.runtime.value_or(0);
    attr.sched_deadline = s.deadline.value_or(0);
    attr.sched_period = s.period.value_or(0);
    if (syscall(SYS_sched_setattr, 0, &attr, 0) != 0) {
        const int err = errno;
        return Error("set process.scheduler (policy " + s.policy + ", nice " + std::to_string(attr.sched_nice) +
                         ", priority " + std::to_string(attr.sched_priority) + ")",
                     err);
    }
    return ok_status();
}

Status apply_io_priority(const spec::IoPriority& io) {
    auto cls = ioprio_class(io.io_class);
    if (!cls) return Error("process.ioPriority.class: unknown class \"" + io.io_class + "\"", EINVAL);
    const std::string what =
        "set process.ioPriority (class " + io.io_class + ", priority " + std::to_string(io.priority) + ")";
    if (io.priority < 0 || io.priority >= IOPRIO_NR_LEVELS) return Error(what + ": priority must be 0 to 7", EINVAL);
    // IOPRIO_WHO_PROCESS on ourselves: the value is inherited by every process the container
    // forks, which is how it reaches "the entire process group" the spec talks about.
    if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO_PRIO_VALUE(*cls, io.priority)) != 0)
        return sys_error(what);
    return ok_status();
}

Status apply_memory_policy(const spec::MemoryPolicy& mp) {
    auto mode = mempolicy_mode(mp.mode);
    if (!mode) return Error("linux.memoryPolicy.mode: unknown mode \"" + mp.mode + "\"", EINVAL);
    int mode_flags = 0;
    for (const auto& name : mp.flags) {
        auto flag = mempolicy_flag(name);
        if (!flag) return Error("linux.memoryPolicy.flags: unknown flag \"" + name + "\"", EINVAL);
        mode_flags |= *flag;
    }
    auto nodes = parse_cpu_list(mp.nodes);
    if (!nodes) return std::move(nodes).error().wrap("linux.memoryPolicy.nodes");
    constexpr unsigned kBitsPerWord = sizeof(unsigned long) * 8;
    std::vector<unsigned long> mask;
    if (!nodes->empty()) mask.resize(nodes->back() / kBitsPerWord + 1);
    for (unsigned node : *nodes) mask[node / kBitsPerWord] |= 1UL << (node % kBitsPerWord);
    // The kernel reads maxnode - 1 bits (a historical off-by-one that libnuma also pays), so
    // pass one more than the mask holds.
    const unsigned long maxnode = mask.empty() ? 0 : mask.size() * kBitsPerWord + 1;
    if (syscall(SYS_set_mempolicy, *mode | mode_flags, mask.empty() ? nullptr : mask.data(), maxnode) != 0) {
        const int err = errno;
        return Error("set linux.memoryPolicy (mode " + mp.mode + ", nodes \"" + mp.nodes + "\")", err);
    }
    return ok_status();
}

}  // namespace

Status apply_process_attributes(const spec::Process& proc, const spec::Linux* linux_cfg) {
    for (const auto& rl : proc.rlimits) GK_TRY(apply_rlimit(rl));
    if (proc.oom_score_adj) GK_TRY(apply_oom_score_adj(*proc.oom_score_adj));
    if (linux_cfg && linux_cfg->personality) GK_TRY(apply_personality(*linux_cfg->personality));
    if (proc.scheduler) GK_TRY(apply_scheduler(*proc.scheduler));
    if (proc.io_priority) GK_TRY(apply_io_priority(*proc.io_priority));
    // config.md: `initial` is for the runtime's process "before the transition to container's
    // cgroup". Our init is cloned straight into the cgroup, so the closest honest point is
    // here, before any user code runs; exec_process() applies `final` just before execve.
    if (proc.exec_cpu_affinity)
        GK_TRY(set_cpu_affinity(proc.exec_cpu_affinity->initial, "process.execCPUAffinity.initial"));
    if (linux_cfg && linux_cfg->memory_policy) GK_TRY(apply_memory_policy(*linux_cfg->memory_policy));
    return ok_status();
}

}  // namespace gocker
