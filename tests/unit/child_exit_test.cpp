// How an init that died before reporting is described: exit status or signal, read through its
// pidfd without reaping it.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux/proc_info.hpp"

namespace gocker {
namespace {

TEST(ChildExit, StatusAndSignalAreNamed) {
    EXPECT_EQ(describe_wait_status(CLD_EXITED, 1), "exited with status 1");
    EXPECT_EQ(describe_wait_status(CLD_KILLED, SIGKILL), "was killed by signal 9 (SIGKILL)");
    EXPECT_EQ(describe_wait_status(CLD_DUMPED, SIGSEGV), "was killed by signal 11 (SIGSEGV) and dumped core");
}

// A real child, seen through its pidfd; it stays a zombie for its owner to reap.
std::string child_that(int how) {
    pid_t pid = ::fork();
    if (pid == 0) {
        if (how == 0) _exit(3);
        ::raise(SIGKILL);
        _exit(99);
    }
    int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    std::string text = describe_child_exit(pidfd, 5000);
    int status = 0;
    EXPECT_EQ(::waitpid(pid, &status, 0), pid) << "describe_child_exit must not reap the child";
    ::close(pidfd);
    return text;
}

TEST(ChildExit, ReadThroughThePidfdWithoutReaping) {
    EXPECT_EQ(child_that(0), "exited with status 3");
    EXPECT_EQ(child_that(1), "was killed by signal 9 (SIGKILL)");
}

// Whether a child that is gone had execve'd, read from its zombie (exec's helper, whose sync
// socket closes both at its execve and at its death).
bool zombie_execed(bool exec) {
    pid_t pid = ::fork();
    if (pid == 0) {
        if (exec) ::execl("/bin/true", "true", static_cast<char*>(nullptr));
        _exit(0);
    }
    siginfo_t si{};
    EXPECT_EQ(::waitid(P_PID, static_cast<id_t>(pid), &si, WEXITED | WNOWAIT), 0);
    auto st = read_proc_stat(pid);
    EXPECT_TRUE(st) << st.error().message();
    int status = 0;
    EXPECT_EQ(::waitpid(pid, &status, 0), pid);
    return st && !(st->flags & kProcForkNoExec);
}

TEST(ChildExit, ZombieShowsWhetherItExeced) {
    EXPECT_FALSE(zombie_execed(false));
    EXPECT_TRUE(zombie_execed(true));
}

}  // namespace
}  // namespace gocker
