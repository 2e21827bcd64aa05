// linux.seccomp compiled with libseccomp: the name mappings, the refusals, and filters loaded in
// a forked child (so the test runner itself stays unfiltered) to prove each rule does what it says.
#include <gtest/gtest.h>
#include <seccomp.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>

#include "linux/seccomp.hpp"
#include "linux/terminal.hpp"
#include "spec/config_io.hpp"

namespace gocker {
namespace {

spec::SeccompSyscall rule(std::vector<std::string> names, std::string action, std::optional<uint32_t> err = {},
                          std::vector<spec::SeccompArg> args = {}) {
    spec::SeccompSyscall s;
    s.names = std::move(names);
    s.action = std::move(action);
    s.errno_ret = err;
    s.args = std::move(args);
    return s;
}

spec::SeccompArg arg(uint32_t index, std::string op, uint64_t value, uint64_t two = 0) {
    spec::SeccompArg a;
    a.index = index;
    a.op = std::move(op);
    a.value = value;
    a.value_two = two;
    return a;
}

// Loads `profile` in a child and runs `probe` there; returns the child's exit code (or 128+signal).
int in_filtered_child(const spec::Seccomp& profile, const std::function<int()>& probe) {
    auto filter = compile_seccomp(profile);
    if (!filter) {
        ADD_FAILURE() << filter.error().message();
        return -1;
    }
    pid_t pid = ::fork();
    if (pid == 0) {
        ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        auto fd = filter->load();
        if (!fd) _exit(200);
        _exit(probe());
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// errno of a raw umask(2) call (0 when it succeeded): umask's argument makes a good target for
// argument filters because the call has no other effect.
int umask_errno(unsigned long mask) {
    long r = ::syscall(SYS_umask, mask);
    return r < 0 ? errno : 0;
}

TEST(Seccomp, ActionsMapToLibseccompValues) {
    EXPECT_EQ(seccomp_action("SCMP_ACT_KILL", {})->value, SCMP_ACT_KILL_THREAD);
    EXPECT_EQ(seccomp_action("SCMP_ACT_KILL_THREAD", {})->value, SCMP_ACT_KILL_THREAD);
    EXPECT_EQ(seccomp_action("SCMP_ACT_KILL_PROCESS", {})->value, SCMP_ACT_KILL_PROCESS);
    EXPECT_EQ(seccomp_action("SCMP_ACT_TRAP", {})->value, SCMP_ACT_TRAP);
    EXPECT_EQ(seccomp_action("SCMP_ACT_ERRNO", {})->value, SCMP_ACT_ERRNO(EPERM));
    EXPECT_EQ(seccomp_action("SCMP_ACT_ERRNO", 38u)->value, SCMP_ACT_ERRNO(38));
    EXPECT_EQ(seccomp_action("SCMP_ACT_TRACE", 5u)->value, SCMP_ACT_TRACE(5));
    EXPECT_EQ(seccomp_action("SCMP_ACT_ALLOW", {})->value, SCMP_ACT_ALLOW);
    EXPECT_EQ(seccomp_action("SCMP_ACT_LOG", {})->value, SCMP_ACT_LOG);
    auto notify = seccomp_action("SCMP_ACT_NOTIFY", {});
    EXPECT_EQ(notify->value, SCMP_ACT_NOTIFY);
    EXPECT_TRUE(notify->notify);
}

TEST(Seccomp, ErrnoRetOnAnActionWithoutErrnoIsRefused) {
    auto a = seccomp_action("SCMP_ACT_ALLOW", 1u);
    ASSERT_FALSE(a);
    EXPECT_NE(a.error().message().find("errnoRet is set but SCMP_ACT_ALLOW does not return an errno"),
              std::string::npos);
    EXPECT_FALSE(seccomp_action("SCMP_ACT_KILL", 1u));
    EXPECT_FALSE(seccomp_action("SCMP_ACT_BOGUS", {}));
}

TEST(Seccomp, ArchitecturesAndOperatorsResolve) {
    EXPECT_EQ(*seccomp_arch("SCMP_ARCH_X86_64"), SCMP_ARCH_X86_64);
    EXPECT_EQ(*seccomp_arch("SCMP_ARCH_AARCH64"), SCMP_ARCH_AARCH64);
    EXPECT_EQ(*seccomp_arch("SCMP_ARCH_PPC64LE"), SCMP_ARCH_PPC64LE);
    EXPECT_FALSE(seccomp_arch("SCMP_ARCH_VAX"));
    EXPECT_FALSE(seccomp_arch("x86_64"));
    EXPECT_EQ(*seccomp_operator("SCMP_CMP_MASKED_EQ"), SCMP_CMP_MASKED_EQ);
    EXPECT_EQ(*seccomp_operator("SCMP_CMP_NE"), SCMP_CMP_NE);
    EXPECT_FALSE(seccomp_operator("SCMP_CMP_LIKE"));
}

TEST(Seccomp, SupportedListsAreSubsetsOfTheSpecsAndCoverTheCore) {
    EXPECT_EQ(supported_seccomp_actions().size(), 9u);
    EXPECT_EQ(supported_seccomp_operators().size(), 7u);
    auto archs = supported_seccomp_archs();
    EXPECT_NE(std::find(archs.begin(), archs.end(), "SCMP_ARCH_X86_64"), archs.end());
    auto flags = supported_seccomp_flags();
    EXPECT_NE(std::find(flags.begin(), flags.end(), "SECCOMP_FILTER_FLAG_TSYNC"), flags.end());
    EXPECT_NE(std::find(flags.begin(), flags.end(), "SECCOMP_FILTER_FLAG_LOG"), flags.end());
    EXPECT_NE(std::find(flags.begin(), flags.end(), "SECCOMP_FILTER_FLAG_SPEC_ALLOW"), flags.end());
    EXPECT_EQ(seccomp_flag_supported("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"),
              SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 6));
}

TEST(Seccomp, UnknownSyscallNamesAreSkippedNotFatal) {
    spec::Seccomp p;
    p.default_action = "SCMP_ACT_ALLOW";
    p.syscalls = {rule({"getppid", "no_such_syscall_xyz"}, "SCMP_ACT_ERRNO")};
    auto f = compile_seccomp(p);
    ASSERT_TRUE(f) << f.error().message();
    EXPECT_EQ(f->rules_added(), 1u);
    EXPECT_EQ(f->names_skipped(), 1u);
}

TEST(Seccomp, RuleEqualToTheDefaultActionIsDropped) {
    spec::Seccomp p;
    p.default_action = "SCMP_ACT_ALLOW";
    p.syscalls = {rule({"getppid"}, "SCMP_ACT_ALLOW")};
    auto f = compile_seccomp(p);
    ASSERT_TRUE(f) << f.error().message();
    EXPECT_EQ(f->rules_added(), 0u);
}

TEST(Seccomp, UnsupportedFlagAndBadArchitectureAreErrorsWithTheirPath) {
    spec::Seccomp p;
    p.default_action = "SCMP_ACT_ALLOW";
    p.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_NOPE"};
    auto f = compile_seccomp(p);
    ASSERT_FALSE(f);
    EXPECT_NE(f.error().message().find("linux.seccomp.architectures[1]"), std::string::npos);
}

TEST(Seccomp, ErrnoRuleReturnsTheConfiguredErrno) {
    spec::Seccomp p;
    p.default_action = "SCMP_ACT_ALLOW";
    p.syscalls = {rule({"getppid"}, "SCMP_ACT_ERRNO", 42u)};
    int code = in_filtered_child(p, [] {
        long r = ::syscall(SYS_getppid);
        return r < 0 ? errno : 0;
    });
    EXPECT_EQ(code, 42);
}

TEST(Seccomp, DefaultErrnoRetAppliesToEverythingNotListed) {
    spec::Seccomp p;
    p.default_action = "SCMP_ACT_ERRNO";
    p.default_errno_ret = 77;
    // What the probe and a sanitizer runtime (ASan's allocator, report writing) may need.
    p.syscalls = {rule({"exit_group", "exit", "getpid", "mmap", "munmap", "madvise", "mprotect", "brk", "write",
                        "futex", "rt_sigprocmask", "rt_sigaction", "sigaltstack", "prlimit64", "close", "read",
                        "openat", "gettid", "sched_yield"},
                       "SCMP_ACT_ALLOW")};
    int code = in_filtered_child(p, [] {
        if (::syscall(SYS_getpid) < 0) return 1;
        long r = ::syscall(SYS_getppid);
        return r < 0 ? errno : 0;
    });
    EXPECT_EQ(code, 77);
}

TEST(Seccomp, KillActionsKillWithSigsys) {
    for (const char* action : {"SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD"}) {
        spec::Seccomp p;
        p.default_action = "SCMP_ACT_ALLOW";
        p.syscalls = {rule({"getppid"}, action)};
        int code = in_filtered_child(p, [] {
            ::syscall(SYS_getppid);
            return 0;
        });
        // KILL_THREAD on the only thread ends the process with SIGSYS as well.
        EXPECT_EQ(code, 128 + SIGSYS) << action;
    }
}

TEST(Seccomp, TrapDeliversSigsys) {
    spec::Seccomp p;
    p.default_action = "SCMP_ACT_ALLOW";
    p.syscalls = {rule({"getppid"}, "SCMP_ACT_TRAP")};
    int code = in_filtered_child(p, [] {
        ::signal(SIGSYS, [](int) { _exit(99); });
        ::syscall(SYS_getppid);
        return 0;
    });
    EXPECT_EQ(code, 99);
}

TEST(Seccomp, LogAndTraceWithoutTracer) {
    spec::Seccomp p;
    p.default_action = "SCMP_ACT_ALLOW";
    p.syscalls = {rule({"getppid"}, "SCMP_ACT_LOG"), rule({"getpgrp"}, "SCMP_ACT_TRACE")};
    int code = in_filtered_child(p, [] {
        // LOG allows the call; TRACE with no tracer attached fails it with ENOSYS.
        if (::syscall(SYS_getppid) < 0) return 1;
        long r = ::syscall(SYS_getpgrp);
        return r < 0 ? errno : 0;
    });
    EXPECT_EQ(code, ENOSYS);
}

struct OpCase {
    const char* op;
    uint64_t value, two;
    unsigned long hit, miss;  // an umask argument that matches, one that does not
};

class SeccompOperator : public ::testing::TestWithParam<OpCase> {};

TEST_P(SeccompOperator, MatchesOnlyWhatTheOperatorSays) {
    const OpCase& c = GetParam();
    spec::Seccomp p;
    p.default_action = "SCMP_ACT_ALLOW";
    p.syscalls = {rule({"umask"}, "SCMP_ACT_ERRNO", 50u, {arg(0, c.op, c.value, c.two)})};
    unsigned long hit = c.hit, miss = c.miss;
    int code = in_filtered_child(p, [hit, miss] {
        if (umask_errno(hit) != 50) return 1;
        if (umask_errno(miss) != 0) return 2;
        return 0;
    });
    EXPECT_EQ(code, 0) << c.op << " (1: the matching call was allowed, 2: the other one was refused)";
}

INSTANTIATE_TEST_SUITE_P(
    AllOperators, SeccompOperator,
    ::testing::Values(OpCase{"SCMP_CMP_NE", 022, 0, 077, 022}, OpCase{"SCMP_CMP_LT", 022, 0, 021, 022},
                      OpCase{"SCMP_CMP_LE", 022, 0, 022, 023}, OpCase{"SCMP_CMP_EQ", 022, 0, 022, 027},
                      OpCase{"SCMP_CMP_GE", 022, 0, 022, 021}, OpCase{"SCMP_CMP_GT", 022, 0, 023, 022},
                      OpCase{"SCMP_CMP_MASKED_EQ", 0700, 0700, 0777, 0077}),
    [](const auto& info) { return std::string(info.param.op).substr(9); });

TEST(Seccomp, TwoConditionsOnDifferentArgumentsMustBothHold) {
    spec::Seccomp p;
    p.default_action = "SCMP_ACT_ALLOW";
    // kill(pid, sig) with pid == 0 and sig == 0 only.
    p.syscalls = {rule({"kill"}, "SCMP_ACT_ERRNO", 51u, {arg(0, "SCMP_CMP_EQ", 0), arg(1, "SCMP_CMP_EQ", 0)})};
    int code = in_filtered_child(p, [] {
        if (::kill(0, 0) == 0 || errno != 51) return 1;
        if (::kill(::getpid(), 0) != 0) return 2;
        return 0;
    });
    EXPECT_EQ(code, 0);
}

TEST(Seccomp, SameArgumentTwiceBecomesAnyOf) {
    spec::Seccomp p;
    p.default_action = "SCMP_ACT_ALLOW";
    p.syscalls = {rule({"umask"}, "SCMP_ACT_ERRNO", 52u, {arg(0, "SCMP_CMP_EQ", 011), arg(0, "SCMP_CMP_EQ", 022)})};
    int code = in_filtered_child(p, [] {
        if (umask_errno(011) != 52 || umask_errno(022) != 52) return 1;
        if (umask_errno(033) != 0) return 2;
        return 0;
    });
    EXPECT_EQ(code, 0);
}

// The fd load() hands back is the filter's listener: the child passes it to the parent, calls
// getppid, and the parent receives that very call on the fd and answers it with errno 42.
TEST(Seccomp, NotifyFilterHandsBackAListenerFd) {
    spec::Seccomp p;
    p.default_action = "SCMP_ACT_ALLOW";
    p.syscalls = {rule({"getppid"}, "SCMP_ACT_NOTIFY")};
    EXPECT_TRUE(seccomp_uses_notify(p));
    auto f = compile_seccomp(p);
    ASSERT_TRUE(f);
    EXPECT_TRUE(f->uses_notify());
    int sv[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    pid_t pid = ::fork();
    if (pid == 0) {
        ::close(sv[0]);
        ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        auto fd = f->load();
        if (!fd || !fd->valid()) _exit(200);
        if (!send_fd(sv[1], fd->get(), "listener")) _exit(201);
        long r = ::syscall(SYS_getppid);  // waits for the parent's answer
        _exit(r < 0 ? errno : 0);
    }
    ::close(sv[1]);
    auto received = recv_fd(sv[0]);
    int listener = received ? received->release() : -1;
    ::close(sv[0]);
    EXPECT_GE(listener, 0) << "no listener fd came back from load()";
    if (listener >= 0) {
        // Closing the listener (on every path) ends a call still waiting, with ENOSYS.
        struct seccomp_notif req {};
        if (::ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) == 0) {
            EXPECT_EQ(req.data.nr, SYS_getppid);
            EXPECT_EQ(static_cast<pid_t>(req.pid), pid);
            struct seccomp_notif_resp resp {};
            resp.id = req.id;
            resp.error = -42;
            EXPECT_EQ(::ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp), 0) << std::strerror(errno);
        } else {
            ADD_FAILURE() << "SECCOMP_IOCTL_NOTIF_RECV on the fd: " << std::strerror(errno);
        }
        ::close(listener);
    } else {
        ::kill(pid, SIGKILL);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 42) << "status " << status;
}

spec::Seccomp default_profile() {
    std::ifstream in(std::string(GOCKER_SOURCE_DIR) + "/bundles/profiles/seccomp-default.json");
    std::stringstream ss;
    ss << in.rdbuf();
    auto cfg = spec::parse_config("{\"ociVersion\":\"1.3.0\",\"linux\":{\"seccomp\":" + ss.str() + "}}");
    EXPECT_TRUE(cfg) << cfg.error().message();
    return cfg ? *cfg->linux->seccomp : spec::Seccomp{};
}

TEST(SeccompDefaultProfile, CompilesAndIsAnAllowlist) {
    spec::Seccomp p = default_profile();
    EXPECT_EQ(p.default_action, "SCMP_ACT_ERRNO");
    auto f = compile_seccomp(p);
    ASSERT_TRUE(f) << f.error().message();
    EXPECT_GT(f->rules_added(), 300u);
}

TEST(SeccompDefaultProfile, BlocksNamespaceAndMountCallsAllowsOrdinaryOnes) {
    spec::Seccomp p = default_profile();
    int code = in_filtered_child(p, [] {
        if (::syscall(SYS_unshare, 0) >= 0 || errno != EPERM) return 1;
        if (::syscall(SYS_mount, "none", "/", "tmpfs", 0, nullptr) >= 0 || errno != EPERM) return 2;
        if (::syscall(SYS_kexec_load, 0, 0, nullptr, 0) >= 0 || errno != EPERM) return 3;
        if (::syscall(SYS_clone3, nullptr, 0) >= 0 || errno != ENOSYS) return 4;
        // fork (clone without namespace flags) and ordinary calls work.
        pid_t c = ::fork();
        if (c == 0) _exit(7);
        int st = 0;
        if (c < 0 || ::waitpid(c, &st, 0) != c || WEXITSTATUS(st) != 7) return 5;
        if (::getppid() <= 0) return 6;
        return 0;
    });
    EXPECT_EQ(code, 0);
}

}  // namespace
}  // namespace gocker
