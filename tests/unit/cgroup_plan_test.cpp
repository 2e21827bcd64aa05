// linux.resources -> cgroup file writes, for v1, v2 and hybrid hosts.
#include <gtest/gtest.h>

#include <algorithm>

#include "linux/cgroups/resource_plan.hpp"
#include "spec/config_io.hpp"

namespace gocker::cgroups {
namespace {

ControllerSet v1_host() {
    ControllerSet s;
    s.v1 = {"cpu",   "cpuacct", "cpuset",  "memory",   "devices", "freezer",
            "blkio", "pids",    "net_cls", "net_prio", "hugetlb", "rdma"};
    return s;
}
ControllerSet v2_host() {
    ControllerSet s;
    s.v2 = {"cpuset", "cpu", "io", "memory", "hugetlb", "pids", "rdma", "misc"};
    return s;
}
// This machine: v1 controllers, hugetlb only in the unified hierarchy, no net_cls/net_prio.
ControllerSet hybrid_host() {
    ControllerSet s;
    s.v1 = {"cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids"};
    s.v2 = {"hugetlb"};
    return s;
}

// "v<version> <file>=<value>" for compact comparisons.
std::vector<std::string> flat(const std::vector<CgroupWrite>& ws) {
    std::vector<std::string> out;
    for (const auto& w : ws) out.push_back("v" + std::to_string(w.version) + " " + w.file + "=" + w.value);
    return out;
}

std::vector<std::string> plan(const spec::Resources& r, const ControllerSet& host) {
    auto p = plan_resources(r, host);
    if (!p) return {"ERROR " + p.error().message()};
    return flat(*p);
}

TEST(CgroupPlan, Conversions) {
    EXPECT_EQ(cpu_shares_to_weight(2), 1u);
    EXPECT_EQ(cpu_shares_to_weight(1024), 39u);  // runc: 1 + (1022*9999)/262142
    EXPECT_EQ(cpu_shares_to_weight(262144), 10000u);
    EXPECT_EQ(cpu_shares_to_weight(0), 0u);
    EXPECT_EQ(blkio_weight_to_io_weight(10), 1u);
    EXPECT_EQ(blkio_weight_to_io_weight(1000), 10000u);
    EXPECT_EQ(blkio_weight_to_io_weight(500), 1u + 490u * 9999u / 990u);
}

TEST(CgroupPlan, MemoryV1) {
    spec::Resources r;
    r.memory.emplace();
    r.memory->limit = 64 << 20;
    r.memory->swap = 128 << 20;
    r.memory->reservation = 32 << 20;
    r.memory->swappiness = 10;
    r.memory->disable_oom_killer = true;
    r.memory->kernel_tcp = -1;
    EXPECT_EQ(plan(r, v1_host()), (std::vector<std::string>{
                                      "v1 memory.limit_in_bytes=67108864", "v1 memory.memsw.limit_in_bytes=134217728",
                                      "v1 memory.soft_limit_in_bytes=33554432", "v1 memory.kmem.tcp.limit_in_bytes=-1",
                                      "v1 memory.swappiness=10", "v1 memory.oom_control=1"}));
    auto p = plan_resources(r, v1_host());
    EXPECT_EQ((*p)[0].field, "/linux/resources/memory/limit");
    EXPECT_TRUE((*p)[1].optional);  // memsw needs swap accounting
    r.memory->swappiness = 101;
    EXPECT_NE(plan(r, v1_host())[0].find("/linux/resources/memory/swappiness: 101"), std::string::npos);
}

TEST(CgroupPlan, MemoryV2SwapIsSwapAlone) {
    spec::Resources r;
    r.memory.emplace();
    r.memory->limit = 100;
    r.memory->swap = 300;
    r.memory->reservation = -1;
    EXPECT_EQ(plan(r, v2_host()),
              (std::vector<std::string>{"v2 memory.max=100", "v2 memory.low=max", "v2 memory.swap.max=200"}));
    r.memory->swap = 50;
    EXPECT_NE(plan(r, v2_host())[0].find("less than the memory limit"), std::string::npos);
    r.memory->limit = -1;
    r.memory->swap = -1;
    r.memory->reservation.reset();
    EXPECT_EQ(plan(r, v2_host()), (std::vector<std::string>{"v2 memory.max=max", "v2 memory.swap.max=max"}));
}

TEST(CgroupPlan, CpuV1AndV2) {
    spec::Resources r;
    r.cpu.emplace();
    r.cpu->shares = 1024;
    r.cpu->quota = 50000;
    r.cpu->period = 100000;
    r.cpu->burst = 1000;
    r.cpu->cpus = "0";
    r.cpu->mems = "0";
    r.cpu->idle = 0;
    EXPECT_EQ(plan(r, v1_host()), (std::vector<std::string>{"v1 cpu.shares=1024", "v1 cpu.cfs_period_us=100000",
                                                            "v1 cpu.cfs_quota_us=50000", "v1 cpu.cfs_burst_us=1000",
                                                            "v1 cpu.idle=0", "v1 cpuset.cpus=0", "v1 cpuset.mems=0"}));
    EXPECT_EQ(plan(r, v2_host()),
              (std::vector<std::string>{"v2 cpu.weight=39", "v2 cpu.max=50000 100000", "v2 cpu.max.burst=1000",
                                        "v2 cpu.idle=0", "v2 cpuset.cpus=0", "v2 cpuset.mems=0"}));
    r.cpu->quota = -1;
    EXPECT_EQ(plan(r, v2_host())[1], "v2 cpu.max=max 100000");
    r.cpu->realtime_runtime = 950000;
    EXPECT_NE(plan(r, v2_host())[0].find("realtime"), std::string::npos);
    auto v1 = plan(r, v1_host());
    EXPECT_NE(std::find(v1.begin(), v1.end(), "v1 cpu.rt_runtime_us=950000"), v1.end());
}

TEST(CgroupPlan, PidsNegativeIsMaxAndZeroIsNotSet) {
    spec::Resources r;
    r.pids = spec::Pids{20};
    EXPECT_EQ(plan(r, v1_host()), (std::vector<std::string>{"v1 pids.max=20"}));
    r.pids->limit = -1;
    EXPECT_EQ(plan(r, v1_host()), (std::vector<std::string>{"v1 pids.max=max"}));
    EXPECT_EQ(plan(r, v2_host()), (std::vector<std::string>{"v2 pids.max=max"}));
    // runc's libcontainer: `if r.PidsLimit != 0` (fs), numToStr(0) == "" (fs2): nothing written,
    // so `update --pids-limit 0` leaves the limit as it was.
    r.pids->limit = 0;
    EXPECT_EQ(plan(r, v1_host()), (std::vector<std::string>{}));
    EXPECT_EQ(plan(r, v2_host()), (std::vector<std::string>{}));
}

TEST(CgroupPlan, BlockIo) {
    spec::Resources r;
    r.block_io.emplace();
    r.block_io->weight = 500;
    r.block_io->leaf_weight = 300;
    r.block_io->weight_device.push_back({8, 0, 200, std::nullopt});
    r.block_io->throttle_read_bps_device.push_back({8, 0, 1048576});
    r.block_io->throttle_write_iops_device.push_back({8, 16, 100});
    EXPECT_EQ(plan(r, v1_host()),
              (std::vector<std::string>{
                  "v1 blkio.weight=500", "v1 blkio.leaf_weight=300", "v1 blkio.weight_device=8:0 200",
                  "v1 blkio.throttle.read_bps_device=8:0 1048576", "v1 blkio.throttle.write_iops_device=8:16 100"}));
    auto v2 = plan_resources(r, v2_host());
    ASSERT_TRUE(v2);
    EXPECT_EQ(flat(*v2), (std::vector<std::string>{"v2 io.bfq.weight=500", "v2 io.bfq.weight=8:0 200",
                                                   "v2 io.max=8:0 rbps=1048576", "v2 io.max=8:16 wiops=100"}));
    EXPECT_EQ((*v2)[0].fallback_file, "io.weight");
    EXPECT_EQ((*v2)[0].fallback_value, "default " + std::to_string(blkio_weight_to_io_weight(500)));
}

TEST(CgroupPlan, HugetlbGoesWhereItLives) {
    spec::Resources r;
    r.hugepage_limits.push_back({"2MB", 4194304});
    EXPECT_EQ(plan(r, v1_host()), (std::vector<std::string>{"v1 hugetlb.2MB.limit_in_bytes=4194304"}));
    EXPECT_EQ(plan(r, hybrid_host()), (std::vector<std::string>{"v2 hugetlb.2MB.max=4194304"}));
    r.hugepage_limits[0].page_size = "../x";
    EXPECT_NE(plan(r, v2_host())[0].find("pageSize"), std::string::npos);
}

TEST(CgroupPlan, NetworkIsV1Only) {
    spec::Resources r;
    r.network = spec::Network{0x100001, {{"eth0", 5}}};
    EXPECT_EQ(plan(r, v1_host()),
              (std::vector<std::string>{"v1 net_cls.classid=1048577", "v1 net_prio.ifpriomap=eth0 5"}));
    EXPECT_NE(plan(r, v2_host())[0].find("/linux/resources/network/classID: needs the net_cls"), std::string::npos);
    EXPECT_NE(plan(r, hybrid_host())[0].find("not mounted"), std::string::npos);
}

TEST(CgroupPlan, Rdma) {
    spec::Resources r;
    r.rdma["mlx5_1"] = spec::Rdma{3, 10000};
    EXPECT_EQ(plan(r, v2_host()), (std::vector<std::string>{"v2 rdma.max=mlx5_1 hca_handle=3 hca_object=10000"}));
    EXPECT_NE(plan(r, hybrid_host())[0].find("rdma"), std::string::npos);
}

TEST(CgroupPlan, UnifiedIsV2OnlyAndRefusedOnV1WithAClearError) {
    spec::Resources r;
    r.unified["memory.high"] = "1000000";
    r.unified["cgroup.max.depth"] = "3";
    EXPECT_EQ(plan(r, v2_host()), (std::vector<std::string>{"v2 cgroup.max.depth=3", "v2 memory.high=1000000"}));
    auto v1 = plan(r, v1_host());
    EXPECT_NE(v1[0].find("needs cgroup v2, and this host has only cgroup v1"), std::string::npos) << v1[0];
    // Hybrid: fine for a controller in the unified hierarchy, refused for one that is not there.
    spec::Resources h;
    h.unified["hugetlb.2MB.max"] = "0";
    EXPECT_EQ(plan(h, hybrid_host()), (std::vector<std::string>{"v2 hugetlb.2MB.max=0"}));
    EXPECT_NE(plan(r, hybrid_host())[0].find("memory controller is not available in the cgroup v2"), std::string::npos);
    spec::Resources bad;
    bad.unified["../escape"] = "1";
    EXPECT_NE(plan(bad, v2_host())[0].find("not a cgroup file name"), std::string::npos);
}

TEST(CgroupPlan, DevicesV1AreDenyAllowLinesInOrderAndNothingOnV2) {
    spec::Resources r;
    r.devices.push_back({false, "", std::nullopt, std::nullopt, "rwm"});
    r.devices.push_back({true, "c", 1, 3, "rw"});
    r.devices.push_back({true, "c", 136, std::nullopt, "rwm"});
    EXPECT_EQ(plan(r, v1_host()), (std::vector<std::string>{"v1 devices.deny=a", "v1 devices.allow=c 1:3 rw",
                                                            "v1 devices.allow=c 136:* rwm"}));
    EXPECT_TRUE(plan(r, v2_host()).empty());
}

TEST(CgroupPlan, MissingControllerNamesTheField) {
    spec::Resources r;
    r.pids = spec::Pids{5};
    ControllerSet none;
    auto p = plan(r, none);
    EXPECT_NE(p[0].find("/linux/resources/pids/limit: needs the pids cgroup controller"), std::string::npos) << p[0];
    EXPECT_TRUE(plan(spec::Resources{}, none).empty());
}

}  // namespace
namespace {

// linux.resources as a client writes it, parsed the way config.json and `update --resources` are.
spec::Resources resources(const std::string& json) {
    auto cfg = spec::parse_config(R"({"ociVersion":"1.0.2","root":{"path":"r"},"linux":{"resources":)" + json + "}}");
    EXPECT_TRUE(cfg) << cfg.error().message();
    return cfg ? *cfg->linux->resources : spec::Resources{};
}

// Go clients write 0 for "not set", and runc's libcontainer writes nothing for it (cgroups/fs:
// `if r.X != 0`, fs2: numToStr(0) == ""): every such field, alone, plans no write at all, on
// every kind of host (and so is no error on a host without the controller's v2 equivalent).
TEST(CgroupPlan, EveryZeroThatRuncTreatsAsNotSetWritesNothing) {
    const char* zeros[] = {
        R"({"memory":{"limit":0}})",
        R"({"memory":{"reservation":0}})",
        R"({"memory":{"swap":0}})",
        R"({"memory":{"kernel":0}})",
        R"({"memory":{"kernelTCP":0}})",
        R"({"cpu":{"shares":0}})",
        R"({"cpu":{"quota":0}})",
        R"({"cpu":{"period":0}})",
        R"({"cpu":{"realtimeRuntime":0}})",
        R"({"cpu":{"realtimePeriod":0}})",
        R"({"cpu":{"cpus":"","mems":""}})",
        R"({"blockIO":{"weight":0}})",
        R"({"blockIO":{"leafWeight":0}})",
        R"({"blockIO":{"weightDevice":[{"major":8,"minor":0,"weight":0,"leafWeight":0}]}})",
        R"({"pids":{"limit":0}})",
        R"({"network":{"classID":0}})",
        R"({"memory":{"swappiness":18446744073709551615}})",
    };
    for (const char* json : zeros) {
        SCOPED_TRACE(json);
        for (const ControllerSet& host : {v1_host(), v2_host(), hybrid_host()})
            EXPECT_EQ(plan(resources(json), host), (std::vector<std::string>{}));
    }
}

// Where 0 is a real value, runc writes it, and so do we.
TEST(CgroupPlan, ZeroIsWrittenWhereItIsARealLimit) {
    auto r = resources(R"({"hugepageLimits":[{"pageSize":"2MB","limit":0}],"cpu":{"idle":0},
        "memory":{"swappiness":0},"blockIO":{"throttleReadBpsDevice":[{"major":8,"minor":0,"rate":0}]}})");
    EXPECT_EQ(plan(r, v1_host()),
              (std::vector<std::string>{"v1 memory.swappiness=0", "v1 cpu.idle=0",
                                        "v1 blkio.throttle.read_bps_device=8:0 0", "v1 hugetlb.2MB.limit_in_bytes=0"}));
}

// docker 20.10 `run` always sends blockIO.weight (0 when --blkio-weight is not given); the
// kernel refuses 0 (ERANGE), so writing it failed every docker container.
TEST(CgroupPlan, DockerCreateFragmentWritesOnlyWhatWasAskedFor) {
    auto r = resources(R"({"devices":[{"allow":false,"access":"rwm"}],"memory":{"disableOOMKiller":false},
        "cpu":{"shares":0},"pids":{"limit":-1},"blockIO":{"weight":0}})");
    EXPECT_EQ(plan(r, v1_host()), (std::vector<std::string>{"v1 devices.deny=a", "v1 pids.max=max"}));
    EXPECT_EQ(plan(r, v2_host()), (std::vector<std::string>{"v2 pids.max=max"}));
}

