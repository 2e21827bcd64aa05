// gocker, the seed's command line, driven as a user would: the built `gocker` binary, as root,
// with the busybox rootfs. Every test has its own state root (GOCKER_ROOT), runtime root
// (GOCKER_RUNTIME_ROOT) and cgroup parent (GOCKER_CGROUP_PARENT), and the whole test process
// runs in a private mount and network namespace of its own: the overlays gocker mounts and any
// network it would make stay there. Serialise runs with `flock /tmp/gocker-integration.lock`.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gocker/gocker_fixture.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct Out {
    int rc = -1;
    std::string out, err;
};

// Runs argv with stdin from `input` (or /dev/null), collecting stdout and stderr apart.
Out run_argv(const std::vector<std::string>& argv, const std::string& input = "", bool want_stdin = false) {
    int o[2], e[2], in[2];
    EXPECT_EQ(::pipe2(o, O_CLOEXEC), 0);
    EXPECT_EQ(::pipe2(e, O_CLOEXEC), 0);
    EXPECT_EQ(::pipe2(in, O_CLOEXEC), 0);
    pid_t pid = ::fork();
    if (pid == 0) {
        int null = ::open("/dev/null", O_RDONLY);
        ::dup2(want_stdin ? in[0] : null, 0);
        ::dup2(o[1], 1);
        ::dup2(e[1], 2);
        std::vector<char*> a;
        for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
        a.push_back(nullptr);
        ::execvp(a[0], a.data());
        _exit(127);
    }
    ::close(o[1]);
    ::close(e[1]);
    ::close(in[0]);
    if (!input.empty()) {
        EXPECT_EQ(::write(in[1], input.data(), input.size()), ssize_t(input.size()));
    }
    ::close(in[1]);
    Out r;
    struct pollfd fds[2] = {{o[0], POLLIN, 0}, {e[0], POLLIN, 0}};
    int open_fds = 2;
    while (open_fds > 0 && ::poll(fds, 2, 60000) > 0) {
        for (int i = 0; i < 2; ++i) {
            if (!fds[i].revents) continue;
            char buf[4096];
            ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
            if (n <= 0) {
                fds[i].fd = -1;
                --open_fds;
            } else {
                (i == 0 ? r.out : r.err).append(buf, size_t(n));
            }
        }
    }
    ::close(o[0]);
    ::close(e[0]);
    int st = 0;
    ::waitpid(pid, &st, 0);
    r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return r;
}

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

std::string read_file(const std::string& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return trim(ss.str());
}

// Everything about a tree that a write would change: names, modes, owners, sizes, times, contents.
std::string tree_hash(const std::string& dir) {
    // Each inode's content once (busybox's applets are hard links of one file).
    return run_argv(
               {"sh", "-c",
                "cd '" + dir +
                    "' && { find . -printf '%p %i %m %U %G %s %T@ %l\\n' | sort; "
                    "find . -type f -printf '%i %p\\n' | sort -u -k1,1 | cut -d' ' -f2- | xargs -d '\\n' sha256sum; } "
                    "| sha256sum"})
        .out;
}

// The private mount + network namespace of the whole test process.
class PrivateNamespaces : public ::testing::Environment {
public:
    void SetUp() override {
        ASSERT_EQ(::unshare(CLONE_NEWNS | CLONE_NEWNET), 0) << "unshare: " << strerror(errno);
        ASSERT_EQ(::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr), 0);
        run_argv({"ip", "link", "set", "lo", "up"});
    }
};
const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new PrivateNamespaces);

class Gocker : public gocker::test::GockerEnvTest {
protected:
    Gocker() : GockerEnvTest("cli-it") {}
    void SetUp() override {
        GockerEnvTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        ::unsetenv("GOCKER_RUNTIME");
    }
    void TearDown() override {
        if (tmp_.empty()) return;
        Out ids = g({"ps", "-aq"});
        std::istringstream each(ids.out);
        for (std::string id; each >> id;) g({"rm", "-f", id});
        remove_cgroup_parent();
    }

    Out g(std::vector<std::string> args, const std::string& input = "", bool want_stdin = false) {
        args.insert(args.begin(), GOCKER_CLI_BINARY);
        return run_argv(args, input, want_stdin);
    }
    // gocker run -d ... ; the id.
    std::string detached(std::vector<std::string> args) {
        args.insert(args.begin(), {"run", "-d", "--network", "none"});
        Out r = g(args);
        EXPECT_EQ(r.rc, 0) << r.err;
        return trim(r.out);
    }
    std::string cgroup_file(const std::string& controller, const std::string& id, const std::string& file) {
        return "/sys/fs/cgroup/" + controller + parent_ + "/" + id + "/" + file;
    }
};

