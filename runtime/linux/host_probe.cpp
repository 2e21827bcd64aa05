#include "linux/host_probe.hpp"

#include <fcntl.h>
#include <linux/capability.h>
#include <seccomp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <set>
#include <sstream>

#include "common/fd.hpp"
#include "common/file_io.hpp"
#include "common/text.hpp"
#include "linux/capabilities.hpp"
#include "linux/namespaces.hpp"
#include "linux/process_names.hpp"
#include "spec/oci_names.hpp"
#include "common/result.hpp"

namespace gocker {
namespace {

// OCI namespace type -> /proc/self/ns entry.
// Each probe passes arguments the kernel rejects up front (bad size or flags), so nothing is
// opened, cloned or closed: ENOSYS means the syscall is missing, anything else that it exists.
SyscallProbe probe_syscall(const char* name, long nr, long a1, long a2, long a3, long a4, long a5) {
    SyscallProbe p;
    p.name = name;
    errno = 0;
    long r = ::syscall(nr, a1, a2, a3, a4, a5);
    if (r >= 0) {
        // Cannot happen with these arguments; never leak what a surprising kernel returned.
        if (r > 2) ::close(static_cast<int>(r));
        p.available = true;
        return p;
    }
    p.err = errno;
    p.available = errno != ENOSYS;
    return p;
}

#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_fsopen
#define SYS_fsopen 430
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

std::vector<SyscallProbe> probe_syscalls() {
    const long bad_flags = static_cast<long>(~0u);
    return {
        // size 0 is below OPEN_HOW_SIZE_VER0: EINVAL before the path is looked at.
        probe_syscall("openat2", SYS_openat2, AT_FDCWD, 0, 0, 0, 0),
        probe_syscall("open_tree", SYS_open_tree, -1, 0, bad_flags, 0, 0),
        // NULL fs name: EFAULT (or EPERM without CAP_SYS_ADMIN).
        probe_syscall("fsopen", SYS_fsopen, 0, bad_flags, 0, 0, 0),
        probe_syscall("mount_setattr", SYS_mount_setattr, -1, 0, bad_flags, 0, 0),
        // size 0 is below CLONE_ARGS_SIZE_VER0: EINVAL, no process is created.
        probe_syscall("clone3", SYS_clone3, 0, 0, 0, 0, 0),
        probe_syscall("pidfd_open", SYS_pidfd_open, ::getpid(), bad_flags, 0, 0, 0),
        // Unknown flags are rejected before any descriptor is touched.
        probe_syscall("close_range", SYS_close_range, bad_flags, 0, bad_flags, 0, 0),
    };
}

std::string status_field(std::string_view status, std::string_view field) {
    for (const auto& line : split(status, '\n')) {
        if (line.size() > field.size() && line.compare(0, field.size(), field) == 0 && line[field.size()] == ':')
            return trim(std::string_view(line).substr(field.size() + 1));
    }
    return {};
}

bool has_controller(const HostReport& host, std::string_view name) {
    for (const auto& c : host.controllers)
        if (c.name == name) return true;
    return false;
}

bool has_v2(const HostReport& host) {
    return host.cgroup_mode == CgroupMode::v2 || host.cgroup_mode == CgroupMode::hybrid;
}

}  // namespace

std::vector<std::string> decode_capability_mask(uint64_t mask, int last_cap) {
    std::vector<std::string> out;
    for (int i = 0; i <= last_cap && i < 64; ++i)
        if (mask & (uint64_t{1} << i)) out.push_back(capability_name(i));
    return out;
}

std::optional<uint64_t> parse_status_hex(std::string_view status, std::string_view field) {
    std::string v = status_field(status, field);
    if (v.empty()) return std::nullopt;
    uint64_t out = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out, 16);
    if (ec != std::errc() || p != v.data() + v.size()) return std::nullopt;
    return out;
}

