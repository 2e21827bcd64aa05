// Finding 5 of issue 11: `ps` prints the command lines of the container's processes, which the
// container chooses: terminal escape sequences in them must reach the terminal defused.
#include <gtest/gtest.h>

#include "integration/bundle_fixture.hpp"

namespace gocker {
namespace {

using test::contains;
using test::RunResult;

class PsEscape : public test::BundleTest {};

TEST_F(PsEscape, EscapeSequencesInArgvAreNotPrinted) {
    cfg().process->args = {"sh", "-c", "sleep 1000; true", "\033]0;owned\007\033[2J"};
    ASSERT_EQ(create("esc").exit_code, 0);
    ASSERT_EQ(gocker({"start", "esc"}).exit_code, 0);
    RunResult r = gocker({"ps", "esc"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(r.out, "?]0;owned??[2J")) << r.out;
    EXPECT_EQ(r.out.find('\033'), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find('\007'), std::string::npos) << r.out;
}

}  // namespace
}  // namespace gocker
