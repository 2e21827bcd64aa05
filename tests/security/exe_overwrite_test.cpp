// CVE-2019-5736 class: overwriting the runtime binary through /proc/PID/exe.
//
// The container init is a clone of the runtime, so until its execve its /proc/PID/exe is the
// runtime binary. An attacker in another container that sees the init (here: a second container
// in the host pid namespace, given the init's pid) opens /proc/PID/exe, waits for the init to be
// gone, and reopens the descriptor for writing through /proc/self/fd. How the runtime stops it:
// the init is non-dumpable until execve (the open is refused without CAP_SYS_PTRACE), and
// `create` runs from a read-only view of itself (a detached read-only bind mount; a sealed memfd
// copy where that cannot be made), so even a process allowed to open the exe gets a file that
// cannot be written through, never the writable host binary.
//
// The victim is a COPY of the runtime in the test's temp dir: a successful attack damages only
// that decoy, never the build output.
#include <gtest/gtest.h>

#include <chrono>
#include <algorithm>
#include <filesystem>
#include <thread>

#include "integration/bundle_fixture.hpp"

namespace gocker {
namespace {

using test::contains;
using test::run_cmd;
using test::RunResult;

class ExeOverwrite : public test::BundleTest {
protected:
    void SetUp() override {
        BundleTest::SetUp();
        run_from_decoy_copy();
        std::filesystem::create_directories(tmp() + "/out");
    }

    // The attacker: a container in the host pid namespace with /out bound to the test's dir.
    RunResult attack(int victim_pid, bool all_caps, const std::string& id) {
        spec::Config victim_cfg = cfg();
        auto& ns = cfg().linux->namespaces;
        ns.erase(std::remove_if(ns.begin(), ns.end(), [](const spec::Namespace& n) { return n.type == "pid"; }),
                 ns.end());
        add_bind(tmp() + "/out", "/out", {"rbind", "rw"});
        if (all_caps) cfg().process->capabilities.reset();
        std::string p = std::to_string(victim_pid);
        RunResult r = run_script(
            id, "if (exec 3</proc/" + p + "/exe) 2>/dev/null; then exec 3</proc/" + p +
                    "/exe;"
                    "  echo opened > /out/state; readlink /proc/self/fd/3;"
                    "  while [ -e /out/state ]; do usleep 50000; done;"  // the test deletes the victim, then the flag
                    "  if echo PWNED > /proc/self/fd/3; then echo WROTE; else echo write-refused; fi;"
                    "else echo open-refused; echo refused > /out/state; fi");
        cfg() = victim_cfg;
        return r;
    }

    void expect_decoy_intact() {
        std::string now = test::read_text(decoy_);
        EXPECT_EQ(now.size(), original_.size());
        EXPECT_TRUE(now == original_) << "the runtime binary was modified";
    }
};

TEST_F(ExeOverwrite, InitIsNonDumpableSoItsExeCannotBeOpened) {
    RunResult c = create("victim");
    ASSERT_EQ(c.exit_code, 0) << c.err;
    int pid = pid_of("victim");
    ASSERT_GT(pid, 0);
    // Default capabilities: no CAP_SYS_PTRACE.
    RunResult r = attack(pid, false, "attacker");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(r.out, "open-refused")) << r.out;
    gocker({"delete", "--force", "victim"});
    expect_decoy_intact();
}

TEST_F(ExeOverwrite, EvenWhenOpenedTheExeIsReadOnly) {
    RunResult c = create("victim2");
    ASSERT_EQ(c.exit_code, 0) << c.err;
    int pid = pid_of("victim2");
    ASSERT_GT(pid, 0);
    // All capabilities (CAP_SYS_PTRACE passes the dumpable check): the exe can be opened, but it
    // is the read-only view. Once the victim is gone, the attacker tries to write through the fd.
    std::thread deleter([&] {
        for (int i = 0; i < 200 && !std::filesystem::exists(tmp() + "/out/state"); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        run_cmd({decoy_, "--root", root(), "delete", "--force", "victim2"});
        std::filesystem::remove(tmp() + "/out/state");
    });
    RunResult r = attack(pid, true, "attacker2");
    deleter.join();
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_FALSE(contains(r.out, "WROTE")) << r.out;
    // With CAP_SYS_PTRACE the open is expected to succeed: the attack gets as far as it can.
    EXPECT_FALSE(contains(r.out, "open-refused")) << r.out;
    // The link does not lead to the decoy's writable path (a detached mount reads "/").
    EXPECT_FALSE(contains(r.out, "/decoy/gocker-runtime")) << "the init's exe is the host binary: " << r.out;
    EXPECT_TRUE(contains(r.out, "write-refused")) << r.out;
    expect_decoy_intact();
}

// Where a detached mount cannot be made (here: a user namespace that does not own the mount
// namespace, so open_tree is refused), create falls back to a sealed memfd copy and still
// re-executes exactly once before it goes on.
TEST_F(ExeOverwrite, WithoutMountPrivilegeCreateFallsBackToASealedCopy) {
    write_config_for("fallback");
    RunResult r =
        run_cmd({"unshare", "-Ur", binary_, "--debug", "--root", root(), "create", "--bundle", bundle(), "fallback"});
    // The create itself may fail further on (a user namespace cannot write every cgroup file);
    // what matters here is how the binary was protected.
    EXPECT_TRUE(contains(r.err, "falling back to a sealed memfd copy")) << r.err;
    EXPECT_TRUE(contains(r.err, "re-executing from a sealed memfd copy")) << r.err;
    size_t starts = 0;
    for (size_t at = r.err.find("debug: command create"); at != std::string::npos;
         at = r.err.find("debug: command create", at + 1))
        ++starts;
    EXPECT_EQ(starts, 2u) << "expected one re-exec: " << r.err;
    expect_decoy_intact();
}

}  // namespace
}  // namespace gocker