// `docker update --cpus 0.5` reaches `runc update --resources -` (through containerd) with every
// field present and zero unless changed: only the CPU quota may be written.
TEST(CgroupPlan, DockerUpdateFragmentChangesOnlyTheGivenValue) {
    auto r = resources(R"({"memory":{"limit":0,"reservation":0,"swap":0,"kernel":0,"kernelTCP":0},
        "cpu":{"shares":0,"quota":50000,"period":100000,"realtimeRuntime":0,"realtimePeriod":0,"cpus":"","mems":""},
        "blockIO":{"weight":0},"pids":{"limit":0}})");
    EXPECT_EQ(plan(r, v1_host()),
              (std::vector<std::string>{"v1 cpu.cfs_period_us=100000", "v1 cpu.cfs_quota_us=50000"}));
    EXPECT_EQ(plan(r, v2_host()), (std::vector<std::string>{"v2 cpu.max=50000 100000"}));
}

// runc: a memory limit of -1 with no swap limit lifts the swap limit too (v1 refuses a memory
// limit above memory+swap). Quietly skipped where there is no swap accounting.
TEST(CgroupPlan, UnlimitedMemoryWithoutSwapLiftsSwapToo) {
    auto r = resources(R"({"memory":{"limit":-1}})");
    EXPECT_EQ(plan(r, v1_host()),
              (std::vector<std::string>{"v1 memory.memsw.limit_in_bytes=-1", "v1 memory.limit_in_bytes=-1"}));
    EXPECT_EQ(plan(r, v2_host()), (std::vector<std::string>{"v2 memory.swap.max=max", "v2 memory.max=max"}));
    auto p = plan_resources(r, v1_host());
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->at(0).optional && p->at(0).quiet);
    r = resources(R"({"memory":{"limit":-1,"swap":1073741824}})");
    EXPECT_EQ(plan(r, v1_host()),
              (std::vector<std::string>{"v1 memory.limit_in_bytes=-1", "v1 memory.memsw.limit_in_bytes=1073741824"}));
}

}  // namespace
}  // namespace gocker::cgroups