HostReport probe_host() {
    HostReport r;
    r.cgroup_mode = detect_cgroup_mode();
    r.controllers = list_cgroup_controllers();

    for (std::string_view type : spec::names::namespace_types) {
        struct stat st;
        r.namespaces[std::string(type)] =
            ::lstat((std::string("/proc/self/ns/") + namespace_proc_name(type)).c_str(), &st) == 0;
    }

    std::string max_userns = trim(read_text("/proc/sys/user/max_user_namespaces"));
    r.user_ns_enabled = r.namespaces["user"] && !max_userns.empty() && max_userns != "0";
    r.user_ns_detail = r.namespaces["user"] ? "user.max_user_namespaces=" + (max_userns.empty() ? "?" : max_userns)
                                            : "kernel built without user namespaces";
    std::string unpriv = trim(read_text("/proc/sys/kernel/unprivileged_userns_clone"));
    if (!unpriv.empty()) r.user_ns_detail += ", kernel.unprivileged_userns_clone=" + unpriv;

    // A NULL filter makes the kernel fail with EFAULT when it supports filter mode, EINVAL when not.
    errno = 0;
    int rc = ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, nullptr, 0, 0);
    int set_errno = errno;
    r.seccomp_supported = rc != 0 && set_errno == EFAULT;
    errno = 0;
    int mode = ::prctl(PR_GET_SECCOMP, 0, 0, 0, 0);
    std::string status = read_text("/proc/self/status");
    if (mode < 0 && errno == EINVAL) {
        r.seccomp_detail = "kernel built without seccomp";
    } else {
        r.seccomp_detail =
            r.seccomp_supported ? "filter mode supported" : "filter mode refused (" + errno_text(set_errno) + ")";
        std::string self = status_field(status, "Seccomp");
        if (self == "2") r.seccomp_detail += "; this process is already filtered";
        std::string actions = trim(read_text("/proc/sys/kernel/seccomp/actions_avail"));
        if (!actions.empty()) r.seccomp_detail += "; actions: " + actions;
    }
    const scmp_version* v = seccomp_version();
    if (v)
        r.libseccomp_version =
            std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->micro);

    // The last "/" line is the one in effect.
    for (const auto& m : host_mountinfo())
        if (m.mount_point == "/") r.root_fs_type = m.fs_type;
    r.pivot_root_ok = r.root_fs_type != "rootfs" && r.root_fs_type != "ramfs";

    r.syscalls = probe_syscalls();

    r.cap_effective = parse_status_hex(status, "CapEff").value_or(0);
    r.cap_bounding = parse_status_hex(status, "CapBnd").value_or(0);
    std::string last = trim(read_text("/proc/sys/kernel/cap_last_cap"));
    int last_cap = 0;
    if (std::from_chars(last.data(), last.data() + last.size(), last_cap).ec == std::errc()) r.cap_last = last_cap;

    for (std::string_view name : spec::names::rlimits) {
        struct rlimit lim;
        if (auto resource = rlimit_resource(name); resource && ::getrlimit(*resource, &lim) == 0)
            r.rlimit_hard[std::string(name)] = lim.rlim_max;
    }
    return r;
}

