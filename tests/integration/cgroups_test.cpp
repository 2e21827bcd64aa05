// cgroups for real on this host (hybrid: v1 controllers, a cgroup2 mount with only hugetlb),
// driven through the built binary; plus a real cgroup v2 test of the manager (CLONE_INTO_CGROUP,
// cgroup.freeze, the device eBPF program) in the unified hierarchy. Every test uses its own
// cgroupsPath /gocker-test-<random>/<id>, which TearDown checks is gone from every hierarchy.
#include <fcntl.h>
#include <poll.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include "integration/bundle_fixture.hpp"
#include "security/host_cgroups.hpp"
#include "linux/cgroups/cgroup_fs.hpp"
#include "linux/cgroups/device_rules.hpp"
#include "linux/cgroups/manager.hpp"

namespace gocker::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string random_name() {
    std::random_device rd;
    return "gocker-test-" + std::to_string(rd() % 1000000000u);
}

std::string cat(const std::string& path) {
    auto t = cgroups::read_cgroup_file(path);
    std::string s = t ? *t : "";
    while (!s.empty() && s.back() == '\n') s.pop_back();
    return s;
}

uint64_t keyed(const std::string& path, const std::string& key) {
    uint64_t v = 0;
    cgroups::flat_keyed_value(cat(path), key, v);
    return v;
}

// Decided from the host's mounts by the test itself, not by the detection under test.
bool have_v1(const char* ctrl) { return host_has_v1_controller(ctrl); }

// What a test starts by hand, undone however the test ends (a failed ASSERT returns early): the
// cgroup is thawed, the child SIGKILLed and reaped, the pipe closed and the cgroup tree removed.
// The normal path does the same through kill_and_reap() / close_fd(), which mark it done.
class Leftovers {
public:
    Leftovers() = default;
    Leftovers(const Leftovers&) = delete;
    Leftovers& operator=(const Leftovers&) = delete;
    ~Leftovers() {
        kill_and_reap();
        close_fd(fds[0]);
        close_fd(fds[1]);
        if (!cgroup_tree.empty() && fs::exists(cgroup_tree)) (void)cgroups::remove_cgroup_tree(cgroup_tree, 2000);
    }
    void kill_and_reap() {
        if (child <= 0) return;
        // A fatal signal reaches a frozen v2 task, but thaw first so nothing is left frozen.
        if (!frozen_cgroup.empty() && fs::exists(frozen_cgroup + "/cgroup.freeze"))
            (void)cgroups::write_cgroup_file(frozen_cgroup + "/cgroup.freeze", "0");
        ::kill(child, SIGKILL);
        ::waitpid(child, nullptr, 0);
        child = -1;
    }
    static void close_fd(int& fd) {
        if (fd >= 0) ::close(fd);
        fd = -1;
    }

    pid_t child = -1;
    int fds[2] = {-1, -1};
    std::string frozen_cgroup;  // a v2 cgroup the child may be frozen in
    std::string cgroup_tree;    // removed last, if it is still there
};

class CgroupsTest : public BundleTest {
protected:
    void SetUp() override {
        BundleTest::SetUp();
        parent_ = "/" + random_name();
        fs::create_directories(tmp() + "/out");
        config().append("/mounts", R"({"destination":"/out","type":"bind","source":)" + json_str(tmp() + "/out") +
                                       R"(,"options":["rbind","rw"]})");
    }
    void TearDown() override {
        BundleTest::TearDown();  // delete --force of every container
        for (const auto& mount : cgroup_mounts()) {
            std::string dir = mount + parent_;
            EXPECT_FALSE(fs::exists(dir)) << dir << " was left behind";
            if (fs::exists(dir)) (void)cgroups::remove_cgroup_tree(dir, 2000);  // leave the host clean
        }
    }
    std::string cgpath(const std::string& id) const { return parent_ + "/" + id; }
    void use_cgroup(const std::string& id) { config().set("/linux/cgroupsPath", json_str(cgpath(id))); }
    std::string v1(const char* ctrl, const std::string& id) const {
        return "/sys/fs/cgroup/" + std::string(ctrl) + cgpath(id);
    }
    std::string out_file(const char* name) const { return tmp() + "/out/" + name; }
    bool wait_file_contains(const std::string& path, const std::string& text, std::chrono::milliseconds t = 10s) {
        auto deadline = std::chrono::steady_clock::now() + t;
        while (std::chrono::steady_clock::now() < deadline) {
            if (read_text(path).find(text) != std::string::npos) return true;
            std::this_thread::sleep_for(50ms);
        }
        return false;
    }
    std::string parent_;
};

