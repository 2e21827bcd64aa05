// The exec helper as a target: between its clone3 and its execve it is a copy of the runtime
// inside the container's pid namespace, so the container's own processes can see it.
//
//  - CVE-2016-9962 class: once the helper has dropped to the process's capabilities (and kept
//    uid 0), a container root with the same capabilities passes every other ptrace check on it:
//    only the helper being non-dumpable keeps /proc/<helper>/fd/* and /proc/<helper>/exe (and
//    ptrace) out of its reach until the execve.
//  - CVE-2019-5736 class: a container root allowed to open /proc/<helper>/exe (CAP_SYS_PTRACE in
//    the host's user namespace) holds the file and writes it once no runtime runs it. `exec` runs
//    from the protected binary as `create` does, so the write is refused.
//
// The test catches the helper before its execve: it watches the `exec` command's child and stops
// it (SIGSTOP) at the right moment while its exe is still the runtime (a long PATH, searched
// entry by entry after the capabilities are set, widens that window), gives the attacker inside
// the container the helper's pid, and lets it go on once the attacker has tried. The runtime used
// is a COPY in the test's temp dir: a successful attack damages only that decoy.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "integration/bundle_fixture.hpp"

namespace gocker {
namespace {

using test::contains;
using test::RunResult;

std::string read_or_empty(const std::string& path) { return test::read_text(path); }

std::string link_of(const std::string& path) {
    std::error_code ec;
    return std::filesystem::read_symlink(path, ec).string();
}

class ExecHelper : public test::BundleTest {
protected:
    void SetUp() override {
        BundleTest::SetUp();
        run_from_decoy_copy();
        out_ = tmp() + "/out";
        std::filesystem::create_directories(out_);
        ::chmod(out_.c_str(), 0777);
        add_bind(out_, "/tmp", {"rbind", "rw"});  // an existing directory of the shared rootfs
    }

    // Starts the container whose init is the attacker `script` (it waits for /tmp/target).
    void start_attacker(const std::string& id, const std::string& script) {
        cfg().process->args = {
            "sh", "-c",
            "while [ ! -e /tmp/target ]; do usleep 10000; done; P=$(cat /tmp/target); " + script + "; sleep 300"};
        write_config_for(id);
        RunResult r = gocker({"run", "--detach", "--bundle", bundle(), id});
        ASSERT_EQ(r.exit_code, 0) << r.err;
    }

    // Runs `exec [extra] ID true` until its helper is caught before execve (stopped, its exe still
    // the runtime, and its /proc status holding `when`), up to 200 tries. Returns the helper's
    // host pid (stopped; `exec_cmd` is the exec command, still running), or -1.
    pid_t catch_helper(const std::string& id, const std::string& when, pid_t& exec_cmd,
                       std::vector<std::string> extra = {}) {
        std::vector<std::string> argv{binary_, "--root", root(), "exec"};
        argv.insert(argv.end(), extra.begin(), extra.end());
        argv.insert(argv.end(), {id, "true"});
        std::vector<char*> cargv;
        for (auto& a : argv) cargv.push_back(a.data());
        cargv.push_back(nullptr);
        for (int attempt = 0; attempt < 200; ++attempt) {
            exec_cmd = ::fork();
            if (exec_cmd == 0) {
                int devnull = ::open("/dev/null", O_RDWR);
                ::dup2(devnull, 0);
                ::dup2(devnull, 1);
                ::dup2(devnull, 2);
                ::execv(cargv[0], cargv.data());
                ::_exit(127);
            }
            std::string children =
                "/proc/" + std::to_string(exec_cmd) + "/task/" + std::to_string(exec_cmd) + "/children";
            auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
            pid_t helper = -1;
            while (helper < 0 && std::chrono::steady_clock::now() < deadline) {
                std::string c = read_or_empty(children);
                if (!c.empty()) helper = std::atoi(c.c_str());
            }
            std::string proc = "/proc/" + std::to_string(helper);
            auto still_runtime = [&] {
                std::string exe = link_of(proc + "/exe");
                return !exe.empty() && !contains(exe, "busybox") && !contains(exe, "/bin/true");
            };
            while (helper > 0 && std::chrono::steady_clock::now() < deadline && still_runtime()) {
                if (!contains(read_or_empty(proc + "/status"), when)) continue;
                ::kill(helper, SIGSTOP);
                for (int i = 0; i < 100 && !contains(read_or_empty(proc + "/stat"), ") T "); ++i)
                    std::this_thread::sleep_for(std::chrono::milliseconds(1));
                if (still_runtime()) return helper;
                break;
            }
            if (helper > 0) ::kill(helper, SIGCONT);
            int st;
            ::waitpid(exec_cmd, &st, 0);
        }
        return -1;
    }

