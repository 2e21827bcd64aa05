// The lifecycle commands driven through the built binary: create/start/run/state/kill/delete/list,
// their flags, container ids, exit codes and the clean-up of a failed create.
#include <fcntl.h>
#include <poll.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <sstream>
#include <filesystem>
#include <thread>

#include "integration/bundle_fixture.hpp"

namespace gocker::test {
namespace {

namespace fs = std::filesystem;

// A runtime process started in the background: its PID and the read end of its stdout+stderr.
struct Spawned {
    pid_t pid = -1;
    int out = -1;
};

// Starts argv with stdout/stderr on a pipe; `fd3`, when given, becomes the child's fd 3.
Spawned spawn(std::vector<std::string> argv, int fd3 = -1) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return {};
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    pid_t pid = ::fork();
    if (pid == 0) {
        int devnull = ::open("/dev/null", O_RDONLY);
        ::dup2(devnull, 0);
        ::dup2(p[1], 1);
        ::dup2(p[1], 2);
        if (fd3 >= 0) ::dup2(fd3, 3);  // dup2 clears close-on-exec
        ::execv(cargv[0], cargv.data());
        ::_exit(127);
    }
    ::close(p[1]);
    return {pid, p[0]};
}

// Reads `fd` until `until` has been seen (then leaves it open), or else until EOF or `timeout_ms`
// (then closes it).
std::string read_all(int fd, int timeout_ms = 10000, const std::string& until = "") {
    std::string s;
    char buf[4096];
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        struct pollfd pfd = {fd, POLLIN, 0};
        if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) break;
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) break;
        s.append(buf, static_cast<size_t>(n));
        if (!until.empty() && s.find(until) != std::string::npos) return s;
    }
    ::close(fd);
    return s;
}

int wait_exit(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
}

