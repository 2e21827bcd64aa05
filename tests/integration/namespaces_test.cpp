// Each namespace type, seen from inside the container, and joining a namespace by path.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "integration/bundle_fixture.hpp"

namespace gocker::test {
namespace {

namespace fs = std::filesystem;

std::string host_ns(const std::string& type) { return fs::read_symlink("/proc/self/ns/" + type).string(); }

class Namespaces : public BundleTest {
protected:
    // A new user namespace, container root mapped to host uid/gid 200000 (65536 ids).
    void new_user_namespace() {
        config().append("/linux/namespaces", R"({"type":"user"})");
        config().set("/linux/uidMappings", R"([{"containerID":0,"hostID":200000,"size":65536}])");
        config().set("/linux/gidMappings", R"([{"containerID":0,"hostID":200000,"size":65536}])");
    }
};

// `out` is what "cat /proc/self/cgroup; readlink /proc/self/ns/cgroup" printed in a container:
// every hierarchy must read "/" (the namespace is rooted at the container's own cgroups), and
// the namespace must not be the host's.
void expect_own_cgroupns_rooted_at_its_cgroup(const std::string& out) {
    std::istringstream in(out);
    std::string line, ns;
    int hierarchies = 0;
    while (std::getline(in, line)) {
        if (line.rfind("cgroup:[", 0) == 0) {
            ns = line;
            continue;
        }
        ++hierarchies;
        EXPECT_EQ(line.substr(line.size() - 2), ":/") << line;
    }
    EXPECT_GT(hierarchies, 0) << out;
    ASSERT_FALSE(ns.empty()) << out;
    EXPECT_NE(ns, host_ns("cgroup")) << "the container shares the host's cgroup namespace";
}

TEST_F(Namespaces, EachNewNamespaceDiffersFromTheHost) {
    program("for n in pid_for_children ipc uts net mnt cgroup; do readlink /proc/self/ns/$n; done");
    RunResult r = run("n1");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::istringstream in(r.out);
    std::string line;
    for (const char* type : {"pid_for_children", "ipc", "uts", "net", "mnt", "cgroup"}) {
        ASSERT_TRUE(std::getline(in, line)) << r.out;
        EXPECT_EQ(line.rfind(std::string(type == std::string("pid_for_children") ? "pid" : type) + ":[", 0), 0u)
            << line;
        EXPECT_NE(line, host_ns(type)) << type;
    }
}

TEST_F(Namespaces, WithoutANamespaceTheHostsIsShared) {
    config().drop_namespace("ipc");
    program("readlink /proc/self/ns/ipc");
    RunResult r = run("n2");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, host_ns("ipc") + "\n");
}

TEST_F(Namespaces, PidNamespaceMakesTheProgramPid1) {
    program("echo $$; ps -o pid | wc -l");
    RunResult r = run("pid");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::istringstream in(r.out);
    int pid = 0, lines = 0;
    in >> pid >> lines;
    EXPECT_EQ(pid, 1);
    // Header, sh, ps, wc: nothing of the host is visible.
    EXPECT_LE(lines, 4) << r.out;
}

TEST_F(Namespaces, UtsHostnameAndDomainname) {
    config().set("/hostname", "\"box-one\"");
    config().set("/domainname", "\"example.test\"");
    program("hostname; cat /proc/sys/kernel/domainname");
    own_uts_and_net_ = true;  // the namespace the runtime runs in is the test's, not the host's
    RunResult r = run("uts");
    NsView outside = split_ns_view(r.out);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "box-one\nexample.test\n");
    ASSERT_FALSE(outside.hostname.empty()) << r.out;
    EXPECT_NE(outside.hostname, "box-one");
    EXPECT_NE(outside.domainname, "example.test");
}

TEST_F(Namespaces, NetworkNamespaceHasOnlyLoopback) {
    program("tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '");
    RunResult r = run("net");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "lo\n");
}

TEST_F(Namespaces, CgroupNamespaceRootsEveryHierarchy) {
    program("cat /proc/self/cgroup");
    RunResult r = run("cg");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_FALSE(r.out.empty());
    std::istringstream in(r.out);
    std::string line;
    while (std::getline(in, line)) EXPECT_EQ(line.substr(line.size() - 2), ":/") << line;
}

// Without a cgroup namespace the cgroup mount binds the init's own cgroup of each v1 hierarchy,
// read from /proc/self/cgroup while the rootfs is mounted: the init must already be attached then
// (it waits for "cgroup_attached"), or the host's root cgroup would be bound instead.
TEST_F(Namespaces, WithoutCgroupNamespaceTheCgroupMountIsTheContainersOwn) {
    config().drop_namespace("cgroup");
    program("for f in /sys/fs/cgroup/*/cgroup.procs; do echo \"$f: $(cat $f | tr '\\n' ' ')\"; done");
    RunResult r = run("owncg");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::istringstream in(r.out);
    std::string line;
    int files = 0;
    while (std::getline(in, line)) {
        ++files;
        // In the container's pid namespace only its own processes are listed: the program is 1.
        EXPECT_NE((" " + line.substr(line.find(':') + 1) + " ").find(" 1 "), std::string::npos) << line;
    }
    EXPECT_GT(files, 0) << r.out << r.err;
}

