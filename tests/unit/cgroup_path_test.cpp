// linux.cgroupsPath -> the path used in every hierarchy.
#include <gtest/gtest.h>

#include "linux/cgroups/cgroup_path.hpp"
#include "linux/cgroups/units.hpp"

namespace gocker::cgroups {
namespace {

std::string resolve(const char* p, const char* id = "c1") {
    std::string s = p ? p : "";
    auto r = resolve_cgroup_path(p ? &s : nullptr, id);
    return r ? *r : "ERROR: " + r.error().message();
}

TEST(CgroupPath, MissingAndEmptyGoUnderTheDefaultParent) {
    EXPECT_EQ(resolve(nullptr, "abc"), "/gocker/abc");
    EXPECT_EQ(resolve("", "abc"), "/gocker/abc");
}

TEST(CgroupPath, AbsoluteIsTakenFromTheHierarchyRoot) {
    EXPECT_EQ(resolve("/a/b"), "/a/b");
    EXPECT_EQ(resolve("//a///b/"), "/a/b");
}

TEST(CgroupPath, RelativeGoesUnderTheDefaultParentNeverOurOwnCgroup) {
    EXPECT_EQ(resolve("pod1/c1"), "/gocker/pod1/c1");
}

TEST(CgroupPath, DotDotIsRefused) {
    EXPECT_NE(resolve("/a/../../etc").find("ERROR: /linux/cgroupsPath"), std::string::npos);
    EXPECT_NE(resolve("x/..").find("not allowed"), std::string::npos);
}

TEST(CgroupPath, SystemdStyleMapsLikeSystemdOnCgroupfs) {
    EXPECT_EQ(resolve("system.slice:docker:abc"), "/system.slice/docker-abc.scope");
    EXPECT_EQ(resolve("kubepods-besteffort-pod12.slice:cri-containerd:f00"),
              "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod12.slice/cri-containerd-f00.scope");
    EXPECT_EQ(resolve(":crio:x"), "/system.slice/crio-x.scope");
    EXPECT_EQ(resolve("-.slice:p:x"), "/p-x.scope");
    EXPECT_EQ(resolve("user.slice::x"), "/user.slice/x.scope");
    EXPECT_EQ(resolve("machine.slice:p:sub.slice"), "/machine.slice/sub.slice");
}

TEST(CgroupPath, MalformedSystemdStyleIsRefused) {
    EXPECT_NE(resolve("a:b").find("slice:prefix:name"), std::string::npos);
    EXPECT_NE(resolve("a:b:c:d").find("slice:prefix:name"), std::string::npos);
    EXPECT_NE(resolve("notaslice:p:n").find("not a valid systemd slice"), std::string::npos);
    EXPECT_NE(resolve("a--b.slice:p:n").find("not a valid systemd slice"), std::string::npos);
    EXPECT_NE(resolve("system.slice:p:").find("slice:prefix:name"), std::string::npos);
}

TEST(CgroupUnits, Bytes) {
    EXPECT_EQ(*parse_bytes("512M", "--m"), 512LL << 20);
    EXPECT_EQ(*parse_bytes("1G", "--m"), 1LL << 30);
    EXPECT_EQ(*parse_bytes("1gb", "--m"), 1LL << 30);
    EXPECT_EQ(*parse_bytes("2GiB", "--m"), 2LL << 30);
    EXPECT_EQ(*parse_bytes("1.5k", "--m"), 1536);
    EXPECT_EQ(*parse_bytes("4096", "--m"), 4096);
    EXPECT_EQ(*parse_bytes("max", "--m"), -1);
    EXPECT_EQ(*parse_bytes("-1", "--m"), -1);
    auto bad = parse_bytes("12Q", "--memory-limit");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message().rfind("--memory-limit: invalid value \"12Q\"", 0), 0u) << bad.error().message();
    EXPECT_FALSE(parse_bytes("", "--m"));
    EXPECT_FALSE(parse_bytes("M", "--m"));
    EXPECT_FALSE(parse_bytes("-5", "--m"));
}

TEST(CgroupUnits, CpuLimit) {
    auto half = parse_cpu_limit("0.5", "--cpu-limit");
    ASSERT_TRUE(half);
    EXPECT_EQ(half->quota, 50000);
    EXPECT_EQ(half->period, 100000u);
    EXPECT_EQ(parse_cpu_limit("2", "--cpu-limit")->quota, 200000);
    EXPECT_EQ(parse_cpu_limit("max", "--cpu-limit")->quota, -1);
    EXPECT_FALSE(parse_cpu_limit("0", "--cpu-limit"));
    EXPECT_FALSE(parse_cpu_limit("-1", "--cpu-limit"));
    EXPECT_FALSE(parse_cpu_limit("1.5x", "--cpu-limit"));
    EXPECT_FALSE(parse_cpu_limit("0.001", "--cpu-limit"));
}

TEST(CgroupUnits, Duration) {
    EXPECT_EQ(parse_duration("5s", "--i")->count(), 5000);
    EXPECT_EQ(parse_duration("100ms", "--i")->count(), 100);
    EXPECT_EQ(parse_duration("1m30s", "--i")->count(), 90000);
    EXPECT_EQ(parse_duration("2", "--i")->count(), 2000);
    EXPECT_FALSE(parse_duration("5x", "--i"));
    EXPECT_FALSE(parse_duration("", "--i"));
    EXPECT_FALSE(parse_duration("10us", "--i"));
}

}  // namespace
}  // namespace gocker::cgroups
