// CVE-2025-31133 and CVE-2025-52565 class: /dev/null (the source of every masked-path bind
// mount) and /dev/console (the target the pty is bound onto) replaced by symlinks or other files
// in the rootfs before the runtime mounts over them.
//
// If the runtime trusted /dev/null by name, a symlink to a host file (or to a writable /proc
// file) would be bind-mounted read-write over a masked path, handing the container that file.
// How the runtime stops it: /dev/null is opened without following links and checked to be the
// 1:3 character device before it is used as a mount source (otherwise the create fails), and
// /dev/console is (re)created by the runtime as a plain file inside the opened /dev and mounted by
// fd, never through a link.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "integration/bundle_fixture.hpp"

namespace gocker {
namespace {

using test::contains;
using test::RunResult;
namespace fs = std::filesystem;

class MaskedPathSwap : public test::BundleTest {
protected:
    void SetUp() override {
        BundleTest::SetUp();
        rootfs_ = copy_rootfs();
        victim_ = tmp() + "/host-victim";
        test::write_text(victim_, "UNTOUCHED");
        // The rootfs's own /dev is what the runtime finds: no tmpfs over it.
        auto& mounts = cfg().mounts;
        mounts.erase(
            std::remove_if(mounts.begin(), mounts.end(), [](const spec::Mount& m) { return m.destination == "/dev"; }),
            mounts.end());
        fs::create_directories(rootfs_ + "/dev");
        cfg().linux->masked_paths = {"/proc/timer_list", "/proc/keys"};
    }
    std::string rootfs_, victim_;
};

TEST_F(MaskedPathSwap, DevNullSymlinkToAHostFileIsRefused) {
    ASSERT_EQ(::symlink(victim_.c_str(), (rootfs_ + "/dev/null").c_str()), 0);
    RunResult r = run_script("swap-null", "echo PWNED > /proc/timer_list; cat /proc/timer_list 2>&1 | head -c 20");
    EXPECT_EQ(test::read_text(victim_), "UNTOUCHED") << r.out << r.err;
    EXPECT_FALSE(contains(r.out, "UNTOUCHED")) << "the host file was mounted over a masked path: " << r.out;
}

TEST_F(MaskedPathSwap, DevNullSymlinkToAProcFileIsRefused) {
    // /proc/sys/kernel/domainname: a writable sysctl that the masked path would expose.
    ASSERT_EQ(::symlink("/proc/sys/kernel/domainname", (rootfs_ + "/dev/null").c_str()), 0);
    RunResult r = run_script("swap-null-proc", "cat /proc/timer_list 2>&1 | head -c 40; echo; echo end");
    if (r.exit_code == 0) {
        // Started anyway (the runtime replaced the planted /dev/null with the real device): the
        // masked path must then read as empty, not as the domainname.
        EXPECT_EQ(r.out, "\nend\n") << r.out;
    } else {
        EXPECT_TRUE(contains(r.err, "/dev/null")) << r.err;
    }
}

TEST_F(MaskedPathSwap, DevNullAsRegularFileIsNotUsedAsMaskSource) {
    test::write_text(rootfs_ + "/dev/null", "NOT-A-DEVICE");
    RunResult r = run_script("swap-null-file", "cat /proc/timer_list 2>&1 | head -c 20; echo; echo end");
    EXPECT_FALSE(contains(r.out, "NOT-A-DEVICE")) << r.out;
}

// /dev bind-mounted from a directory of the bundle's that holds a regular file `null`: the
// device set-up leaves an existing `null` alone, so the check that /dev/null is the 1:3 device
// is what stands between that file and every masked path.
TEST_F(MaskedPathSwap, RegularNullInABindMountedDevIsRefused) {
    std::string devdir = tmp() + "/devdir";
    fs::create_directories(devdir);
    test::write_text(devdir + "/null", "NOT-A-DEVICE");
    add_bind(devdir, "/dev", {"rbind", "rw"});
    RunResult r = run_script("bound-dev", "cat /proc/timer_list 2>&1 | head -c 20; echo; echo end");
    EXPECT_FALSE(contains(r.out, "NOT-A-DEVICE")) << r.out;
    EXPECT_NE(r.exit_code, 0) << r.out;
    EXPECT_TRUE(contains(r.err, "/dev/null in the container is not the 1:3 character device")) << r.err;
}

TEST_F(MaskedPathSwap, DevConsoleSymlinkIsNotFollowed) {
    ASSERT_EQ(::symlink(victim_.c_str(), (rootfs_ + "/dev/console").c_str()), 0);
    cfg().process->terminal = true;
    // `run` without --console-socket holds the pty itself and relays it to our pipes.
    RunResult r =
        run_script("swap-console", "[ -L /dev/console ] && echo still-link; echo PWNED > /dev/console; echo done");
    EXPECT_EQ(test::read_text(victim_), "UNTOUCHED") << r.out << r.err;
    EXPECT_FALSE(contains(r.out, "still-link")) << r.out;
}

}  // namespace
}  // namespace gocker
