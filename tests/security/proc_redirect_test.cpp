// CVE-2025-52881 class (/proc writes redirected through a bind-mounted procfs file) and
// CVE-2023-27561 / CVE-2019-19921 class (a /proc mount destination that is a symlink).
//
// The runtime writes to /proc files on the container's behalf (sysctls, oom_score_adj, LSM exec
// labels). A config or image that bind-mounts another file over one of them must not turn the
// runtime's write into a write to that file. How the runtime stops it: the writes go through
// descriptors checked to be on procfs (fstatfs PROC_SUPER_MAGIC) and opened without following
// links, and mounts are refused where /proc is not a real procfs; /proc as a symlink in the
// rootfs is resolved inside the root (or refused), never followed to the host.
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

class ProcRedirect : public test::BundleTest {
protected:
    void SetUp() override {
        BundleTest::SetUp();
        victim_ = tmp() + "/host-victim";
        test::write_text(victim_, "UNTOUCHED");
    }
    std::string victim_;
};

TEST_F(ProcRedirect, SysctlWriteIsNotRedirectedByABindMount) {
    // A bind mount of a host file over the sysctl the runtime is about to write.
    add_bind(victim_, "/proc/sys/kernel/domainname", {"bind", "rw"});
    cfg().linux->sysctl["kernel.domainname"] = "redirected";
    own_uts_and_net_ = true;  // should the sysctl escape the container, it lands in ours
    RunResult r = run_script("proc-sysctl", "cat /proc/sys/kernel/domainname");
    test::NsView outside = test::split_ns_view(r.out);
    EXPECT_NE(outside.domainname, "redirected");
    EXPECT_EQ(test::read_text(victim_), "UNTOUCHED")
        << "the runtime's sysctl write went to the host file: " << r.out << r.err;
    // Refused for this reason, not for another one.
    EXPECT_NE(r.exit_code, 0) << r.out;
    EXPECT_TRUE(contains(r.err, "kernel.domainname") || contains(r.err, "/proc/sys/kernel/domainname")) << r.err;
}

TEST_F(ProcRedirect, OomScoreAdjWriteIsNotRedirected) {
    add_bind(victim_, "/proc/self/oom_score_adj", {"bind", "rw"});
    cfg().process->oom_score_adj = 500;
    RunResult r = run_script("proc-oom", "cat /proc/self/oom_score_adj");
    EXPECT_EQ(test::read_text(victim_), "UNTOUCHED") << r.out << r.err;
    EXPECT_NE(r.exit_code, 0) << r.out;
    EXPECT_TRUE(contains(r.err, "oom_score_adj")) << r.err;
}

TEST_F(ProcRedirect, ProcDestinationSymlinkDoesNotLeaveTheRoot) {
    std::string rootfs = copy_rootfs();
    std::string host = tmp() + "/host-proc-target";
    fs::create_directories(host);
    fs::remove_all(rootfs + "/proc");
    ASSERT_EQ(::symlink(host.c_str(), (rootfs + "/proc").c_str()), 0);
    RunResult r = run_script("proc-symlink", "ls /proc/self/ >/dev/null && echo proc-ok");
    // Refused, or procfs mounted inside the root: either way nothing appears on the host path
    // and no procfs is mounted there in our (host) mount namespace.
    EXPECT_TRUE(fs::is_empty(host)) << r.out << r.err;
    EXPECT_FALSE(contains(test::read_text("/proc/self/mountinfo"), host)) << "procfs mounted on the host path";
}

TEST_F(ProcRedirect, ProcSymlinkToRelativeHostPathIsContained) {
    // A relative link climbing out ("../../..") must also stay inside the root.
    std::string rootfs = copy_rootfs();
    fs::remove_all(rootfs + "/proc");
    std::string rel = "../../../../../../../../.." + tmp() + "/host-rel";
    fs::create_directories(tmp() + "/host-rel");
    ASSERT_EQ(::symlink(rel.c_str(), (rootfs + "/proc").c_str()), 0);
    RunResult r = run_script("proc-symlink-rel", "ls /proc/self/ >/dev/null && echo proc-ok");
    EXPECT_TRUE(fs::is_empty(tmp() + "/host-rel")) << r.out << r.err;
}

}  // namespace
}  // namespace gocker