bool wait_for_file(const std::string& path, const std::string& needle = "") {
    for (int i = 0; i < 250; ++i) {
        std::string s = read_text(path);
        if (!s.empty() && s.find(needle) != std::string::npos) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

// PIDs of live processes running our binary (a leaked container init is one of them).
std::vector<int> runtime_processes() {
    std::vector<int> out;
    std::error_code ec;
    std::string want = fs::canonical(GOCKER_BINARY, ec).string();
    for (const auto& e : fs::directory_iterator("/proc", ec)) {
        std::string name = e.path().filename();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::error_code ec2;
        auto exe = fs::read_symlink(e.path() / "exe", ec2);
        if (!ec2 && exe.string() == want && process_exists(std::stoi(name))) out.push_back(std::stoi(name));
    }
    return out;
}

class Lifecycle : public BundleTest {
protected:
    // A bind mount of <tmp>/out on /run, so the container can leave files for the test.
    std::string share_out() {
        std::string out = tmp() + "/out";
        fs::create_directories(out);
        config().append("/mounts", R"({"destination":"/run","type":"bind","source":)" + json_str(out) +
                                       R"(,"options":["rbind","rw"]})");
        return out;
    }
};

TEST_F(Lifecycle, CreateStartStateKillDelete) {
    program("sleep 30");
    std::string pid_file = tmp() + "/init.pid";
    RunResult r = create("c1", {"--pid-file", pid_file});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // The pid file exists when create returns and names the init that `state` reports.
    std::string pid_text = read_text(pid_file);
    ASSERT_FALSE(pid_text.empty());
    int pid = std::stoi(pid_text);
    EXPECT_EQ(pid_of("c1"), pid);
    EXPECT_EQ(status_of("c1"), "created");
    // The user's program has not run yet: the init is still the runtime (running from a read-only
    // view of the same file — a detached bind mount, so the link reads "/"), waiting on the FIFO.
    auto same_file = [](const std::string& a, const std::string& b) {
        struct stat sa {
        }, sb{};
        return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
               sa.st_ino == sb.st_ino;
    };
    std::string init_exe = "/proc/" + std::to_string(pid) + "/exe";
    EXPECT_TRUE(same_file(init_exe, GOCKER_BINARY)) << fs::read_symlink(init_exe);

    r = start("c1");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(status_of("c1"), "running");
    EXPECT_FALSE(same_file(init_exe, GOCKER_BINARY)) << fs::read_symlink(init_exe);

    r = gocker({"kill", "c1", "KILL"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_TRUE(wait_status("c1", "stopped"));
    // runtime.md: pid is only required while created or running.
    EXPECT_LE(pid_of("c1"), 0);
    EXPECT_EQ(del("c1").exit_code, 0);
    EXPECT_FALSE(fs::exists(root() + "/c1"));
    r = state("c1");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("c1"), std::string::npos) << r.err;
}

TEST_F(Lifecycle, StateJsonFields) {
    program("true");
    config().set("/annotations", R"({"org.test.k":"v"})");
    ASSERT_EQ(create("st", {"-b", bundle()}).exit_code, 0);
    RunResult r = state("st");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    rapidjson::Document d;
    d.Parse(r.out.c_str());
    ASSERT_FALSE(d.HasParseError()) << r.out;
    EXPECT_STREQ(d["ociVersion"].GetString(), "1.3.0");
    EXPECT_STREQ(d["id"].GetString(), "st");
    EXPECT_STREQ(d["status"].GetString(), "created");
    EXPECT_GT(d["pid"].GetInt(), 1);
    EXPECT_EQ(d["bundle"].GetString(), fs::canonical(bundle()).string());
    EXPECT_STREQ(d["annotations"]["org.test.k"].GetString(), "v");
}

TEST_F(Lifecycle, StartRefusedUnlessCreated) {
    program("true");
    ASSERT_EQ(create("s1").exit_code, 0);
    ASSERT_EQ(start("s1").exit_code, 0);
    ASSERT_TRUE(wait_status("s1", "stopped"));
    RunResult r = start("s1");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("start s1: cannot start a container that is stopped"), std::string::npos) << r.err;
    r = start("nosuch");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("nosuch"), std::string::npos);
}

TEST_F(Lifecycle, RunForegroundExitCodeAndStdio) {
    program("read line; echo \"out:$line\"; echo err-text >&2; exit 7");
    RunResult r = run("r1", {}, "hello\n");
    EXPECT_EQ(r.exit_code, 7) << r.err;
    EXPECT_EQ(r.out, "out:hello\n");
    EXPECT_EQ(r.err, "err-text\n");
    // Without --keep the container is gone afterwards.
    EXPECT_FALSE(fs::exists(root() + "/r1"));
}

TEST_F(Lifecycle, RunKilledBySignalIs128PlusN) {
    program("sleep 30");
    RunResult fg;
    std::thread t([&] { fg = run("r2"); });
    bool running = wait_status("r2", "running");
    RunResult k = gocker({"kill", "r2", "9"});
    t.join();
    ASSERT_TRUE(running);
    EXPECT_EQ(k.exit_code, 0) << k.err;
    EXPECT_EQ(fg.exit_code, 128 + SIGKILL) << fg.err;
}

TEST_F(Lifecycle, RunDetachAndKeep) {
    program("sleep 30");
    RunResult r = run("d1", {"--detach"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(status_of("d1"), "running");
    EXPECT_EQ(del("d1", true).exit_code, 0);

    program("exit 4");
    r = run("k1", {"--keep"});
    EXPECT_EQ(r.exit_code, 4) << r.err;
    EXPECT_EQ(status_of("k1"), "stopped");
}

TEST_F(Lifecycle, RunForwardsSignalsToTheContainer) {
    program("trap 'echo got-term; exit 3' TERM; echo ready; while :; do sleep 0.05; done");
    write_config_for("fw");
    Spawned s = spawn({GOCKER_BINARY, "--root", root(), "run", "-b", bundle(), "fw"});
    ASSERT_GT(s.pid, 0);
    // "ready" comes after the trap is set: before that, PID 1 ignores TERM.
    std::string out = read_all(s.out, 10000, "ready\n");
    bool ready = out == "ready\n";
    ::kill(s.pid, ready ? SIGTERM : SIGKILL);
    out += read_all(s.out);
    int code = wait_exit(s.pid);
    ASSERT_TRUE(ready) << out;
    EXPECT_EQ(code, 3) << out;
    EXPECT_NE(out.find("ready\ngot-term\n"), std::string::npos) << out;
}

TEST_F(Lifecycle, KillSignalNamesNumbersAndDefault) {
    std::string out = share_out();
    program(
        "trap 'echo USR1 >> /run/log' USR1; trap 'echo HUP >> /run/log' HUP; "
        "trap 'echo TERM >> /run/log; exit 0' TERM; echo > /run/ready; while :; do sleep 0.05; done");
    ASSERT_EQ(run("k", {"-d"}).exit_code, 0);
    ASSERT_TRUE(wait_for_file(out + "/ready"));
    EXPECT_EQ(gocker({"kill", "k", "USR1"}).exit_code, 0);
    ASSERT_TRUE(wait_for_file(out + "/log", "USR1\n"));
    EXPECT_EQ(gocker({"kill", "k", "SIGHUP"}).exit_code, 0);
    ASSERT_TRUE(wait_for_file(out + "/log", "HUP\n"));
    EXPECT_EQ(gocker({"kill", "k", "sigusr1"}).exit_code, 0);
    ASSERT_TRUE(wait_for_file(out + "/log", "HUP\nUSR1\n"));
    EXPECT_EQ(gocker({"kill", "k", "1"}).exit_code, 0);
    ASSERT_TRUE(wait_for_file(out + "/log", "USR1\nHUP\n"));
    EXPECT_EQ(gocker({"kill", "k"}).exit_code, 0);
    ASSERT_TRUE(wait_status("k", "stopped"));
    EXPECT_EQ(read_text(out + "/log"), "USR1\nHUP\nUSR1\nHUP\nTERM\n");

    RunResult r = gocker({"kill", "k", "USR1"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("kill k: the container is not running"), std::string::npos) << r.err;
    r = gocker({"kill", "k", "NOTASIGNAL"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("invalid signal \"NOTASIGNAL\""), std::string::npos) << r.err;
}

// The init ignores TERM (it has a trap); its background `sleep 100` does not. Only --all reaches it.
TEST_F(Lifecycle, KillAllSignalsEveryProcess) {
    std::string out = share_out();
    program(
        "trap 'echo TERM >> /run/log' TERM; sleep 100 & echo $! > /run/child; "
        "while :; do sleep 0.05; done");
    ASSERT_EQ(run("ka", {"-d"}).exit_code, 0);
    ASSERT_TRUE(wait_for_file(out + "/child"));
    int init = pid_of("ka");
    // The child's host PID: the init's child whose NSpid (host pid ... container pid) ends with
    // the PID the container wrote.
    std::string in_ns = read_text(out + "/child");
    in_ns = in_ns.substr(0, in_ns.find('\n'));
    std::string kids = read_text("/proc/" + std::to_string(init) + "/task/" + std::to_string(init) + "/children");
    std::istringstream in(kids);
    int sleeper = -1;
    for (int pid; in >> pid;) {
        std::string status = read_text("/proc/" + std::to_string(pid) + "/status");
        size_t at = status.find("NSpid:");
        if (at == std::string::npos) continue;
        std::string line = status.substr(at, status.find('\n', at) - at);
        if (line.size() > in_ns.size() &&
            line.compare(line.size() - in_ns.size() - 1, std::string::npos, "\t" + in_ns) == 0)
            sleeper = pid;
    }
    ASSERT_GT(sleeper, 0) << kids;
    EXPECT_EQ(gocker({"kill", "ka", "TERM"}).exit_code, 0);
    ASSERT_TRUE(wait_for_file(out + "/log", "TERM\n"));
    EXPECT_TRUE(process_exists(sleeper));
    EXPECT_EQ(gocker({"kill", "--all", "ka", "TERM"}).exit_code, 0);
    ASSERT_TRUE(wait_for_file(out + "/log", "TERM\nTERM\n"));
    for (int i = 0; i < 100 && process_exists(sleeper); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_FALSE(process_exists(sleeper));
    EXPECT_EQ(status_of("ka"), "running");
}

TEST_F(Lifecycle, DeleteRules) {
    program("sleep 30");
    ASSERT_EQ(run("del", {"-d"}).exit_code, 0);
    int pid = pid_of("del");
    RunResult r = del("del");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("delete del: cannot delete a running container"), std::string::npos) << r.err;
    EXPECT_TRUE(process_exists(pid));
    r = del("del", true);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_FALSE(process_exists(pid));
    EXPECT_FALSE(fs::exists(root() + "/del"));

    r = del("never-made", true);
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.err, "");
    r = del("never-made");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("container \"never-made\" does not exist"), std::string::npos) << r.err;
}

TEST_F(Lifecycle, ListTableJsonQuiet) {
    program("sleep 30");
    ASSERT_EQ(create("la").exit_code, 0);
    ASSERT_EQ(run("lb", {"-d"}).exit_code, 0);
    RunResult r = gocker({"list"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.rfind("ID ", 0), 0u) << r.out;
    EXPECT_NE(r.out.find("la "), std::string::npos);
    EXPECT_NE(r.out.find("created"), std::string::npos);
    EXPECT_NE(r.out.find("lb "), std::string::npos);
    EXPECT_NE(r.out.find("running"), std::string::npos);

    r = gocker({"list", "--format", "json"});
    ASSERT_EQ(r.exit_code, 0);
    rapidjson::Document d;
    d.Parse(r.out.c_str());
    ASSERT_TRUE(!d.HasParseError() && d.IsArray() && d.Size() == 2) << r.out;
    EXPECT_STREQ(d[0]["id"].GetString(), "la");
    EXPECT_STREQ(d[0]["status"].GetString(), "created");
    EXPECT_STREQ(d[1]["status"].GetString(), "running");
    EXPECT_EQ(d[1]["pid"].GetInt(), pid_of("lb"));

    EXPECT_EQ(gocker({"list", "-q"}).out, "la\nlb\n");
}

TEST_F(Lifecycle, BadAndDuplicateIds) {
    program("true");
    for (std::string id : {"../x", "", "a/b", ".."}) {
        RunResult r = create(id);
        EXPECT_EQ(r.exit_code, 1) << "id \"" << id << "\"";
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    }
    EXPECT_FALSE(fs::exists(tmp() + "/x"));
    EXPECT_FALSE(fs::exists(root() + "/a"));
    ASSERT_EQ(create("dup").exit_code, 0);
    int pid = pid_of("dup");
    RunResult r = create("dup");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("create dup:"), std::string::npos) << r.err;
    // The first container is untouched.
    EXPECT_EQ(pid_of("dup"), pid);
    EXPECT_EQ(status_of("dup"), "created");
}

TEST_F(Lifecycle, FailedCreateLeavesNothingBehind) {
    size_t mounts = host_mount_count();
    auto before = runtime_processes();
    write_text(tmp() + "/fail.sh", "#!/bin/sh\nexit 3\n", 0755);
    program("true");
    config().append("/hooks/createRuntime", R"({"path":)" + json_str(tmp() + "/fail.sh") + "}");
    RunResult r = create("f1");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("create f1: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("exit status 3"), std::string::npos) << r.err;

    config().erase("/hooks");
    config().append("/mounts", R"({"destination":"/run","type":"nosuchfs","source":"none"})");
    r = create("f2");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("create f2: "), std::string::npos) << r.err;

    for (const char* id : {"f1", "f2"}) EXPECT_FALSE(fs::exists(root() + "/" + id)) << id;
    EXPECT_EQ(gocker({"list", "-q"}).out, "");
    EXPECT_EQ(runtime_processes(), before);
    EXPECT_EQ(host_mount_count(), mounts);
}

TEST_F(Lifecycle, ErrorIsOneLineOnStderrAndInJsonLog) {
    program("true");
    config().set("/process/args", R"(["/no/such/program"])");
    std::string log = tmp() + "/log.json";
    write_config_for("e1");
    RunResult r = gocker({"--log", log, "--log-format", "json", "create", "-b", bundle(), "e1"});
    EXPECT_EQ(r.exit_code, 1);
    ASSERT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.err.rfind("create e1: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find("/no/such/program"), std::string::npos) << r.err;
    std::string msg = r.err.substr(0, r.err.size() - 1);
    std::string line = read_text(log);
    ASSERT_FALSE(line.empty());
    line = line.substr(0, line.find('\n'));
    rapidjson::Document d;
    d.Parse(line.c_str());
    ASSERT_FALSE(d.HasParseError()) << line;
    EXPECT_STREQ(d["level"].GetString(), "error");
    EXPECT_EQ(d["msg"].GetString(), msg);
    EXPECT_TRUE(d.HasMember("time"));
}

TEST_F(Lifecycle, PreserveFdsPassesFd3) {
    program("echo through-fd3 >&3");
    write_config_for("pf");
    int p[2];
    ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
    Spawned s = spawn({GOCKER_BINARY, "--root", root(), "run", "--preserve-fds", "1", "-b", bundle(), "pf"}, p[1]);
    ::close(p[1]);
    std::string out = read_all(s.out);
    int code = wait_exit(s.pid);
    std::string via3 = read_all(p[0], 2000);
    EXPECT_EQ(code, 0) << out;
    EXPECT_EQ(via3, "through-fd3\n");

    // Without the flag the descriptor is closed before the program runs.
    int q[2];
    ASSERT_EQ(::pipe2(q, O_CLOEXEC), 0);
    program("echo through-fd3 >&3 || echo closed");
    write_config_for("pf2");
    s = spawn({GOCKER_BINARY, "--root", root(), "run", "-b", bundle(), "pf2"}, q[1]);
    ::close(q[1]);
    out = read_all(s.out);
    EXPECT_EQ(wait_exit(s.pid), 0) << out;
    EXPECT_NE(out.find("closed"), std::string::npos) << out;
    EXPECT_EQ(read_all(q[0], 2000), "");
}

TEST_F(Lifecycle, ConsoleSocketReceivesPtyMaster) {
    std::string sock_path = tmp() + "/console.sock";
    int ls = listen_unix(sock_path);
    ASSERT_GE(ls, 0) << sock_path;
    program("echo tty-ok; test -t 0 && test -t 1 && echo is-a-tty");
    config().set("/process/terminal", "true");
    RunResult r = create("tty", {"--console-socket", sock_path});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto master = receive_console_master(ls);
    ASSERT_TRUE(master) << master.error().message();
    ASSERT_EQ(start("tty").exit_code, 0);
    std::string out = read_all(master->release(), 5000);
    EXPECT_NE(out.find("tty-ok"), std::string::npos) << out;
    EXPECT_NE(out.find("is-a-tty"), std::string::npos) << out;

    // terminal without a socket is refused before anything is made.
    r = create("tty2");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("--console-socket"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(root() + "/tty2"));
}

// --no-pivot (MS_MOVE + chroot, for a rootfs on ramfs) still gives the program the bundle's root.
TEST_F(Lifecycle, NoPivotRunsInTheRootfs) {
    program("ls /bin/busybox && cat /etc/hostname");
    RunResult r = run("np", {"--no-pivot"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "/bin/busybox\n" + read_text(std::string(GOCKER_ROOTFS) + "/etc/hostname"));
}

TEST_F(Lifecycle, SessionKeyringUnlessNoNewKeyring) {
    program("cat /proc/keys");
    config().set("/linux/maskedPaths", "[]");
    RunResult r = run("kr");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("_ses.kr"), std::string::npos) << r.out;
    r = run("kr2", {"--no-new-keyring"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.find("_ses.kr2"), std::string::npos) << r.out;
}

}  // namespace
// runtime.md: `process` is optional at create and `start` MUST fail without it (OCI validation
// "start"). The container is made, and start names what is missing.
TEST_F(Lifecycle, ConfigWithoutProcessIsCreatedAndStartFails) {
    config().erase("/process");
    RunResult c = create("noproc");
    ASSERT_EQ(c.exit_code, 0) << c.err;
    EXPECT_EQ(status_of("noproc"), "created");
    RunResult s = start("noproc");
    EXPECT_EQ(s.exit_code, 1);
    EXPECT_EQ(s.err, "start noproc: config.json has no process (/process): there is nothing to start\n");
    EXPECT_EQ(del("noproc").exit_code, 0) << "delete after the failed start";
}

}  // namespace gocker::test