TEST_F(Gocker, ForegroundStreamsOutputAndExitsWithTheContainersCode) {
    Out r = g({"run", "--network", "none", rootfs_, "sh", "-c",
               "echo out; echo err >&2; hostname; cat /proc/self/uid_map; exit 3"});
    EXPECT_EQ(r.rc, 3) << r.err;
    std::istringstream lines(r.out);
    std::string l1, l2, l3;
    std::getline(lines, l1);
    std::getline(lines, l2);
    std::getline(lines, l3);
    EXPECT_EQ(l1, "out");
    EXPECT_EQ(l2, "gocker-container");
    std::istringstream map(l3);
    unsigned a = 9, b = 9, c = 9;
    map >> a >> b >> c;
    EXPECT_EQ(a, 0u) << l3;  // the seed's mapping: root is host uid 1000
    EXPECT_EQ(b, 1000u) << l3;
    EXPECT_EQ(c, 65536u) << l3;
    EXPECT_NE(r.err.find("err"), std::string::npos) << r.err;
}

TEST_F(Gocker, DetachedPsLogsStopAfterTimeoutAndRm) {
    std::string id = detached({"--name", "ticker", rootfs_, "sh", "-c",
                               "trap '' TERM; i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done"});
    ASSERT_EQ(id.size(), 12u);
    Out ps = g({"ps"});
    EXPECT_NE(ps.out.find(id), std::string::npos) << ps.out;
    EXPECT_NE(ps.out.find("ticker"), std::string::npos);
    EXPECT_NE(ps.out.find("running"), std::string::npos);

    Out follow;
    std::thread follower([&] { follow = g({"logs", "-f", "ticker"}); });
    std::this_thread::sleep_for(800ms);
    auto t0 = std::chrono::steady_clock::now();
    Out stop = g({"stop", "-t", "1", "ticker"});
    double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    follower.join();
    EXPECT_EQ(stop.rc, 0) << stop.err;
    EXPECT_GE(took, 0.9) << "SIGTERM is ignored: only SIGKILL after the 1 s timeout ends it";
    EXPECT_LT(took, 5.0);
    EXPECT_EQ(follow.rc, 0) << follow.err << " (logs -f returns when the container stops)";
    EXPECT_NE(follow.out.find("tick 0\ntick 1\n"), std::string::npos) << follow.out;

    Out psa = g({"ps", "-a"});
    EXPECT_NE(psa.out.find("exited (137)"), std::string::npos) << psa.out;
    EXPECT_EQ(g({"ps"}).out.find(id), std::string::npos) << "ps without -a lists running containers only";
    Out inspect = g({"inspect", id});
    EXPECT_NE(inspect.out.find("\"exitCode\": 137"), std::string::npos) << inspect.out;
    EXPECT_NE(inspect.out.find("\"finishedAt\": \"20"), std::string::npos) << inspect.out;

    Out rm = g({"rm", "ticker"});
    EXPECT_EQ(rm.rc, 0) << rm.err;
    EXPECT_EQ(containers_on_disk(), 0u);
    EXPECT_FALSE(gocker::test::is_dir("/sys/fs/cgroup/pids" + parent_ + "/" + id));
    EXPECT_NE(g({"inspect", id}).rc, 0);
}

TEST_F(Gocker, RmRefusesARunningContainerUnlessForced) {
    std::string id = detached({rootfs_, "sleep", "30"});
    Out rm = g({"rm", id});
    EXPECT_NE(rm.rc, 0);
    EXPECT_NE(rm.err.find("running"), std::string::npos) << rm.err;
    EXPECT_EQ(containers_on_disk(), 1u);
    Out rmf = g({"rm", "-f", id});
    EXPECT_EQ(rmf.rc, 0) << rmf.err;
    EXPECT_EQ(containers_on_disk(), 0u);
}

TEST_F(Gocker, LimitsAreInTheContainersCgroup) {
    if (!gocker::test::host_has_v1_controller("memory") || !gocker::test::host_has_v1_controller("pids"))
        GTEST_SKIP() << "checks cgroup v1 files; the v2 side is tested by the runtime's VM tests";
    std::string id =
        detached({"--cpu-limit", "0.5", "--memory-limit", "512M", "--pids-limit", "7", rootfs_, "sleep", "30"});
    EXPECT_EQ(read_file(cgroup_file("memory", id, "memory.limit_in_bytes")), "536870912");
    EXPECT_EQ(read_file(cgroup_file("cpu", id, "cpu.cfs_quota_us")), "50000");
    EXPECT_EQ(read_file(cgroup_file("cpu", id, "cpu.cfs_period_us")), "100000");
    EXPECT_EQ(read_file(cgroup_file("pids", id, "pids.max")), "7");
    std::string other = detached({rootfs_, "sleep", "30"});
    EXPECT_EQ(read_file(cgroup_file("pids", other, "pids.max")), "20") << "the seed's default";
}

