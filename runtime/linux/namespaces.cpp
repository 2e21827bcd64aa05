#include "linux/namespaces.hpp"

#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>

#include "common/log.hpp"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

namespace gocker {

uint64_t namespace_clone_flag(std::string_view type) {
    if (type == "pid") return CLONE_NEWPID;
    if (type == "network") return CLONE_NEWNET;
    if (type == "mount") return CLONE_NEWNS;
    if (type == "ipc") return CLONE_NEWIPC;
    if (type == "uts") return CLONE_NEWUTS;
    if (type == "user") return CLONE_NEWUSER;
    if (type == "cgroup") return CLONE_NEWCGROUP;
    if (type == "time") return CLONE_NEWTIME;
    return 0;
}

const char* namespace_proc_name(std::string_view type) {
    if (type == "network") return "net";
    if (type == "mount") return "mnt";
    if (type == "pid") return "pid";
    if (type == "ipc") return "ipc";
    if (type == "uts") return "uts";
    if (type == "user") return "user";
    if (type == "cgroup") return "cgroup";
    if (type == "time") return "time";
    return "";
}

static Result<UniqueFd> open_namespace(const spec::Namespace& ns) {
    std::string what = "join " + ns.type + " namespace " + ns.path;
    UniqueFd fd(::open(ns.path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return sys_error(what);
    int kind = ::ioctl(fd.get(), NS_GET_NSTYPE);
    if (kind < 0) {
        if (errno == ENOTTY || errno == EINVAL) return Error(what + ": not a namespace file", EINVAL);
        return sys_error(what);
    }
    if (static_cast<uint64_t>(kind) != namespace_clone_flag(ns.type))
        return Error(what + ": the file is a namespace of another type", EINVAL);
    return fd;
}

Result<NamespacePlan> plan_namespaces(const spec::Linux* linux_cfg) {
    NamespacePlan plan;
    if (!linux_cfg) return plan;
    // User namespace first: it decides who owns the others.
    if (const auto* user = linux_cfg->find_namespace("user")) {
        if (user->path.empty()) {
            plan.new_user = true;
            plan.clone_flags |= CLONE_NEWUSER;
        } else {
            plan.joined_user = true;
            plan.child_joins.push_back({"user", user->path, GK_TRY(open_namespace(*user))});
        }
    }
    for (const auto& ns : linux_cfg->namespaces) {
        if (ns.type == "user") continue;
        uint64_t flag = namespace_clone_flag(ns.type);
        if (ns.path.empty()) {
            if (ns.type == "time") {
                plan.new_time = true;
            } else if (plan.joined_user) {
                if (ns.type == "pid")
                    return Error(
                        "linux.namespaces: a new pid namespace inside a joined user namespace is not supported",
                        ENOTSUP);
                plan.unshare_after_join |= flag;
            } else {
                plan.clone_flags |= flag;
            }
            if (ns.type == "pid") plan.new_pid = true;
            if (ns.type == "mount") plan.new_mount = true;
            continue;
        }
        UniqueFd fd = GK_TRY(open_namespace(ns));
        if (ns.type == "mount") plan.joined_mount = true;
        if (ns.type == "pid") plan.join_pid = std::move(fd);
        else if (ns.type == "time") plan.join_time = std::move(fd);
        else plan.child_joins.push_back({ns.type, ns.path, std::move(fd)});
    }
    return plan;
}

static Status write_time_offsets(const spec::Linux* linux_cfg) {
    if (!linux_cfg || linux_cfg->time_offsets.empty()) return {};
    std::string text;
    for (const auto& [clock, off] : linux_cfg->time_offsets) {
        text += clock + " " + std::to_string(off.secs) + " " + std::to_string(off.nanosecs) + "\n";
    }
    UniqueFd fd(::open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC));
    if (!fd) return sys_error("open /proc/self/timens_offsets");
    // The kernel takes all offsets in one write.
    if (::write(fd.get(), text.data(), text.size()) < 0) return sys_error("write timeOffsets");
    return {};
}

Status ParentNamespaceSwitch::enter(const NamespacePlan& plan, const spec::Linux* linux_cfg) {
    if (plan.join_pid) {
        own_pid_.reset(::open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC));
        if (!own_pid_) return sys_error("open /proc/self/ns/pid");
        if (::setns(plan.join_pid.get(), CLONE_NEWPID) < 0) return sys_error("join pid namespace");
    }
    if (plan.join_time || plan.new_time) {
        own_time_.reset(::open("/proc/self/ns/time", O_RDONLY | O_CLOEXEC));
        if (!own_time_) return sys_error("open /proc/self/ns/time");
        if (plan.join_time) {
            if (::setns(plan.join_time.get(), CLONE_NEWTIME) < 0) return sys_error("join time namespace");
        } else {
            if (::unshare(CLONE_NEWTIME) < 0) return sys_error("create time namespace");
            GK_TRY(write_time_offsets(linux_cfg));
        }
    }
    return {};
}

void ParentNamespaceSwitch::restore() {
    // Back to our own namespaces for the children we fork later (hooks).
    if (own_pid_ && ::setns(own_pid_.get(), CLONE_NEWPID) < 0)
        log::warning("restore the runtime's pid namespace: " + errno_text(errno));
    if (own_time_ && ::setns(own_time_.get(), CLONE_NEWTIME) < 0)
        log::warning("restore the runtime's time namespace: " + errno_text(errno));
    own_pid_.reset();
    own_time_.reset();
}

Status join_namespaces(const NamespacePlan& plan) {
    for (const auto& j : plan.child_joins) {
        if (::setns(j.fd.get(), static_cast<int>(namespace_clone_flag(j.type))) < 0)
            return sys_error([&] { return "join " + j.type + " namespace " + j.path; });
    }
    if (plan.unshare_after_join && ::unshare(static_cast<int>(plan.unshare_after_join)) < 0)
        return sys_error("create namespaces inside the joined user namespace");
    return {};
}

Status become_user_namespace_root() {
    if (::setresgid(0, 0, 0) < 0) return sys_error("setresgid to root of the user namespace");
    if (::setresuid(0, 0, 0) < 0) return sys_error("setresuid to root of the user namespace");
    return {};
}

}  // namespace gocker
