#include "linux/proc_info.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <linux/sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace gocker {

Result<ProcStat> read_proc_stat(pid_t pid) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    UniqueFd fd(::open(path, O_RDONLY | O_CLOEXEC));
    if (!fd) return sys_error([&] { return std::string("open ") + path; });
    char buf[1024];
    ssize_t n = ::read(fd.get(), buf, sizeof buf - 1);
    if (n <= 0) return sys_error([&] { return std::string("read ") + path; });
    buf[n] = '\0';
    // comm may contain spaces and parentheses: fields start after the last ')'.
    char* p = strrchr(buf, ')');
    if (!p || p[1] != ' ') return Error(std::string("parse ") + path, EINVAL);
    ProcStat st;
    st.state = p[2];
    // After ") " come fields 3..: state(3) ... starttime(22) is the 20th field from state.
    char* cur = p + 2;
    for (int field = 3; field < 22; ++field) {
        if (field == 9) st.flags = strtoul(cur, nullptr, 10);
        cur = strchr(cur, ' ');
        if (!cur) return Error(std::string("parse ") + path, EINVAL);
        ++cur;
    }
    st.start_time = strtoull(cur, nullptr, 10);
    return st;
}

Result<UniqueFd> open_verified_pidfd(pid_t pid, unsigned long long start_time) {
    if (pid <= 0) return Error("the container has no process", ESRCH);
    UniqueFd fd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (!fd) return sys_error([&] { return "pidfd_open " + std::to_string(pid); });
    // Checked after opening the pidfd: from here on the pidfd pins this exact process.
    auto st = read_proc_stat(pid);
    if (!st || st->start_time != start_time || st->state == 'Z' || st->state == 'X')
        return Error("process " + std::to_string(pid) + " is gone", ESRCH);
    return fd;
}

bool process_alive(pid_t pid, unsigned long long start_time) {
    if (pid <= 0) return false;
    auto st = read_proc_stat(pid);
    return st && st->start_time == start_time && st->state != 'Z' && st->state != 'X';
}

Result<pid_t> clone_with_pidfd(uint64_t flags, int* pidfd, int cgroup_fd) {
    struct clone_args args = {};
    args.flags = flags | CLONE_PIDFD;
    args.pidfd = reinterpret_cast<uint64_t>(pidfd);
    args.exit_signal = SIGCHLD;
    if (cgroup_fd >= 0) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = static_cast<uint64_t>(cgroup_fd);
    }
    long pid = ::syscall(SYS_clone3, &args, sizeof args);
    if (pid < 0) return sys_error("clone3");
    return static_cast<pid_t>(pid);
}

Status pidfd_signal(int pidfd, int sig) {
    if (::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0) < 0)
        return sys_error([&] { return "send signal " + std::to_string(sig); });
    return {};
}

OwnedChild& OwnedChild::operator=(OwnedChild&& o) noexcept {
    if (this != &o) {
        kill_and_reap();
        pid_ = o.pid_;
        pidfd_ = std::move(o.pidfd_);
        o.pid_ = -1;
    }
    return *this;
}

void OwnedChild::kill_and_reap() {
    if (pid_ <= 0) return;
    if (pidfd_) (void)pidfd_signal(pidfd_.get(), SIGKILL);
    int status;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {}
    pid_ = -1;
}

UniqueFd OwnedChild::release() {
    pid_ = -1;
    return std::move(pidfd_);
}

bool pidfd_wait_exit(int pidfd, int timeout_ms) {
    struct pollfd p = {pidfd, POLLIN, 0};
    for (;;) {
        int r = ::poll(&p, 1, timeout_ms);
        if (r < 0 && errno == EINTR) continue;
        return r > 0;
    }
}

std::string describe_wait_status(int code, int status) {
    if (code == CLD_EXITED) return "exited with status " + std::to_string(status);
    const char* abbrev = ::sigabbrev_np(status);
    std::string text = "was killed by signal " + std::to_string(status) +
                       (abbrev ? std::string(" (SIG") + abbrev + ")" : std::string());
    if (code == CLD_DUMPED) text += " and dumped core";
    return text;
}

std::string describe_child_exit(int pidfd, int timeout_ms) {
    if (pidfd < 0 || !pidfd_wait_exit(pidfd, timeout_ms)) return {};
    siginfo_t si{};
    // WNOWAIT: whoever reaps the child later (the create rollback) still can.
    if (::waitid(P_PIDFD, static_cast<id_t>(pidfd), &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == 0) return {};
    return describe_wait_status(si.si_code, si.si_status);
}

unsigned long long namespace_inode(pid_t pid, const char* type) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/ns/%s", pid, type);
    struct stat st;
    if (::stat(path, &st) < 0) return 0;
    return st.st_ino;
}

}  // namespace gocker
