// Tests for runtime/linux/hooks.cpp: real hook scripts in a temp dir, run through /bin/sh.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "common/file_io.hpp"
#include "linux/hooks.hpp"
#include "support/temp_dir.hpp"

namespace gocker {
namespace {

namespace fs = std::filesystem;

class Hooks : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(tmp_dir_.ok()) << "mkdtemp in /tmp failed"; }

    std::string script(const std::string& name, const std::string& body) {
        const std::string path = dir_ + "/" + name;
        std::ofstream(path) << "#!/bin/sh\n" << body;
        chmod(path.c_str(), 0755);
        return path;
    }
    std::string read(const std::string& name) {
        auto text = read_whole_file(dir_ + "/" + name);
        return text ? *text : "";
    }
    spec::Hook hook(std::string path, std::vector<std::string> args = {}, std::vector<std::string> env = {},
                    std::optional<int32_t> timeout = {}) {
        return spec::Hook{std::move(path), std::move(args), std::move(env), timeout};
    }
    test::TempDir tmp_dir_{"gocker-hooks"};
    std::string dir_ = tmp_dir_.path();
};

TEST_F(Hooks, StateArrivesOnStdinWithArgsAndEnv) {
    const std::string path = script("record",
                                    "cat > \"$OUT/stdin\"\n"
                                    "echo \"$0|$1|$2|$FOO|$HOME\" > \"$OUT/args\"\n");
    const std::string state = R"({"ociVersion":"1.3.0","id":"c1","status":"creating","pid":42})";
    auto st = run_hook("createRuntime", hook(path, {"record-hook", "one", "two"}, {"FOO=bar", "OUT=" + dir_}), state);
    ASSERT_TRUE(st.ok()) << st.error().message();
    EXPECT_EQ(read("stdin"), state);
    // $0 is args[0] as given (not the path); HOME is unset because env is exactly hook.env.
    EXPECT_EQ(read("args"), path + "|one|two|bar|\n");
}

TEST_F(Hooks, LargeStateIsDeliveredInFull) {
    const std::string path = script("big", "cat > \"$OUT/stdin\"\n");
    const std::string state(300000, 'x');  // several pipe buffers
    auto st = run_hook("poststart", hook(path, {}, {"OUT=" + dir_}), state);
    ASSERT_TRUE(st.ok()) << st.error().message();
    EXPECT_EQ(read("stdin").size(), state.size());
}

TEST_F(Hooks, ArgsDefaultToThePath) {
    const std::string path = script("zero", "echo \"$0\" > \"$OUT/args\"\n");
    ASSERT_TRUE(run_hook("prestart", hook(path, {}, {"OUT=" + dir_}), "{}").ok());
    EXPECT_EQ(read("args"), path + "\n");
}

TEST_F(Hooks, NonZeroExitIsAnError) {
    const std::string path = script("fail", "exit 3\n");
    auto st = run_hook("createRuntime", hook(path), "{}");
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().message(), "createRuntime hook " + path + ": exit status 3");
}

TEST_F(Hooks, KilledBySignalIsAnError) {
    const std::string path = script("killself", "kill -TERM $$\n");
    auto st = run_hook("poststop", hook(path), "{}");
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().message(), "poststop hook " + path + ": killed by signal 15");
}

TEST_F(Hooks, HookThatIgnoresStdinDoesNotKillTheRuntime) {
    // Exits at once without reading: our write gets EPIPE, which must not become a SIGPIPE death.
    const std::string path = script("noread", "exit 0\n");
    auto st = run_hook("createRuntime", hook(path), std::string(1 << 20, 'y'));
    EXPECT_TRUE(st.ok()) << st.error().message();
}

TEST_F(Hooks, TimeoutKillsTheHook) {
    const std::string path = script("slow", "sleep 10\n");
    const auto start = std::chrono::steady_clock::now();
    auto st = run_hook("createContainer", hook(path, {}, {"PATH=/usr/bin:/bin"}, 1), "{}");
    const auto elapsed = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().message(), "createContainer hook " + path + ": timed out after 1 s");
    EXPECT_LT(elapsed, std::chrono::seconds(5));
    EXPECT_GE(elapsed, std::chrono::milliseconds(900));
}

