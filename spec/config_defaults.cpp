// The configuration `gocker-runtime spec` writes: the same shape as `runc spec` (runc's
// libcontainer/specconv Example() and ToRootless()), with hostname "gocker".
#include "spec/config_io.hpp"

namespace gocker::spec {
namespace {

Mount mount(std::string destination, std::string type, std::string source, std::vector<std::string> options) {
    Mount m;
    m.destination = std::move(destination);
    m.type = std::move(type);
    m.source = std::move(source);
    m.options = std::move(options);
    return m;
}

// The rootless variant (runc spec --rootless): the caller's ids become root in a new user
// namespace; with no privilege over the host there is no network namespace to configure, no
// sysfs to mount (bind the host's, read-only), no cgroup to mount or limit, and no gid= mount
// options that would name ids outside the one-id mapping.
void make_rootless(Config& cfg, uint32_t host_uid, uint32_t host_gid) {
    Linux& lx = *cfg.linux;
    std::vector<Namespace> namespaces;
    for (auto& ns : lx.namespaces)
        if (ns.type != "network" && ns.type != "user") namespaces.push_back(std::move(ns));
    namespaces.push_back(Namespace{"user", ""});
    lx.namespaces = std::move(namespaces);
    lx.uid_mappings = {IdMapping{0, host_uid, 1}};
    lx.gid_mappings = {IdMapping{0, host_gid, 1}};
    lx.resources.reset();

    std::vector<Mount> mounts;
    for (auto& m : cfg.mounts) {
        if (m.destination == "/sys/fs/cgroup") continue;
        if (m.destination == "/sys") {
            mounts.push_back(mount("/sys", "none", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro"}));
            continue;
        }
        std::vector<std::string> options;
        for (auto& o : m.options)
            if (!o.starts_with("gid=") && !o.starts_with("uid=")) options.push_back(std::move(o));
        m.options = std::move(options);
        mounts.push_back(std::move(m));
    }
    cfg.mounts = std::move(mounts);
}

}  // namespace

Config default_config(bool rootless, uint32_t host_uid, uint32_t host_gid) {
    Config cfg;
    cfg.oci_version = kOciVersion;
    cfg.root = Root{"rootfs", true};
    cfg.hostname = "gocker";

    Process& p = cfg.process.emplace();
    p.terminal = true;
    p.args = {"sh"};
    p.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"};
    p.cwd = "/";
    const std::vector<std::string> caps = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
    Capabilities& c = p.capabilities.emplace();
    c.bounding = caps;
    c.effective = caps;
    c.permitted = caps;
    p.rlimits = {Rlimit{"RLIMIT_NOFILE", 1024, 1024}};
    p.no_new_privileges = true;

    cfg.mounts = {
        mount("/proc", "proc", "proc", {}),
        mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
        mount("/dev/pts", "devpts", "devpts",
              {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}),
        mount("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}),
        mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
        mount("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
        mount("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"}),
    };

    Linux& lx = cfg.linux.emplace();
    lx.masked_paths = {"/proc/acpi",
                       "/proc/asound",
                       "/proc/kcore",
                       "/proc/keys",
                       "/proc/latency_stats",
                       "/proc/timer_list",
                       "/proc/timer_stats",
                       "/proc/sched_debug",
                       "/sys/firmware",
                       "/proc/scsi",
                       "/sys/devices/virtual/powercap"};
    lx.readonly_paths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
    Resources& res = lx.resources.emplace();
    res.devices = {DeviceCgroupRule{false, "", std::nullopt, std::nullopt, "rwm"}};
    for (const char* type : {"pid", "network", "ipc", "uts", "mount", "cgroup"})
        lx.namespaces.push_back(Namespace{type, ""});

    if (rootless) make_rootless(cfg, host_uid, host_gid);
    return cfg;
}

std::string lowest_spec_version(const Config& cfg) {
    if (cfg.linux && cfg.linux->seccomp) {
        const Seccomp& sc = *cfg.linux->seccomp;
        bool notify = sc.default_action == "SCMP_ACT_NOTIFY" || !sc.listener_path.empty();
        for (const auto& rule : sc.syscalls) notify = notify || rule.action == "SCMP_ACT_NOTIFY";
        if (notify) return "1.1.0";
    }
    return "1.0.2";
}

}  // namespace gocker::spec
