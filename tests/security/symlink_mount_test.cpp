// CVE-2021-30465 class: a symlink in the (hostile) rootfs that would redirect a mount
// destination or a device node to the host.
//
// The rootfs plants absolute symlinks pointing at directories of the test's temp dir on the
// host. If the runtime followed them from the host's point of view (before pivot_root), it would
// create directories or device nodes there, or mount over them. How the runtime stops it: every
// path inside the rootfs is resolved inside it (openat2 RESOLVE_IN_ROOT, or a component walk
// that never leaves the root), mounts are made by file descriptor on what was resolved, and
// device nodes are made with mknodat in the opened /dev. So the host directories stay empty.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "integration/bundle_fixture.hpp"

namespace gocker {
namespace {

using test::contains;
using test::RunResult;
namespace fs = std::filesystem;

bool empty_dir(const std::string& d) { return fs::is_directory(d) && fs::is_empty(d); }

class SymlinkEscape : public test::BundleTest {
protected:
    void SetUp() override {
        BundleTest::SetUp();
        rootfs_ = copy_rootfs();
        host_ = tmp() + "/host-target";
        fs::create_directories(host_);
    }
    std::string rootfs_, host_;
};

TEST_F(SymlinkEscape, MountDestinationSymlinkStaysInsideTheRoot) {
    ASSERT_EQ(::symlink(host_.c_str(), (rootfs_ + "/data").c_str()), 0);
    spec::Mount m;
    m.destination = "/data/sub";
    m.type = "tmpfs";
    m.source = "tmpfs";
    m.options = {"nosuid", "nodev"};
    cfg().mounts.push_back(m);
    RunResult r = run_script("sym-mount", "echo hi > /data/sub/file && echo wrote; grep -c ' /data/sub \\| " + host_ +
                                              "/sub ' /proc/self/mountinfo");
    // Refusing the config is as good as containing it; what must never happen is the host
    // directory gaining the mount point or the file.
    EXPECT_TRUE(empty_dir(host_)) << "the runtime created " << host_ << "/sub on the host; run: " << r.out << r.err;
    EXPECT_FALSE(fs::exists(host_ + "/sub/file"));
}

TEST_F(SymlinkEscape, DevSymlinkDoesNotPutDeviceNodesOnTheHost) {
    // /dev itself a symlink to the host dir, and no /dev tmpfs: the default devices
    // (null, zero, full, random, urandom, tty) would land in the host dir if the link were followed.
    fs::remove_all(rootfs_ + "/dev");
    ASSERT_EQ(::symlink(host_.c_str(), (rootfs_ + "/dev").c_str()), 0);
    auto& mounts = cfg().mounts;
    mounts.erase(std::remove_if(mounts.begin(), mounts.end(),
                                [](const spec::Mount& m) { return m.destination.starts_with("/dev"); }),
                 mounts.end());
    cfg().linux->masked_paths.clear();  // masking binds /dev/null; keep the test about devices
    RunResult r = run_script("sym-dev", "ls -l /dev/null; echo x > /dev/null && echo null-ok");
    EXPECT_TRUE(empty_dir(host_)) << "device nodes were created on the host; run: " << r.out << r.err;
}

TEST_F(SymlinkEscape, DeviceNodeSymlinkIsReplacedNotFollowed) {
    // /dev/zero planted as a symlink to a host file, with /dev not a tmpfs: the runtime must
    // replace the entry with the real device (or refuse), never write through the link.
    std::string victim = host_ + "/victim-file";
    test::write_text(victim, "UNTOUCHED");
    auto& mounts = cfg().mounts;
    mounts.erase(
        std::remove_if(mounts.begin(), mounts.end(), [](const spec::Mount& m) { return m.destination == "/dev"; }),
        mounts.end());
    fs::create_directories(rootfs_ + "/dev");
    ASSERT_EQ(::symlink(victim.c_str(), (rootfs_ + "/dev/zero").c_str()), 0);
    RunResult r =
        run_script("sym-devnode", "[ -c /dev/zero ] && echo zero-is-device; head -c 4 /dev/zero | od -An -tx1");
    EXPECT_EQ(test::read_text(victim), "UNTOUCHED");
    if (r.exit_code == 0) {
        EXPECT_TRUE(contains(r.out, "zero-is-device")) << r.out;
    }
}

}  // namespace
}  // namespace gocker