TEST_F(CgroupsTest, LimitsAreWrittenBeforeCreateReturnsAndTheInitIsInside) {
    use_cgroup("c1");
    config().set("/linux/resources/memory", R"({"limit":67108864})");
    config().set("/linux/resources/pids", R"({"limit":12})");
    config().set("/linux/resources/cpu", R"({"shares":512,"quota":20000,"period":100000})");
    program("sleep 100");
    ASSERT_EQ(create("c1").exit_code, 0);
    int pid = pid_of("c1");
    ASSERT_GT(pid, 0);
    EXPECT_EQ(cat(v1("memory", "c1") + "/memory.limit_in_bytes"), "67108864");
    EXPECT_EQ(cat(v1("pids", "c1") + "/pids.max"), "12");
    EXPECT_EQ(cat(v1("cpu", "c1") + "/cpu.shares"), "512");
    EXPECT_EQ(cat(v1("cpu", "c1") + "/cpu.cfs_quota_us"), "20000");
    // The init is in every hierarchy, including the unified one (cloned straight into it).
    for (const char* c : {"memory", "pids", "cpu", "freezer", "devices", "unified"})
        EXPECT_EQ(cat("/sys/fs/cgroup/" + std::string(c) + cgpath("c1") + "/cgroup.procs"), std::to_string(pid)) << c;
    RunResult ps = gocker({"ps", "--format", "json", "c1"});
    EXPECT_EQ(ps.exit_code, 0) << ps.err;
    EXPECT_EQ(ps.out, "[" + std::to_string(pid) + "]\n");
    ASSERT_EQ(del("c1", true).exit_code, 0);
    EXPECT_FALSE(fs::exists(v1("memory", "c1")));
    EXPECT_FALSE(fs::exists("/sys/fs/cgroup/memory" + parent_));  // the parent we made, now empty
}

TEST_F(CgroupsTest, MemoryLimitOomKillsTheAllocatorNotTheInitAndEventsReportsIt) {
    if (!have_v1("memory")) GTEST_SKIP() << "no v1 memory controller on this host";
    use_cgroup("oom");
    config().set("/linux/resources/memory", R"({"limit":33554432,"swap":33554432})");
    // The init waits for the go file, then a child allocates 128 MiB (dd's buffer).
    program(
        "while [ ! -e /out/go ]; do sleep 0.1; done; dd if=/dev/zero of=/dev/null bs=128M count=1; "
        "echo dd=$? > /out/dd; sleep 100");
    ASSERT_EQ(create("oom").exit_code, 0);
    ASSERT_EQ(start("oom").exit_code, 0);
    Leftovers left;  // the `events` child and the pipe, if an ASSERT below fails
    int(&pipefd)[2] = left.fds;
    ASSERT_EQ(::pipe2(pipefd, O_CLOEXEC), 0);
    pid_t events = ::fork();
    if (events == 0) {
        ::dup2(pipefd[1], 1);
        std::string root_dir = root();
        ::execl(GOCKER_BINARY, GOCKER_BINARY, "--root", root_dir.c_str(), "events", "--interval", "60s", "oom",
                nullptr);
        _exit(127);
    }
    left.child = events;
    Leftovers::close_fd(pipefd[1]);
    std::this_thread::sleep_for(500ms);  // let `events` read the OOM counter first
    write_text(out_file("go"), "");
    ASSERT_TRUE(wait_file_contains(out_file("dd"), "dd=")) << "the allocator never finished";
    EXPECT_NE(read_text(out_file("dd")), "dd=0\n");  // killed, not successful
    std::string seen;
    char buf[512];
    ::fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
    for (int i = 0; i < 50 && seen.find("\"oom\"") == std::string::npos; ++i) {
        ssize_t n = ::read(pipefd[0], buf, sizeof buf);
        if (n > 0) seen.append(buf, static_cast<size_t>(n));
        else std::this_thread::sleep_for(100ms);
    }
    left.kill_and_reap();
    Leftovers::close_fd(pipefd[0]);
    EXPECT_NE(seen.find(R"({"type":"oom","id":"oom"})"), std::string::npos) << seen;
    EXPECT_GE(keyed(v1("memory", "oom") + "/memory.oom_control", "oom_kill"), 1u);
    EXPECT_EQ(status_of("oom"), "running");  // the init survived
}

