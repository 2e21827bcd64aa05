// The OCI runtime-spec 1.3 configuration (config.md, config-linux.md) as typed C++.
//
// Pure data: no system calls here. parse_config() (config_parse.cpp) fills these structs from
// config.json and validate_config() (config_validate.cpp) checks them; both report errors with
// the JSON path of the field. Optional fields are std::optional so that "absent" and "zero"
// stay different, as the spec requires (e.g. memory.swap absent vs 0).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gocker::spec {

inline constexpr const char* kOciVersion = "1.3.0";

struct Root {
    bool operator==(const Root&) const = default;
    std::string path;
    bool readonly = false;
};

struct IdMapping {
    bool operator==(const IdMapping&) const = default;
    uint32_t container_id = 0;
    uint32_t host_id = 0;
    uint32_t size = 0;
};

struct Mount {
    bool operator==(const Mount&) const = default;
    std::string destination;
    std::string source;
    std::string type;
    std::vector<std::string> options;
    std::vector<IdMapping> uid_mappings;
    std::vector<IdMapping> gid_mappings;
};

struct ConsoleSize {
    bool operator==(const ConsoleSize&) const = default;
    uint32_t height = 0;
    uint32_t width = 0;
};

struct User {
    bool operator==(const User&) const = default;
    uint32_t uid = 0;
    uint32_t gid = 0;
    std::optional<uint32_t> umask;
    std::vector<uint32_t> additional_gids;
    std::string username;  // Windows only; parsed, refused on Linux when set
};

struct Capabilities {
    bool operator==(const Capabilities&) const = default;
    std::vector<std::string> bounding;
    std::vector<std::string> effective;
    std::vector<std::string> inheritable;
    std::vector<std::string> permitted;
    std::vector<std::string> ambient;
};

struct Rlimit {
    bool operator==(const Rlimit&) const = default;
    std::string type;  // RLIMIT_NOFILE ...
    uint64_t hard = 0;
    uint64_t soft = 0;
};

struct Scheduler {
    bool operator==(const Scheduler&) const = default;
    std::string policy;  // SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_ISO, SCHED_IDLE, SCHED_DEADLINE
    std::optional<int32_t> nice;
    std::optional<int32_t> priority;
    std::vector<std::string> flags;  // SCHED_FLAG_*
    std::optional<uint64_t> runtime;
    std::optional<uint64_t> deadline;
    std::optional<uint64_t> period;
};

struct IoPriority {
    bool operator==(const IoPriority&) const = default;
    std::string io_class;  // IOPRIO_CLASS_RT, IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE
    int32_t priority = 0;
};

struct ExecCpuAffinity {
    bool operator==(const ExecCpuAffinity&) const = default;
    std::string initial;  // cpu list, e.g. "0-3,7"
    std::string final_;
};

struct Process {
    bool operator==(const Process&) const = default;
    bool terminal = false;
    std::optional<ConsoleSize> console_size;
    User user;
    std::vector<std::string> args;
    std::string command_line;  // Windows only
    std::vector<std::string> env;
    std::string cwd;
    std::optional<Capabilities> capabilities;
    std::vector<Rlimit> rlimits;
    bool no_new_privileges = false;
    std::string apparmor_profile;
    std::string selinux_label;
    std::optional<int32_t> oom_score_adj;
    std::optional<Scheduler> scheduler;
    std::optional<IoPriority> io_priority;
    std::optional<ExecCpuAffinity> exec_cpu_affinity;
};

struct Hook {
    bool operator==(const Hook&) const = default;
    std::string path;
    std::vector<std::string> args;
    std::vector<std::string> env;
    std::optional<int32_t> timeout;  // seconds, > 0
};

struct Hooks {
    bool operator==(const Hooks&) const = default;
    std::vector<Hook> prestart;  // deprecated, still honoured
    std::vector<Hook> create_runtime;
    std::vector<Hook> create_container;
    std::vector<Hook> start_container;
    std::vector<Hook> poststart;
    std::vector<Hook> poststop;
};

struct Namespace {
    bool operator==(const Namespace&) const = default;
    std::string type;  // pid network mount ipc uts user cgroup time
    std::string path;  // empty: create a new one
};

struct TimeOffset {
    bool operator==(const TimeOffset&) const = default;
    int64_t secs = 0;
    uint32_t nanosecs = 0;
};

struct Device {
    bool operator==(const Device&) const = default;
    std::string type;  // c b u p
    std::string path;
    int64_t major = 0;
    int64_t minor = 0;
    std::optional<uint32_t> file_mode;
    std::optional<uint32_t> uid;
    std::optional<uint32_t> gid;
};

struct NetDevice {
    bool operator==(const NetDevice&) const = default;
    std::string name;  // name inside the container; empty keeps the host name
};

struct DeviceCgroupRule {
    bool operator==(const DeviceCgroupRule&) const = default;
    bool allow = false;
    std::string type;  // a c b; empty = a
    std::optional<int64_t> major;
    std::optional<int64_t> minor;
    std::string access;  // rwm subset; empty = rwm
};

struct Memory {
    bool operator==(const Memory&) const = default;
    std::optional<int64_t> limit;
    std::optional<int64_t> reservation;
    std::optional<int64_t> swap;
    std::optional<int64_t> kernel;
    std::optional<int64_t> kernel_tcp;
    std::optional<uint64_t> swappiness;
    std::optional<bool> disable_oom_killer;
    std::optional<bool> use_hierarchy;
    std::optional<bool> check_before_update;
};

