#include "container/tty_relay.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sys/socket.h>

#include <optional>

#include "linux/proc_info.hpp"
#include "linux/terminal.hpp"

namespace gocker {

RawTerminal::RawTerminal() {
    if (::isatty(0) && ::tcgetattr(0, &saved_) == 0) {
        struct termios raw = saved_;
        ::cfmakeraw(&raw);
        active_ = ::tcsetattr(0, TCSANOW, &raw) == 0;
    }
}

RawTerminal::~RawTerminal() {
    if (active_) ::tcsetattr(0, TCSANOW, &saved_);
}

namespace {

bool copy_some(int from, int to) {
    char buf[8192];
    ssize_t n = ::read(from, buf, sizeof buf);
    if (n <= 0) return n < 0 && (errno == EAGAIN || errno == EINTR);
    for (ssize_t off = 0; off < n;) {
        ssize_t w = ::write(to, buf + off, static_cast<size_t>(n - off));
        if (w < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        off += w;
    }
    return true;
}

void copy_window_size(int master) {
    struct winsize ws;
    if (::ioctl(0, TIOCGWINSZ, &ws) == 0) ::ioctl(master, TIOCSWINSZ, &ws);
}

}  // namespace

Result<int> forward_and_wait(pid_t pid, int pidfd, const sigset_t& forwarded, int master) {
    UniqueFd sfd(::signalfd(-1, &forwarded, SFD_CLOEXEC));
    if (!sfd) return sys_error("signalfd");
    if (master >= 0) copy_window_size(master);
    bool stdin_open = master >= 0, master_open = master >= 0;
    for (;;) {
        struct pollfd fds[4] = {{sfd.get(), POLLIN, 0},
                                {pidfd, POLLIN, 0},
                                {stdin_open ? 0 : -1, POLLIN, 0},
                                {master_open ? master : -1, POLLIN, 0}};
        if (::poll(fds, 4, -1) < 0) {
            if (errno == EINTR) continue;
            return sys_error("wait for the container");
        }
        if (fds[0].revents & POLLIN) {
            struct signalfd_siginfo si;
            if (::read(sfd.get(), &si, sizeof si) == sizeof si) {
                if (si.ssi_signo == SIGWINCH && master >= 0) copy_window_size(master);
                else if (si.ssi_signo != SIGCHLD) (void)pidfd_signal(pidfd, static_cast<int>(si.ssi_signo));
            }
        }
        if (fds[2].revents & (POLLIN | POLLHUP | POLLERR)) stdin_open = copy_some(0, master);
        if (fds[3].revents & (POLLIN | POLLHUP | POLLERR)) master_open = copy_some(master, 1);
        if (fds[1].revents & POLLIN) break;
    }
    // The program is gone: pass on what it wrote last.
    if (master_open) {
        ::fcntl(master, F_SETFL, ::fcntl(master, F_GETFL) | O_NONBLOCK);
        while (copy_some(master, 1)) {
            struct pollfd p = {master, POLLIN, 0};
            if (::poll(&p, 1, 0) <= 0 || !(p.revents & POLLIN)) break;
        }
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return sys_error("wait for the container");
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 1;
}

Result<ForegroundSession> ForegroundSession::begin(bool with_console) {
    ForegroundSession f;
    if (with_console) {
        int sv[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) return sys_error("console socketpair");
        f.ours_.reset(sv[0]);
        f.theirs_.reset(sv[1]);
    }
    sigfillset(&f.forwarded_);
    for (int s : {SIGKILL, SIGSTOP, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS})
        sigdelset(&f.forwarded_, s);
    f.masked_ = ::sigprocmask(SIG_BLOCK, &f.forwarded_, &f.old_) == 0;
    return f;
}

ForegroundSession::ForegroundSession(ForegroundSession&& o) noexcept
    : ours_(std::move(o.ours_)),
      theirs_(std::move(o.theirs_)),
      forwarded_(o.forwarded_),
      old_(o.old_),
      masked_(o.masked_) {
    o.masked_ = false;
}

ForegroundSession::~ForegroundSession() {
    if (masked_) ::sigprocmask(SIG_SETMASK, &old_, nullptr);
}

Result<UniqueFd> ForegroundSession::receive_master() { return recv_fd(ours_.get()); }

Result<int> ForegroundSession::wait(pid_t pid, int pidfd, int master) {
    Result<int> code = 0;
    {
        std::optional<RawTerminal> raw;
        if (master >= 0) raw.emplace();
        code = forward_and_wait(pid, pidfd, forwarded_, master);
    }
    if (masked_) ::sigprocmask(SIG_SETMASK, &old_, nullptr);
    masked_ = false;
    return code;
}

}  // namespace gocker
