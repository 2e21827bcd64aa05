// Edges of exec, ps and update found in review (issue 16), each as runc 1.1 behaves: exec into a
// created container, ps of a stopped container whose cgroup record cannot be read, update flags
// with invalid values.
#include <gtest/gtest.h>
#include <unistd.h>

#include "integration/bundle_fixture.hpp"

namespace gocker::test {
namespace {

bool has(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

class CommandEdges : public BundleTest {};

TEST_F(CommandEdges, ExecIntoACreatedContainerRunsInItsNamespaces) {
    program("sleep 300");
    ASSERT_EQ(create("made").exit_code, 0);
    char ns[256] = {};
    std::string init_ns = "/proc/" + std::to_string(pid_of("made")) + "/ns/pid";
    ASSERT_GT(::readlink(init_ns.c_str(), ns, sizeof ns - 1), 0);
    RunResult r = gocker({"exec", "made", "readlink", "/proc/self/ns/pid"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, std::string(ns) + "\n");
    r = gocker({"exec", "--detach", "made", "true"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    // The exec does not start the container.
    EXPECT_EQ(status_of("made"), "created");
    ASSERT_EQ(start("made").exit_code, 0);
    EXPECT_EQ(status_of("made"), "running");
}

TEST_F(CommandEdges, PsOfAStoppedContainerSaysWhyItCannotList) {
    program("true");
    ASSERT_EQ(run("gone", {"--keep"}).exit_code, 0);
    ASSERT_EQ(status_of("gone"), "stopped");
    RunResult r = gocker({"ps", "--format", "json", "gone"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "[]\n");
    write_text(root() + "/gone/cgroup.json", "{not json", 0600);
    r = gocker({"ps", "gone"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(has(r.err, "ps gone: ")) << r.err;
    EXPECT_EQ(r.out, "");
}

TEST_F(CommandEdges, UpdateRefusesInvalidValuesNamingTheFlag) {
    // Checked before the container is looked up, as runc does.
    struct Case {
        const char* flag;
        const char* value;
    };
    for (Case c : {Case{"--memory", "-5"}, Case{"--memory-swap", "-2"}, Case{"--memory-reservation", "-3"},
                   Case{"--kernel-memory", "-7"}, Case{"--kernel-memory-tcp", "x"}, Case{"--memory", "12Q"},
                   Case{"--cpu-period", "-1"}, Case{"--cpu-shares", "-1"}, Case{"--cpu-rt-period", "1.5"},
                   Case{"--cpu-quota", "ten"}, Case{"--cpu-rt-runtime", "1e3"}, Case{"--pids-limit", "many"},
                   Case{"--blkio-weight", "5"}, Case{"--cpu-idle", "2"}}) {
        RunResult r = gocker({"update", c.flag, c.value, "nosuch"});
        EXPECT_EQ(r.exit_code, 1) << c.flag << " " << c.value;
        EXPECT_TRUE(has(r.err, std::string("update nosuch: ") + c.flag + ": "))
            << c.flag << " " << c.value << ": " << r.err;
    }
    // -1 is "unlimited" for the sizes, as in runc: accepted, so the error is the missing container.
    RunResult r = gocker({"update", "--memory", "-1", "nosuch"});
    EXPECT_TRUE(has(r.err, "container \"nosuch\" does not exist")) << r.err;
}

}  // namespace
}  // namespace gocker::test
