// The managers against scratch directories laid out like cgroup trees (regular files stand in
// for the kernel's control files), and the host layout detection.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/file_io.hpp"
#include "linux/cgroups/cgroup_fs.hpp"
#include "linux/cgroups/hybrid_manager.hpp"
#include "linux/cgroups/manager.hpp"
#include "support/temp_dir.hpp"

namespace gocker::cgroups {
namespace {

namespace fs = std::filesystem;

std::string slurp(const std::string& p) {
    auto text = read_whole_file(p);
    return text ? *text : "";
}
void touch(const std::string& p, const std::string& content = "") { std::ofstream(p) << content; }

class ScratchCgroups : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(tmp_dir_.ok()) << "mkdtemp in /tmp failed"; }
    test::TempDir tmp_dir_{"gocker-cgroup-unit"};
    std::string root_ = tmp_dir_.path();
};

TEST_F(ScratchCgroups, V2CreatesEnablesControllersAndWritesThePlan) {
    std::string mnt = root_ + "/v2";
    fs::create_directories(mnt + "/existing");
    touch(mnt + "/cgroup.subtree_control", "cpu\n");
    touch(mnt + "/existing/cgroup.subtree_control");
    Hierarchy h{2, mnt, {"cpu", "memory", "pids"}};
    auto m = make_manager(CgroupLayout{CgroupMode::v2, {h}}, "/existing/new/c1");
    ASSERT_TRUE(m);
    ASSERT_TRUE((*m)->create());
    EXPECT_TRUE(fs::is_directory(mnt + "/existing/new/c1"));
    EXPECT_EQ((*m)->created_dirs(), (std::vector<std::string>{mnt + "/existing/new", mnt + "/existing/new/c1"}));
    EXPECT_GE((*m)->clone_into_fd(), 0);
    // What the kernel would show in the new directories.
    touch(mnt + "/existing/new/cgroup.subtree_control");
    for (const char* f : {"memory.max", "memory.swap.max", "pids.max", "cgroup.procs"})
        touch(mnt + "/existing/new/c1/" + f);
    spec::Resources r;
    r.memory.emplace();
    r.memory->limit = 1 << 20;
    r.pids = spec::Pids{7};
    auto plan = plan_resources(r, (*m)->controllers());
    ASSERT_TRUE(plan);
    Status st = (*m)->apply(*plan);
    ASSERT_TRUE(st) << st.error().message();
    EXPECT_EQ(slurp(mnt + "/existing/new/c1/memory.max"), "1048576");
    EXPECT_EQ(slurp(mnt + "/existing/new/c1/pids.max"), "7");
    // Each ancestor gets the controllers it lacks; "cpu" is not needed, so never written.
    for (const std::string& dir : std::vector<std::string>{mnt, mnt + "/existing", mnt + "/existing/new"}) {
        std::string sc = slurp(dir + "/cgroup.subtree_control");
        EXPECT_NE(sc.find("+pids"), std::string::npos) << dir << ": " << sc;
        EXPECT_EQ(sc.find("+cpu"), std::string::npos) << dir;
    }
    ASSERT_TRUE((*m)->attach(4242, false));
    EXPECT_EQ(slurp(mnt + "/existing/new/c1/cgroup.procs"), "4242");
}

TEST_F(ScratchCgroups, RefusedWriteNamesFieldFileAndValue) {
    std::string mnt = root_ + "/v2";
    fs::create_directories(mnt);
    touch(mnt + "/cgroup.subtree_control");
    auto m = make_manager(CgroupLayout{CgroupMode::v2, {Hierarchy{2, mnt, {"pids"}}}}, "/c");
    ASSERT_TRUE((*m)->create());
    touch(mnt + "/c/pids.max");
    ::chmod((mnt + "/c/pids.max").c_str(), 0444);
    spec::Resources r;
    r.pids = spec::Pids{3};
    Status st = (*m)->apply(*plan_resources(r, (*m)->controllers()));
    if (::geteuid() == 0) {
        // root ignores file modes: make the file a directory instead, which open(O_WRONLY) refuses.
        fs::remove(mnt + "/c/pids.max");
        fs::create_directory(mnt + "/c/pids.max");
        st = (*m)->apply(*plan_resources(r, (*m)->controllers()));
    }
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message().find("/linux/resources/pids/limit: open " + mnt + "/c/pids.max"), std::string::npos)
        << st.error().message();
}

