#include "linux/mount_plan.hpp"

#include <gtest/gtest.h>
#include <sys/mount.h>

#include <string>
#include <vector>

#include "support/spec_mount.hpp"

namespace gocker {
namespace {

using test::mnt;

PlanContext ctx(bool userns = false, bool netns = false) {
    PlanContext c;
    c.bundle = "/b/bundle";
    c.in_user_ns = userns;
    c.new_net_ns = netns;
    return c;
}

std::vector<MountOp> plan_ok(const spec::Config& cfg, const PlanContext& c = ctx()) {
    auto r = build_mount_plan(cfg, c);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
    return r.ok() ? r.value() : std::vector<MountOp>{};
}

std::string plan_error(const spec::Config& cfg, const PlanContext& c = ctx()) {
    auto r = build_mount_plan(cfg, c);
    return r.ok() ? "" : r.error().message();
}

// The mounts of the runtime-spec's default config (runc spec).
spec::Config default_config() {
    spec::Config cfg;
    cfg.mounts = {
        mnt("/proc", "proc", "proc", {}),
        mnt("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
        mnt("/dev/pts", "devpts", "devpts", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}),
        mnt("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}),
        mnt("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
        mnt("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
        mnt("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"}),
    };
    return cfg;
}

TEST(MountPlan, DefaultConfigInConfigOrder) {
    auto plan = plan_ok(default_config());
    ASSERT_EQ(plan.size(), 7U);
    const char* dests[] = {"/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup"};
    for (size_t i = 0; i < plan.size(); ++i) {
        EXPECT_EQ(plan[i].index, i);
        EXPECT_EQ(plan[i].destination, dests[i]);
    }
    EXPECT_EQ(plan[0].kind, MountKind::filesystem);
    EXPECT_EQ(plan[0].fstype, "proc");
    EXPECT_EQ(plan[0].flags, 0UL);
    EXPECT_TRUE(plan[0].data.empty());

    EXPECT_EQ(plan[1].fstype, "tmpfs");
    EXPECT_EQ(plan[1].flags, static_cast<unsigned long>(MS_NOSUID | MS_STRICTATIME));
    EXPECT_EQ(plan[1].data, "mode=755,size=65536k");

    EXPECT_EQ(plan[2].fstype, "devpts");
    EXPECT_EQ(plan[2].data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
    EXPECT_EQ(plan[3].source, "shm");
    EXPECT_EQ(plan[3].flags, static_cast<unsigned long>(MS_NOSUID | MS_NOEXEC | MS_NODEV));
    EXPECT_EQ(plan[4].fstype, "mqueue");

    EXPECT_EQ(plan[5].kind, MountKind::filesystem);
    EXPECT_EQ(plan[5].flags, static_cast<unsigned long>(MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY));
    EXPECT_FALSE(plan[5].sysfs_fallback);

    EXPECT_EQ(plan[6].kind, MountKind::cgroup);
    EXPECT_EQ(plan[6].flags, static_cast<unsigned long>(MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RELATIME | MS_RDONLY));
    for (const auto& op : plan) EXPECT_EQ(op.remount_flags, 0UL) << op.destination;
}

TEST(MountPlan, Cgroup2IsACgroupOp) {
    spec::Config cfg;
    cfg.mounts = {mnt("/sys/fs/cgroup", "cgroup2", "cgroup2", {"ro"})};
    auto plan = plan_ok(cfg);
    ASSERT_EQ(plan.size(), 1U);
    EXPECT_EQ(plan[0].kind, MountKind::cgroup);
    EXPECT_EQ(plan[0].fstype, "cgroup2");
}

TEST(MountPlan, BindSourcesRelativeToTheBundle) {
    spec::Config cfg;
    cfg.mounts = {mnt("/data", "bind", "volumes/data", {"rbind"}), mnt("/etc/hosts", "none", "/etc/hosts", {"bind"}),
                  mnt("/cfg", "", "./cfg", {"bind"})};
    auto plan = plan_ok(cfg);
    ASSERT_EQ(plan.size(), 3U);
    EXPECT_EQ(plan[0].kind, MountKind::bind);
    EXPECT_EQ(plan[0].source, "/b/bundle/volumes/data");
    EXPECT_EQ(plan[0].flags, static_cast<unsigned long>(MS_BIND | MS_REC));
    EXPECT_EQ(plan[1].source, "/etc/hosts");
    EXPECT_EQ(plan[1].flags, static_cast<unsigned long>(MS_BIND));
    EXPECT_TRUE(plan[1].fstype.empty());
    EXPECT_EQ(plan[2].kind, MountKind::bind);
    EXPECT_EQ(plan[2].source, "/b/bundle/./cfg");
}

TEST(MountPlan, TypeBindWithoutOptionsIsANonRecursiveBind) {
    spec::Config cfg;
    cfg.mounts = {mnt("/x", "bind", "/src", {})};
    auto plan = plan_ok(cfg);
    ASSERT_EQ(plan.size(), 1U);
    EXPECT_EQ(plan[0].kind, MountKind::bind);
    EXPECT_EQ(plan[0].flags, static_cast<unsigned long>(MS_BIND));
    EXPECT_EQ(plan[0].remount_flags, 0UL);
}

// runc and crun copy up only into a tmpfs; on any other mount the option is ignored.
TEST(MountPlan, TmpcopyupMarksOnlyTmpfsMounts) {
    spec::Config cfg;
    cfg.mounts = {mnt("/run", "tmpfs", "tmpfs", {"rw", "rprivate", "nosuid", "nodev", "tmpcopyup"}),
                  mnt("/data", "bind", "/src", {"rbind", "tmpcopyup"}), mnt("/tmp", "tmpfs", "tmpfs", {"nosuid"})};
    auto plan = plan_ok(cfg);
    ASSERT_EQ(plan.size(), 3U);
    EXPECT_TRUE(plan[0].copy_up);
    EXPECT_EQ(plan[0].flags, static_cast<unsigned long>(MS_NOSUID | MS_NODEV));
    EXPECT_FALSE(plan[1].copy_up);
    EXPECT_FALSE(plan[2].copy_up);
}

TEST(MountPlan, ReadOnlyBindIsRemountedWithItsPerMountFlags) {
    spec::Config cfg;
    cfg.mounts = {
        mnt("/ro", "bind", "/src", {"rbind", "ro", "nosuid", "nodev", "noexec", "noatime", "sync", "mode=755"})};
    auto plan = plan_ok(cfg);
    ASSERT_EQ(plan.size(), 1U);
    EXPECT_EQ(plan[0].flags, static_cast<unsigned long>(MS_BIND | MS_REC));
    // sync is a superblock flag that a bind remount cannot change; data is meaningless for a bind.
    EXPECT_EQ(plan[0].remount_flags, static_cast<unsigned long>(MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID |
                                                                MS_NODEV | MS_NOEXEC | MS_NOATIME));
    EXPECT_TRUE(plan[0].data.empty());
}

TEST(MountPlan, RwBindIsNotRemounted) {
    spec::Config cfg;
    cfg.mounts = {mnt("/rw", "bind", "/src", {"bind", "ro", "rw"})};
    auto plan = plan_ok(cfg);
    ASSERT_EQ(plan.size(), 1U);
    EXPECT_EQ(plan[0].remount_flags, 0UL);
}

TEST(MountPlan, PropagationAndRecursiveAttributesAreCarried) {
    spec::Config cfg;
    cfg.mounts = {mnt("/v", "bind", "/src", {"rbind", "rro", "rnosuid", "rshared"})};
    auto plan = plan_ok(cfg);
    ASSERT_EQ(plan.size(), 1U);
    EXPECT_EQ(plan[0].rec_attr_set, static_cast<uint64_t>(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID));
    EXPECT_EQ(plan[0].rec_attr_clr, 0U);
    ASSERT_EQ(plan[0].propagation.size(), 1U);
    EXPECT_EQ(plan[0].propagation[0], static_cast<unsigned long>(MS_SHARED | MS_REC));
    EXPECT_EQ(plan[0].remount_flags, 0UL);
}

TEST(MountPlan, SysfsInAUserNamespaceWithoutNetNamespaceBindsHostSys) {
    auto cfg = default_config();
    auto plan = plan_ok(cfg, ctx(true, false));
    ASSERT_EQ(plan.size(), 7U);
    EXPECT_EQ(plan[5].kind, MountKind::bind);
    EXPECT_TRUE(plan[5].sysfs_fallback);
    EXPECT_EQ(plan[5].source, "/sys");
    EXPECT_EQ(plan[5].flags, static_cast<unsigned long>(MS_BIND | MS_REC));
    EXPECT_EQ(plan[5].remount_flags,
              static_cast<unsigned long>(MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY));

    auto with_net = plan_ok(cfg, ctx(true, true));
    EXPECT_EQ(with_net[5].kind, MountKind::filesystem);
    EXPECT_FALSE(with_net[5].sysfs_fallback);
    auto root = plan_ok(cfg, ctx(false, false));
    EXPECT_EQ(root[5].kind, MountKind::filesystem);
}

TEST(MountPlan, ErrorsNameTheJsonPath) {
    spec::Config cfg;
    cfg.mounts = {mnt("/ok", "tmpfs", "tmpfs", {}), mnt("", "tmpfs", "tmpfs", {})};
    EXPECT_EQ(plan_error(cfg), "mounts[1].destination: must not be empty");

    cfg.mounts = {mnt("/x", "", "x", {"nosuid"})};
    EXPECT_EQ(plan_error(cfg), "mounts[0].type: must be set for a non-bind mount");

    cfg.mounts = {mnt("/x", "bind", "", {"rbind"})};
    EXPECT_EQ(plan_error(cfg), "mounts[0].source: a bind mount needs a source");

    cfg.mounts = {mnt("/a", "tmpfs", "tmpfs", {}), mnt("/x", "bind", "/s", {"rbind", "ro", "idmap"})};
    EXPECT_EQ(plan_error(cfg), "mounts[1].options[2]: \"idmap\": id-mapped mounts are not supported by this runtime");

    auto m = mnt("/x", "bind", "/s", {"rbind"});
    m.uid_mappings = {spec::IdMapping{0, 1000, 1}};
    cfg.mounts = {m};
    EXPECT_EQ(plan_error(cfg), "mounts[0].uidMappings: id-mapped mounts are not supported by this runtime");
}

TEST(MountPlan, EmptyConfigGivesEmptyPlan) {
    spec::Config cfg;
    EXPECT_TRUE(plan_ok(cfg).empty());
}

TEST(MountPlan, DevSetupUnlessDevIsABind) {
    EXPECT_TRUE(needs_dev_setup(default_config()));
    spec::Config none;
    EXPECT_TRUE(needs_dev_setup(none));
    spec::Config bound;
    bound.mounts = {mnt("/dev/", "bind", "/dev", {"rbind"})};
    EXPECT_FALSE(needs_dev_setup(bound));
    bound.mounts = {mnt("/dev", "none", "/dev", {"rbind", "nosuid"})};
    EXPECT_FALSE(needs_dev_setup(bound));
}

TEST(MountPlan, DevptsAtDevPts) {
    EXPECT_TRUE(has_devpts_at_dev_pts(default_config()));
    spec::Config cfg;
    cfg.mounts = {mnt("/dev/pts2", "devpts", "devpts", {})};
    EXPECT_FALSE(has_devpts_at_dev_pts(cfg));
    cfg.mounts = {mnt("//dev/./pts/", "devpts", "devpts", {})};
    EXPECT_TRUE(has_devpts_at_dev_pts(cfg));
}

TEST(MountPlan, CleanContainerPath) {
    EXPECT_EQ(clean_container_path("/a//b/./c/"), "/a/b/c");
    EXPECT_EQ(clean_container_path(""), "/");
    EXPECT_EQ(clean_container_path("/"), "/");
    EXPECT_EQ(clean_container_path("dev/pts"), "/dev/pts");
    EXPECT_EQ(clean_container_path("/a/../b"), "/a/../b");
}

}  // namespace
}  // namespace gocker