TEST_F(CgroupsTest, PidsLimitMakesForksFail) {
    use_cgroup("pids");
    config().set("/linux/resources/pids", R"({"limit":4})");
    // busybox sh gives up at the first failed fork; the count says how far it got.
    program("for i in 1 2 3 4 5 6 7 8; do sleep 5 & echo $i > /out/forked; done 2>/out/err");
    RunResult r = run("pids");
    EXPECT_NE(r.exit_code, 0);
    std::string err = read_text(out_file("err"));
    EXPECT_NE(err.find("can't fork"), std::string::npos) << "no fork failure: " << err << r.err;
    EXPECT_EQ(read_text(out_file("forked")), "3\n");  // init + 3 sleeps = the limit of 4
}

TEST_F(CgroupsTest, CpuQuotaThrottlesABusyLoop) {
    if (!have_v1("cpu") || !have_v1("cpuacct")) GTEST_SKIP() << "no v1 cpu/cpuacct controllers";
    use_cgroup("cpu");
    config().set("/linux/resources/cpu", R"({"quota":10000,"period":100000})");  // 0.1 CPU
    program("while :; do :; done");
    ASSERT_EQ(create("cpu").exit_code, 0);
    ASSERT_EQ(start("cpu").exit_code, 0);
    std::string usage = v1("cpuacct", "cpu") + "/cpuacct.usage";
    uint64_t before = std::stoull(cat(usage));
    auto t0 = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(2s);
    uint64_t used_ns = std::stoull(cat(usage)) - before;
    double wall_ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
    double share = static_cast<double>(used_ns) / wall_ns;
    EXPECT_GT(share, 0.0);
    EXPECT_LT(share, 0.16) << "a 0.1 CPU quota let the loop use " << share << " CPUs";
    EXPECT_GT(keyed(v1("cpu", "cpu") + "/cpu.stat", "nr_throttled"), 0u);
}

TEST_F(CgroupsTest, UpdateChangesLiveLimits) {
    use_cgroup("upd");
    config().set("/linux/resources/pids", R"({"limit":50})");
    config().set("/linux/resources/memory", R"({"limit":67108864})");
    program("sleep 100");
    ASSERT_EQ(create("upd").exit_code, 0);
    ASSERT_EQ(start("upd").exit_code, 0);
    RunResult u = gocker({"update", "--pids-limit", "3", "--memory", "96M", "upd"});
    ASSERT_EQ(u.exit_code, 0) << u.err;
    EXPECT_EQ(cat(v1("pids", "upd") + "/pids.max"), "3");
    EXPECT_EQ(cat(v1("memory", "upd") + "/memory.limit_in_bytes"), std::to_string(96 << 20));
    u = gocker({"update", "--resources", "-", "upd"}, R"({"pids":{"limit":7},"cpu":{"shares":256}})");
    ASSERT_EQ(u.exit_code, 0) << u.err;
    EXPECT_EQ(cat(v1("pids", "upd") + "/pids.max"), "7");
    EXPECT_EQ(cat(v1("cpu", "upd") + "/cpu.shares"), "256");
    // A value the kernel refuses is reported with the file and the value.
    u = gocker({"update", "--cpu-quota", "500", "upd"});
    EXPECT_NE(u.exit_code, 0);
    EXPECT_NE(u.err.find("write \"500\" to " + v1("cpu", "upd") + "/cpu.cfs_quota_us: invalid argument"),
              std::string::npos)
        << u.err;
    u = gocker({"update", "--memory", "lots", "upd"});
    EXPECT_NE(u.err.find("--memory: invalid value \"lots\""), std::string::npos) << u.err;
}

