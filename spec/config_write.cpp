// Config -> config.json with the spec's field names. Absent optionals, empty strings/arrays/maps
// and false flags are omitted, so parse_config(config_to_json(c)) == c.
#include "spec/config_io.hpp"
#include "spec/json_write.hpp"

namespace gocker::spec {
namespace {

using W = json::Pretty;

}  // namespace

void write(W& w, const IdMapping& m) {
    w.StartObject();
    member(w, "containerID", m.container_id);
    member(w, "hostID", m.host_id);
    member(w, "size", m.size);
    w.EndObject();
}

void write(W& w, const Root& r) {
    w.StartObject();
    member(w, "path", r.path);
    member_if_set(w, "readonly", r.readonly);
    w.EndObject();
}

void write(W& w, const Mount& m) {
    w.StartObject();
    member(w, "destination", m.destination);
    member_if_set(w, "type", m.type);
    member_if_set(w, "source", m.source);
    member_if_set(w, "options", m.options);
    member_if_set(w, "uidMappings", m.uid_mappings);
    member_if_set(w, "gidMappings", m.gid_mappings);
    w.EndObject();
}

void write(W& w, const ConsoleSize& c) {
    w.StartObject();
    member(w, "height", c.height);
    member(w, "width", c.width);
    w.EndObject();
}

void write(W& w, const User& u) {
    w.StartObject();
    member(w, "uid", u.uid);
    member(w, "gid", u.gid);
    member_if_set(w, "umask", u.umask);
    member_if_set(w, "additionalGids", u.additional_gids);
    member_if_set(w, "username", u.username);
    w.EndObject();
}

void write(W& w, const Capabilities& c) {
    // An absent set and an empty one both mean "no capabilities" (config.md); omit empty sets
    // as `runc spec` does.
    w.StartObject();
    member_if_set(w, "bounding", c.bounding);
    member_if_set(w, "effective", c.effective);
    member_if_set(w, "inheritable", c.inheritable);
    member_if_set(w, "permitted", c.permitted);
    member_if_set(w, "ambient", c.ambient);
    w.EndObject();
}

void write(W& w, const Rlimit& r) {
    w.StartObject();
    member(w, "type", r.type);
    member(w, "hard", r.hard);
    member(w, "soft", r.soft);
    w.EndObject();
}

void write(W& w, const Scheduler& s) {
    w.StartObject();
    member(w, "policy", s.policy);
    member_if_set(w, "nice", s.nice);
    member_if_set(w, "priority", s.priority);
    member_if_set(w, "flags", s.flags);
    member_if_set(w, "runtime", s.runtime);
    member_if_set(w, "deadline", s.deadline);
    member_if_set(w, "period", s.period);
    w.EndObject();
}

void write(W& w, const IoPriority& p) {
    w.StartObject();
    member(w, "class", p.io_class);
    member(w, "priority", p.priority);
    w.EndObject();
}

void write(W& w, const ExecCpuAffinity& a) {
    w.StartObject();
    member_if_set(w, "initial", a.initial);
    member_if_set(w, "final", a.final_);
    w.EndObject();
}

void write(W& w, const Process& p) {
    w.StartObject();
    member_if_set(w, "terminal", p.terminal);
    member_if_set(w, "consoleSize", p.console_size);
    member(w, "user", p.user);
    member_if_set(w, "args", p.args);
    member_if_set(w, "commandLine", p.command_line);
    member_if_set(w, "env", p.env);
    member(w, "cwd", p.cwd);
    member_if_set(w, "capabilities", p.capabilities);
    member_if_set(w, "rlimits", p.rlimits);
    member_if_set(w, "noNewPrivileges", p.no_new_privileges);
    member_if_set(w, "apparmorProfile", p.apparmor_profile);
    member_if_set(w, "selinuxLabel", p.selinux_label);
    member_if_set(w, "oomScoreAdj", p.oom_score_adj);
    member_if_set(w, "scheduler", p.scheduler);
    member_if_set(w, "ioPriority", p.io_priority);
    member_if_set(w, "execCPUAffinity", p.exec_cpu_affinity);
    w.EndObject();
}

void write(W& w, const Hook& h) {
    w.StartObject();
    member(w, "path", h.path);
    member_if_set(w, "args", h.args);
    member_if_set(w, "env", h.env);
    member_if_set(w, "timeout", h.timeout);
    w.EndObject();
}

void write(W& w, const Hooks& h) {
    w.StartObject();
    member_if_set(w, "prestart", h.prestart);
    member_if_set(w, "createRuntime", h.create_runtime);
    member_if_set(w, "createContainer", h.create_container);
    member_if_set(w, "startContainer", h.start_container);
    member_if_set(w, "poststart", h.poststart);
    member_if_set(w, "poststop", h.poststop);
    w.EndObject();
}

void write(W& w, const Namespace& n) {
    w.StartObject();
    member(w, "type", n.type);
    member_if_set(w, "path", n.path);
    w.EndObject();
}

void write(W& w, const TimeOffset& t) {
    w.StartObject();
    member(w, "secs", t.secs);
    member(w, "nanosecs", t.nanosecs);
    w.EndObject();
}

void write(W& w, const Device& d) {
    w.StartObject();
    member(w, "path", d.path);
    member(w, "type", d.type);
    member(w, "major", d.major);
    member(w, "minor", d.minor);
    member_if_set(w, "fileMode", d.file_mode);
    member_if_set(w, "uid", d.uid);
    member_if_set(w, "gid", d.gid);
    w.EndObject();
}

void write(W& w, const NetDevice& d) {
    w.StartObject();
    member_if_set(w, "name", d.name);
    w.EndObject();
}

void write(W& w, const DeviceCgroupRule& d) {
    w.StartObject();
    member(w, "allow", d.allow);
    member_if_set(w, "type", d.type);
    member_if_set(w, "major", d.major);
    member_if_set(w, "minor", d.minor);
    member_if_set(w, "access", d.access);
    w.EndObject();
}

void write(W& w, const Memory& m) {
    w.StartObject();
    member_if_set(w, "limit", m.limit);
    member_if_set(w, "reservation", m.reservation);
    member_if_set(w, "swap", m.swap);
    member_if_set(w, "kernel", m.kernel);
    member_if_set(w, "kernelTCP", m.kernel_tcp);
    member_if_set(w, "swappiness", m.swappiness);
    member_if_set(w, "disableOOMKiller", m.disable_oom_killer);
    member_if_set(w, "useHierarchy", m.use_hierarchy);
    member_if_set(w, "checkBeforeUpdate", m.check_before_update);
    w.EndObject();
}

void write(W& w, const Cpu& c) {
    w.StartObject();
    member_if_set(w, "shares", c.shares);
    member_if_set(w, "quota", c.quota);
    member_if_set(w, "burst", c.burst);
    member_if_set(w, "period", c.period);
    member_if_set(w, "realtimeRuntime", c.realtime_runtime);
    member_if_set(w, "realtimePeriod", c.realtime_period);
    member_if_set(w, "cpus", c.cpus);
    member_if_set(w, "mems", c.mems);
    member_if_set(w, "idle", c.idle);
    w.EndObject();
}

void write(W& w, const WeightDevice& d) {
    w.StartObject();
    member(w, "major", d.major);
    member(w, "minor", d.minor);
    member_if_set(w, "weight", d.weight);
    member_if_set(w, "leafWeight", d.leaf_weight);
    w.EndObject();
}

void write(W& w, const ThrottleDevice& d) {
    w.StartObject();
    member(w, "major", d.major);
    member(w, "minor", d.minor);
    member(w, "rate", d.rate);
    w.EndObject();
}

void write(W& w, const BlockIo& b) {
    w.StartObject();
    member_if_set(w, "weight", b.weight);
    member_if_set(w, "leafWeight", b.leaf_weight);
    member_if_set(w, "weightDevice", b.weight_device);
    member_if_set(w, "throttleReadBpsDevice", b.throttle_read_bps_device);
    member_if_set(w, "throttleWriteBpsDevice", b.throttle_write_bps_device);
    member_if_set(w, "throttleReadIOPSDevice", b.throttle_read_iops_device);
    member_if_set(w, "throttleWriteIOPSDevice", b.throttle_write_iops_device);
    w.EndObject();
}

void write(W& w, const HugepageLimit& h) {
    w.StartObject();
    member(w, "pageSize", h.page_size);
    member(w, "limit", h.limit);
    w.EndObject();
}

void write(W& w, const InterfacePriority& p) {
    w.StartObject();
    member(w, "name", p.name);
    member(w, "priority", p.priority);
    w.EndObject();
}

void write(W& w, const Network& n) {
    w.StartObject();
    member_if_set(w, "classID", n.class_id);
    member_if_set(w, "priorities", n.priorities);
    w.EndObject();
}

void write(W& w, const Pids& p) {
    w.StartObject();
    member_if_set(w, "limit", p.limit);
    w.EndObject();
}

void write(W& w, const Rdma& r) {
    w.StartObject();
    member_if_set(w, "hcaHandles", r.hca_handles);
    member_if_set(w, "hcaObjects", r.hca_objects);
    w.EndObject();
}

void write(W& w, const Resources& r) {
    w.StartObject();
    member_if_set(w, "devices", r.devices);
    member_if_set(w, "memory", r.memory);
    member_if_set(w, "cpu", r.cpu);
    member_if_set(w, "pids", r.pids);
    member_if_set(w, "blockIO", r.block_io);
    member_if_set(w, "hugepageLimits", r.hugepage_limits);
    member_if_set(w, "network", r.network);
    member_if_set(w, "rdma", r.rdma);
    member_if_set(w, "unified", r.unified);
    w.EndObject();
}

void write(W& w, const IntelRdt& r) {
    w.StartObject();
    member_if_set(w, "closID", r.clos_id);
    member_if_set(w, "l3CacheSchema", r.l3_cache_schema);
    member_if_set(w, "memBwSchema", r.mem_bw_schema);
    member_if_set(w, "schemata", r.schemata);
    member_if_set(w, "enableMonitoring", r.enable_monitoring);
    w.EndObject();
}

void write(W& w, const MemoryPolicy& m) {
    w.StartObject();
    member(w, "mode", m.mode);
    member_if_set(w, "nodes", m.nodes);
    member_if_set(w, "flags", m.flags);
    w.EndObject();
}

void write(W& w, const SeccompArg& a) {
    w.StartObject();
    member(w, "index", a.index);
    member(w, "value", a.value);
    member_if_set(w, "valueTwo", a.value_two);
    member(w, "op", a.op);
    w.EndObject();
}

void write(W& w, const SeccompSyscall& s) {
    w.StartObject();
    member(w, "names", s.names);
    member(w, "action", s.action);
    member_if_set(w, "errnoRet", s.errno_ret);
    member_if_set(w, "args", s.args);
    w.EndObject();
}

void write(W& w, const Seccomp& s) {
    w.StartObject();
    member(w, "defaultAction", s.default_action);
    member_if_set(w, "defaultErrnoRet", s.default_errno_ret);
    member_if_set(w, "architectures", s.architectures);
    member_if_set(w, "flags", s.flags);
    member_if_set(w, "listenerPath", s.listener_path);
    member_if_set(w, "listenerMetadata", s.listener_metadata);
    member_if_set(w, "syscalls", s.syscalls);
    w.EndObject();
}

void write(W& w, const Personality& p) {
    w.StartObject();
    member(w, "domain", p.domain);
    member_if_set(w, "flags", p.flags);
    w.EndObject();
}

void write(W& w, const Linux& l) {
    w.StartObject();
    member_if_set(w, "namespaces", l.namespaces);
    member_if_set(w, "uidMappings", l.uid_mappings);
    member_if_set(w, "gidMappings", l.gid_mappings);
    member_if_set(w, "timeOffsets", l.time_offsets);
    member_if_set(w, "devices", l.devices);
    member_if_set(w, "netDevices", l.net_devices);
    member_if_set(w, "cgroupsPath", l.cgroups_path);
    member_if_set(w, "resources", l.resources);
    member_if_set(w, "intelRdt", l.intel_rdt);
    member_if_set(w, "memoryPolicy", l.memory_policy);
    member_if_set(w, "sysctl", l.sysctl);
    member_if_set(w, "seccomp", l.seccomp);
    member_if_set(w, "rootfsPropagation", l.rootfs_propagation);
    member_if_set(w, "maskedPaths", l.masked_paths);
    member_if_set(w, "readonlyPaths", l.readonly_paths);
    member_if_set(w, "mountLabel", l.mount_label);
    member_if_set(w, "personality", l.personality);
    w.EndObject();
}

std::string config_to_json(const Config& cfg) {
    auto body = [&](W& w) {
        w.StartObject();
        member(w, "ociVersion", cfg.oci_version);
        member_if_set(w, "process", cfg.process);
        member_if_set(w, "root", cfg.root);
        member_if_set(w, "hostname", cfg.hostname);
        member_if_set(w, "domainname", cfg.domainname);
        member_if_set(w, "mounts", cfg.mounts);
        member_if_set(w, "hooks", cfg.hooks);
        member_if_set(w, "annotations", cfg.annotations);
        member_if_set(w, "linux", cfg.linux);
        w.EndObject();
    };
    return json::pretty(body, '\t', 1) + '\n';  // the layout `runc spec` writes
}

}  // namespace gocker::spec
