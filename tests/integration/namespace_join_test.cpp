// A mount namespace joined by path (held by a process of the test's own, with a private copy of
// the host's mounts), and an init that dies before reporting: create still says why.
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux/proc_info.hpp"
#include "integration/bundle_fixture.hpp"

namespace gocker {
namespace {

using test::contains;
using test::RunResult;

class NamespaceJoin : public test::BundleTest {
protected:
    void TearDown() override {
        if (holder_ > 0) {
            ::kill(holder_, SIGKILL);
            ::waitpid(holder_, nullptr, 0);
        }
        BundleTest::TearDown();
    }
    // A process in a mount namespace of its own (a private copy of ours), which it keeps alive.
    std::string hold_mount_namespace() {
        holder_ = ::fork();
        if (holder_ == 0) {
            if (::unshare(CLONE_NEWNS) != 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
                _exit(1);
            for (;;) ::pause();
        }
        std::string path = "/proc/" + std::to_string(holder_) + "/ns/mnt";
        // Until the unshare is done the link still names our namespace.
        for (int i = 0; i < 200 && namespace_inode(holder_, "mnt") == namespace_inode(::getpid(), "mnt"); ++i)
            ::usleep(10000);
        EXPECT_NE(namespace_inode(holder_, "mnt"), namespace_inode(::getpid(), "mnt"));
        return path;
    }
    pid_t holder_ = -1;
};

TEST_F(NamespaceJoin, MountNamespaceByPath) {
    std::string ns = hold_mount_namespace();
    for (auto& n : cfg().linux->namespaces)
        if (n.type == "mount") n.path = ns;
    cfg().root->readonly = false;
    RunResult r = create("join-mnt");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    int pid = pid_of("join-mnt");
    ASSERT_GT(pid, 0);
    EXPECT_EQ(namespace_inode(pid, "mnt"), namespace_inode(holder_, "mnt"));
    // The config's mounts were made there (proc inside the rootfs), not in ours.
    const std::string proc_mount = " " + std::string(GOCKER_ROOTFS) + "/proc ";
    EXPECT_TRUE(contains(test::read_text("/proc/" + std::to_string(holder_) + "/mountinfo"), proc_mount));
    EXPECT_FALSE(contains(test::read_text("/proc/self/mountinfo"), proc_mount))
        << "the container's /proc leaked into the runtime's mount namespace";
    RunResult s = gocker({"start", "join-mnt"});
    EXPECT_EQ(s.exit_code, 0) << s.err;
}

// A createRuntime hook kills the init while the runtime waits for it: no report ever comes.
TEST_F(NamespaceJoin, InitKilledBeforeReportingIsNamedWithItsSignal) {
    std::string hook = tmp() + "/kill-init.sh";
    test::write_text(hook, "#!/bin/sh\nkill -9 $(sed 's/.*\"pid\": *\\([0-9]*\\).*/\\1/')\n", 0755);
    cfg().hooks.emplace();
    spec::Hook h;
    h.path = hook;
    cfg().hooks->create_runtime = {h};
    RunResult r = create("killed-init");
    EXPECT_NE(r.exit_code, 0);
    EXPECT_TRUE(contains(r.err, "create killed-init: container init was killed by signal 9 (SIGKILL) before reporting"))
        << r.err;
    EXPECT_NE(gocker({"state", "killed-init"}).exit_code, 0) << "a failed create leaves nothing behind";
}

}  // namespace
}  // namespace gocker