    // "CapPrm:\t..." of the container's init: the capabilities its processes get.
    std::string cap_prm_of(int pid) {
        std::string status = read_or_empty("/proc/" + std::to_string(pid) + "/status");
        auto at = status.find("CapPrm:");
        return status.substr(at, status.find('\n', at) - at + 1);
    }

    // The helper's pid in the container's pid namespace (last field of NSpid).
    std::string pid_in_container(pid_t helper) {
        std::string status = read_or_empty("/proc/" + std::to_string(helper) + "/status");
        auto at = status.find("NSpid:");
        std::string line = status.substr(at, status.find('\n', at) - at);
        return line.substr(line.find_last_of(" \t") + 1);
    }

    std::string wait_for(const std::string& file, int ms = 10000) {
        for (int i = 0; i < ms / 20 && !std::filesystem::exists(file); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        return read_or_empty(file);
    }

    void expect_decoy_intact() {
        std::string now = test::read_text(decoy_);
        EXPECT_TRUE(now == original_) << "the runtime binary was modified";
    }

    std::string out_;
};

TEST_F(ExecHelper, NonDumpableSoItsFdsAndExeAreOutOfReach) {
    // The default capabilities (no CAP_SYS_PTRACE), uid 0, no user namespace.
    start_attacker("victim",
                   "if (exec 3</proc/$P/exe) 2>/dev/null; then echo exe-opened; else echo exe-refused; fi > /tmp/r;"
                   // Listing /proc/P/fd is a matter of file modes; reading or opening an entry is
                   // the ptrace check.
                   "n=0; for f in /proc/$P/fd/*; do readlink $f >/dev/null 2>&1 && n=$((n+1)); done;"
                   "if [ $n -gt 0 ]; then echo fd-read; else echo fd-refused; fi >> /tmp/r;"
                   "mv /tmp/r /tmp/result");
    ASSERT_FALSE(HasFatalFailure());
    // Caught once the helper has the process's capabilities: the attacker's own, so only
    // dumpability stands between them. The PATH search that follows is made long on purpose.
    std::string path = "PATH=";
    for (int i = 0; i < 3000; ++i) path += "/nowhere/" + std::to_string(i) + ":";
    path += "/bin:/usr/bin";
    pid_t exec_cmd = -1;
    pid_t helper = catch_helper("victim", cap_prm_of(pid_of("victim")), exec_cmd, {"--env", path});
    ASSERT_GT(helper, 0) << "could not catch the exec helper before its execve";
    test::write_text(out_ + "/target", pid_in_container(helper));
    std::string result = wait_for(out_ + "/result");
    ::kill(helper, SIGCONT);
    int st;
    ::waitpid(exec_cmd, &st, 0);
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << st;
    EXPECT_TRUE(contains(result, "exe-refused")) << result;
    EXPECT_TRUE(contains(result, "fd-refused")) << result;
    expect_decoy_intact();
}

TEST_F(ExecHelper, ItsExeCannotBeWrittenThrough) {
    cfg().process->capabilities.reset();  // every capability, CAP_SYS_PTRACE included
    start_attacker(
        "victim2",
        "if (exec 3</proc/$P/exe) 2>/dev/null; then exec 3</proc/$P/exe; readlink /proc/self/fd/3 > /tmp/link;"
        "  echo opened > /tmp/state; while [ -e /tmp/state ]; do usleep 20000; done;"
        "  if echo PWNED > /proc/self/fd/3; then echo WROTE; else echo write-refused; fi > /tmp/r;"
        "else echo open-refused > /tmp/r; fi; mv /tmp/r /tmp/result");
    ASSERT_FALSE(HasFatalFailure());
    pid_t exec_cmd = -1;
    pid_t helper = catch_helper("victim2", "", exec_cmd);
    ASSERT_GT(helper, 0) << "could not catch the exec helper before its execve";
    test::write_text(out_ + "/target", pid_in_container(helper));
    std::string state = wait_for(out_ + "/state");
    // Let the helper exec and the command finish: no process runs the runtime binary any more.
    ::kill(helper, SIGCONT);
    int st;
    ::waitpid(exec_cmd, &st, 0);
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << st;
    std::filesystem::remove(out_ + "/state");
    std::string result = wait_for(out_ + "/result");
    // With CAP_SYS_PTRACE in the host's user namespace the open succeeds: the attack gets as far
    // as it can, and the file it holds is not the decoy's writable path.
    EXPECT_EQ(state, "opened\n") << result;
    EXPECT_FALSE(contains(read_or_empty(out_ + "/link"), "/decoy/gocker-runtime")) << read_or_empty(out_ + "/link");
    EXPECT_TRUE(contains(result, "write-refused")) << result;
    expect_decoy_intact();
}

}  // namespace
}  // namespace gocker
