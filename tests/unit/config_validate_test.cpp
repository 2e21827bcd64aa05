// The bad-config table: each entry breaks one rule of config.md / config-linux.md and must be
// refused with the JSON path of the offending field and the reason.
#include <gtest/gtest.h>

#include <string>

#include "spec/config_io.hpp"

using namespace gocker::spec;

namespace {

// A valid document plus `rest` (extra top-level members).
std::string doc(std::string_view rest) {
    std::string s = R"({"ociVersion":"1.0.0","root":{"path":"rootfs"})";
    if (!rest.empty()) {
        s += ',';
        s += rest;
    }
    s += '}';
    return s;
}

// A valid process object with `extra` members appended.
std::string process(std::string_view extra) {
    std::string s = R"("process":{"cwd":"/","args":["sh"])";
    if (!extra.empty()) {
        s += ',';
        s += extra;
    }
    s += '}';
    return s;
}

std::string linux_(std::string_view body) { return R"("linux":{)" + std::string(body) + "}"; }

struct BadCase {
    const char* name;
    std::string json;
    std::string message;  // the whole error message
};

std::vector<BadCase> bad_cases() {
    const std::string uts = R"("namespaces":[{"type":"uts"}])";
    return {
        // top level
        {"version_too_new", R"({"ociVersion":"2.0.0","root":{"path":"r"}})",
         "config.json: /ociVersion: unsupported version \"2.0.0\" (this runtime supports 1.0.0 to 1.3.x)"},
        {"version_1_4", R"({"ociVersion":"1.4.0","root":{"path":"r"}})",
         "config.json: /ociVersion: unsupported version \"1.4.0\" (this runtime supports 1.0.0 to 1.3.x)"},
        {"version_not_semver", R"({"ociVersion":"1.0","root":{"path":"r"}})",
         "config.json: /ociVersion: not a semantic version: \"1.0\""},
        {"version_leading_zero", R"({"ociVersion":"1.01.0","root":{"path":"r"}})",
         "config.json: /ociVersion: not a semantic version: \"1.01.0\""},
        {"root_missing", R"({"ociVersion":"1.0.0"})", "config.json: /root: missing (required on Linux)"},
        {"root_path_empty", R"({"ociVersion":"1.0.0","root":{"path":""}})",
         "config.json: /root/path: must not be empty"},
        {"hostname_without_uts", doc(R"("hostname":"h")"), "config.json: /hostname: requires a new uts namespace"},
        {"domainname_without_uts", doc(R"("domainname":"d","linux":{"namespaces":[{"type":"pid"}]})"),
         "config.json: /domainname: requires a new uts namespace"},
        {"annotation_empty_key", doc(R"("annotations":{"":"x"})"), "config.json: /annotations: keys must not be empty"},
        // mounts
        {"mount_relative_destination", doc(R"("mounts":[{"destination":"/ok"},{"destination":"proc","type":"proc"}])"),
         "config.json: /mounts/1/destination: must be an absolute path, got \"proc\""},
        {"mount_uid_without_gid",
         doc(R"("mounts":[{"destination":"/d","uidMappings":[{"containerID":0,"hostID":1,"size":1}]}])"),
         "config.json: /mounts/0: uidMappings and gidMappings must be given together"},
        {"mount_mapping_size_zero",
         doc(R"("mounts":[{"destination":"/d","uidMappings":[{"containerID":0,"hostID":1,"size":0}],"gidMappings":[{"containerID":0,"hostID":1,"size":1}]}])"),
         "config.json: /mounts/0/uidMappings/0/size: must be greater than 0"},
        // process
        {"args_empty", doc(R"("process":{"cwd":"/","args":[]})"), "config.json: /process/args: must not be empty"},
        {"cwd_relative", doc(R"("process":{"cwd":"tmp","args":["sh"]})"),
         "config.json: /process/cwd: must be an absolute path, got \"tmp\""},
        {"cwd_missing", doc(R"("process":{"args":["sh"]})"), "config.json: /process: missing required field \"cwd\""},
        {"rlimit_unknown", doc(process(R"("rlimits":[{"type":"RLIMIT_FOO","hard":1,"soft":1}])")),
         "config.json: /process/rlimits/0/type: unknown rlimit \"RLIMIT_FOO\""},
        {"rlimit_duplicate",
         doc(process(
             R"("rlimits":[{"type":"RLIMIT_NOFILE","hard":1,"soft":1},{"type":"RLIMIT_NOFILE","hard":2,"soft":2}])")),
         "config.json: /process/rlimits/1/type: duplicate rlimit \"RLIMIT_NOFILE\""},
        {"rlimit_soft_above_hard", doc(process(R"("rlimits":[{"type":"RLIMIT_CORE","hard":1,"soft":2}])")),
         "config.json: /process/rlimits/0: soft limit 2 is greater than hard limit 1"},
        {"rlimit_missing_soft", doc(process(R"("rlimits":[{"type":"RLIMIT_CORE","hard":1}])")),
         "config.json: /process/rlimits/0: missing required field \"soft\""},
        {"capability_unknown", doc(process(R"("capabilities":{"bounding":["CAP_KILL"],"ambient":["CAP_FLY"]})")),
         "config.json: /process/capabilities/ambient/0: unknown capability \"CAP_FLY\""},
        {"capability_lowercase", doc(process(R"("capabilities":{"effective":["cap_kill"]})")),
         "config.json: /process/capabilities/effective/0: unknown capability \"cap_kill\""},
        {"scheduler_policy", doc(process(R"("scheduler":{"policy":"SCHED_FAST"})")),
         "config.json: /process/scheduler/policy: unknown scheduler policy \"SCHED_FAST\""},
        {"scheduler_flag", doc(process(R"("scheduler":{"policy":"SCHED_RR","flags":["SCHED_FLAG_X"]})")),
         "config.json: /process/scheduler/flags/0: unknown scheduler flag \"SCHED_FLAG_X\""},
        {"io_priority_class", doc(process(R"("ioPriority":{"class":"IOPRIO_CLASS_NONE","priority":0})")),
         "config.json: /process/ioPriority/class: unknown class \"IOPRIO_CLASS_NONE\""},
        {"io_priority_range", doc(process(R"("ioPriority":{"class":"IOPRIO_CLASS_BE","priority":8})")),
         "config.json: /process/ioPriority/priority: must be between 0 and 7, got 8"},
        {"oom_score_adj_range", doc(process(R"("oomScoreAdj":1001)")),
         "config.json: /process/oomScoreAdj: must be between -1000 and 1000, got 1001"},
        {"umask_range", doc(process(R"("user":{"uid":0,"gid":0,"umask":512})")),
         "config.json: /process/user/umask: must be at most 0777, got 512"},
        {"user_missing_gid", doc(process(R"("user":{"uid":0})")),
         "config.json: /process/user: missing required field \"gid\""},
        {"username_on_linux", doc(process(R"("user":{"uid":0,"gid":0,"username":"root"})")),
         "config.json: /process/user/username: only supported on Windows"},
        {"cpu_affinity", doc(process(R"("execCPUAffinity":{"initial":"0-3;7"})")),
         "config.json: /process/execCPUAffinity/initial: invalid cpu list \"0-3;7\""},
        {"console_size_missing_width", doc(process(R"("consoleSize":{"height":1})")),
         "config.json: /process/consoleSize: missing required field \"width\""},
        // hooks
        {"hook_relative_path", doc(R"("hooks":{"createRuntime":[{"path":"bin/hook"}]})"),
         "config.json: /hooks/createRuntime/0/path: must be an absolute path, got \"bin/hook\""},
        {"hook_timeout_zero", doc(R"("hooks":{"poststop":[{"path":"/a"},{"path":"/b","timeout":0}]})"),
         "config.json: /hooks/poststop/1/timeout: must be greater than 0, got 0"},
        {"hook_missing_path", doc(R"("hooks":{"prestart":[{"args":["x"]}]})"),
         "config.json: /hooks/prestart/0: missing required field \"path\""},
        // linux: namespaces and mappings
        {"namespace_unknown", doc(linux_(R"("namespaces":[{"type":"pid"},{"type":"net"}])")),
         "config.json: /linux/namespaces/1/type: unknown namespace type \"net\""},
        {"namespace_duplicate", doc(linux_(R"("namespaces":[{"type":"pid"},{"type":"pid"}])")),
         "config.json: /linux/namespaces/1/type: duplicate namespace type \"pid\""},
        {"namespace_relative_path", doc(linux_(R"("namespaces":[{"type":"network","path":"proc/1/ns/net"}])")),
         "config.json: /linux/namespaces/0/path: must be an absolute path, got \"proc/1/ns/net\""},
        {"uid_mappings_without_userns", doc(linux_(R"("uidMappings":[{"containerID":0,"hostID":1000,"size":1}])")),
         "config.json: /linux/uidMappings: requires a user namespace"},
        {"gid_mappings_without_userns", doc(linux_(R"("gidMappings":[{"containerID":0,"hostID":1000,"size":1}])")),
         "config.json: /linux/gidMappings: requires a user namespace"},
        {"time_offsets_without_timens", doc(linux_(R"("timeOffsets":{"monotonic":{"secs":1}})")),
         "config.json: /linux/timeOffsets: requires a new time namespace"},
        {"time_offsets_bad_clock",
         doc(linux_(R"("namespaces":[{"type":"time"}],"timeOffsets":{"realtime":{"secs":1}})")),
         "config.json: /linux/timeOffsets/realtime: unknown clock (expected \"monotonic\" or \"boottime\")"},
        // linux: devices
        {"device_type", doc(linux_(R"("devices":[{"type":"x","path":"/dev/x","major":1,"minor":1}])")),
         "config.json: /linux/devices/0/type: unknown device type \"x\" (expected c, b, u or p)"},
        {"device_relative_path", doc(linux_(R"("devices":[{"type":"c","path":"dev/null","major":1,"minor":3}])")),
         "config.json: /linux/devices/0/path: must be an absolute path, got \"dev/null\""},
        {"device_file_mode",
         doc(linux_(R"("devices":[{"type":"c","path":"/dev/n","major":1,"minor":3,"fileMode":65536}])")),
         "config.json: /linux/devices/0/fileMode: must be permission bits (at most 07777, optionally with the "
         "file-type bits), got 65536"},
        {"net_device_name", doc(linux_(R"("netDevices":{"eth0":{"name":"a/b"}})")),
         "config.json: /linux/netDevices/eth0/name: invalid interface name \"a/b\""},
        {"net_device_host_name_too_long", doc(linux_(R"("netDevices":{"averyveryverylongname":{}})")),
         "config.json: /linux/netDevices/averyveryverylongname: invalid interface name \"averyveryverylongname\""},
        // linux: resources
        {"cgroup_device_access", doc(linux_(R"("resources":{"devices":[{"allow":false,"access":"rwx"}]})")),
         "config.json: /linux/resources/devices/0/access: invalid access \"rwx\" (expected a subset of \"rwm\")"},
        {"cgroup_device_type", doc(linux_(R"("resources":{"devices":[{"allow":true,"type":"p"}]})")),
         "config.json: /linux/resources/devices/0/type: unknown device type \"p\" (expected a, c or b)"},
        {"cgroup_device_missing_allow", doc(linux_(R"("resources":{"devices":[{"access":"r"}]})")),
         "config.json: /linux/resources/devices/0: missing required field \"allow\""},
        {"hugepage_lowercase_k", doc(linux_(R"("resources":{"hugepageLimits":[{"pageSize":"64kB","limit":1}]})")),
         "config.json: /linux/resources/hugepageLimits/0/pageSize: invalid page size \"64kB\" (expected e.g. \"2MB\", "
         "\"1GB\", \"64KB\")"},
        {"hugepage_leading_zero", doc(linux_(R"("resources":{"hugepageLimits":[{"pageSize":"02MB","limit":1}]})")),
         "config.json: /linux/resources/hugepageLimits/0/pageSize: invalid page size \"02MB\" (expected e.g. \"2MB\", "
         "\"1GB\", \"64KB\")"},
        {"memory_reservation_negative", doc(linux_(R"("resources":{"memory":{"reservation":-100}})")),
         "config.json: /linux/resources/memory/reservation: must be a number of bytes, or -1 for no limit, got -100"},
        {"memory_kernel_negative", doc(linux_(R"("resources":{"memory":{"kernel":-2}})")),
         "config.json: /linux/resources/memory/kernel: must be a number of bytes, or -1 for no limit, got -2"},
        {"memory_kernel_tcp_negative", doc(linux_(R"("resources":{"memory":{"kernelTCP":-9223372036854775808}})")),
         "config.json: /linux/resources/memory/kernelTCP: must be a number of bytes, or -1 for no limit, got "
         "-9223372036854775808"},
        {"swappiness_range", doc(linux_(R"("resources":{"memory":{"swappiness":101}})")),
         "config.json: /linux/resources/memory/swappiness: must be between 0 and 100, got 101"},
        {"pids_missing_limit", doc(linux_(R"("resources":{"pids":{}})")),
         "config.json: /linux/resources/pids: missing required field \"limit\""},
        {"unified_path_key", doc(linux_(R"("resources":{"unified":{"../memory.max":"1"}})")),
         "config.json: /linux/resources/unified/..~1memory.max: must name a cgroup interface file, got "
         "\"../memory.max\""},
        {"throttle_missing_rate",
         doc(linux_(R"("resources":{"blockIO":{"throttleReadBpsDevice":[{"major":8,"minor":0}]}})")),
         "config.json: /linux/resources/blockIO/throttleReadBpsDevice/0: missing required field \"rate\""},
        {"intel_rdt_mem_bw", doc(linux_(R"("intelRdt":{"memBwSchema":"L3:0=1"})")),
         "config.json: /linux/intelRdt/memBwSchema: must be one line starting with \"MB:\", got \"L3:0=1\""},
        {"memory_policy_mode", doc(linux_(R"("memoryPolicy":{"mode":"MPOL_ANY"})")),
         "config.json: /linux/memoryPolicy/mode: unknown memory policy mode \"MPOL_ANY\""},
        {"memory_policy_flag", doc(linux_(R"("memoryPolicy":{"mode":"MPOL_BIND","flags":["MPOL_F_X"]})")),
         "config.json: /linux/memoryPolicy/flags/0: unknown memory policy flag \"MPOL_F_X\""},
        // linux: sysctl
        {"sysctl_net_without_netns", doc(linux_(R"("sysctl":{"net.ipv4.ip_forward":"1"})")),
         "config.json: /linux/sysctl/net.ipv4.ip_forward: requires a new network namespace"},
        {"sysctl_ipc_without_ipcns", doc(linux_(R"("namespaces":[{"type":"network"}],"sysctl":{"kernel.shmmax":"1"})")),
         "config.json: /linux/sysctl/kernel.shmmax: requires a new ipc namespace"},
        {"sysctl_mqueue_slash_form", doc(linux_(R"("sysctl":{"fs/mqueue/msg_max":"1"})")),
         "config.json: /linux/sysctl/fs~1mqueue~1msg_max: requires a new ipc namespace"},
        {"sysctl_hostname_without_uts", doc(linux_(R"("sysctl":{"kernel.hostname":"h"})")),
         "config.json: /linux/sysctl/kernel.hostname: requires a new uts namespace"},
        {"sysctl_not_namespaced", doc(linux_(uts + R"(,"sysctl":{"vm.swappiness":"1"})")),
         "config.json: /linux/sysctl/vm.swappiness: not a namespaced sysctl: setting it would change the host"},
        // linux: seccomp
        {"seccomp_default_action", doc(linux_(R"("seccomp":{"defaultAction":"SCMP_ACT_DENY"})")),
         "config.json: /linux/seccomp/defaultAction: unknown seccomp action \"SCMP_ACT_DENY\""},
        {"seccomp_missing_default_action", doc(linux_(R"("seccomp":{"syscalls":[]})")),
         "config.json: /linux/seccomp: missing required field \"defaultAction\""},
        {"seccomp_arch",
         doc(linux_(
             R"("seccomp":{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_VAX"]})")),
         "config.json: /linux/seccomp/architectures/1: unknown seccomp architecture \"SCMP_ARCH_VAX\""},
        {"seccomp_flag",
         doc(linux_(R"("seccomp":{"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_NEW_LISTENER"]})")),
         "config.json: /linux/seccomp/flags/0: unknown seccomp flag \"SECCOMP_FILTER_FLAG_NEW_LISTENER\""},
        {"seccomp_syscall_action",
         doc(linux_(
             R"("seccomp":{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["kill"],"action":"SCMP_ACT_BLOCK"}]})")),
         "config.json: /linux/seccomp/syscalls/0/action: unknown seccomp action \"SCMP_ACT_BLOCK\""},
        {"seccomp_names_empty",
         doc(linux_(
             R"("seccomp":{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":[],"action":"SCMP_ACT_ERRNO"}]})")),
         "config.json: /linux/seccomp/syscalls/0/names: must not be empty"},
        {"seccomp_operator",
         doc(linux_(
             R"("seccomp":{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["kill"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":1,"op":"SCMP_CMP_XOR"}]}]})")),
         "config.json: /linux/seccomp/syscalls/0/args/0/op: unknown seccomp operator \"SCMP_CMP_XOR\""},
        {"seccomp_arg_index",
         doc(linux_(
             R"("seccomp":{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["kill"],"action":"SCMP_ACT_ERRNO","args":[{"index":6,"value":1,"op":"SCMP_CMP_EQ"}]}]})")),
         "config.json: /linux/seccomp/syscalls/0/args/0/index: must be between 0 and 5, got 6"},
        {"seccomp_notify_without_listener",
         doc(linux_(
             R"("seccomp":{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mount"],"action":"SCMP_ACT_NOTIFY"}]})")),
         "config.json: /linux/seccomp/listenerPath: required when SCMP_ACT_NOTIFY is used"},
        {"seccomp_value_negative",
         doc(linux_(
             R"("seccomp":{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["kill"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":-1,"op":"SCMP_CMP_EQ"}]}]})")),
         "config.json: /linux/seccomp/syscalls/0/args/0/value: expected a uint64, got -1"},
        // linux: the rest
        {"rootfs_propagation", doc(linux_(R"("rootfsPropagation":"rshared")")),
         "config.json: /linux/rootfsPropagation: unknown propagation \"rshared\""},
        {"masked_path_relative", doc(linux_(R"("maskedPaths":["/proc/kcore","proc/keys"])")),
         "config.json: /linux/maskedPaths/1: must be an absolute path, got \"proc/keys\""},
        {"readonly_path_relative", doc(linux_(R"("readonlyPaths":["sys"])")),
         "config.json: /linux/readonlyPaths/0: must be an absolute path, got \"sys\""},
        {"personality_domain", doc(linux_(R"("personality":{"domain":"LINUX64"})")),
         "config.json: /linux/personality/domain: unknown personality domain \"LINUX64\""},
        {"linux_not_object", doc(R"("linux":[])"), "config.json: /linux: expected an object, got an array"},
        {"namespaces_not_array", doc(linux_(R"("namespaces":{"type":"pid"})")),
         "config.json: /linux/namespaces: expected an array, got an object"},
    };
}

