// Tests for exec's process object: exec_process_from_flags() (runc's rules for the flags) and
// spec::parse_process()/validate_process() (the --process file, with JSON paths).
#include <gtest/gtest.h>

#include "container/exec.hpp"
#include "spec/config_io.hpp"

namespace gocker {
namespace {

spec::Process base_process() {
    spec::Process p;
    p.args = {"sleep", "300"};
    p.env = {"PATH=/bin", "HOME=/root", "TERM=xterm"};
    p.cwd = "/";
    p.user.uid = 0;
    p.user.gid = 0;
    p.user.additional_gids = {5};
    spec::Capabilities caps;
    caps.bounding = caps.effective = caps.permitted = {"CAP_KILL"};
    p.capabilities = caps;
    return p;
}

TEST(ExecProcessFromFlags, ArgsAndTerminalComeFromTheCommandLine) {
    ExecOptions o;
    o.args = {"sh", "-c", "echo hi"};
    o.tty = true;
    auto p = exec_process_from_flags(base_process(), o);
    ASSERT_TRUE(p) << p.error().message();
    EXPECT_EQ(p->args, o.args);
    EXPECT_TRUE(p->terminal);
    EXPECT_EQ(p->env, base_process().env);
    EXPECT_EQ(p->cwd, "/");
}

TEST(ExecProcessFromFlags, NoCommandIsAnError) {
    auto p = exec_process_from_flags(base_process(), ExecOptions{});
    ASSERT_FALSE(p);
    EXPECT_NE(p.error().message().find("no command"), std::string::npos);
}

TEST(ExecProcessFromFlags, EnvReplacesOrAppends) {
    ExecOptions o;
    o.args = {"env"};
    o.env = {"HOME=/tmp", "NEW=1", "HOMEX=2"};
    auto p = exec_process_from_flags(base_process(), o);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->env, (std::vector<std::string>{"PATH=/bin", "HOME=/tmp", "TERM=xterm", "NEW=1", "HOMEX=2"}));
    o.env = {"=oops"};
    EXPECT_FALSE(exec_process_from_flags(base_process(), o));
    o.env = {"NOEQUALS"};
    EXPECT_FALSE(exec_process_from_flags(base_process(), o));
}

TEST(ExecProcessFromFlags, UserGroupsCwd) {
    ExecOptions o;
    o.args = {"id"};
    o.uid = 1000;
    o.additional_gids = {10, 11};
    o.cwd = "/tmp";
    auto p = exec_process_from_flags(base_process(), o);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->user.uid, 1000u);
    EXPECT_EQ(p->user.gid, 0u);  // only --user UID:GID changes the group
    EXPECT_EQ(p->user.additional_gids, (std::vector<uint32_t>{5, 10, 11}));
    EXPECT_EQ(p->cwd, "/tmp");
    o.gid = 1001;
    EXPECT_EQ(exec_process_from_flags(base_process(), o)->user.gid, 1001u);
}

TEST(ExecProcessFromFlags, CapsGoToBoundingEffectivePermittedAndAmbientOnlyWithInheritable) {
    ExecOptions o;
    o.args = {"true"};
    o.caps = {"sys_admin", "CAP_KILL"};
    auto p = exec_process_from_flags(base_process(), o);
    ASSERT_TRUE(p);
    std::vector<std::string> want{"CAP_KILL", "CAP_SYS_ADMIN"};
    EXPECT_EQ(p->capabilities->bounding, want);
    EXPECT_EQ(p->capabilities->effective, want);
    EXPECT_EQ(p->capabilities->permitted, want);
    EXPECT_TRUE(p->capabilities->ambient.empty());
    spec::Process with_inh = base_process();
    with_inh.capabilities->inheritable = {"CAP_KILL"};
    p = exec_process_from_flags(with_inh, o);
    EXPECT_EQ(p->capabilities->ambient, (std::vector<std::string>{"CAP_SYS_ADMIN", "CAP_KILL"}));
}

TEST(ExecProcessFromFlags, NoNewPrivsAndLabels) {
    ExecOptions o;
    o.args = {"true"};
    o.no_new_privs = true;
    o.apparmor = "prof";
    o.process_label = "system_u:system_r:container_t:s0";
    auto p = exec_process_from_flags(base_process(), o);
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->no_new_privileges);
    EXPECT_EQ(p->apparmor_profile, "prof");
    EXPECT_EQ(p->selinux_label, "system_u:system_r:container_t:s0");
}

TEST(ParseProcess, ErrorsNameTheJsonPathInTheFile) {
    auto p = spec::parse_process(R"({"args":["sh"],"cwd":"/","user":{"uid":1,"gid":2},"env":["A=1"]})", "p.json");
    ASSERT_TRUE(p) << p.error().message();
    EXPECT_EQ(p->user.uid, 1u);
    EXPECT_TRUE(spec::validate_process(*p, "p.json"));

    auto bad = spec::parse_process(R"({"args":"sh","cwd":"/"})", "p.json");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message().rfind("p.json: /args: expected an array of strings", 0), 0u)
        << bad.error().message();
    bad = spec::parse_process(R"({"args":["sh"],"cwd":"/","user":{"uid":-1,"gid":0}})", "p.json");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message().find("p.json: /user/uid"), std::string::npos) << bad.error().message();

    auto rel = spec::parse_process(R"({"args":["sh"],"cwd":"relative"})", "p.json");
    ASSERT_TRUE(rel);
    Status st = spec::validate_process(*rel, "p.json");
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().message().rfind("p.json: /cwd: ", 0), 0u) << st.error().message();
    auto empty = spec::parse_process(R"({"args":[],"cwd":"/"})", "p.json");
    ASSERT_TRUE(empty);
    EXPECT_FALSE(spec::validate_process(*empty, "p.json"));
}

}  // namespace
}  // namespace gocker