TEST_F(ScratchCgroups, OptionalMissingFileIsSkippedAndFallbackIsUsed) {
    std::string mnt = root_ + "/v2";
    fs::create_directories(mnt);
    touch(mnt + "/cgroup.subtree_control");
    auto m = make_manager(CgroupLayout{CgroupMode::v2, {Hierarchy{2, mnt, {"io", "memory"}}}}, "/c");
    ASSERT_TRUE((*m)->create());
    touch(mnt + "/c/io.weight");
    touch(mnt + "/c/memory.max");
    spec::Resources r;
    r.block_io.emplace();
    r.block_io->weight = 1000;
    r.memory.emplace();
    r.memory->limit = 4096;
    r.memory->swap = 8192;  // memory.swap.max absent: no swap accounting
    Status st = (*m)->apply(*plan_resources(r, (*m)->controllers()));
    ASSERT_TRUE(st) << st.error().message();
    EXPECT_EQ(slurp(mnt + "/c/io.weight"), "default 10000");
    EXPECT_FALSE(fs::exists(mnt + "/c/io.bfq.weight"));
    EXPECT_FALSE(fs::exists(mnt + "/c/memory.swap.max"));
}

TEST_F(ScratchCgroups, V1OneDirectoryPerHierarchyAndDestroyKeepsParentsItDidNotMake) {
    std::vector<Hierarchy> hs{{1, root_ + "/memory", {"memory"}}, {1, root_ + "/cpu,cpuacct", {"cpu", "cpuacct"}}};
    fs::create_directories(root_ + "/memory/shared");
    fs::create_directories(root_ + "/cpu,cpuacct");
    auto m = make_manager(CgroupLayout{CgroupMode::v1, hs}, "/shared/c1");
    ASSERT_TRUE(m);
    EXPECT_EQ((*m)->dir_of("cpuacct"), root_ + "/cpu,cpuacct/shared/c1");
    EXPECT_EQ((*m)->version_of("memory"), 1);
    EXPECT_EQ((*m)->version_of("pids"), 0);
    EXPECT_EQ((*m)->clone_into_fd(), -1);
    ASSERT_TRUE((*m)->create());
    EXPECT_EQ((*m)->created_dirs(),
              (std::vector<std::string>{root_ + "/memory/shared/c1", root_ + "/cpu,cpuacct/shared",
                                        root_ + "/cpu,cpuacct/shared/c1"}));
    // Saved and loaded again, as `delete` does in another process.
    std::string saved = manager_state_json(**m);
    auto again = load_manager(CgroupLayout{CgroupMode::v1, hs}, saved);
    ASSERT_TRUE(again);
    EXPECT_EQ((*again)->path(), "/shared/c1");
    EXPECT_EQ((*again)->created_dirs(), (*m)->created_dirs());
    ASSERT_TRUE((*again)->destroy());
    EXPECT_FALSE(fs::exists(root_ + "/memory/shared/c1"));
    EXPECT_TRUE(fs::exists(root_ + "/memory/shared"));        // existed before: kept
    EXPECT_FALSE(fs::exists(root_ + "/cpu,cpuacct/shared"));  // made by us and empty: removed
}

// The shared parent (the default /gocker) is made when missing but not counted as made: the
// container's own directory goes at destroy, the parent stays for the next container. Hybrid,
// so that both the v1 and the v2 side are covered; a path equal to the parent is not affected.
TEST_F(ScratchCgroups, SharedParentIsMadeButNeverRemoved) {
    std::vector<Hierarchy> v1{{1, root_ + "/memory", {"memory"}}};
    Hierarchy v2{2, root_ + "/unified", {"hugetlb"}};
    for (auto d : {"/memory", "/unified"}) fs::create_directories(root_ + d);
    touch(root_ + "/unified/cgroup.subtree_control");
    CgroupLayout layout{CgroupMode::hybrid, {v1[0], v2}};
    auto m = make_manager(layout, "/gocker/c1");
    ASSERT_TRUE(m);
    (*m)->keep_shared_parent("/gocker");
    ASSERT_TRUE((*m)->create());
    EXPECT_EQ((*m)->created_dirs(),
              (std::vector<std::string>{root_ + "/memory/gocker/c1", root_ + "/unified/gocker/c1"}));
    auto again = load_manager(layout, manager_state_json(**m));
    ASSERT_TRUE(again);
    ASSERT_TRUE((*again)->destroy());
    for (auto d : {"/memory", "/unified"}) {
        EXPECT_FALSE(fs::exists(root_ + d + "/gocker/c1")) << d;
        EXPECT_TRUE(fs::exists(root_ + d + "/gocker")) << d;
    }
    fs::remove_all(root_ + "/memory/gocker");
    auto same = make_manager(CgroupLayout{CgroupMode::v1, v1}, "/gocker");
    ASSERT_TRUE(same);
    (*same)->keep_shared_parent("/gocker");  // the container's own directory: still its own
    ASSERT_TRUE((*same)->create());
    EXPECT_EQ((*same)->created_dirs(), (std::vector<std::string>{root_ + "/memory/gocker"}));
}

