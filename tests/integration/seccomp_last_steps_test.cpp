// Seccomp profiles that allow execve must not break the runtime's own last steps, and calls
// newer than a profile get ENOSYS (docs/security.md, "Seccomp").
//
// data/seccomp-older-docker.json is the shape of the OCI validation suite's default profile
// (Docker's older one): default SCMP_ACT_ERRNO, one allow list of the calls Linux 4.4 had, none
// newer than execveat. Written for these tests. tests/helpers/syscall_probe makes the raw calls.
#include <gtest/gtest.h>

#include <filesystem>

#include "integration/bundle_fixture.hpp"
#include "spec/config_io.hpp"

namespace gocker {
namespace {

using test::contains;
using test::RunResult;

spec::Seccomp older_docker_profile() {
    std::string text =
        test::read_text(std::string(GOCKER_SOURCE_DIR) + "/tests/integration/data/seccomp-older-docker.json");
    EXPECT_FALSE(text.empty());
    auto cfg = spec::parse_config("{\"ociVersion\":\"1.0.2\",\"linux\":{\"seccomp\":" + text + "}}");
    EXPECT_TRUE(cfg) << cfg.error().message();
    return cfg && cfg->linux && cfg->linux->seccomp ? *cfg->linux->seccomp : spec::Seccomp{};
}

std::string status_field(const std::string& out, const std::string& key) {
    auto pos = out.find("\n" + key + ":");
    if (pos == std::string::npos) return "<missing " + key + ">";
    pos += key.size() + 2;
    while (pos < out.size() && (out[pos] == '\t' || out[pos] == ' ')) ++pos;
    return out.substr(pos, out.find('\n', pos) - pos);
}

// With and without noNewPrivileges: without it the filter needs CAP_SYS_ADMIN to load, which the
// validation suite's capabilities do not include.
class SeccompLastSteps : public test::BundleTest, public ::testing::WithParamInterface<bool> {
protected:
    void SetUp() override {
        BundleTest::SetUp();
        std::string rootfs = copy_rootfs();
        std::filesystem::copy_file(GOCKER_SYSCALL_PROBE, rootfs + "/syscall_probe");
        spec::Capabilities c;  // the validation suite's set: no CAP_SYS_ADMIN
        c.bounding = {"CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
                      "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
                      "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
                      "CAP_KILL",    "CAP_AUDIT_WRITE"};
        c.effective = c.permitted = c.inheritable = c.bounding;
        cfg().process->capabilities = c;
        cfg().process->no_new_privileges = GetParam();
    }
    std::string id(const char* base) { return std::string(base) + (GetParam() ? "-nnp" : "-privs"); }
};

TEST_P(SeccompLastSteps, OlderDockerProfileRunsTheProgramAndNewCallsGetEnosys) {
    cfg().linux->seccomp = older_docker_profile();
    RunResult r =
        run_script(id("sc-older"),
                   "/syscall_probe openat2 close_range faccessat2 clone3 sysfs && ls /bin >/dev/null && echo listed");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_TRUE(contains(r.out, "openat2 ENOSYS\n")) << r.out;
    EXPECT_TRUE(contains(r.out, "close_range ENOSYS\n")) << r.out;
    EXPECT_TRUE(contains(r.out, "faccessat2 ENOSYS\n")) << r.out;
    EXPECT_TRUE(contains(r.out, "clone3 ENOSYS\n")) << r.out;
    // An old call the profile does not name still gets the profile's default: EPERM.
    EXPECT_TRUE(contains(r.out, "sysfs EPERM\n")) << r.out;
    EXPECT_TRUE(contains(r.out, "listed\n")) << r.out;
}

// Only execve may follow the load: a profile that kills on anything else, allowing just what the
// (static) program needs, must see the program run.
TEST_P(SeccompLastSteps, KillProcessProfileAllowingOnlyTheProgramsCalls) {
    spec::Seccomp s;
    s.default_action = "SCMP_ACT_KILL_PROCESS";
    spec::SeccompSyscall allow;
    allow.action = "SCMP_ACT_ALLOW";
    allow.names = {"execve",          "arch_prctl", "brk",   "mmap",      "munmap",   "mprotect",
                   "getrandom",       "newfstatat", "fstat", "prlimit64", "readlink", "set_robust_list",
                   "set_tid_address", "write",      "exit",  "exit_group"};
    s.syscalls = {allow};
    cfg().linux->seccomp = s;
    cfg().process->args = {"/syscall_probe", "openat2"};
    RunResult r = run(id("sc-kill"));
    EXPECT_EQ(r.exit_code, 0) << "128+31 is SIGSYS: a call after the load was killed. " << r.out << r.err;
    EXPECT_EQ(r.out, "openat2 ENOSYS\n") << r.err;
}

// Without noNewPrivileges the init keeps CAP_SYS_ADMIN until execve to load the filter; execve
// must still leave the program exactly the configured capabilities.
TEST_P(SeccompLastSteps, CapabilitiesAfterExecAreTheConfiguredOnes) {
    cfg().linux->seccomp = older_docker_profile();
    RunResult r = run_script(id("sc-caps"), "cat /proc/self/status");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    // The 14 capabilities of SetUp, as a mask.
    const std::string want = "00000000a80425fb";
    EXPECT_EQ(status_field(r.out, "CapEff"), want);
    EXPECT_EQ(status_field(r.out, "CapPrm"), want);
    EXPECT_EQ(status_field(r.out, "CapBnd"), want);
    EXPECT_EQ(status_field(r.out, "Seccomp"), "2");
    EXPECT_EQ(status_field(r.out, "NoNewPrivs"), GetParam() ? "1" : "0");
}

TEST_P(SeccompLastSteps, NonRootUserKeepsOnlyItsAmbientCapability) {
    cfg().linux->seccomp = older_docker_profile();
    auto& c = *cfg().process->capabilities;
    c.ambient = {"CAP_NET_BIND_SERVICE"};
    cfg().process->user.uid = 1000;
    cfg().process->user.gid = 1000;
    RunResult r = run_script(id("sc-user"), "cat /proc/self/status");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(status_field(r.out, "CapEff"), "0000000000000400");
    EXPECT_EQ(status_field(r.out, "CapPrm"), "0000000000000400");
    EXPECT_EQ(status_field(r.out, "CapAmb"), "0000000000000400");
}

INSTANTIATE_TEST_SUITE_P(NoNewPrivileges, SeccompLastSteps, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "nnp" : "no_nnp"; });

}  // namespace
}  // namespace gocker