TEST_F(CgroupsTest, PauseStopsACounterAndResumeContinuesIt) {
    use_cgroup("pz");
    program("i=0; while :; do i=$((i+1)); echo $i > /out/n.tmp; mv /out/n.tmp /out/n; sleep 0.05; done");
    ASSERT_EQ(create("pz").exit_code, 0);
    ASSERT_EQ(start("pz").exit_code, 0);
    ASSERT_TRUE(wait_file_contains(out_file("n"), "3"));
    ASSERT_EQ(gocker({"pause", "pz"}).exit_code, 0);
    EXPECT_EQ(status_of("pz"), "paused");
    EXPECT_EQ(cat(v1("freezer", "pz") + "/freezer.state"), "FROZEN");
    std::string a = read_text(out_file("n"));
    std::this_thread::sleep_for(600ms);
    EXPECT_EQ(read_text(out_file("n")), a) << "the counter advanced while paused";
    EXPECT_NE(gocker({"pause", "pz"}).exit_code, 0);  // already paused
    ASSERT_EQ(gocker({"resume", "pz"}).exit_code, 0);
    EXPECT_EQ(status_of("pz"), "running");
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (read_text(out_file("n")) == a && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(20ms);
    EXPECT_NE(read_text(out_file("n")), a) << "the counter did not continue after resume";
    EXPECT_NE(gocker({"resume", "pz"}).exit_code, 0);  // not paused
}

TEST_F(CgroupsTest, KillAndDeleteForceWorkOnAPausedContainer) {
    use_cgroup("pk");
    program("sleep 100 & sleep 100");
    ASSERT_EQ(create("pk").exit_code, 0);
    ASSERT_EQ(start("pk").exit_code, 0);
    ASSERT_EQ(gocker({"pause", "pk"}).exit_code, 0);
    EXPECT_NE(del("pk").exit_code, 0);  // paused: not without --force
    ASSERT_EQ(gocker({"kill", "--all", "pk", "KILL"}).exit_code, 0);
    EXPECT_TRUE(wait_status("pk", "stopped"));
    ASSERT_EQ(del("pk").exit_code, 0);
    EXPECT_FALSE(fs::exists(v1("freezer", "pk")));

    use_cgroup("pd");
    ASSERT_EQ(create("pd").exit_code, 0);
    ASSERT_EQ(start("pd").exit_code, 0);
    ASSERT_EQ(gocker({"pause", "pd"}).exit_code, 0);
    RunResult d = del("pd", true);
    EXPECT_EQ(d.exit_code, 0) << d.err;
    EXPECT_FALSE(fs::exists(v1("pids", "pd")));
}

TEST_F(CgroupsTest, StatsAreOneRuncStyleObject) {
    use_cgroup("st");
    config().set("/linux/resources/pids", R"({"limit":9})");
    program("sleep 100");
    ASSERT_EQ(create("st").exit_code, 0);
    RunResult s = gocker({"events", "--stats", "st"});
    ASSERT_EQ(s.exit_code, 0) << s.err;
    rapidjson::Document doc;
    doc.Parse(s.out.c_str());
    ASSERT_TRUE(doc.IsObject()) << s.out;
    EXPECT_STREQ(doc["type"].GetString(), "stats");
    EXPECT_STREQ(doc["id"].GetString(), "st");
    EXPECT_EQ(doc["data"]["pids"]["current"].GetUint64(), 1u);
    EXPECT_EQ(doc["data"]["pids"]["limit"].GetUint64(), 9u);
    EXPECT_GT(doc["data"]["memory"]["usage"]["usage"].GetUint64(), 0u);
    EXPECT_TRUE(doc["data"]["cpu"]["usage"].HasMember("total"));
}

TEST_F(CgroupsTest, RefusedValuesAndImpossibleResourcesLeaveNothingBehind) {
    use_cgroup("bad");
    config().set("/linux/resources/cpu", R"({"quota":500,"period":100000})");
    RunResult r = create("bad");
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("/linux/resources/cpu/quota: write \"500\" to " + v1("cpu", "bad") + "/cpu.cfs_quota_us"),
              std::string::npos)
        << r.err;
    config().erase("/linux/resources/cpu");
    config().set("/linux/resources/unified", R"({"memory.high":"1000"})");
    r = create("bad");
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("/linux/resources/unified/memory.high"), std::string::npos) << r.err;
    EXPECT_EQ(status_of("bad"), "");
}