// An fd the runtime holds without close-on-exec (e.g. passed to it by its caller) must not
// reach the hook: only stdin, stdout and stderr do.
TEST_F(Hooks, HookGetsNoDescriptorButTheStandardThree) {
    int fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::dup2(fd, 42), 42);  // no O_CLOEXEC
    ::close(fd);
    // sh -c (no script file open) lists its own descriptors through an external ls; `exec >`
    // redirects without saving the old stdout elsewhere.
    auto st = run_hook("prestart",
                       hook("/bin/sh", {"sh", "-c", "exec >\"$OUT/fds\"; ls /proc/$$/fd; true"},
                            {"OUT=" + dir_, "PATH=/usr/bin:/bin"}),
                       "{}");
    ::close(42);
    ASSERT_TRUE(st.ok()) << st.error().message();
    std::istringstream listed(read("fds"));
    std::vector<int> fds;
    for (int n; listed >> n;) fds.push_back(n);
    ASSERT_FALSE(fds.empty());
    for (int n : fds) EXPECT_LE(n, 2) << "the hook has fd " << n;
}

// A hook that times out takes the processes it started with it.
TEST_F(Hooks, TimeoutKillsEverythingTheHookStarted) {
    const std::string path = script("spawner", "sleep 1000 &\necho $! > \"$OUT/child\"\nwait\n");
    auto st = run_hook("createRuntime", hook(path, {}, {"OUT=" + dir_, "PATH=/usr/bin:/bin"}, 1), "{}");
    ASSERT_FALSE(st.ok());
    const pid_t child = std::atoi(read("child").c_str());
    ASSERT_GT(child, 0);
    // The killed child is reparented and reaped by the system: wait until it is gone or a zombie.
    auto alive = [&] {
        auto stat = read_whole_file("/proc/" + std::to_string(child) + "/stat");
        if (!stat) return false;
        auto close = stat->rfind(')');
        return close != std::string::npos && stat->size() > close + 2 && (*stat)[close + 2] != 'Z';
    };
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (alive() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const bool survived = alive();
    if (survived) ::kill(child, SIGKILL);  // the test's own grandchild: do not leave it behind
    EXPECT_FALSE(survived) << "the hook's child " << child << " outlived the timeout";
}

TEST_F(Hooks, MissingHookReportsTheExecError) {
    const std::string path = dir_ + "/does-not-exist";
    auto st = run_hook("startContainer", hook(path), "{}");
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().message(), "startContainer hook " + path + ": exec: no such file or directory");
}

TEST_F(Hooks, RunHooksRunsInOrderAndStopsAtTheFirstFailure) {
    const std::string first = script("first", "echo first >> \"$OUT/log\"\n");
    const std::string bad = script("bad", "echo bad >> \"$OUT/log\"; exit 7\n");
    const std::string never = script("never", "echo never >> \"$OUT/log\"\n");
    const std::vector<std::string> env = {"OUT=" + dir_};
    auto st = run_hooks("createRuntime", {hook(first, {}, env), hook(bad, {}, env), hook(never, {}, env)}, "{}");
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().message(), "createRuntime hook " + bad + ": exit status 7");
    EXPECT_EQ(read("log"), "first\nbad\n");

    ASSERT_TRUE(run_hooks("poststart", {hook(first, {}, env), hook(first, {}, env)}, "{}").ok());
    EXPECT_EQ(read("log"), "first\nbad\nfirst\nfirst\n");
}

// poststart and poststop (config.md): a failed hook is a warning and the remaining hooks still run.
TEST_F(Hooks, RunAllHooksRunsEveryHookAndReturnsEachFailure) {
    const std::string first = script("first", "echo first >> \"$OUT/log\"\n");
    const std::string bad = script("bad", "echo bad >> \"$OUT/log\"; exit 7\n");
    const std::vector<std::string> env = {"OUT=" + dir_};
    auto failures = run_all_hooks("poststop", {hook(bad, {}, env), hook(first, {}, env), hook(bad, {}, env)}, "{}");
    ASSERT_EQ(failures.size(), 2u);
    EXPECT_EQ(failures[0].message(), "poststop hook " + bad + ": exit status 7");
    EXPECT_EQ(read("log"), "bad\nfirst\nbad\n");
    EXPECT_TRUE(run_all_hooks("poststart", {hook(first, {}, env)}, "{}").empty());
}

}  // namespace
}  // namespace gocker
