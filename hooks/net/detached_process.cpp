#include "net/detached_process.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace gocker::net {

Result<pid_t> spawn_detached(const std::function<int()>& work) {
    pid_t pid = ::fork();
    if (pid < 0) return sys_error("start a detached process: fork");
    if (pid > 0) return pid;
    // The child. Out of the caller's session and process group: a signal to the caller's group (a
    // runtime's hook timeout, say) does not reach it.
    ::setsid();
    int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null < 0) ::_exit(127);
    for (int fd = 0; fd < 3; ++fd)
        if (::dup2(null, fd) < 0) ::_exit(127);
    // Nothing else of the caller stays open: no pipe a runtime reads the hook's output from, no
    // lock, no socket.
    if (::syscall(SYS_close_range, 3U, ~0U, 0U) < 0)
        for (int fd = 3; fd < 1024; ++fd) ::close(fd);  // kernels before 5.9
    ::_exit(work());
}

}  // namespace gocker::net
