// The pure decisions of rootless mode: the flag, the initial-namespace test, the default state
// directory, subordinate id ranges and which id maps they cover, the rootless cgroup's path and
// the limit a refusal names, and the version `spec` writes.
#include <gtest/gtest.h>

#include "linux/cgroups/rootless_cgroup.hpp"
#include "linux/rootless.hpp"
#include "linux/subid.hpp"
#include "spec/config_io.hpp"

namespace gocker {
namespace {

TEST(Rootless, FlagValues) {
    EXPECT_EQ(*parse_rootless_flag("true"), std::optional<bool>(true));
    EXPECT_EQ(*parse_rootless_flag("false"), std::optional<bool>(false));
    EXPECT_EQ(*parse_rootless_flag("auto"), std::nullopt);
    auto bad = parse_rootless_flag("yes");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message(), "invalid --rootless \"yes\": expected true, false or auto: invalid argument");
}

TEST(Rootless, OnlyTheWholeIdentityMapIsTheInitialNamespace) {
    EXPECT_FALSE(is_non_initial_uid_map("         0          0 4294967295\n"));
    EXPECT_TRUE(is_non_initial_uid_map("         0       1001          1\n"));
    EXPECT_TRUE(is_non_initial_uid_map("0 0 65536\n"));
    EXPECT_TRUE(is_non_initial_uid_map("0 0 4294967295\n1 1 1\n"));
    EXPECT_TRUE(is_non_initial_uid_map(""));
}

TEST(Rootless, DefaultStateRoot) {
    EXPECT_EQ(*default_state_root(false, "/run/user/1000"), "/run/gocker");
    EXPECT_EQ(*default_state_root(true, "/run/user/1000"), "/run/user/1000/gocker");
    auto unset = default_state_root(true, nullptr);
    ASSERT_FALSE(unset);
    EXPECT_NE(unset.error().message().find("XDG_RUNTIME_DIR is not set"), std::string::npos);
    EXPECT_FALSE(default_state_root(true, ""));
    auto relative = default_state_root(true, "run/user");
    ASSERT_FALSE(relative);
    EXPECT_NE(relative.error().message().find("not an absolute path"), std::string::npos);
}

TEST(Subid, RangesOfAUserByNameOrId) {
    const char* text =
        "alice:100000:65536\n"
        "# comment\n"
        "1001:200000:1000\n"
        "bob:300000:65536\n"
        "alice:bad:1\n"
        "alice:400000:0\n"
        "alice:500000:10";  // no final newline
    auto r = parse_subid_ranges(text, "alice", 1001);
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(r[0].start, 100000u);
    EXPECT_EQ(r[0].count, 65536u);
    EXPECT_EQ(r[1].start, 200000u);
    EXPECT_EQ(r[2].start, 500000u);
    EXPECT_TRUE(parse_subid_ranges(text, "carol", 7).empty());
}

TEST(Subid, OwnIdOnlyNeedsNoHelper) {
    EXPECT_TRUE(is_own_id_only({{0, 1001, 1}}, 1001));
    EXPECT_FALSE(is_own_id_only({{0, 1002, 1}}, 1001));
    EXPECT_FALSE(is_own_id_only({{0, 1001, 2}}, 1001));
    EXPECT_FALSE(is_own_id_only({{0, 1001, 1}, {1, 100000, 65536}}, 1001));
}

TEST(Subid, CoverageFollowsNewuidmap) {
    std::vector<SubidRange> ranges{{100000, 65536}};
    EXPECT_EQ(first_uncovered_mapping({{0, 1001, 1}, {1, 100000, 65536}}, 1001, ranges), std::nullopt);
    EXPECT_EQ(first_uncovered_mapping({{0, 1001, 1}, {1, 100000, 65537}}, 1001, ranges), std::optional<size_t>(1));
    EXPECT_EQ(first_uncovered_mapping({{0, 99999, 2}}, 1001, ranges), std::optional<size_t>(0));
    EXPECT_EQ(first_uncovered_mapping({{0, 1002, 1}}, 1001, {}), std::optional<size_t>(0));
}

TEST(RootlessCgroup, RelativePathsGoBelowTheParentOfTheCallersCgroup) {
    const std::string own = "/user.slice/user-1000.slice/user@1000.service/app.slice/shell.scope";
    const std::string base = "/user.slice/user-1000.slice/user@1000.service/app.slice";
    EXPECT_EQ(*cgroups::rootless_v2_cgroup_path(nullptr, "c1", own), base + "/c1");
    std::string rel = "pod/c2";
    EXPECT_EQ(*cgroups::rootless_v2_cgroup_path(&rel, "c2", own), base + "/pod/c2");
    std::string abs = "/mine/c3";
    EXPECT_EQ(*cgroups::rootless_v2_cgroup_path(&abs, "c3", own), "/mine/c3");
    EXPECT_EQ(*cgroups::rootless_v2_cgroup_path(nullptr, "c4", "/"), "/c4");
}

TEST(RootlessCgroup, TheRefusalNamesTheFirstLimit) {
    spec::Resources res;
    res.devices.push_back({});
    EXPECT_EQ(cgroups::first_limit_field(res), std::nullopt);  // device rules are no limit
    res.memory = spec::Memory{};
    EXPECT_EQ(cgroups::first_limit_field(res), std::nullopt);  // an empty object neither
    res.pids = spec::Pids{100};
    EXPECT_EQ(cgroups::first_limit_field(res), std::optional<std::string>("/linux/resources/pids"));
    res.memory->limit = 1 << 20;
    EXPECT_EQ(cgroups::first_limit_field(res), std::optional<std::string>("/linux/resources/memory"));
}

TEST(SpecVersion, SpecWritesTheLowestVersionItsFieldsNeed) {
    spec::Config cfg = spec::default_config(true, 1000, 1000);
    EXPECT_EQ(spec::lowest_spec_version(cfg), "1.0.2");
    cfg.linux->seccomp.emplace();
    cfg.linux->seccomp->default_action = "SCMP_ACT_ERRNO";
    EXPECT_EQ(spec::lowest_spec_version(cfg), "1.0.2");
    cfg.linux->seccomp->syscalls.push_back({});
    cfg.linux->seccomp->syscalls.back().action = "SCMP_ACT_NOTIFY";
    EXPECT_EQ(spec::lowest_spec_version(cfg), "1.1.0");
}

}  // namespace
}  // namespace gocker
