// A bundle's linux.cgroupsPath naming a cgroup the runtime did not make (another container's,
// or a host service's such as /system.slice) must not hand that cgroup's processes to the
// container: create refuses a cgroup that already has processes (as runc 1.2), joins an empty
// one without owning it, and delete signals only the container's processes and removes only the
// directories create made.
//
// Every cgroup here is under a parent of this test alone (<mount>/gocker-sec-<pid>-<random>),
// made and removed by the test in every hierarchy; decoys are `sleep` children of the test.
#include <gtest/gtest.h>

#include <memory>

#include "integration/bundle_fixture.hpp"
#include "security/host_cgroups.hpp"

namespace gocker {
namespace {

using test::contains;
using test::Decoy;
using test::RunResult;

class CgroupOwnership : public test::BundleTest {
protected:
    void SetUp() override {
        BundleTest::SetUp();
        mounts_ = test::cgroup_mounts();
        if (mounts_.empty()) GTEST_SKIP() << "no cgroup filesystem is mounted under /sys/fs/cgroup";
    }
    // mkdir -p <mount><cgroup_parent_><rel> in every hierarchy.
    void make_cgroup(const std::string& rel) { test::make_test_cgroup(cgroup_parent_ + rel); }
    bool cgroup_exists_everywhere(const std::string& rel) {
        for (const auto& m : mounts_)
            if (!test::is_dir(m + cgroup_parent_ + rel)) return false;
        return true;
    }
    void use_cgroup(const std::string& rel) { cfg().linux->cgroups_path = cgroup_parent_ + rel; }
    std::vector<std::string> mounts_;
};

// The attack of the report: /shr with a process in it and in a child cgroup.
TEST_F(CgroupOwnership, NonEmptyCgroupIsRefusedAndItsProcessesSurvive) {
    make_cgroup("/shr/child");
    Decoy outer, inner;
    ASSERT_TRUE(outer.move_to(cgroup_parent_ + "/shr"));
    ASSERT_TRUE(inner.move_to(cgroup_parent_ + "/shr/child"));
    use_cgroup("/shr");
    RunResult r = run_script("taker", "true");
    EXPECT_NE(r.exit_code, 0) << r.out;
    EXPECT_TRUE(contains(r.err, "already exists and is not empty")) << r.err;
    EXPECT_TRUE(outer.alive());
    EXPECT_TRUE(inner.alive());
    EXPECT_TRUE(cgroup_exists_everywhere("/shr/child"));
    RunResult s = gocker({"delete", "--force", "taker"});
    EXPECT_EQ(s.exit_code, 0) << s.err;
    EXPECT_TRUE(outer.alive());
    EXPECT_TRUE(inner.alive());
}

// cgroupsPath naming a running container's cgroup: refused, and the victim goes on running.
TEST_F(CgroupOwnership, AnotherContainersCgroupCannotBeTaken) {
    cfg().process->args = {"sleep", "1000"};
    use_cgroup("/victim");
    ASSERT_EQ(create("victim").exit_code, 0);
    ASSERT_EQ(gocker({"start", "victim"}).exit_code, 0);
    int victim_pid = pid_of("victim");
    ASSERT_GT(victim_pid, 0);
    RunResult r = run_script("thief", "true");
    EXPECT_NE(r.exit_code, 0);
    EXPECT_TRUE(contains(r.err, "not empty")) << r.err;
    EXPECT_EQ(pid_of("victim"), victim_pid);
    EXPECT_TRUE(contains(gocker({"state", "victim"}).out, "\"running\""));
    EXPECT_EQ(::kill(victim_pid, 0), 0);
}

// An empty existing cgroup is joined, and left where it was after delete.
TEST_F(CgroupOwnership, EmptyExistingCgroupIsJoinedButNotRemoved) {
    make_cgroup("/joined");
    use_cgroup("/joined");
    auto& nss = cfg().linux->namespaces;  // the host's view of its cgroups, for the check below
    std::erase_if(nss, [](const spec::Namespace& n) { return n.type == "cgroup"; });
    RunResult r = run_script("joiner", "cat /proc/self/cgroup");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(r.out, cgroup_parent_ + "/joined")) << r.out;
    EXPECT_TRUE(cgroup_exists_everywhere("/joined"));
}

// A process moved into a container's cgroup by someone else is not the container's: delete
// (the container has its own PID namespace) does not kill it, nor remove the cgroup under it.
TEST_F(CgroupOwnership, DeleteSignalsOnlyTheContainersProcesses) {
    cfg().process->args = {"sleep", "1000"};
    ASSERT_EQ(create("owner").exit_code, 0);
    Decoy stranger;
    ASSERT_TRUE(stranger.move_to(cgroup_parent_ + "/owner"));
    RunResult d = gocker({"delete", "--force", "owner"});
    EXPECT_EQ(d.exit_code, 0) << d.err;
    EXPECT_TRUE(stranger.alive());
    EXPECT_NE(gocker({"state", "owner"}).exit_code, 0);  // the container itself is gone
}

// A create that fails once its cgroup exists (here: the init cannot find the program) removes
// the cgroup and the parent it made, in every hierarchy.
TEST_F(CgroupOwnership, FailedCreateRemovesTheCgroupItMade) {
    cfg().process->args = {"/no/such/program"};
    RunResult r = create("rolled-back");
    ASSERT_NE(r.exit_code, 0);
    EXPECT_TRUE(contains(r.err, "/no/such/program")) << r.err;
    for (const auto& m : mounts_)
        EXPECT_FALSE(test::is_dir(m + cgroup_parent_)) << m + cgroup_parent_ << " was left behind";
}

// The default parent /gocker, when someone else made it, stays after the last container leaves.
// Run only when this test can make /gocker itself: a /gocker that exists is someone else's, and a
// regression would remove it.
TEST_F(CgroupOwnership, DefaultParentMadeBySomeoneElseIsKept) {
    for (const auto& m : mounts_)
        if (test::is_dir(m + "/gocker")) GTEST_SKIP() << m << "/gocker exists (someone else's): not touched";
    std::vector<std::string> made;
    for (const auto& m : mounts_)
        if (::mkdir((m + "/gocker").c_str(), 0755) == 0) made.push_back(m + "/gocker");
    struct Remove {
        std::vector<std::string>& dirs;
        ~Remove() {
            for (const auto& d : dirs) ::rmdir(d.c_str());
        }
    } remove{made};
    ASSERT_EQ(made.size(), mounts_.size());
    std::string id = "dflt-" + std::to_string(::getpid());
    cfg().linux->cgroups_path = "";  // the default: /gocker/<id>
    RunResult r = run_script(id, "true");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const auto& d : made) {
        EXPECT_TRUE(test::is_dir(d)) << d << " was removed";
        EXPECT_FALSE(test::is_dir(d + "/" + id)) << d << "/" << id << " was left behind";
    }
}

