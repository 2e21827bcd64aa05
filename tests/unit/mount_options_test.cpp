#include "linux/mount_options.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <sys/mount.h>
#include <sys/statvfs.h>

#include <string>
#include <vector>

namespace gocker::mountopt {
namespace {

MountOptions parse_ok(const std::vector<std::string>& opts) {
    auto r = parse_mount_options(opts);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
    return r.ok() ? r.value() : MountOptions{};
}

struct FlagCase {
    const char* name;
    unsigned long flag;
    bool clears;
};

class FlagOptionTest : public ::testing::TestWithParam<FlagCase> {};

TEST_P(FlagOptionTest, SetsOrClearsItsFlag) {
    const FlagCase c = GetParam();
    if (!c.clears) {
        auto o = parse_ok({c.name});
        EXPECT_EQ(o.flags, c.flag) << c.name;
        EXPECT_EQ(o.cleared, 0UL) << c.name;
        EXPECT_TRUE(o.data.empty()) << c.name;
    } else {
        // A clearing option after the setting one turns the flag off and records it as cleared.
        auto o = parse_ok({"defaults", c.name});
        EXPECT_EQ(o.flags & c.flag, 0UL) << c.name;
        EXPECT_EQ(o.cleared, c.flag) << c.name;
        EXPECT_TRUE(o.data.empty()) << c.name;
    }
}

INSTANTIATE_TEST_SUITE_P(
    AllConfigMdOptions, FlagOptionTest,
    ::testing::Values(FlagCase{"acl", MS_POSIXACL, false}, FlagCase{"async", MS_SYNCHRONOUS, true},
                      FlagCase{"atime", MS_NOATIME, true}, FlagCase{"bind", MS_BIND, false},
                      FlagCase{"dev", MS_NODEV, true}, FlagCase{"diratime", MS_NODIRATIME, true},
                      FlagCase{"dirsync", MS_DIRSYNC, false}, FlagCase{"exec", MS_NOEXEC, true},
                      FlagCase{"iversion", MS_I_VERSION, false}, FlagCase{"lazytime", MS_LAZYTIME, false},
                      FlagCase{"loud", MS_SILENT, true}, FlagCase{"mand", MS_MANDLOCK, false},
                      FlagCase{"noacl", MS_POSIXACL, true}, FlagCase{"noatime", MS_NOATIME, false},
                      FlagCase{"nodev", MS_NODEV, false}, FlagCase{"nodiratime", MS_NODIRATIME, false},
                      FlagCase{"noexec", MS_NOEXEC, false}, FlagCase{"noiversion", MS_I_VERSION, true},
                      FlagCase{"nolazytime", MS_LAZYTIME, true}, FlagCase{"nomand", MS_MANDLOCK, true},
                      FlagCase{"norelatime", MS_RELATIME, true}, FlagCase{"nostrictatime", MS_STRICTATIME, true},
                      FlagCase{"nosuid", MS_NOSUID, false}, FlagCase{"nosymfollow", MS_NOSYMFOLLOW, false},
                      FlagCase{"rbind", MS_BIND | MS_REC, false}, FlagCase{"relatime", MS_RELATIME, false},
                      FlagCase{"remount", MS_REMOUNT, false}, FlagCase{"ro", MS_RDONLY, false},
                      FlagCase{"rw", MS_RDONLY, true}, FlagCase{"silent", MS_SILENT, false},
                      FlagCase{"strictatime", MS_STRICTATIME, false}, FlagCase{"suid", MS_NOSUID, true},
                      FlagCase{"sync", MS_SYNCHRONOUS, false}, FlagCase{"symfollow", MS_NOSYMFOLLOW, true}),
    [](const ::testing::TestParamInfo<FlagCase>& i) { return std::string(i.param.name); });

TEST(MountOptions, LaterOptionWins) {
    EXPECT_EQ(parse_ok({"ro", "rw"}).flags & MS_RDONLY, 0UL);
    EXPECT_EQ(parse_ok({"rw", "ro"}).flags & MS_RDONLY, static_cast<unsigned long>(MS_RDONLY));
    auto o = parse_ok({"nosuid", "suid", "nosuid"});
    EXPECT_EQ(o.flags, static_cast<unsigned long>(MS_NOSUID));
    EXPECT_EQ(o.cleared, 0UL);
}

TEST(MountOptions, TypicalProcAndDevptsOptions) {
    auto proc = parse_ok({"nosuid", "noexec", "nodev"});
    EXPECT_EQ(proc.flags, static_cast<unsigned long>(MS_NOSUID | MS_NOEXEC | MS_NODEV));
    auto devpts = parse_ok({"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"});
    EXPECT_EQ(devpts.flags, static_cast<unsigned long>(MS_NOSUID | MS_NOEXEC));
    EXPECT_EQ(devpts.data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
}

TEST(MountOptions, UnknownOptionsBecomeDataInOrder) {
    auto o = parse_ok({"nosuid", "strictatime", "mode=755", "size=65536k", "", "uid=1000"});
    EXPECT_EQ(o.data, "mode=755,size=65536k,uid=1000");
    EXPECT_EQ(o.flags, static_cast<unsigned long>(MS_NOSUID | MS_STRICTATIME));
    EXPECT_EQ(parse_ok({"x-gvfs-show"}).data, "x-gvfs-show");
}

TEST(MountOptions, PropagationOptionsKeepTheirOrder) {
    auto o =
        parse_ok({"rbind", "rprivate", "shared", "slave", "rslave", "private", "unbindable", "runbindable", "rshared"});
    ASSERT_EQ(o.propagation.size(), 8U);
    EXPECT_EQ(o.propagation[0], static_cast<unsigned long>(MS_PRIVATE | MS_REC));
    EXPECT_EQ(o.propagation[1], static_cast<unsigned long>(MS_SHARED));
    EXPECT_EQ(o.propagation[2], static_cast<unsigned long>(MS_SLAVE));
    EXPECT_EQ(o.propagation[3], static_cast<unsigned long>(MS_SLAVE | MS_REC));
    EXPECT_EQ(o.propagation[4], static_cast<unsigned long>(MS_PRIVATE));
    EXPECT_EQ(o.propagation[5], static_cast<unsigned long>(MS_UNBINDABLE));
    EXPECT_EQ(o.propagation[6], static_cast<unsigned long>(MS_UNBINDABLE | MS_REC));
    EXPECT_EQ(o.propagation[7], static_cast<unsigned long>(MS_SHARED | MS_REC));
    EXPECT_EQ(o.flags, static_cast<unsigned long>(MS_BIND | MS_REC));
    EXPECT_TRUE(o.data.empty());
}

TEST(MountOptions, BindPredicates) {
    EXPECT_TRUE(parse_ok({"bind"}).is_bind());
    EXPECT_FALSE(parse_ok({"bind"}).is_recursive_bind());
    EXPECT_TRUE(parse_ok({"rbind"}).is_recursive_bind());
    EXPECT_FALSE(parse_ok({"ro", "nosuid"}).is_bind());
}

struct AttrCase {
    const char* name;
    uint64_t set;
    uint64_t clr;
};

class RecursiveAttrTest : public ::testing::TestWithParam<AttrCase> {};

TEST_P(RecursiveAttrTest, MapsToMountSetattr) {
    const AttrCase c = GetParam();
    auto o = parse_ok({c.name});
    EXPECT_EQ(o.rec_attr_set, c.set) << c.name;
    EXPECT_EQ(o.rec_attr_clr, c.clr) << c.name;
    EXPECT_EQ(o.flags, 0UL) << c.name;
    EXPECT_TRUE(o.data.empty()) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    AllRecursiveOptions, RecursiveAttrTest,
    ::testing::Values(AttrCase{"rro", MOUNT_ATTR_RDONLY, 0}, AttrCase{"rrw", 0, MOUNT_ATTR_RDONLY},
                      AttrCase{"rnosuid", MOUNT_ATTR_NOSUID, 0}, AttrCase{"rsuid", 0, MOUNT_ATTR_NOSUID},
                      AttrCase{"rnodev", MOUNT_ATTR_NODEV, 0}, AttrCase{"rdev", 0, MOUNT_ATTR_NODEV},
                      AttrCase{"rnoexec", MOUNT_ATTR_NOEXEC, 0}, AttrCase{"rexec", 0, MOUNT_ATTR_NOEXEC},
                      AttrCase{"rnodiratime", MOUNT_ATTR_NODIRATIME, 0},
                      AttrCase{"rdiratime", 0, MOUNT_ATTR_NODIRATIME},
                      AttrCase{"rrelatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
                      AttrCase{"rnorelatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME},
                      AttrCase{"rnoatime", MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME},
                      AttrCase{"ratime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
                      AttrCase{"rstrictatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME},
                      AttrCase{"rnostrictatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
                      AttrCase{"rnosymfollow", MOUNT_ATTR_NOSYMFOLLOW, 0},
                      AttrCase{"rsymfollow", 0, MOUNT_ATTR_NOSYMFOLLOW}),
    [](const ::testing::TestParamInfo<AttrCase>& i) { return std::string(i.param.name); });

TEST(MountOptions, RecursiveOptionsCombineAndOverride) {
    auto o = parse_ok({"rro", "rnosuid", "rrw"});
    EXPECT_EQ(o.rec_attr_set, static_cast<uint64_t>(MOUNT_ATTR_NOSUID));
    EXPECT_EQ(o.rec_attr_clr, static_cast<uint64_t>(MOUNT_ATTR_RDONLY));
    // The last atime mode wins and the whole atime field is cleared, as the kernel requires.
    auto t = parse_ok({"rnoatime", "rstrictatime"});
    EXPECT_EQ(t.rec_attr_set, static_cast<uint64_t>(MOUNT_ATTR_STRICTATIME));
    EXPECT_EQ(t.rec_attr_clr, static_cast<uint64_t>(MOUNT_ATTR__ATIME));
}

TEST(MountOptions, IdmapIsRefusedWithThePath) {
    for (const char* opt : {"idmap", "ridmap"}) {
        auto r = parse_mount_options({"rbind", opt}, "mounts[3].options");
        ASSERT_FALSE(r.ok()) << opt;
        EXPECT_EQ(r.error().message(), std::string("mounts[3].options[1]: \"") + opt +
                                           "\": id-mapped mounts are not supported by this runtime");
    }
}

// podman --read-only: {"type":"tmpfs","options":["rw","rprivate","nosuid","nodev","tmpcopyup"]}.
TEST(MountOptions, TmpcopyupIsAnExtensionNotAKernelOption) {
    auto o = parse_ok({"rw", "rprivate", "nosuid", "nodev", "tmpcopyup"});
    EXPECT_TRUE(o.copy_up);
    EXPECT_EQ(o.data, "");
    EXPECT_EQ(o.flags, static_cast<unsigned long>(MS_NOSUID | MS_NODEV));
    EXPECT_FALSE(parse_ok({"nosuid"}).copy_up);
    auto known = known_mount_options();
    EXPECT_NE(std::find(known.begin(), known.end(), "tmpcopyup"), known.end());
}

TEST(MountOptions, RootfsPropagationValues) {
    EXPECT_EQ(parse_propagation("", "p").value(), 0UL);
    EXPECT_EQ(parse_propagation("shared", "p").value(), static_cast<unsigned long>(MS_SHARED));
    EXPECT_EQ(parse_propagation("slave", "p").value(), static_cast<unsigned long>(MS_SLAVE));
    EXPECT_EQ(parse_propagation("private", "p").value(), static_cast<unsigned long>(MS_PRIVATE));
    EXPECT_EQ(parse_propagation("unbindable", "p").value(), static_cast<unsigned long>(MS_UNBINDABLE));
    EXPECT_EQ(parse_propagation("rprivate", "p").value(), static_cast<unsigned long>(MS_PRIVATE | MS_REC));
    auto bad = parse_propagation("sharde", "linux.rootfsPropagation");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().message().rfind("linux.rootfsPropagation: unknown mount propagation \"sharde\"", 0), 0U);
}

TEST(MountOptions, LockedFlagsFromStatvfs) {
    EXPECT_EQ(locked_flags_from_statvfs(0), 0UL);
    EXPECT_EQ(locked_flags_from_statvfs(ST_NOSUID | ST_NODEV), static_cast<unsigned long>(MS_NOSUID | MS_NODEV));
    EXPECT_EQ(locked_flags_from_statvfs(ST_NOEXEC | ST_RDONLY | ST_NOATIME),
              static_cast<unsigned long>(MS_NOEXEC | MS_RDONLY | MS_NOATIME));
    EXPECT_EQ(locked_flags_from_statvfs(ST_RELATIME | ST_NODIRATIME),
              static_cast<unsigned long>(MS_RELATIME | MS_NODIRATIME));
}

}  // namespace
}  // namespace gocker::mountopt