std::vector<std::string> config_host_problems(const spec::Config& cfg, const HostReport& host) {
    std::vector<std::string> out;
    auto need_controller = [&](const std::string& path, const char* ctrl) {
        if (!has_controller(host, ctrl))
            out.push_back(path + ": needs the " + ctrl + " cgroup controller, which is not mounted");
    };

    if (cfg.linux) {
        const auto& lx = *cfg.linux;
        for (size_t i = 0; i < lx.namespaces.size(); ++i) {
            const auto& ns = lx.namespaces[i];
            std::string path = "/linux/namespaces/" + std::to_string(i);
            auto it = host.namespaces.find(ns.type);
            if (it != host.namespaces.end() && !it->second)
                out.push_back(path + ": the kernel has no " + ns.type + " namespaces");
            else if (ns.type == "user" && ns.path.empty() && !host.user_ns_enabled)
                out.push_back(path + ": user namespaces are disabled (" + host.user_ns_detail + ")");
        }
        if (lx.seccomp && !host.seccomp_supported)
            out.push_back("/linux/seccomp: the kernel does not accept seccomp filters (" + host.seccomp_detail + ")");

        if (lx.resources) {
            const auto& res = *lx.resources;
            const std::string base = "/linux/resources";
            if (host.cgroup_mode == CgroupMode::none && lx.resources)
                out.push_back(base + ": no cgroup filesystem is mounted");
            if (res.memory) need_controller(base + "/memory", "memory");
            if (res.cpu) {
                const auto& c = *res.cpu;
                if (c.shares || c.quota || c.burst || c.period || c.realtime_runtime || c.realtime_period || c.idle)
                    need_controller(base + "/cpu", "cpu");
                if (!c.cpus.empty() || !c.mems.empty()) need_controller(base + "/cpu", "cpuset");
            }
            if (res.pids) need_controller(base + "/pids", "pids");
            if (res.block_io && !has_controller(host, "blkio") && !has_controller(host, "io"))
                out.push_back(base +
                              "/blockIO: needs the blkio (v1) or io (v2) cgroup controller, which is not mounted");
            if (!res.hugepage_limits.empty()) need_controller(base + "/hugepageLimits", "hugetlb");
            if (res.network) {
                if (res.network->class_id) need_controller(base + "/network/classID", "net_cls");
                if (!res.network->priorities.empty()) need_controller(base + "/network/priorities", "net_prio");
            }
            if (!res.rdma.empty()) need_controller(base + "/rdma", "rdma");
            // cgroup v2 filters devices with eBPF, which needs no controller.
            if (!res.devices.empty() && !has_controller(host, "devices") && !has_v2(host) &&
                host.cgroup_mode != CgroupMode::none)
                need_controller(base + "/devices", "devices");
            for (const auto& [key, value] : res.unified) {
                std::string path = base + "/unified/" + key;
                if (!has_v2(host)) {
                    out.push_back(path + ": needs cgroup v2, which is not mounted");
                    continue;
                }
                std::string ctrl = key.substr(0, key.find('.'));
                bool v2_has = ctrl == "cgroup";
                for (const auto& c : host.controllers)
                    if (c.version == 2 && c.name == ctrl) v2_has = true;
                if (!v2_has)
                    out.push_back(path + ": the " + ctrl + " controller is not available in the cgroup v2 hierarchy");
            }
        }
    }

    if (cfg.process) {
        const auto& p = *cfg.process;
        if (p.capabilities) {
            std::set<std::string> reported;
            const std::pair<const char*, const std::vector<std::string>*> sets[] = {
                {"bounding", &p.capabilities->bounding},
                {"effective", &p.capabilities->effective},
                {"inheritable", &p.capabilities->inheritable},
                {"permitted", &p.capabilities->permitted},
                {"ambient", &p.capabilities->ambient}};
            for (const auto& [set_name, caps] : sets) {
                for (size_t i = 0; i < caps->size(); ++i) {
                    auto n = capability_number((*caps)[i]);
                    if (!n || (host.cap_bounding & (uint64_t{1} << *n)) || !reported.insert((*caps)[i]).second)
                        continue;
                    out.push_back("/process/capabilities/" + std::string(set_name) + "/" + std::to_string(i) + ": " +
                                  (*caps)[i] + " is not in the caller's bounding set");
                }
            }
        }
        bool can_raise = host.cap_effective & (uint64_t{1} << CAP_SYS_RESOURCE);
        for (size_t i = 0; i < p.rlimits.size() && !can_raise; ++i) {
            auto it = host.rlimit_hard.find(p.rlimits[i].type);
            if (it != host.rlimit_hard.end() && p.rlimits[i].hard > it->second)
                out.push_back("/process/rlimits/" + std::to_string(i) + ": raising the " + p.rlimits[i].type +
                              " hard limit above " + std::to_string(it->second) +
                              " needs CAP_SYS_RESOURCE, which the caller lacks");
        }
    }
    return out;
}

}  // namespace gocker
