// The "linux" object of config.json -> Linux (config-linux.md): types, ranges, required fields.
#include "spec/config_parse_linux.hpp"

namespace gocker::spec {

Status read(Reader& r, const JsonValue& v, Namespace& out) {
    SPEC_TRY(r.expect_object(v));
    SPEC_TRY(required(r, v, "type", out.type));
    return field(r, v, "path", out.path);
}

Status read(Reader& r, const JsonValue& v, TimeOffset& out) {
    SPEC_TRY(r.expect_object(v));
    SPEC_TRY(field(r, v, "secs", out.secs));
    return field(r, v, "nanosecs", out.nanosecs);
}

Status read(Reader& r, const JsonValue& v, Device& out) {
    SPEC_TRY(r.expect_object(v));
    SPEC_TRY(required(r, v, "type", out.type));
    SPEC_TRY(required(r, v, "path", out.path));
    // A FIFO has no device number; every other node needs one (config-linux.md, Devices).
    if (out.type == "p") {
        SPEC_TRY(field(r, v, "major", out.major));
        SPEC_TRY(field(r, v, "minor", out.minor));
    } else {
        SPEC_TRY(required(r, v, "major", out.major));
        SPEC_TRY(required(r, v, "minor", out.minor));
    }
    SPEC_TRY(field(r, v, "fileMode", out.file_mode));
    SPEC_TRY(field(r, v, "uid", out.uid));
    return field(r, v, "gid", out.gid);
}

Status read(Reader& r, const JsonValue& v, NetDevice& out) {
    SPEC_TRY(r.expect_object(v));
    return field(r, v, "name", out.name);
}

Status read(Reader& r, const JsonValue& v, DeviceCgroupRule& out) {
    SPEC_TRY(r.expect_object(v));
    SPEC_TRY(required(r, v, "allow", out.allow));
    SPEC_TRY(field(r, v, "type", out.type));
    SPEC_TRY(field(r, v, "major", out.major));
    SPEC_TRY(field(r, v, "minor", out.minor));
    return field(r, v, "access", out.access);
}

Status read(Reader& r, const JsonValue& v, Memory& out) {
    SPEC_TRY(r.expect_object(v));
    SPEC_TRY(field(r, v, "limit", out.limit));
    SPEC_TRY(field(r, v, "reservation", out.reservation));
    SPEC_TRY(field(r, v, "swap", out.swap));
    SPEC_TRY(field(r, v, "kernel", out.kernel));
    SPEC_TRY(field(r, v, "kernelTCP", out.kernel_tcp));
    SPEC_TRY(field(r, v, "swappiness", out.swappiness));
    SPEC_TRY(field(r, v, "disableOOMKiller", out.disable_oom_killer));
    SPEC_TRY(field(r, v, "useHierarchy", out.use_hierarchy));
    return field(r, v, "checkBeforeUpdate", out.check_before_update);
}

Status read(Reader& r, const JsonValue& v, Cpu& out) {
    SPEC_TRY(r.expect_object(v));
    SPEC_TRY(field(r, v, "shares", out.shares));
    SPEC_TRY(field(r, v, "quota", out.quota));
    SPEC_TRY(field(r, v, "burst", out.burst));
    SPEC_TRY(field(r, v, "period", out.period));
    SPEC_TRY(field(r, v, "realtimeRuntime", out.realtime_runtime));
    SPEC_TRY(field(r, v, "realtimePeriod", out.realtime_period));
    SPEC_TRY(field(r, v, "cpus", out.cpus));
    SPEC_TRY(field(r, v, "mems", out.mems));
    return field(r, v, "idle", out.idle);
}

Status read(Reader& r, const JsonValue& v, WeightDevice& out) {
    SPEC_TRY(r.expect_object(v));
    SPEC_TRY(required(r, v, "major", out.major));
    SPEC_TRY(required(r, v, "minor", out.minor));
    SPEC_TRY(field(r, v, "weight", out.weight));
    return field(r, v, "leafWeight", out.leaf_weight);
}

Status read(Reader& r, const JsonValue& v, ThrottleDevice& out) {
    SPEC_TRY(r.expect_object(v));
    SPEC_TRY(required(r, v, "major", out.major));
    SPEC_TRY(required(r, v, "minor", out.minor));
    return required(r, v, "rate", out.rate);
}

Status read(Reader& r, const JsonValue& v, BlockIo& out) {
    SPEC_TRY(r.expect_object(v));
    SPEC_TRY(field(r, v, "weight", out.weight));
    SPEC_TRY(field(r, v, "leafWeight", out.leaf_weight));
    SPEC_TRY(field(r, v, "weightDevice", out.weight_device));
    SPEC_TRY(field(r, v, "throttleReadBpsDevice", out.throttle_read_bps_device));
    SPEC_TRY(field(r, v, "throttleWriteBpsDevice", out.throttle_write_bps_device));
    SPEC_TRY(field(r, v, "throttleReadIOPSDevice", out.throttle_read_iops_device));
    return field(r, v, "throttleWriteIOPSDevice", out.throttle_write_iops_device);
}

Status read(Reader& r, const JsonValue& v, HugepageLimit& out) {
    SPEC_TRY(r.expect_object(v));
    SPEC_TRY(required(r, v, "pageSize", out.page_size));
    return required(r, v, "limit", out.limit);
}

Status read(Reader& r, const JsonValue& v, InterfacePriority& out) {
    SPEC_TRY(r.expect_object(v));
    SPEC_TRY(required(r, v, "name", out.name));
    return required(r, v, "priority", out.priority);
}

Status read(Reader& r, const JsonValue& v, Network& out) {
    SPEC_TRY(r.expect_object(v));
    SPEC_TRY(field(r, v, "classID", out.class_id));
    return field(r, v, "priorities", out.priorities);
}

Status read(Reader& r, const JsonValue& v, Pids& out) {
    SPEC_TRY(r.expect_object(v));
    return required(r, v, "limit", out.limit);
}

Status read(Reader& r, const JsonValue& v, Rdma& out) {
    SPEC_TRY(r.expect_object(v));
    SPEC_TRY(field(r, v, "hcaHandles", out.hca_handles));
    return field(r, v, "hcaObjects", out.hca_objects);
}

Status read(Reader& r, const JsonValue& v, Resources& out) {
    SPEC_TRY(r.expect_object(v));
    SPEC_TRY(field(r, v, "devices", out.devices));
    SPEC_TRY(field(r, v, "memory", out.memory));
    SPEC_TRY(field(r, v, "cpu", out.cpu));
    SPEC_TRY(field(r, v, "pids", out.pids));
    SPEC_TRY(field(r, v, "blockIO", out.block_io));
    SPEC_TRY(field(r, v, "hugepageLimits", out.hugepage_limits));
    SPEC_TRY(field(r, v, "network", out.network));
    SPEC_TRY(field(r, v, "rdma", out.rdma));
    return field(r, v, "unified", out.unified);
}

Status read(Reader& r, const JsonValue& v, IntelRdt& out) {
    SPEC_TRY(r.expect_object(v));
    SPEC_TRY(field(r, v, "closID", out.clos_id));
    SPEC_TRY(field(r, v, "l3CacheSchema", out.l3_cache_schema));
    SPEC_TRY(field(r, v, "memBwSchema", out.mem_bw_schema));
    SPEC_TRY(field(r, v, "schemata", out.schemata));
    return field(r, v, "enableMonitoring", out.enable_monitoring);
}

Status read(Reader& r, const JsonValue& v, MemoryPolicy& out) {
    SPEC_TRY(r.expect_object(v));
    SPEC_TRY(required(r, v, "mode", out.mode));
    SPEC_TRY(field(r, v, "nodes", out.nodes));
    return field(r, v, "flags", out.flags);
}

Status read(Reader& r, const JsonValue& v, SeccompArg& out) {
    SPEC_TRY(r.expect_object(v));
    SPEC_TRY(required(r, v, "index", out.index));
    SPEC_TRY(required(r, v, "value", out.value));
    SPEC_TRY(field(r, v, "valueTwo", out.value_two));
    return required(r, v, "op", out.op);
}

Status read(Reader& r, const JsonValue& v, SeccompSyscall& out) {
    SPEC_TRY(r.expect_object(v));
    SPEC_TRY(required(r, v, "names", out.names));
    SPEC_TRY(required(r, v, "action", out.action));
    SPEC_TRY(field(r, v, "errnoRet", out.errno_ret));
    return field(r, v, "args", out.args);
}

Status read(Reader& r, const JsonValue& v, Seccomp& out) {
    SPEC_TRY(r.expect_object(v));
    SPEC_TRY(required(r, v, "defaultAction", out.default_action));
    SPEC_TRY(field(r, v, "defaultErrnoRet", out.default_errno_ret));
    SPEC_TRY(field(r, v, "architectures", out.architectures));
    SPEC_TRY(field(r, v, "flags", out.flags));
    SPEC_TRY(field(r, v, "listenerPath", out.listener_path));
    SPEC_TRY(field(r, v, "listenerMetadata", out.listener_metadata));
    return field(r, v, "syscalls", out.syscalls);
}

Status read(Reader& r, const JsonValue& v, Personality& out) {
    SPEC_TRY(r.expect_object(v));
    SPEC_TRY(required(r, v, "domain", out.domain));
    return field(r, v, "flags", out.flags);
}

Status read(Reader& r, const JsonValue& v, Linux& out) {
    SPEC_TRY(r.expect_object(v));
    SPEC_TRY(field(r, v, "namespaces", out.namespaces));
    SPEC_TRY(field(r, v, "uidMappings", out.uid_mappings));
    SPEC_TRY(field(r, v, "gidMappings", out.gid_mappings));
    SPEC_TRY(field(r, v, "timeOffsets", out.time_offsets));
    SPEC_TRY(field(r, v, "devices", out.devices));
    SPEC_TRY(field(r, v, "netDevices", out.net_devices));
    SPEC_TRY(field(r, v, "cgroupsPath", out.cgroups_path));
    SPEC_TRY(field(r, v, "resources", out.resources));
    SPEC_TRY(field(r, v, "intelRdt", out.intel_rdt));
    SPEC_TRY(field(r, v, "memoryPolicy", out.memory_policy));
    SPEC_TRY(field(r, v, "sysctl", out.sysctl));
    SPEC_TRY(field(r, v, "seccomp", out.seccomp));
    SPEC_TRY(field(r, v, "rootfsPropagation", out.rootfs_propagation));
    SPEC_TRY(field(r, v, "maskedPaths", out.masked_paths));
    SPEC_TRY(field(r, v, "readonlyPaths", out.readonly_paths));
    SPEC_TRY(field(r, v, "mountLabel", out.mount_label));
    return field(r, v, "personality", out.personality);
}

}  // namespace gocker::spec
