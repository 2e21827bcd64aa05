// process.*: env, cwd, user, umask, rlimits, oomScoreAdj, and what becomes of the exit code.
#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>

#include "integration/bundle_fixture.hpp"

namespace gocker::test {
namespace {

namespace fs = std::filesystem;

using Process = BundleTest;

TEST_F(Process, EnvAndCwd) {
    config().set("/process/env", R"(["PATH=/bin:/usr/bin","GREETING=hello world","EMPTY="])");
    config().set("/process/cwd", "\"/tmp\"");
    program("echo \"$GREETING|${EMPTY-unset}|$PATH\"; pwd");
    RunResult r = run("env");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "hello world||/bin:/usr/bin\n/tmp\n");
}

TEST_F(Process, UserAndAdditionalGids) {
    config().set("/process/user", R"({"uid":1000,"gid":1001,"additionalGids":[10,20]})");
    program("id -u; id -g; id -G");
    RunResult r = run("user");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::istringstream in(r.out);
    std::string uid, gid;
    in >> uid >> gid;
    EXPECT_EQ(uid, "1000");
    EXPECT_EQ(gid, "1001");
    std::multiset<std::string> groups;
    for (std::string g; in >> g;) groups.insert(g);
    // id -G lists the primary gid and the supplementary ones; root's group 0 is not kept.
    EXPECT_EQ(groups, (std::multiset<std::string>{"1001", "10", "20"})) << r.out;
}

TEST_F(Process, Umask) {
    config().set("/process/user", R"({"uid":0,"gid":0,"umask":23})");  // 027 octal
    program("umask");
    RunResult r = run("umask");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "0027\n");
}

TEST_F(Process, RlimitNofile) {
    config().set("/process/rlimits", R"([{"type":"RLIMIT_NOFILE","soft":321,"hard":654}])");
    program("ulimit -n; ulimit -H -n");
    RunResult r = run("rl");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "321\n654\n");
}

TEST_F(Process, OomScoreAdj) {
    config().set("/process/oomScoreAdj", "345");
    program("cat /proc/self/oom_score_adj");
    RunResult r = run("oom");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "345\n");
}

TEST_F(Process, ExitCodesPassThrough) {
    for (int code : {0, 1, 42, 255}) {
        program("exit " + std::to_string(code));
        std::string id = "x" + std::to_string(code);
        RunResult r = run(id);
        EXPECT_EQ(r.exit_code, code) << r.err;
    }
}

TEST_F(Process, MissingProgramFailsCreateNamingIt) {
    config().set("/process/args", R"(["no-such-program","arg"])");
    RunResult r = create("missing");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find("no-such-program"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(root() + "/missing"));
}

TEST_F(Process, BadCwdFailsCreateNamingIt) {
    config().set("/process/cwd", "\"/no/such/dir\"");
    program("true");
    RunResult r = create("cwd");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("/no/such/dir"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(root() + "/cwd"));
}

}  // namespace
}  // namespace gocker::test