TEST_F(CgroupsTest, DevicesV1DenyWhatIsNotAllowed) {
    if (!have_v1("devices")) GTEST_SKIP() << "no v1 devices controller";
    // /dev/fuse opens for root by its file mode alone: only the device cgroup can refuse it.
    if (!fs::exists("/dev/fuse")) GTEST_SKIP() << "the test needs a host device outside the defaults (/dev/fuse)";
    use_cgroup("dev");
    config().append("/mounts", R"({"destination":"/fuse","type":"bind","source":"/dev/fuse","options":["bind"]})");
    config().set("/linux/resources/devices", R"([{"allow":false,"access":"rwm"}])");
    program(
        "echo ok > /dev/null && echo null-ok > /out/r; head -c1 /dev/zero >/dev/null && echo zero-ok >> /out/r; "
        ": 2>> /out/r < /fuse && echo fuse-opened >> /out/r");
    RunResult r = run("dev");
    std::string seen = read_text(out_file("r"));
    EXPECT_NE(seen.find("null-ok"), std::string::npos) << seen << r.err;  // a default device
    EXPECT_NE(seen.find("zero-ok"), std::string::npos) << seen << r.err;
    EXPECT_EQ(seen.find("fuse-opened"), std::string::npos) << seen;  // denied by the cgroup
    EXPECT_NE(seen.find("not permitted"), std::string::npos) << seen;
}

// cgroup v2 for real, in the unified hierarchy of this host (or of a pure v2 host): a child is
// cloned into a new cgroup, frozen and thawed, and the device eBPF program decides its opens.
TEST(CgroupV2Real, CloneIntoFreezeAndDeviceProgram) {
    auto layout = cgroups::detect_layout();
    const cgroups::Hierarchy* v2 = nullptr;
    for (const auto& h : layout.hierarchies)
        if (h.version == 2) v2 = &h;
    if (!v2) GTEST_SKIP() << "no cgroup2 hierarchy is mounted on this host";
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to create cgroups";
    cgroups::Hierarchy bare = *v2;
    bare.controllers.clear();  // no subtree_control writes to cgroups we did not create
    std::string parent = "/" + random_name();
    auto m = cgroups::make_manager(cgroups::CgroupLayout{CgroupMode::v2, {bare}}, parent + "/c");
    ASSERT_TRUE(m);
    std::string dir = bare.mount_point + parent + "/c";
    Leftovers left;  // the child, the pipe and the cgroup tree, if an ASSERT below fails
    left.cgroup_tree = bare.mount_point + parent;
    left.frozen_cgroup = dir;
    ASSERT_TRUE((*m)->create());
    spec::DeviceCgroupRule deny_all{false, "a", std::nullopt, std::nullopt, "rwm"};
    spec::DeviceCgroupRule allow_zero{true, "c", 1, 5, "rw"};
    Status dev = (*m)->apply_device_rules({deny_all, allow_zero});
    if (!dev && (dev.error().sys_errno() == EPERM || dev.error().sys_errno() == ENOSYS)) {
        (void)(*m)->destroy();
        GTEST_SKIP() << "the kernel refused bpf(2) here: " << dev.error().message();
    }
    ASSERT_TRUE(dev) << dev.error().message();

    int(&pipefd)[2] = left.fds;
    ASSERT_EQ(::pipe(pipefd), 0);
    struct clone_args args = {};
    args.flags = CLONE_INTO_CGROUP;
    args.cgroup = static_cast<uint64_t>((*m)->clone_into_fd());
    args.exit_signal = SIGCHLD;
    long pid = ::syscall(SYS_clone3, &args, sizeof args);
    ASSERT_GE(pid, 0) << "clone3(CLONE_INTO_CGROUP): " << errno;
    if (pid > 0) left.child = static_cast<pid_t>(pid);
    if (pid == 0) {
        ::close(pipefd[0]);
        int null_fd = ::open("/dev/null", O_WRONLY);
        int zero_fd = ::open("/dev/zero", O_RDONLY);
        char verdict[2] = {null_fd < 0 && errno == EPERM ? 'D' : 'A', zero_fd >= 0 ? 'A' : 'D'};
        if (::write(pipefd[1], verdict, 2) != 2) _exit(1);
        for (;;) {  // a heartbeat, one byte every 20 ms
            if (::write(pipefd[1], ".", 1) != 1) _exit(0);
            ::usleep(20000);
        }
    }
    Leftovers::close_fd(pipefd[1]);
    char verdict[2] = {};
    ASSERT_EQ(::read(pipefd[0], verdict, 2), 2);
    EXPECT_EQ(verdict[0], 'D') << "/dev/null was not denied by the device program";
    EXPECT_EQ(verdict[1], 'A') << "/dev/zero was not allowed by the device program";
    EXPECT_EQ(cat(dir + "/cgroup.procs"), std::to_string(pid));  // cloned straight in

    ASSERT_TRUE((*m)->freeze(true));
    EXPECT_EQ(keyed(dir + "/cgroup.events", "frozen"), 1u);
    EXPECT_TRUE(*(*m)->frozen());
    std::this_thread::sleep_for(100ms);
    ::fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
    char buf[4096];
    while (::read(pipefd[0], buf, sizeof buf) > 0) {}
    std::this_thread::sleep_for(200ms);
    EXPECT_LT(::read(pipefd[0], buf, sizeof buf), 1) << "the frozen child kept writing";
    ASSERT_TRUE((*m)->freeze(false));
    struct pollfd thawed = {pipefd[0], POLLIN, 0};
    EXPECT_EQ(::poll(&thawed, 1, 10000), 1) << "the thawed child did not continue";
    EXPECT_GT(::read(pipefd[0], buf, sizeof buf), 0) << "the thawed child did not continue";

    left.kill_and_reap();
    Leftovers::close_fd(pipefd[0]);
    ASSERT_TRUE((*m)->destroy());
    EXPECT_FALSE(fs::exists(bare.mount_point + parent));
    // Limits through v2 controllers (memory, pids, hugetlb) need them enabled in the hierarchy
    // root's cgroup.subtree_control, which this test must not change: tests/vm covers them.
}