TEST_F(Gocker, VolumeReadOnlyAndExec) {
    std::string vol = tmp_ + "/vol";
    fs::create_directory(vol);
    ::chmod(vol.c_str(), 0755);
    std::ofstream(vol + "/f") << "data\n";
    std::string id = detached({"-v", vol + ":/data:ro", rootfs_, "sleep", "30"});
    Out read = g({"exec", id, "cat", "/data/f"});
    EXPECT_EQ(read.rc, 0) << read.err;
    EXPECT_EQ(read.out, "data\n");
    Out write = g({"exec", id, "sh", "-c", "echo x > /data/g"});
    EXPECT_NE(write.rc, 0);
    EXPECT_NE(write.err.find("Read-only file system"), std::string::npos) << write.err;
    EXPECT_FALSE(fs::exists(vol + "/g"));
    Out env = g({"exec", "-e", "A=b", "-w", "/tmp", id, "sh", "-c", "echo $A $(pwd); exit 6"});
    EXPECT_EQ(env.rc, 6);
    EXPECT_EQ(env.out, "b /tmp\n");
}

TEST_F(Gocker, TwoContainersShareOneRootfsWithoutChangingIt) {
    std::string before = tree_hash(rootfs_);
    // Two at once, told apart by their hostnames; the second (root is host root there) also
    // deletes a file of the shared ROOTFS, which must only hide it in its own overlay.
    std::string one = detached({"--hostname", "one", rootfs_, "sh", "-c", "hostname > /marker; sleep 30"});
    std::string two = detached({"--hostname", "two", "--no-userns", rootfs_, "sh", "-c",
                                "hostname > /marker; rm /bin/true; echo x >> /etc/passwd; sleep 30"});
    std::this_thread::sleep_for(500ms);
    EXPECT_EQ(g({"exec", one, "cat", "/marker"}).out, "one\n");
    EXPECT_EQ(g({"exec", two, "cat", "/marker"}).out, "two\n");
    EXPECT_NE(g({"exec", two, "ls", "/bin/true"}).rc, 0) << "the container's own delete";
    EXPECT_EQ(g({"exec", one, "ls", "/bin/true"}).rc, 0) << "the other container still has it";
    EXPECT_EQ(tree_hash(rootfs_), before) << "ROOTFS was written";
    EXPECT_EQ(g({"rm", "-f", one, two}).rc, 0);
    EXPECT_EQ(tree_hash(rootfs_), before);
}

TEST_F(Gocker, CopyStorageWhenAskedForAndRootOwnsIt) {
    std::string before = tree_hash(rootfs_);
    Out r = g({"run", "--rm", "--storage", "copy", "--network", "none", rootfs_, "sh", "-c",
               "touch /etc/written && stat -c %u /etc/passwd"});
    EXPECT_EQ(r.rc, 0) << r.err;
    EXPECT_EQ(r.out, "0\n") << "the copy is chowned through the map: container root owns it";
    EXPECT_NE(r.err.find("gets a copy of"), std::string::npos) << r.err;
    EXPECT_EQ(tree_hash(rootfs_), before);
    EXPECT_EQ(containers_on_disk(), 0u) << "--rm";
}

TEST_F(Gocker, MonitorSurvivesKill9OfGocker) {
    pid_t pid = ::fork();
    if (pid == 0) {
        int null = ::open("/dev/null", O_RDWR);
        ::dup2(null, 0);
        ::dup2(null, 1);
        ::dup2(null, 2);
        ::execl(GOCKER_CLI_BINARY, "gocker", "run", "--name", "k9", "--network", "none", GOCKER_ROOTFS, "sh", "-c",
                "sleep 1.5; echo survived; exit 7", (char*)nullptr);
        _exit(127);
    }
    std::this_thread::sleep_for(700ms);
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    int st;
    ::waitpid(pid, &st, 0);
    for (int i = 0; i < 60 && g({"ps", "-a"}).out.find("exited (7)") == std::string::npos; ++i)
        std::this_thread::sleep_for(100ms);
    EXPECT_NE(g({"ps", "-a"}).out.find("exited (7)"), std::string::npos) << g({"ps", "-a"}).out;
    EXPECT_EQ(g({"logs", "k9"}).out, "survived\n");
}

