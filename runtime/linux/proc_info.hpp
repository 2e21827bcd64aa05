// Facts about a host process read from /proc, and pidfds. Used to guard against PID reuse:
// a PID is only trusted when its start time matches the one recorded at create.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "common/fd.hpp"
#include "common/result.hpp"

namespace gocker {

struct ProcStat {
    char state = '?';                   // R S D Z T t X ...
    unsigned long long start_time = 0;  // clock ticks after boot (field 22)
    unsigned long flags = 0;            // the kernel's PF_* flags of the task (field 9)
};
// PF_FORKNOEXEC: set in a child at fork/clone, cleared by a successful execve (the kernel clears
// it before it closes the close-on-exec descriptors); a zombie still shows it.
inline constexpr unsigned long kProcForkNoExec = 0x00000040;

// Reads /proc/<pid>/stat. ENOENT when the process is gone.
Result<ProcStat> read_proc_stat(pid_t pid);

// Opens a pidfd for `pid` and checks that it is still the process started at `start_time`
// and not a zombie. Returns an error with ESRCH when the process is gone or is another one.
Result<UniqueFd> open_verified_pidfd(pid_t pid, unsigned long long start_time);

// True when the process recorded as (pid, start_time) is alive and not a zombie.
bool process_alive(pid_t pid, unsigned long long start_time);

// clone3 with `flags` (new namespaces), CLONE_PIDFD and SIGCHLD, straight into the cgroup v2
// directory `cgroup_fd` when there is one (CLONE_INTO_CGROUP). Returns 0 in the child.
Result<pid_t> clone_with_pidfd(uint64_t flags, int* pidfd, int cgroup_fd = -1);

Status pidfd_signal(int pidfd, int sig);

// A child of ours (the container init, an exec helper) until the command that made it commits:
// killed and reaped when destroyed unless release()d.
class OwnedChild {
public:
    OwnedChild() = default;
    OwnedChild(pid_t pid, UniqueFd pidfd) : pid_(pid), pidfd_(std::move(pidfd)) {}
    OwnedChild(OwnedChild&& o) noexcept : pid_(o.pid_), pidfd_(std::move(o.pidfd_)) { o.pid_ = -1; }
    OwnedChild& operator=(OwnedChild&& o) noexcept;
    ~OwnedChild() { kill_and_reap(); }
    void kill_and_reap();
    int pidfd() const { return pidfd_.get(); }
    // The caller keeps the child: nothing is done to it any more.
    UniqueFd release();

private:
    pid_t pid_ = -1;
    UniqueFd pidfd_;
};
// Waits until the process behind `pidfd` has exited; timeout_ms < 0 waits forever.
// Returns false on timeout.
bool pidfd_wait_exit(int pidfd, int timeout_ms);

// How a child ended, from waitid's si_code and si_status: "exited with status 1",
// "was killed by signal 9 (SIGKILL)", "was killed by signal 11 (SIGSEGV) and dumped core".
std::string describe_wait_status(int code, int status);
// The same for the child behind `pidfd`, once it has exited (waits up to timeout_ms; the child
// stays unreaped). Empty when it has not exited by then.
std::string describe_child_exit(int pidfd, int timeout_ms);

// The inode of /proc/<pid>/ns/<type> (0 when unreadable).
unsigned long long namespace_inode(pid_t pid, const char* type);

}  // namespace gocker