// With a new user namespace the init asks for its id maps while the runtime is still attaching
// it to the v1 cgroups: the two exchanges must interleave and the cgroup namespace still be
// rooted at the container's cgroups.
TEST_F(Namespaces, CgroupNamespaceInAUserNamespaceRootsEveryHierarchy) {
    new_user_namespace();
    program("cat /proc/self/cgroup; readlink /proc/self/ns/cgroup");
    RunResult r = run("cguser");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    expect_own_cgroupns_rooted_at_its_cgroup(r.out);
}

TEST_F(Namespaces, UserNamespaceMapsIds) {
    new_user_namespace();
    program("sleep 30");
    RunResult made = create("user");
    ASSERT_EQ(made.exit_code, 0) << made.err;
    int pid = pid_of("user");
    // From the host, the waiting init runs as the mapped uid.
    std::string status = read_text("/proc/" + std::to_string(pid) + "/status");
    EXPECT_NE(status.find("Uid:\t200000\t200000\t200000\t200000"), std::string::npos) << status;

    program("cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g");
    RunResult fg = run("user2");
    ASSERT_EQ(fg.exit_code, 0) << fg.err;
    std::istringstream in(fg.out);
    std::string a, b, c, d, e, f;
    in >> a >> b >> c >> d >> e >> f;
    EXPECT_EQ(a + " " + b + " " + c, "0 200000 65536") << fg.out;
    EXPECT_EQ(d + " " + e + " " + f, "0 200000 65536") << fg.out;
    std::string uid, gid;
    in >> uid >> gid;
    EXPECT_EQ(uid, "0");
    EXPECT_EQ(gid, "0");
}

TEST_F(Namespaces, TimeNamespaceOffsetsBoottime) {
    config().append("/linux/namespaces", R"({"type":"time"})");
    config().set("/linux/timeOffsets", R"({"boottime":{"secs":8640000,"nanosec":0}})");
    program("cut -d. -f1 /proc/uptime");
    RunResult r = run("time");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    long host_uptime = std::stol(read_text("/proc/uptime"));
    long in_container = std::stol(r.out);
    EXPECT_GE(in_container, host_uptime + 8640000);
    EXPECT_LT(in_container, host_uptime + 8640000 + 60);
}

TEST_F(Namespaces, JoinAnotherContainersNetworkByPath) {
    program("sleep 30");
    ASSERT_EQ(create("owner").exit_code, 0);
    int pid = pid_of("owner");
    std::string ns_path = "/proc/" + std::to_string(pid) + "/ns/net";
    std::string want = fs::read_symlink(ns_path).string();
    config().drop_namespace("network");
    config().append("/linux/namespaces", R"({"type":"network","path":)" + json_str(ns_path) + "}");
    program("readlink /proc/self/ns/net");
    RunResult r = run("joiner");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, want + "\n");
    EXPECT_NE(want, host_ns("net"));
}

// A container that joins another's user (and pid) namespace makes its other new namespaces after
// the join; its new cgroup namespace must still wait for its own cgroups.
TEST_F(Namespaces, NewCgroupNamespaceInsideAJoinedUserNamespaceIsRootedAtItsCgroup) {
    new_user_namespace();
    program("sleep 30");
    ASSERT_EQ(create("userowner").exit_code, 0);
    std::string base = "/proc/" + std::to_string(pid_of("userowner")) + "/ns/";
    config().drop_namespace("user");
    config().drop_namespace("pid");
    config().append("/linux/namespaces", R"({"type":"user","path":)" + json_str(base + "user") + "}");
    config().append("/linux/namespaces", R"({"type":"pid","path":)" + json_str(base + "pid") + "}");
    config().set("/linux/uidMappings", "[]");
    config().set("/linux/gidMappings", "[]");
    program("cat /proc/self/cgroup; readlink /proc/self/ns/cgroup");
    RunResult r = run("userjoiner");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    expect_own_cgroupns_rooted_at_its_cgroup(r.out);
}

TEST_F(Namespaces, JoiningSomethingThatIsNotANamespaceFailsNamingIt) {
    std::string bogus = tmp() + "/not-a-namespace";
    write_text(bogus, "x");
    config().drop_namespace("ipc");
    config().append("/linux/namespaces", R"({"type":"ipc","path":)" + json_str(bogus) + "}");
    program("true");
    RunResult r = create("bad");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(bogus), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(root() + "/bad"));
}

}  // namespace
}  // namespace gocker::test
