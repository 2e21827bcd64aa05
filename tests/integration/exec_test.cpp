// `exec`: another process in a running container, driven through the built binary: stdio, exit
// status, signals, every flag, the --process file, the refusals, and the namespaces and cgroups
// the process ends up in (a new pid namespace, a user namespace, namespaces joined by path).
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <thread>

#include "integration/bundle_fixture.hpp"

namespace gocker::test {
namespace {

namespace fs = std::filesystem;

std::string ns_of(int pid, const std::string& type) {
    std::error_code ec;
    return fs::read_symlink("/proc/" + std::to_string(pid) + "/ns/" + type, ec).string();
}

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

class Exec : public BundleTest {
protected:
    // A running container whose program sleeps.
    void start_sleeper(const std::string& id) {
        program("sleep 300");
        RunResult r = run(id, {"--detach"});
        ASSERT_EQ(r.exit_code, 0) << r.err;
        ASSERT_EQ(status_of(id), "running");
    }
    RunResult exec(std::vector<std::string> args, const std::string& stdin_data = "") {
        args.insert(args.begin(), "exec");
        return gocker(std::move(args), stdin_data);
    }
    void new_user_namespace() {
        config().append("/linux/namespaces", R"({"type":"user"})");
        config().set("/linux/uidMappings", R"([{"containerID":0,"hostID":200000,"size":65536}])");
        config().set("/linux/gidMappings", R"([{"containerID":0,"hostID":200000,"size":65536}])");
    }
    // The pid written by --pid-file, or -1.
    int pid_in(const std::string& file) {
        std::string t = read_text(file);
        return t.empty() ? -1 : std::atoi(t.c_str());
    }
};

TEST_F(Exec, ForegroundPassesStdioAndTheExitStatus) {
    start_sleeper("e1");
    RunResult r = exec({"e1", "sh", "-c", "echo out; echo err >&2; exit 3"});
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_EQ(r.out, "out\n");
    EXPECT_TRUE(contains(r.err, "err\n")) << r.err;
    r = exec({"e1", "cat"}, "from stdin");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "from stdin");
    // Options of the command are its own, not exec's.
    r = exec({"e1", "--", "ls", "-d", "/etc"});
    EXPECT_EQ(r.out, "/etc\n") << r.err;
}

TEST_F(Exec, KilledBySignalExitsWith128PlusN) {
    start_sleeper("e2");
    RunResult r = exec({"e2", "sh", "-c", "kill -9 $$"});
    EXPECT_EQ(r.exit_code, 137) << r.err;
}

TEST_F(Exec, SignalsAreForwardedToTheProcess) {
    start_sleeper("e3");
    std::vector<std::string> argv{
        GOCKER_BINARY, "--root", root(), "exec",
        "e3",          "sh",     "-c",   "trap 'echo got-term; exit 7' TERM; echo ready; while :; do sleep 0.1; done"};
    int p[2];
    ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
    pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(p[1], 1);
        std::vector<char*> a;
        for (auto& s : argv) a.push_back(s.data());
        a.push_back(nullptr);
        ::execv(a[0], a.data());
        ::_exit(127);
    }
    ::close(p[1]);
    std::string out;
    char buf[256];
    while (!contains(out, "ready")) {
        ssize_t n = ::read(p[0], buf, sizeof buf);
        if (n <= 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    ASSERT_TRUE(contains(out, "ready")) << out;
    ::kill(pid, SIGTERM);
    for (ssize_t n; (n = ::read(p[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
    ::close(p[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 7) << status;
    EXPECT_TRUE(contains(out, "got-term")) << out;
}

TEST_F(Exec, JoinsEveryNamespaceOfTheInit) {
    config().set("/hostname", R"("exechost")");
    start_sleeper("e4");
    int init = pid_of("e4");
    RunResult r = exec({"e4", "sh", "-c",
                        "for n in pid net mnt uts ipc cgroup; do readlink /proc/self/ns/$n; done; hostname; echo $$"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::string want;
    for (const char* n : {"pid", "net", "mnt", "uts", "ipc", "cgroup"}) want += ns_of(init, n) + "\n";
    EXPECT_EQ(r.out.substr(0, want.size()), want);
    EXPECT_TRUE(contains(r.out, "exechost\n")) << r.out;
    // In the container's pid namespace, where the init is 1.
    std::string last = r.out.substr(r.out.rfind('\n', r.out.size() - 2) + 1);
    EXPECT_NE(std::atoi(last.c_str()), 1);
    EXPECT_LT(std::atoi(last.c_str()), 100) << "not in the container's pid namespace: " << last;
    // The container's root: its own /etc/hostname, not the host's.
    r = exec({"e4", "ls", "/bin/busybox"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(Exec, IntoAUserNamespace) {
    new_user_namespace();
    start_sleeper("e5");
    RunResult r = exec({"e5", "sh", "-c", "cat /proc/self/uid_map; id -u; readlink /proc/self/ns/user"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::istringstream in(r.out);
    std::string a, b, c, uid, ns;
    in >> a >> b >> c >> uid >> ns;
    EXPECT_EQ(a + " " + b + " " + c, "0 200000 65536") << r.out;
    EXPECT_EQ(uid, "0");
    EXPECT_EQ(ns, ns_of(pid_of("e5"), "user"));
    // Seen from the host, a detached exec runs as the mapped uid.
    std::string pidfile = tmp() + "/u.pid";
    r = exec({"--detach", "--pid-file", pidfile, "e5", "sleep", "30"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::string status = read_text("/proc/" + std::to_string(pid_in(pidfile)) + "/status");
    EXPECT_TRUE(contains(status, "Uid:\t200000\t200000\t200000\t200000")) << status;
}

TEST_F(Exec, IntoAContainerThatJoinedAnothersNamespaces) {
    start_sleeper("owner");
    int owner = pid_of("owner");
    config().drop_namespace("network");
    config().drop_namespace("ipc");
    config().append("/linux/namespaces",
                    R"({"type":"network","path":)" + json_str("/proc/" + std::to_string(owner) + "/ns/net") + "}");
    config().append("/linux/namespaces",
                    R"({"type":"ipc","path":)" + json_str("/proc/" + std::to_string(owner) + "/ns/ipc") + "}");
    start_sleeper("joiner");
    RunResult r = exec({"joiner", "sh", "-c", "for n in net ipc mnt; do readlink /proc/self/ns/$n; done"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, ns_of(owner, "net") + "\n" + ns_of(owner, "ipc") + "\n" + ns_of(pid_of("joiner"), "mnt") + "\n");
}

TEST_F(Exec, WithoutAPidNamespaceTheHostsIsKept) {
    config().drop_namespace("pid");
    start_sleeper("e6");
    RunResult r = exec({"e6", "readlink", "/proc/self/ns/pid"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, fs::read_symlink("/proc/self/ns/pid").string() + "\n");
}

TEST_F(Exec, DetachWritesThePidFileAndPsAndKillAllReachTheProcess) {
    start_sleeper("e7");
    std::string pidfile = tmp() + "/exec.pid";
    RunResult r = exec({"-d", "--pid-file", pidfile, "e7", "sleep", "300"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    int pid = pid_in(pidfile);
    ASSERT_GT(pid, 0);
    EXPECT_TRUE(process_exists(pid));
    // Exec'd: the process is `sleep`, not the runtime.
    EXPECT_EQ(read_text("/proc/" + std::to_string(pid) + "/comm"), "sleep\n");
    RunResult ps = gocker({"ps", "--format", "json", "e7"});
    EXPECT_TRUE(contains(ps.out, std::to_string(pid))) << ps.out;
    ASSERT_EQ(gocker({"kill", "--all", "e7", "KILL"}).exit_code, 0);
    for (int i = 0; i < 100 && process_exists(pid); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_FALSE(process_exists(pid));
}

TEST_F(Exec, ProcessesDieWithAContainerThatHasItsOwnPidNamespace) {
    start_sleeper("e8");
    std::string pidfile = tmp() + "/exec.pid";
    ASSERT_EQ(exec({"-d", "--pid-file", pidfile, "e8", "sleep", "300"}).exit_code, 0);
    int pid = pid_in(pidfile);
    ASSERT_TRUE(process_exists(pid));
    ASSERT_EQ(gocker({"kill", "e8", "KILL"}).exit_code, 0);
    for (int i = 0; i < 100 && process_exists(pid); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_FALSE(process_exists(pid));
}

TEST_F(Exec, RefusesContainersThatAreNotRunning) {
    program("true");
    ASSERT_EQ(run("done", {"--keep"}).exit_code, 0);
    RunResult r = exec({"done", "true"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(contains(r.err, "exec done: cannot exec in a stopped container")) << r.err;

    r = exec({"nosuch", "true"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(contains(r.err, "exec nosuch: container \"nosuch\" does not exist")) << r.err;
}

TEST_F(Exec, PausedOnlyWithIgnorePaused) {
    start_sleeper("ep");
    ASSERT_EQ(gocker({"pause", "ep"}).exit_code, 0);
    RunResult r = exec({"ep", "true"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(contains(r.err, "cannot exec in a paused container (use --ignore-paused to override)")) << r.err;
    // With --ignore-paused the process starts, frozen with the rest until the container resumes.
    std::thread resume([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        gocker({"resume", "ep"});
    });
    r = exec({"--ignore-paused", "ep", "echo", "after-resume"});
    resume.join();
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "after-resume\n");
}

TEST_F(Exec, MissingExecutableIsNamed) {
    start_sleeper("e9");
    RunResult r = exec({"e9", "nope"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(contains(r.err, "exec e9: exec: \"nope\": executable file not found in $PATH")) << r.err;
    // Nothing left behind: only the init in the container.
    RunResult ps = gocker({"ps", "--format", "json", "e9"});
    EXPECT_EQ(ps.out, "[" + std::to_string(pid_of("e9")) + "]\n") << ps.out;
}

TEST_F(Exec, ProcessFile) {
    start_sleeper("pf");
    std::string file = tmp() + "/process.json";
    write_text(file, R"({"args":["sh","-c","echo $GREETING; id -u; pwd"],"env":["PATH=/bin","GREETING=hello"],)"
                     R"("cwd":"/etc","user":{"uid":1234,"gid":1234}})");
    RunResult r = exec({"--process", file, "pf"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "hello\n1234\n/etc\n");

    write_text(file, R"({"args":"sh","cwd":"/"})");
    r = exec({"-p", file, "pf"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(contains(r.err, "process.json: /args: expected an array of strings")) << r.err;
    write_text(file, R"({"args":["sh"],"cwd":"relative"})");
    r = exec({"-p", file, "pf"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(contains(r.err, "process.json: /cwd:")) << r.err;
    r = exec({"-p", tmp() + "/missing.json", "pf"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(contains(r.err, "missing.json")) << r.err;
}

TEST_F(Exec, FlagsOverrideTheContainersProcess) {
    config().set("/process/env", R"(["PATH=/bin:/usr/bin","KEEP=1","FOO=old"])");
    start_sleeper("fl");
    RunResult r = exec({"--cwd", "/tmp", "-e", "FOO=new", "--env", "BAR=2", "--user", "1000:1001", "--additional-gids",
                        "10", "-g", "11", "fl", "sh", "-c", "pwd; echo $KEEP $FOO $BAR; id -u; id -g; id -G"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "/tmp\n1 new 2\n1000\n1001\n1001 10 11\n");
    r = exec({"-u", "1000", "fl", "sh", "-c", "id -u; id -g"});
    EXPECT_EQ(r.out, "1000\n0\n") << r.err;
    r = exec({"-u", "root", "fl", "true"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(contains(r.err, "--user root")) << r.err;
}

TEST_F(Exec, CapAndNoNewPrivs) {
    config().set("/process/noNewPrivileges", "false");
    start_sleeper("cap");
    RunResult r = exec({"cap", "grep", "-E", "^(CapEff|NoNewPrivs)", "/proc/self/status"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(r.out, "NoNewPrivs:\t0")) << r.out;
    unsigned long long base = std::stoull(r.out.substr(r.out.find("CapEff:\t") + 8), nullptr, 16);
    EXPECT_EQ(base & (1ULL << 21), 0u) << "the default config has no CAP_SYS_ADMIN";
    r = exec({"--cap", "CAP_SYS_ADMIN", "--no-new-privs", "cap", "grep", "-E", "^(CapEff|CapBnd|NoNewPrivs)",
              "/proc/self/status"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(r.out, "NoNewPrivs:\t1")) << r.out;
    unsigned long long eff = std::stoull(r.out.substr(r.out.find("CapEff:\t") + 8), nullptr, 16);
    unsigned long long bnd = std::stoull(r.out.substr(r.out.find("CapBnd:\t") + 8), nullptr, 16);
    EXPECT_NE(eff & (1ULL << 21), 0u) << r.out;
    EXPECT_NE(bnd & (1ULL << 21), 0u) << r.out;
}

TEST_F(Exec, PreserveFdsAndNothingElseLeaks) {
    start_sleeper("fds");
    // Only stdio (and ls's own directory) without --preserve-fds, even with a log file open.
    RunResult r = gocker({"--log", tmp() + "/log.json", "exec", "fds", "ls", "/proc/self/fd"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "0\n1\n2\n3\n");
    std::string file = tmp() + "/passed";
    write_text(file, "through fd 3");
    r = run_cmd({"sh", "-c",
                 "exec 3<" + file + "; exec " + std::string(GOCKER_BINARY) + " --root " + root() +
                     " exec --preserve-fds 1 fds sh -c 'cat <&3; ls /proc/self/fd'"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out,
              "through fd 3"
              "0\n1\n2\n3\n4\n");
}

TEST_F(Exec, TtyRelayedInTheForeground) {
    start_sleeper("tty");
    RunResult r = exec({"-t", "tty", "sh", "-c", "tty; test -t 0 && echo stdin-is-a-tty"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(r.out, "/dev/pts/")) << r.out;
    EXPECT_TRUE(contains(r.out, "stdin-is-a-tty")) << r.out;
    r = exec({"-t", "-d", "tty", "true"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(contains(r.err, "needs --console-socket")) << r.err;
}

TEST_F(Exec, ConsoleSocketReceivesThePtyMaster) {
    start_sleeper("cs");
    std::string sock_path = tmp() + "/console.sock";
    int ls = listen_unix(sock_path);
    ASSERT_GE(ls, 0) << sock_path;
    std::string pidfile = tmp() + "/tty.pid";
    RunResult r = exec({"--tty", "--console-socket", sock_path, "--detach", "--pid-file", pidfile, "cs", "sh", "-c",
                        "test -t 1 && echo is-a-tty; sleep 1"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_GT(pid_in(pidfile), 0);
    auto master = receive_console_master(ls);
    ASSERT_TRUE(master) << master.error().message();
    std::string out;
    char buf[256];
    for (int i = 0; i < 50 && !contains(out, "is-a-tty"); ++i) {
        ssize_t n = ::read(master->get(), buf, sizeof buf);
        if (n <= 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    EXPECT_TRUE(contains(out, "is-a-tty")) << out;
}

TEST_F(Exec, LsmProfilesAreRefusedWhenTheHostHasNone) {
    if (fs::exists("/sys/kernel/security/apparmor")) GTEST_SKIP() << "AppArmor is enabled on this host";
    start_sleeper("lsm");
    RunResult r = exec({"--apparmor", "gocker-test", "lsm", "true"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(contains(r.err, "apparmor")) << r.err;
}

TEST_F(Exec, CgroupFlagPicksASubCgroup) {
    start_sleeper("cg");
    // The container's pids cgroup, seen from the host, and a sub-cgroup made in it.
    std::string own = read_text("/proc/" + std::to_string(pid_of("cg")) + "/cgroup");
    auto at = own.find(":pids:");
    if (at == std::string::npos) GTEST_SKIP() << "no v1 pids hierarchy: " << own;
    std::string path = own.substr(at + 6, own.find('\n', at) - at - 6);
    std::string sub = "/sys/fs/cgroup/pids" + path + "/sub";
    ASSERT_TRUE(fs::create_directory(sub));
    RunResult r = exec({"--cgroup", "pids:sub", "cg", "grep", ":pids:", "/proc/self/cgroup"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(r.out, "/sub\n")) << r.out;
    r = exec({"--cgroup", "pids:../../escape", "cg", "true"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(contains(r.err, "--cgroup")) << r.err;
    ::rmdir(sub.c_str());
}

}  // namespace
}  // namespace gocker::test
