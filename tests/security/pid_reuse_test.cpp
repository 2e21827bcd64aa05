// The PID-reuse guard: a stopped container's recorded PID may belong to another process by now.
// `state`, `kill` and `delete` must see that the process is not the container's init (its start
// time differs from the recorded one) and leave it alone.
//
// The reuse is staged: the container's state.json (in the test's own --root) is pointed at a
// `sleep` of the test's own, keeping the init's recorded start time.
#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <thread>

#include "integration/bundle_fixture.hpp"
#include "security/host_cgroups.hpp"

namespace gocker {
namespace {

using test::contains;
using test::Decoy;
using test::RunResult;

class PidReuse : public test::BundleTest {};

TEST_F(PidReuse, AnotherProcessWithTheRecordedPidIsNotTheContainer) {
    cfg().process->args = {"sleep", "1000"};
    ASSERT_EQ(create("reused").exit_code, 0);
    ASSERT_EQ(gocker({"start", "reused"}).exit_code, 0);
    ASSERT_EQ(gocker({"kill", "reused", "KILL"}).exit_code, 0);
    for (int i = 0; i < 500 && !contains(gocker({"state", "reused"}).out, "\"stopped\""); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_TRUE(contains(gocker({"state", "reused"}).out, "\"stopped\""));

    Decoy other;
    std::string state_file = root() + "/reused/state.json";
    std::string record = test::read_text(state_file);
    std::string moved =
        std::regex_replace(record, std::regex("\"pid\":[0-9]+"), "\"pid\":" + std::to_string(other.pid()));
    ASSERT_NE(moved, record);
    test::write_text(state_file, moved, 0600);

    RunResult st = gocker({"state", "reused"});
    EXPECT_TRUE(contains(st.out, "\"stopped\"")) << st.out;
    RunResult k = gocker({"kill", "reused", "TERM"});
    EXPECT_NE(k.exit_code, 0);
    EXPECT_TRUE(contains(k.err, "not running")) << k.err;
    RunResult d = gocker({"delete", "reused"});
    EXPECT_EQ(d.exit_code, 0) << d.err;
    EXPECT_TRUE(other.alive()) << "the process that reused the PID was signalled";
}

}  // namespace
}  // namespace gocker