TEST_F(ScratchCgroups, HybridRoutesEachControllerWhereItLives) {
    std::vector<Hierarchy> v1{{1, root_ + "/memory", {"memory"}}, {1, root_ + "/freezer", {"freezer"}}};
    Hierarchy v2{2, root_ + "/unified", {"hugetlb"}};
    for (auto d : {"/memory", "/freezer", "/unified"}) fs::create_directories(root_ + d);
    touch(root_ + "/unified/cgroup.subtree_control");
    auto m = make_manager(CgroupLayout{CgroupMode::hybrid, {v1[0], v1[1], v2}}, "/g/c");
    ASSERT_TRUE(m);
    ASSERT_NE(dynamic_cast<HybridManager*>(m->get()), nullptr);
    ASSERT_TRUE((*m)->create());
    EXPECT_GE((*m)->clone_into_fd(), 0);  // the v2 directory, for CLONE_INTO_CGROUP
    EXPECT_EQ((*m)->dir_of("hugetlb"), root_ + "/unified/g/c");
    EXPECT_EQ((*m)->dir_of("memory"), root_ + "/memory/g/c");
    touch(root_ + "/unified/g/cgroup.subtree_control");
    touch(root_ + "/unified/g/c/hugetlb.2MB.max");
    touch(root_ + "/memory/g/c/memory.limit_in_bytes");
    for (auto d : {"/memory/g/c", "/freezer/g/c", "/unified/g/c"}) touch(root_ + d + "/cgroup.procs");
    spec::Resources r;
    r.memory.emplace();
    r.memory->limit = 8192;
    r.hugepage_limits.push_back({"2MB", 0});
    Status st = (*m)->apply(*plan_resources(r, (*m)->controllers()));
    ASSERT_TRUE(st) << st.error().message();
    EXPECT_EQ(slurp(root_ + "/memory/g/c/memory.limit_in_bytes"), "8192");
    EXPECT_EQ(slurp(root_ + "/unified/g/c/hugetlb.2MB.max"), "0");
    EXPECT_EQ(slurp(root_ + "/unified/cgroup.subtree_control"), "+hugetlb");
    // Cloned into v2: only the v1 hierarchies are written.
    ASSERT_TRUE((*m)->attach(99, true));
    EXPECT_EQ(slurp(root_ + "/memory/g/c/cgroup.procs"), "99");
    EXPECT_EQ(slurp(root_ + "/freezer/g/c/cgroup.procs"), "99");
    EXPECT_EQ(slurp(root_ + "/unified/g/c/cgroup.procs"), "");
}

TEST(CgroupLayout, FromThisKindOfHybridHost) {
    std::vector<MountInfo> mounts{{"/sys/fs/cgroup/cpu", "cgroup", "cgroup", "rw,cpu"},
                                  {"/sys/fs/cgroup/memory", "cgroup", "cgroup", "rw,memory"},
                                  {"/sys/fs/cgroup/unified", "cgroup2", "cgroup2", "rw"}};
    std::vector<CgroupController> ctrls{{"cpu", 1, "/sys/fs/cgroup/cpu"},
                                        {"memory", 1, "/sys/fs/cgroup/memory"},
                                        {"hugetlb", 2, "/sys/fs/cgroup/unified"}};
    auto l = layout_from(CgroupMode::hybrid, mounts, ctrls);
    ASSERT_EQ(l.hierarchies.size(), 3u);
    EXPECT_EQ(l.hierarchies[2].version, 2);
    EXPECT_EQ(l.hierarchies[2].mount_point, "/sys/fs/cgroup/unified");
    EXPECT_EQ(l.controllers().version_of("hugetlb"), 2);
    EXPECT_EQ(l.controllers().version_of("memory"), 1);
    EXPECT_EQ(l.controllers().version_of("io"), 0);
    // A v2 hierarchy without controllers is still kept (freezing, CLONE_INTO_CGROUP).
    auto bare = layout_from(CgroupMode::hybrid, mounts, {{"cpu", 1, "/sys/fs/cgroup/cpu"}});
    EXPECT_EQ(bare.hierarchies.back().version, 2);
    EXPECT_FALSE(make_manager(CgroupLayout{}, "/x"));
}

}  // namespace
}  // namespace gocker::cgroups
