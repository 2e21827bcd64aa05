// Finding 3 of issue 11: `--pid-file` is written through a temp file beside it; a symlink planted
// at the temp name must not be followed (it was <pidfile>.tmp.<pid>: predictable), and a failed
// create removes only a pid file it wrote itself.
//
// To know the runtime's pid in advance (it was the old temp name), `create` runs as pid 1 of a
// PID namespace of the test's own (`unshare --pid --fork --mount-proc`). Decoys are in the test's
// temporary directory.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "integration/bundle_fixture.hpp"

namespace gocker {
namespace {

using test::contains;
using test::RunResult;

class PidFile : public test::BundleTest {};

TEST_F(PidFile, SymlinkAtTheTempNameIsNotFollowed) {
    std::string decoy = tmp() + "/decoy", pid_file = tmp() + "/ctr.pid";
    test::write_text(decoy, "DECOY\n", 0600);
    // Every name the old code could have used for pid 1..3 leads to the decoy.
    for (int pid = 1; pid <= 3; ++pid)
        ASSERT_EQ(::symlink(decoy.c_str(), (pid_file + ".tmp." + std::to_string(pid)).c_str()), 0);
    cfg().process->args = {"true"};
    write_config_for("pidns");
    RunResult r = test::run_cmd({"unshare", "--pid", "--fork", "--mount-proc", binary_, "--root", root(), "create",
                                 "--bundle", bundle(), "--pid-file", pid_file, "pidns"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(test::read_text(decoy), "DECOY\n");
    struct stat st;
    ASSERT_EQ(::lstat(pid_file.c_str(), &st), 0);
    EXPECT_TRUE(S_ISREG(st.st_mode));
    EXPECT_GT(std::atoi(test::read_text(pid_file).c_str()), 0);
}

// A pid-file path whose temp name is too long: create fails at the pid file, and the file that
// was there before (not written by this create) is left alone.
TEST_F(PidFile, FailedCreateKeepsAFileItDidNotWrite) {
    std::string pid_file = tmp() + "/" + std::string(250, 'p');
    test::write_text(pid_file, "KEEP\n");
    cfg().process->args = {"true"};
    write_config_for("longpid");
    RunResult r = gocker({"create", "--bundle", bundle(), "--pid-file", pid_file, "longpid"});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_TRUE(contains(r.err, "name too long")) << r.err;
    EXPECT_EQ(test::read_text(pid_file), "KEEP\n");
    EXPECT_NE(gocker({"state", "longpid"}).exit_code, 0);  // and the create left nothing behind
}

}  // namespace
}  // namespace gocker
