#include "foreground.hpp"

#include <poll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <csignal>
#include <optional>

#include "core/attach.hpp"
#include "core/runtime_cli.hpp"
#include "linux/terminal.hpp"

namespace gocker::cli {
namespace {

class RawTerminal {
public:
    RawTerminal() {
        if (::tcgetattr(STDIN_FILENO, &saved_) != 0) return;
        struct termios raw = saved_;
        ::cfmakeraw(&raw);
        if (::tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0) active_ = true;
    }
    ~RawTerminal() {
        if (active_) ::tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
    }

private:
    struct termios saved_ {};
    bool active_ = false;
};

void write_all(int fd, const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
        ssize_t w = ::write(fd, s.data() + off, s.size() - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return;
        off += static_cast<size_t>(w);
    }
}

std::string window_size() {
    struct winsize ws {};
    if (::ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) != 0) return "";
    return std::to_string(ws.ws_row) + " " + std::to_string(ws.ws_col);
}

}  // namespace

Result<UniqueFd> attach_to(const core::Store& store, const std::string& id) {
    return connect_unix_socket(store.file(id, "attach.sock"), "attach to container " + id);
}

Result<int> relay(const core::Store& store, const core::Record& rec, UniqueFd sock) {
    sigset_t set;
    sigemptyset(&set);
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH}) sigaddset(&set, s);
    ::sigprocmask(SIG_BLOCK, &set, nullptr);
    UniqueFd sfd(::signalfd(-1, &set, SFD_CLOEXEC));
    ::signal(SIGPIPE, SIG_IGN);
    std::optional<RawTerminal> raw;
    if (rec.tty && ::isatty(STDIN_FILENO)) {
        raw.emplace();
        if (auto ws = window_size(); !ws.empty()) (void)core::send_frame(sock.get(), core::Frame::resize, ws);
    }
    core::RuntimeCli rt(rec.runtime, rec.runtime_root);
    bool stdin_open = rec.interactive;
    core::FrameReader reader;
    while (true) {
        struct pollfd fds[3] = {{sock.get(), POLLIN, 0}, {sfd.get(), POLLIN, 0}, {stdin_open ? 0 : -1, POLLIN, 0}};
        if (::poll(fds, 3, -1) < 0) {
            if (errno == EINTR) continue;
            return sys_error("wait for the container");
        }
        if (fds[1].revents & POLLIN) {
            struct signalfd_siginfo si {};
            if (::read(sfd.get(), &si, sizeof si) == sizeof si) {
                if (si.ssi_signo == SIGWINCH) {
                    if (rec.tty) (void)core::send_frame(sock.get(), core::Frame::resize, window_size());
                } else {
                    (void)rt.call({"kill", rec.id, std::to_string(si.ssi_signo)}, "forward signal");
                }
            }
        }
        if (fds[2].revents) {
            char buf[4096];
            ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
            if (n > 0) {
                (void)core::send_frame(sock.get(), core::Frame::stdin_data,
                                       std::string_view(buf, static_cast<size_t>(n)));
            } else if (n == 0 || errno != EINTR) {
                stdin_open = false;
                (void)core::send_frame(sock.get(), core::Frame::stdin_close, "");
            }
        }
        if (fds[0].revents) {
            char buf[65536];
            ssize_t n = ::read(sock.get(), buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            reader.feed(buf, static_cast<size_t>(n));
            while (auto f = reader.next()) {
                if (f->first == core::Frame::out) write_all(STDOUT_FILENO, f->second);
                else if (f->first == core::Frame::err) write_all(STDERR_FILENO, f->second);
                else if (f->first == core::Frame::exit) return std::atoi(f->second.c_str());
            }
        }
    }
    // The monitor went away without an exit frame: the record may still say how it ended.
    auto r = store.load(rec.id);
    if (r && r->exit_code) return *r->exit_code;
    return Error("container " + rec.id + ": lost the monitor before the container exited", EPIPE);
}

}  // namespace gocker::cli