// The default parent /gocker is shared by every container that has no cgroupsPath: the first
// one makes it and no container removes it (as runc and crun leave parents), while each
// container's own cgroup under it goes with the container, on success and on failure. Run only
// when /gocker does not exist yet; the test removes what its containers left.
TEST_F(CgroupOwnership, DefaultParentIsMadeOnceAndKept) {
    for (const auto& m : mounts_)
        if (test::is_dir(m + "/gocker")) GTEST_SKIP() << m << "/gocker exists (someone else's): not touched";
    struct Remove {
        const std::vector<std::string>& mounts;
        ~Remove() {
            for (const auto& m : mounts) ::rmdir((m + "/gocker").c_str());
        }
    } remove{mounts_};
    std::string id = "kept-" + std::to_string(::getpid());
    cfg().linux->cgroups_path = "";  // the default: /gocker/<id>
    ASSERT_EQ(create(id).exit_code, 0);
    std::vector<std::string> used;  // the hierarchies the runtime uses (not a name=systemd one)
    for (const auto& m : mounts_)
        if (test::is_dir(m + "/gocker/" + id)) used.push_back(m);
    ASSERT_FALSE(used.empty()) << "the container's cgroup is not under /gocker";
    RunResult d = gocker({"delete", "--force", id});
    ASSERT_EQ(d.exit_code, 0) << d.err;
    for (const auto& m : used) {
        EXPECT_TRUE(test::is_dir(m + "/gocker")) << m << "/gocker was removed with its last container";
        EXPECT_FALSE(test::is_dir(m + "/gocker/" + id)) << m << "/gocker/" << id << " was left behind";
    }
    // A create that fails after its cgroup exists removes that cgroup, not the parent.
    cfg().process->args = {"/no/such/program"};
    RunResult f = create(id + "-f");
    ASSERT_NE(f.exit_code, 0);
    for (const auto& m : used) {
        EXPECT_TRUE(test::is_dir(m + "/gocker")) << m << "/gocker was removed by a failed create";
        EXPECT_FALSE(test::is_dir(m + "/gocker/" + id + "-f")) << m << "/gocker/" << id << "-f was left behind";
    }
}

}  // namespace
}  // namespace gocker