// docker 20.10 writes blockIO.weight 0 on every run (the kernel refuses 0 with ERANGE) and
// `docker update` sends every field, 0 for what it does not change: both as runc takes them.
TEST_F(CgroupsTest, DockerZerosAreNotSetOnCreateAndOnUpdate) {
    use_cgroup("dock");
    config().set("/linux/resources", R"({"memory":{"limit":67108864,"disableOOMKiller":false},
        "cpu":{"shares":0},"pids":{"limit":50},"blockIO":{"weight":0}})");
    program("sleep 100");
    RunResult c = create("dock");
    ASSERT_EQ(c.exit_code, 0) << c.err;
    ASSERT_EQ(start("dock").exit_code, 0);
    RunResult u = gocker({"update", "--resources", "-", "dock"},
                         R"({"memory":{"limit":0,"reservation":0,"swap":0,"kernel":0,"kernelTCP":0},
        "cpu":{"shares":0,"quota":50000,"period":100000,"realtimeRuntime":0,"realtimePeriod":0,"cpus":"","mems":""},
        "blockIO":{"weight":0},"pids":{"limit":0}})");
    ASSERT_EQ(u.exit_code, 0) << u.err;
    EXPECT_EQ(cat(v1("cpu", "dock") + "/cpu.cfs_quota_us"), "50000");
    EXPECT_EQ(cat(v1("memory", "dock") + "/memory.limit_in_bytes"), "67108864");
    EXPECT_EQ(cat(v1("pids", "dock") + "/pids.max"), "50");
    // Flags the same way: 0 leaves the value as it was.
    u = gocker({"update", "--memory", "0", "--pids-limit", "0", "--blkio-weight", "0", "--cpu-shares", "0", "dock"});
    ASSERT_EQ(u.exit_code, 0) << u.err;
    EXPECT_EQ(cat(v1("memory", "dock") + "/memory.limit_in_bytes"), "67108864");
    EXPECT_EQ(cat(v1("pids", "dock") + "/pids.max"), "50");
    // Still strict where the value is wrong: a negative size other than -1.
    u = gocker({"update", "--resources", "-", "dock"}, R"({"memory":{"limit":-2}})");
    EXPECT_NE(u.exit_code, 0);
    EXPECT_NE(u.err.find("/linux/resources/memory/limit: must be a number of bytes, or -1 for no limit, got -2"),
              std::string::npos)
        << u.err;
    EXPECT_EQ(cat(v1("memory", "dock") + "/memory.limit_in_bytes"), "67108864");
}

}  // namespace
}  // namespace gocker::test