TEST_F(Gocker, TheMonitorKeepsNoDescriptorOfItsCaller) {
    // A pipe whose write end gocker inherits (as a held flock or a caller's pipe would be): once
    // gocker has returned, nothing of the detached container may keep it open.
    int p[2];
    ASSERT_EQ(::pipe(p), 0);
    std::string id = detached({rootfs_, "sleep", "30"});
    ::close(p[1]);
    struct pollfd pfd {
        p[0], POLLIN, 0
    };
    ASSERT_EQ(::poll(&pfd, 1, 5000), 1) << "the write end is still open somewhere";
    char c;
    EXPECT_EQ(::read(p[0], &c, 1), 0);
    ::close(p[0]);
    EXPECT_NE(g({"ps"}).out.find(id), std::string::npos);
}

TEST_F(Gocker, InteractiveStdinAndLogRotation) {
    Out r = g({"run", "-i", "--rm", "--network", "none", rootfs_, "cat"}, "piped in\n", true);
    EXPECT_EQ(r.rc, 0) << r.err;
    EXPECT_EQ(r.out, "piped in\n");
    EXPECT_EQ(containers_on_disk(), 0u) << "--rm: gone when run returns";
    EXPECT_TRUE(run_argv({"sh", "-c", "ls " + tmp_ + "/runtime"}).out.empty()) << "the runtime's state too";

    Out big = g({"run", "--name", "big", "--log-max-size", "2K", "--network", "none", rootfs_, "sh", "-c",
                 "i=0; while [ $i -lt 100 ]; do echo line $i; i=$((i+1)); done"});
    EXPECT_EQ(big.rc, 0);
    auto id = trim(g({"ps", "-aq"}).out);
    std::string log = root_ + "/containers/" + id + "/container.log";
    EXPECT_TRUE(fs::exists(log + ".1"));
    EXPECT_LE(fs::file_size(log), 2048u);
    EXPECT_EQ(g({"logs", "--tail", "2", "big"}).out, "line 98\nline 99\n");
    std::string line = read_file(log).substr(0, read_file(log).find('\n'));
    EXPECT_NE(line.find("\"stream\":\"stdout\""), std::string::npos) << line;
    EXPECT_NE(line.find("\"time\":\"20"), std::string::npos) << line;
}

TEST_F(Gocker, RuncDoesTheSame) {
    if (::access("/usr/sbin/runc", X_OK) != 0 && ::access("/usr/bin/runc", X_OK) != 0)
        GTEST_SKIP() << "runc is not installed (Debian package runc)";
    Out r = g({"run", "--runtime", "runc", "--network", "none", rootfs_, "sh", "-c", "echo via runc; exit 4"});
    EXPECT_EQ(r.rc, 4) << r.err;
    EXPECT_EQ(r.out, "via runc\n");
    std::string id =
        detached({"--runtime", "runc", rootfs_, "sh", "-c", "trap '' TERM; echo up; while true; do sleep 0.2; done"});
    EXPECT_NE(read_file(cgroup_file("pids", id, "pids.max")), "");
    EXPECT_NE(g({"inspect", id}).out.find("runc"), std::string::npos);
    EXPECT_EQ(g({"stop", "-t", "1", id}).rc, 0);
    EXPECT_NE(g({"ps", "-a"}).out.find("exited (137)"), std::string::npos);
    EXPECT_EQ(g({"logs", id}).out, "up\n");
    EXPECT_EQ(g({"rm", id}).rc, 0);
    EXPECT_EQ(run_argv({"runc", "--root", tmp_ + "/runtime", "list", "-q"}).out, "");
}