struct Cpu {
    bool operator==(const Cpu&) const = default;
    std::optional<uint64_t> shares;
    std::optional<int64_t> quota;
    std::optional<uint64_t> burst;
    std::optional<uint64_t> period;
    std::optional<int64_t> realtime_runtime;
    std::optional<uint64_t> realtime_period;
    std::string cpus;
    std::string mems;
    std::optional<int64_t> idle;
};

struct WeightDevice {
    bool operator==(const WeightDevice&) const = default;
    int64_t major = 0;
    int64_t minor = 0;
    std::optional<uint16_t> weight;
    std::optional<uint16_t> leaf_weight;
};

struct ThrottleDevice {
    bool operator==(const ThrottleDevice&) const = default;
    int64_t major = 0;
    int64_t minor = 0;
    uint64_t rate = 0;
};

struct BlockIo {
    bool operator==(const BlockIo&) const = default;
    std::optional<uint16_t> weight;
    std::optional<uint16_t> leaf_weight;
    std::vector<WeightDevice> weight_device;
    std::vector<ThrottleDevice> throttle_read_bps_device;
    std::vector<ThrottleDevice> throttle_write_bps_device;
    std::vector<ThrottleDevice> throttle_read_iops_device;
    std::vector<ThrottleDevice> throttle_write_iops_device;
};

struct HugepageLimit {
    bool operator==(const HugepageLimit&) const = default;
    std::string page_size;  // e.g. "2MB", "1GB"
    uint64_t limit = 0;
};

struct InterfacePriority {
    bool operator==(const InterfacePriority&) const = default;
    std::string name;
    uint32_t priority = 0;
};

struct Network {
    bool operator==(const Network&) const = default;
    std::optional<uint32_t> class_id;
    std::vector<InterfacePriority> priorities;
};

struct Pids {
    bool operator==(const Pids&) const = default;
    std::optional<int64_t> limit;  // negative: no limit ("max"); 0: not set, as in runc's libcontainer
};

struct Rdma {
    bool operator==(const Rdma&) const = default;
    std::optional<uint32_t> hca_handles;
    std::optional<uint32_t> hca_objects;
};

struct Resources {
    bool operator==(const Resources&) const = default;
    std::vector<DeviceCgroupRule> devices;
    std::optional<Memory> memory;
    std::optional<Cpu> cpu;
    std::optional<Pids> pids;
    std::optional<BlockIo> block_io;
    std::vector<HugepageLimit> hugepage_limits;
    std::optional<Network> network;
    std::map<std::string, Rdma> rdma;
    std::map<std::string, std::string> unified;
};

struct IntelRdt {
    bool operator==(const IntelRdt&) const = default;
    std::string clos_id;
    std::string l3_cache_schema;
    std::string mem_bw_schema;
    std::vector<std::string> schemata;
    std::optional<bool> enable_monitoring;
};

struct MemoryPolicy {
    bool operator==(const MemoryPolicy&) const = default;
    std::string mode;                // MPOL_DEFAULT MPOL_BIND MPOL_INTERLEAVE MPOL_WEIGHTED_INTERLEAVE MPOL_PREFERRED
                                     // MPOL_PREFERRED_MANY MPOL_LOCAL
    std::string nodes;               // node list
    std::vector<std::string> flags;  // MPOL_F_NUMA_BALANCING MPOL_F_RELATIVE_NODES MPOL_F_STATIC_NODES
};

struct SeccompArg {
    bool operator==(const SeccompArg&) const = default;
    uint32_t index = 0;
    uint64_t value = 0;
    uint64_t value_two = 0;
    std::string op;  // SCMP_CMP_NE LT LE EQ GE GT MASKED_EQ
};

struct SeccompSyscall {
    bool operator==(const SeccompSyscall&) const = default;
    std::vector<std::string> names;
    std::string action;
    std::optional<uint32_t> errno_ret;
    std::vector<SeccompArg> args;
};

struct Seccomp {
    bool operator==(const Seccomp&) const = default;
    std::string default_action;
    std::optional<uint32_t> default_errno_ret;
    std::vector<std::string> architectures;
    std::vector<std::string> flags;
    std::string listener_path;
    std::string listener_metadata;
    std::vector<SeccompSyscall> syscalls;
};

struct Personality {
    bool operator==(const Personality&) const = default;
    std::string domain;  // LINUX LINUX32
    std::vector<std::string> flags;
};

struct Linux {
    bool operator==(const Linux&) const = default;
    std::vector<Namespace> namespaces;
    std::vector<IdMapping> uid_mappings;
    std::vector<IdMapping> gid_mappings;
    std::map<std::string, TimeOffset> time_offsets;  // "monotonic", "boottime"
    std::vector<Device> devices;
    std::map<std::string, NetDevice> net_devices;
    std::optional<std::string> cgroups_path;
    std::optional<Resources> resources;
    std::optional<IntelRdt> intel_rdt;
    std::optional<MemoryPolicy> memory_policy;
    std::map<std::string, std::string> sysctl;
    std::optional<Seccomp> seccomp;
    std::string rootfs_propagation;  // "" shared slave private unbindable
    std::vector<std::string> masked_paths;
    std::vector<std::string> readonly_paths;
    std::string mount_label;
    std::optional<Personality> personality;

    const Namespace* find_namespace(const std::string& type) const {
        for (const auto& ns : namespaces)
            if (ns.type == type) return &ns;
        return nullptr;
    }
};

struct Config {
    bool operator==(const Config&) const = default;
    std::string oci_version;
    std::optional<Root> root;
    std::vector<Mount> mounts;
    std::optional<Process> process;
    std::string hostname;
    std::string domainname;
    std::optional<Hooks> hooks;
    std::map<std::string, std::string> annotations;
    std::optional<Linux> linux;
};

}  // namespace gocker::spec