class BadConfig : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadConfig, IsRefusedWithPathAndReason) {
    const BadCase& c = GetParam();
    auto cfg = parse_config(c.json);
    std::string message;
    if (!cfg.ok()) {
        message = cfg.error().message();
    } else {
        auto st = validate_config(*cfg);
        ASSERT_FALSE(st.ok()) << "accepted: " << c.json;
        message = st.error().message();
    }
    EXPECT_EQ(message, c.message) << c.json;
}

INSTANTIATE_TEST_SUITE_P(Table, BadConfig, ::testing::ValuesIn(bad_cases()),
                         [](const auto& info) { return std::string(info.param.name); });

// The table is only meaningful if the documents are otherwise valid: the same shapes with the
// one fault removed must pass.
TEST(BadConfigBaseline, FixedVariantsAreAccepted) {
    const std::string fixed[] = {
        doc(""),
        doc(process(R"("rlimits":[{"type":"RLIMIT_NOFILE","hard":2,"soft":1}],"oomScoreAdj":-1000)")),
        doc(R"("hostname":"h","linux":{"namespaces":[{"type":"uts"}]})"),
        doc(linux_(
            R"("namespaces":[{"type":"network"},{"type":"ipc"},{"type":"uts"}],)"
            R"("sysctl":{"net.ipv4.ip_forward":"1","kernel.shmmax":"1","fs.mqueue.msg_max":"1","kernel.domainname":"d"})")),
        doc(linux_(
            R"("seccomp":{"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"/run/l","syscalls":[{"names":["mount"],"action":"SCMP_ACT_NOTIFY","args":[{"index":5,"value":0,"op":"SCMP_CMP_EQ"}]}]})")),
        doc(linux_(
            R"("resources":{"devices":[{"allow":false},{"allow":true,"type":"c","access":"rm"}],"hugepageLimits":[{"pageSize":"1GB","limit":0}]})")),
        doc(linux_(R"("devices":[{"type":"p","path":"/dev/fifo","fileMode":511}])")),
        R"({"ociVersion":"1.3.9-rc.1+build.5","root":{"path":"r"}})",
    };
    for (const auto& json : fixed) {
        auto cfg = parse_config(json);
        ASSERT_TRUE(cfg.ok()) << cfg.error().message() << "\n" << json;
        auto st = validate_config(*cfg);
        EXPECT_TRUE(st.ok()) << st.error().message() << "\n" << json;
    }
}

}  // namespace

// `update --resources` checks its document the way create checks config.json: -1 and 0 are
// accepted (no limit, not set), any other negative size is refused with its JSON path.
TEST(ValidateResources, UpdateDocumentIsCheckedLikeTheConfig) {
    Resources res;
    res.memory.emplace();
    res.memory->limit = -1;
    res.memory->swap = 0;
    EXPECT_TRUE(validate_resources(res, "--resources (stdin)").ok());
    res.memory->limit = -5;
    gocker::Status st = validate_resources(res, "--resources (stdin)");
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(
        st.error().message(),
        "--resources (stdin): /linux/resources/memory/limit: must be a number of bytes, or -1 for no limit, got -5");
}
