// The pure parts of the host probe: mountinfo parsing, cgroup mode and controller detection,
// capability decoding, and which config fields a given host cannot satisfy.
#include "linux/host_probe.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "linux/capabilities.hpp"
#include "spec/oci_names.hpp"

namespace gocker {
namespace {

const char* kHybridMountinfo =
    "26 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
    "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct\n"
    "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
    "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
    "41 26 0:40 / /mnt/with\\040space rw - tmpfs none rw\n";

const char* kProcCgroups =
    "#subsys_name\thierarchy\tnum_cgroups\tenabled\n"
    "cpu\t1\t1\t1\n"
    "cpuacct\t2\t1\t1\n"
    "memory\t4\t25\t1\n"
    "net_cls\t0\t1\t1\n"
    "hugetlb\t0\t1\t1\n"
    "pids\t8\t1\t0\n";

TEST(HostProbe, ParsesMountinfoWithOptionalFieldsAndEscapes) {
    auto m = parse_mountinfo(kHybridMountinfo);
    ASSERT_EQ(m.size(), 7u);
    EXPECT_EQ(m[0].mount_point, "/");
    EXPECT_EQ(m[0].fs_type, "ext4");
    EXPECT_EQ(m[0].source, "/dev/vda");
    EXPECT_EQ(m[2].fs_type, "cgroup");  // "shared:9" optional field skipped
    EXPECT_EQ(m[2].super_options, "rw,cpu,cpuacct");
    EXPECT_EQ(m[6].mount_point, "/mnt/with space");
}

TEST(HostProbe, MountinfoTellsSharedMountsApart) {
    auto m = parse_mountinfo(
        "21 1 0:20 / / rw shared:1 - ext4 /dev/vda rw\n"
        "22 21 0:21 / /a rw master:3 - tmpfs t rw\n"
        "23 21 0:22 / /b rw master:3 shared:7 - tmpfs t rw\n"
        "24 21 0:23 / /c rw - tmpfs t rw\n");
    ASSERT_EQ(m.size(), 4u);
    EXPECT_TRUE(m[0].shared);
    EXPECT_FALSE(m[1].shared);  // a slave only
    EXPECT_TRUE(m[2].shared);
    EXPECT_FALSE(m[3].shared);  // private
}

TEST(HostProbe, CgroupModeFromMounts) {
    EXPECT_EQ(cgroup_mode_from_mounts(parse_mountinfo(kHybridMountinfo)), CgroupMode::hybrid);
    EXPECT_EQ(cgroup_mode_from_mounts(parse_mountinfo("1 0 0:1 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n")),
              CgroupMode::v2);
    EXPECT_EQ(
        cgroup_mode_from_mounts(parse_mountinfo("1 0 0:1 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n")),
        CgroupMode::v1);
    EXPECT_EQ(cgroup_mode_from_mounts(parse_mountinfo("1 0 0:1 / / rw - ext4 /dev/sda rw\n")), CgroupMode::none);
    EXPECT_STREQ(cgroup_mode_name(CgroupMode::hybrid), "hybrid");
}

TEST(HostProbe, ControllersFromV1MountsAndV2File) {
    auto c = cgroup_controllers_from(parse_mountinfo(kHybridMountinfo), kProcCgroups,
                                     {{"/sys/fs/cgroup/unified", "hugetlb rdma\n"}});
    std::vector<std::string> got;
    for (const auto& x : c) got.push_back(x.name + "@" + std::to_string(x.version) + ":" + x.mount_point);
    std::vector<std::string> want = {"cpu@1:/sys/fs/cgroup/cpu,cpuacct", "cpuacct@1:/sys/fs/cgroup/cpu,cpuacct",
                                     "memory@1:/sys/fs/cgroup/memory", "hugetlb@2:/sys/fs/cgroup/unified",
                                     "rdma@2:/sys/fs/cgroup/unified"};
    EXPECT_EQ(got, want);  // name=systemd is not a controller; net_cls is enabled but not mounted
}

TEST(HostProbe, CapabilityNamesAndMasks) {
    EXPECT_EQ(capability_number("CAP_CHOWN"), 0);
    EXPECT_EQ(capability_number("CAP_SYS_RESOURCE"), 24);
    EXPECT_EQ(capability_number("CAP_CHECKPOINT_RESTORE"), 40);
    EXPECT_FALSE(capability_number("CAP_NOPE").has_value());
    EXPECT_EQ(capability_name(21), "CAP_SYS_ADMIN");
    EXPECT_EQ(capability_name(50), "CAP_50");

    // This sandbox's bounding set: everything up to 40 except CAP_SYS_RESOURCE.
    uint64_t bnd = 0x000001fffeffffffULL;
    auto have = decode_capability_mask(bnd, 40);
    EXPECT_EQ(have.size(), 40u);
    EXPECT_EQ(std::count(have.begin(), have.end(), "CAP_SYS_RESOURCE"), 0);
    auto missing = decode_capability_mask(~bnd & ((uint64_t{1} << 41) - 1), 40);
    EXPECT_EQ(missing, std::vector<std::string>{"CAP_SYS_RESOURCE"});
    EXPECT_EQ(decode_capability_mask(0b101, 40), (std::vector<std::string>{"CAP_CHOWN", "CAP_DAC_READ_SEARCH"}));
}

// `check` reads the hard limit of every rlimit a config may name (one table: spec::names).
TEST(HostProbe, EveryRlimitTheConfigAcceptsIsProbed) {
    HostReport host = probe_host();
    for (std::string_view name : spec::names::rlimits) EXPECT_EQ(host.rlimit_hard.count(std::string(name)), 1u) << name;
    EXPECT_EQ(host.rlimit_hard.size(), spec::names::rlimits.size());
}

TEST(HostProbe, ParsesStatusHexFields) {
    const char* status = "Name:\tx\nCapEff:\t000001fffeffffff\nCapBnd:\t0000000000000005\nSeccomp:\t2\n";
    EXPECT_EQ(parse_status_hex(status, "CapEff"), 0x000001fffeffffffULL);
    EXPECT_EQ(parse_status_hex(status, "CapBnd"), 5u);
    EXPECT_FALSE(parse_status_hex(status, "CapAmb").has_value());
    EXPECT_FALSE(parse_status_hex(status, "Name").has_value());
}

HostReport capable_host() {
    HostReport h;
    h.cgroup_mode = CgroupMode::hybrid;
    h.controllers = {{"memory", 1, "/sys/fs/cgroup/memory"},
                     {"pids", 1, "/sys/fs/cgroup/pids"},
                     {"devices", 1, "/sys/fs/cgroup/devices"},
                     {"hugetlb", 2, "/sys/fs/cgroup/unified"}};
    for (const char* t : {"pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time"}) h.namespaces[t] = true;
    h.user_ns_enabled = true;
    h.seccomp_supported = true;
    h.cap_bounding = h.cap_effective = (uint64_t{1} << 41) - 1;
    h.rlimit_hard["RLIMIT_NOFILE"] = 1024;
    return h;
}

TEST(HostProbe, ConfigFitsCapableHost) {
    spec::Config cfg;
    cfg.linux.emplace();
    cfg.linux->namespaces = {{"pid", ""}, {"user", ""}};
    cfg.linux->resources.emplace();
    cfg.linux->resources->memory.emplace();
    cfg.linux->resources->unified["hugetlb.2MB.max"] = "0";
    cfg.process.emplace();
    cfg.process->rlimits = {{"RLIMIT_NOFILE", 4096, 4096}};
    EXPECT_TRUE(config_host_problems(cfg, capable_host()).empty());
}

TEST(HostProbe, ConfigProblemsNameTheField) {
    HostReport h = capable_host();
    h.namespaces["time"] = false;
    h.user_ns_enabled = false;
    h.user_ns_detail = "user.max_user_namespaces=0";
    h.seccomp_supported = false;
    h.seccomp_detail = "kernel built without seccomp";
    h.cap_bounding &= ~(uint64_t{1} << 24);
    h.cap_effective &= ~(uint64_t{1} << 24);

    spec::Config cfg;
    cfg.linux.emplace();
    cfg.linux->namespaces = {{"pid", ""}, {"time", ""}, {"user", ""}};
    cfg.linux->seccomp.emplace();
    cfg.linux->resources.emplace();
    cfg.linux->resources->network.emplace();
    cfg.linux->resources->network->class_id = 7;
    cfg.linux->resources->unified["memory.max"] = "1G";  // memory is a v1 controller here
    cfg.process.emplace();
    cfg.process->capabilities.emplace();
    cfg.process->capabilities->bounding = {"CAP_CHOWN", "CAP_SYS_RESOURCE"};
    cfg.process->capabilities->effective = {"CAP_SYS_RESOURCE"};
    cfg.process->rlimits = {{"RLIMIT_NOFILE", 4096, 4096}};

    auto p = config_host_problems(cfg, h);
    std::vector<std::string> want = {
        "/linux/namespaces/1: the kernel has no time namespaces",
        "/linux/namespaces/2: user namespaces are disabled (user.max_user_namespaces=0)",
        "/linux/seccomp: the kernel does not accept seccomp filters (kernel built without seccomp)",
        "/linux/resources/network/classID: needs the net_cls cgroup controller, which is not mounted",
        "/linux/resources/unified/memory.max: the memory controller is not available in the cgroup v2 hierarchy",
        "/process/capabilities/bounding/1: CAP_SYS_RESOURCE is not in the caller's bounding set",
        "/process/rlimits/0: raising the RLIMIT_NOFILE hard limit above 1024 needs CAP_SYS_RESOURCE, which the "
        "caller lacks",
    };
    EXPECT_EQ(p, want);
}

TEST(HostProbe, JoiningAUserNamespaceNeedsNoSysctl) {
    HostReport h = capable_host();
    h.user_ns_enabled = false;
    spec::Config cfg;
    cfg.linux.emplace();
    cfg.linux->namespaces = {{"user", "/proc/1/ns/user"}};
    EXPECT_TRUE(config_host_problems(cfg, h).empty());
}

TEST(HostProbe, ProbesThisHostWithoutSideEffects) {
    HostReport h = probe_host();
    EXPECT_EQ(h.cgroup_mode, detect_cgroup_mode());
    EXPECT_TRUE(h.namespaces.at("mount"));  // every Linux kernel we run on has mount namespaces
    EXPECT_FALSE(h.root_fs_type.empty());
    EXPECT_FALSE(h.libseccomp_version.empty());
    EXPECT_NE(h.cap_bounding, 0u);
    EXPECT_EQ(h.syscalls.size(), 7u);
}

size_t open_fd_count() {
    size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
        (void)e;
        ++n;
    }
    return n;
}

TEST(HostProbe, ProbingLeavesNoDescriptorBehindAndClosesNone) {
    int p[2];
    ASSERT_EQ(::pipe(p), 0);
    size_t before = open_fd_count();
    (void)probe_host();
    EXPECT_EQ(open_fd_count(), before);
    EXPECT_GE(::fcntl(p[0], F_GETFD), 0);  // close_range probe must not close anything
    EXPECT_GE(::fcntl(p[1], F_GETFD), 0);
    ::close(p[0]);
    ::close(p[1]);
}

}  // namespace
}  // namespace gocker