TEST_F(Gocker, BadInputIsOneLineAndLeavesNothing) {
    struct Case {
        std::vector<std::string> args;
        std::string says;
    } cases[] = {
        {{"run", "--memory-limit", "12Q", rootfs_}, "--memory-limit: invalid value \"12Q\""},
        {{"run", "--cpu-limit", "lots", rootfs_}, "--cpu-limit: invalid value \"lots\""},
        {{"run", "--pids-limit", "-3", rootfs_}, "--pids-limit: invalid value \"-3\""},
        {{"run", "--userns", "0:1000", rootfs_}, "--userns 0:1000: expected CTR:HOST:SIZE"},
        {{"run", "-v", "relative:/x", rootfs_}, "--volume relative:/x: the host path must be absolute"},
        {{"run", "-v", "/nonexistent-gocker-src:/x", "--network", "none", rootfs_},
         "--volume /nonexistent-gocker-src:/x: no such file"},
        {{"run", "-p", "80:99999", rootfs_}, "--publish 80:99999: container port \"99999\""},
        {{"run", "--network", "wifi", rootfs_}, "--network wifi: unknown network"},
        {{"run", "-p", "8080:80", "--network", "none", rootfs_}, "--publish 8080:80/tcp: needs --network bridge"},
        {{"run", "--name", "bad name", rootfs_}, "--name bad name: expected"},
        {{"run", "--bogus", rootfs_}, "run: unknown flag --bogus"},
        {{"run", "--network", "none", tmp_ + "/no-rootfs"}, "ROOTFS " + tmp_ + "/no-rootfs: no such file"},
        {{"run", "--network", "none", rootfs_, "no-such-program"}, "executable file not found"},
        {{"stop", "-t", "soon", "x"}, "--time soon: expected a number of seconds"},
        {{"frobnicate"}, "unknown command \"frobnicate\""},
    };
    for (const auto& c : cases) {
        Out r = g(c.args);
        EXPECT_NE(r.rc, 0) << c.says;
        EXPECT_NE(r.err.find(c.says), std::string::npos) << "got: " << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
        EXPECT_EQ(containers_on_disk(), 0u) << c.says;
    }
    EXPECT_TRUE(run_argv({"sh", "-c", "ls " + tmp_ + "/runtime 2>/dev/null"}).out.empty()) << "no runtime state left";
    for (const auto& m : gocker::test::cgroup_mounts())
        EXPECT_FALSE(gocker::test::is_dir(m + parent_)) << m + parent_ << " left behind by a failed run";
    std::string mounts = read_file("/proc/self/mountinfo");
    EXPECT_EQ(mounts.find(tmp_), std::string::npos) << "an overlay left mounted";
}

TEST_F(Gocker, NamesAreUnique) {
    detached({"--name", "same", rootfs_, "sleep", "30"});
    Out r = g({"run", "-d", "--name", "same", "--network", "none", rootfs_, "true"});
    EXPECT_NE(r.rc, 0);
    EXPECT_NE(r.err.find("--name same: the name is taken"), std::string::npos) << r.err;
    EXPECT_EQ(containers_on_disk(), 1u);
}

TEST_F(Gocker, BridgeWithoutTheNetworkHookSaysSo) {
    // A gocker with no gocker-net beside it (the runtime given explicitly).
    std::string solo = tmp_ + "/bin/gocker";
    fs::create_directories(tmp_ + "/bin");
    fs::copy_file(GOCKER_CLI_BINARY, solo);
    ::chmod(solo.c_str(), 0755);
    Out r = run_argv({solo, "run", "--runtime", GOCKER_BINARY, "--network", "bridge", rootfs_, "true"});
    EXPECT_NE(r.rc, 0);
    EXPECT_NE(r.err.find("--network bridge: needs gocker-net"), std::string::npos) << r.err;
    Out d = run_argv({solo, "run", "--rm", "--runtime", GOCKER_BINARY, rootfs_, "sh", "-c", "ls /sys/class/net"});
    EXPECT_EQ(d.rc, 0) << d.err;
    EXPECT_EQ(d.out, "lo\n");
    EXPECT_NE(d.err.find("--network none (loopback only)"), std::string::npos) << d.err;
}

TEST_F(Gocker, HelpListsEveryCommandAndFlag) {
    Out h = g({"--help"});
    EXPECT_EQ(h.rc, 0);
    for (const char* c : {"run", "ps", "stop", "rm", "logs", "exec", "inspect"}) {
        EXPECT_NE(h.out.find(std::string("  ") + c + " "), std::string::npos) << c;
        Out ch = g({c, "--help"});
        EXPECT_EQ(ch.rc, 0) << c;
        EXPECT_EQ(ch.out.rfind(std::string("Usage: gocker ") + c, 0), 0u) << ch.out;
    }
    Out run = g({"run", "--help"});
    for (const char* f : {"--detach", "--name", "--hostname", "--env", "--workdir", "--user", "--interactive", "--tty",
                          "--volume", "--publish", "--network", "--cpu-limit", "--memory-limit", "--pids-limit",
                          "--userns", "--no-userns", "--read-only", "--rm", "--runtime"})
        EXPECT_NE(run.out.find(f), std::string::npos) << f;
}

}  // namespace
