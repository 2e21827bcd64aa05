#include "monitor.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "attach.hpp"
#include "common/file_io.hpp"
#include "container/state_store.hpp"
#include "container_log.hpp"
#include "linux/proc_info.hpp"
#include "linux/terminal.hpp"
#include "rootfs_layer.hpp"
#include "runtime_cli.hpp"

namespace gocker::core {
namespace {

Result<UniqueFd> listen_unix(const std::string& path) {
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd) return sys_error([&] { return "socket for " + path; });
    struct sockaddr_un addr {};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) return Error("listen on " + path + ": path too long", ENAMETOOLONG);
    path.copy(addr.sun_path, path.size());
    ::unlink(path.c_str());
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        return sys_error([&] { return "bind " + path; });
    if (::listen(fd.get(), 16) != 0) return sys_error([&] { return "listen on " + path; });
    return fd;
}

struct Pipe {
    UniqueFd rd, wr;
};
Result<Pipe> make_pipe() {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return sys_error("pipe");
    return Pipe{UniqueFd(p[0]), UniqueFd(p[1])};
}

void set_nonblock(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

std::string read_available(int fd, int timeout_ms) {
    std::string out;
    char buf[4096];
    struct pollfd p {
        fd, POLLIN, 0
    };
    while (::poll(&p, 1, timeout_ms) > 0) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    return out;
}

std::string last_line(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    size_t nl = text.rfind('\n');
    return nl == std::string::npos ? text : text.substr(nl + 1);
}

class Monitor {
public:
    Monitor(const Store& store, Record rec)
        : store_(store),
          rec_(std::move(rec)),
          runtime_(rec_.runtime, rec_.runtime_root),
          log_(store.file(rec_.id, "container.log"), rec_.log_max_size) {}

    // Creates the container; on success the record says "created" and the loop can run.
    Status create() {
        GK_TRY(log_.open());
        attach_ = GK_TRY(listen_unix(store_.file(rec_.id, "attach.sock")));
        std::string pid_file = store_.file(rec_.id, "init.pid");
        std::vector<std::string> args{"create", "--bundle", store_.file(rec_.id, "bundle"), "--pid-file", pid_file};
        UniqueFd console_listener;
        Pipe errp = GK_TRY(make_pipe());
        int in = -1, out = -1, err = errp.wr.get();
        Pipe inp, outp;
        if (rec_.tty) {
            std::string sock = store_.file(rec_.id, "console.sock");
            console_listener = GK_TRY(listen_unix(sock));
            args.insert(args.end(), {"--console-socket", sock});
        } else {
            outp = GK_TRY(make_pipe());
            out = outp.wr.get();
            if (rec_.interactive) {
                inp = GK_TRY(make_pipe());
                in = inp.rd.get();
            }
        }
        args.push_back(rec_.id);
        pid_t pid = GK_TRY(spawn(runtime_.argv(args), in, out, err));
        errp.wr.reset();
        outp.wr.reset();
        inp.rd.reset();
        int st = GK_TRY(wait_child(pid));
        if (exit_code_of(st) != 0) {
            std::string why = last_line(read_available(errp.rd.get(), 2000));
            if (why.empty()) why = "exited with status " + std::to_string(exit_code_of(st));
            return Error("create the container: " + why, 0);
        }
        if (rec_.tty) {
            UniqueFd conn(::accept4(console_listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
            if (!conn) return sys_error("create the container: no terminal came over the console socket");
            out_ = GK_TRY(recv_fd(conn.get()));
            ::unlink(store_.file(rec_.id, "console.sock").c_str());
        } else {
            out_ = std::move(outp.rd);
            err_ = std::move(errp.rd);  // create's stderr is the container's: the init inherited it
            in_ = std::move(inp.wr);
        }
        std::string pid_text = GK_TRY(read_whole_file(pid_file));
        init_ = static_cast<pid_t>(std::atol(pid_text.c_str()));
        if (init_ <= 0) return Error("create the container: no pid in " + pid_file, 0);
        auto self = GK_TRY(read_proc_stat(::getpid()));
        auto lock = GK_TRY(store_.lock());
        Record r = GK_TRY(store_.load(rec_.id));
        r.pid = init_;
        r.monitor_pid = ::getpid();
        r.monitor_start = self.start_time;
        r.status = "created";
        GK_TRY(store_.save(r));
        rec_ = r;
        return ok_status();
    }

    [[noreturn]] void run() {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGCHLD);
        UniqueFd sfd(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
        if (out_) set_nonblock(out_.get());
        if (err_) set_nonblock(err_.get());
        reap(sfd.get());  // the init may already be gone
        int drain_ms = 0;
        while (true) {
            std::vector<pollfd> fds;
            fds.push_back({sfd.get(), POLLIN, 0});
            fds.push_back({attach_.get(), POLLIN, 0});
            fds.push_back({out_ ? out_.get() : -1, POLLIN, 0});
            fds.push_back({err_ ? err_.get() : -1, POLLIN, 0});
            for (auto& c : clients_) fds.push_back({c.fd.get(), POLLIN, 0});
            if (exited_ && !out_ && !err_) break;
            int timeout = exited_ ? 100 : -1;
            int n = ::poll(fds.data(), fds.size(), timeout);
            if (n < 0 && errno != EINTR) break;
            if (exited_ && n == 0 && (drain_ms += 100) >= 2000) break;  // something else holds the pipes
            if (fds[0].revents) reap(sfd.get());
            if (fds[1].revents & POLLIN) accept_client();
            if (fds[2].revents) pump(out_, "stdout", Frame::out);
            if (fds[3].revents) pump(err_, "stderr", Frame::err);
            for (size_t i = 0; i < clients_.size();) {
                if (fds.size() > 4 + i && fds[4 + i].revents && !client_input(clients_[i])) {
                    clients_.erase(clients_.begin() + static_cast<long>(i));
                    fds.erase(fds.begin() + 4 + static_cast<long>(i));
                } else {
                    ++i;
                }
            }
        }
        finish();
    }

private:
    struct Client {
        UniqueFd fd;
        FrameReader reader;
    };

    void reap(int sfd) {
        struct signalfd_siginfo si;
        while (::read(sfd, &si, sizeof si) > 0) {}
        int st;
        pid_t p;
        while ((p = ::waitpid(-1, &st, WNOHANG)) > 0)
            if (p == init_) {
                exited_ = true;
                exit_code_ = exit_code_of(st);
            }
    }

    void accept_client() {
        UniqueFd c(::accept4(attach_.get(), nullptr, nullptr, SOCK_CLOEXEC));
        if (!c) return;
        struct timeval tv {
            5, 0
        };
        ::setsockopt(c.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        clients_.push_back({std::move(c), {}});
    }

    void pump(UniqueFd& fd, const char* stream, Frame frame) {
        char buf[65536];
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
        if (n <= 0) {  // end of file, or EIO from a pty whose other side is all closed
            if (&fd == &out_ && rec_.tty) in_.reset();
            fd.reset();
            return;
        }
        std::string_view data(buf, static_cast<size_t>(n));
        log_.write(stream, data);
        for (size_t i = 0; i < clients_.size();)
            if (!send_frame(clients_[i].fd.get(), frame, data)) clients_.erase(clients_.begin() + static_cast<long>(i));
            else ++i;
    }

    // False when the client is gone.
    bool client_input(Client& c) {
        char buf[65536];
        ssize_t n = ::read(c.fd.get(), buf, sizeof buf);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
        if (n <= 0) return false;
        c.reader.feed(buf, static_cast<size_t>(n));
        while (auto f = c.reader.next()) {
            int target = rec_.tty ? out_.get() : in_.get();
            if (f->first == Frame::stdin_data && target >= 0 && rec_.interactive) {
                std::string_view d = f->second;
                while (!d.empty()) {
                    ssize_t w = ::write(target, d.data(), d.size());
                    if (w < 0 && errno == EINTR) continue;
                    if (w <= 0) break;
                    d.remove_prefix(static_cast<size_t>(w));
                }
            } else if (f->first == Frame::stdin_close && !rec_.tty) {
                in_.reset();
            } else if (f->first == Frame::resize && rec_.tty && out_) {
                struct winsize ws {};
                unsigned rows = 0, cols = 0;
                if (std::sscanf(f->second.c_str(), "%u %u", &rows, &cols) == 2) {
                    ws.ws_row = static_cast<unsigned short>(rows);
                    ws.ws_col = static_cast<unsigned short>(cols);
                    ::ioctl(out_.get(), TIOCSWINSZ, &ws);
                }
            }
        }
        return true;
    }

    [[noreturn]] void finish() {
        log_.flush();
        {
            auto lock = store_.lock();
            auto r = store_.load(rec_.id);
            if (lock && r) {
                r->status = "exited";
                r->exit_code = exit_code_;
                r->finished_at = now_rfc3339_nano();
                (void)store_.save(*r);
            }
        }
        attach_.reset();
        ::unlink(store_.file(rec_.id, "attach.sock").c_str());
        // The runtime's state, the cgroups and the poststop hooks (the network lease) go now, and
        // with --rm the container, all before a foreground `run` hears the exit code: when it
        // returns, nothing of the container is left.
        (void)runtime_.call({"delete", "--force", rec_.id}, "delete");
        if (rec_.auto_remove) {
            auto lock = store_.lock();
            if (lock) (void)remove_container_files(store_, rec_.id);
        }
        for (auto& c : clients_) (void)send_frame(c.fd.get(), Frame::exit, std::to_string(exit_code_));
        clients_.clear();
        _exit(0);
    }

    const Store& store_;
    Record rec_;
    RuntimeCli runtime_;
    LogWriter log_;
    UniqueFd attach_, out_, err_, in_;
    std::vector<Client> clients_;
    pid_t init_ = 0;
    bool exited_ = false;
    int exit_code_ = 255;
};

[[noreturn]] void monitor_main(const Store& store, const Record& rec, UniqueFd ready) {
    ::prctl(PR_SET_NAME, "gocker-monitor");
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    for (int i = 0; i < 3; ++i) ::dup2(null, i);
    // Nothing gocker's caller left open may live on in the monitor (a held flock, a pipe someone
    // waits on to close): keep only the ready pipe, as fd 3.
    if (ready.get() != 3) {
        if (::dup3(ready.get(), 3, O_CLOEXEC) < 0) _exit(1);
        ready.reset();
        ready = UniqueFd(3);
    }
    ::syscall(SYS_close_range, 4u, ~0u, 0u);
    if (::chdir("/") != 0) _exit(1);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    ::sigprocmask(SIG_BLOCK, &set, nullptr);
    ::signal(SIGPIPE, SIG_IGN);
    ::signal(SIGHUP, SIG_IGN);
    ::signal(SIGINT, SIG_IGN);
    ::signal(SIGTERM, SIG_IGN);
    Monitor m(store, rec);
    Status st = m.create();
    std::string msg = st ? "ok\n" : "error: " + st.error().message() + "\n";
    if (::write(ready.get(), msg.data(), msg.size()) < 0) {}
    ready.reset();
    if (!st) _exit(1);
    m.run();
}

}  // namespace

Status start_monitor(const Store& store, const Record& rec) {
    // The monitor is a fresh `gocker __monitor ID`, not a fork that runs on: the caller may have
    // threads (the console's server), and a forked copy of a threaded process may only make
    // async-signal-safe calls until it execs. So everything exec needs is made before fork.
    const std::string self = "/proc/self/exe";
    std::vector<std::string> words{"gocker", "--root", store.root(), "__monitor", rec.id};
    std::vector<char*> argv;
    for (auto& w : words) argv.push_back(w.data());
    argv.push_back(nullptr);
    const std::string failed = "error: start the monitor: exec " + self + " __monitor\n";

    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return sys_error("start the monitor: pipe");
    UniqueFd rd(p[0]), wr(p[1]);
    pid_t first = ::fork();
    if (first < 0) return sys_error("start the monitor: fork");
    if (first == 0) {
        ::setsid();
        pid_t second = ::fork();
        if (second != 0) _exit(second < 0 ? 1 : 0);
        // The ready pipe becomes fd 3 of the monitor (kept open across exec), nothing else.
        int w = wr.get() == 3 ? 3 : ::dup2(wr.get(), 3);
        if (w == 3 && ::fcntl(3, F_SETFD, 0) == 0) {
            ::syscall(SYS_close_range, 4u, ~0u, 0u);
            ::execv(self.c_str(), argv.data());
        }
        if (::write(w == 3 ? 3 : wr.get(), failed.data(), failed.size()) < 0) {}
        _exit(127);
    }
    wr.reset();
    (void)wait_child(first);
    std::string answer = read_available(rd.get(), -1);
    if (answer.rfind("ok", 0) == 0) return ok_status();
    if (answer.rfind("error: ", 0) == 0) return Error(last_line(answer.substr(7)), 0);
    return Error("start the monitor: it exited without a word", 0);
}

int monitor_command(const Store& store, const std::string& id) {
    struct stat st {};
    if (::fstat(3, &st) != 0 || !S_ISFIFO(st.st_mode)) {
        std::fprintf(stderr, "gocker: __monitor is started by gocker run, with its ready pipe as fd 3\n");
        return 125;
    }
    UniqueFd ready(3);
    ::fcntl(3, F_SETFD, FD_CLOEXEC);
    auto rec = store.load(id);
    if (!rec) {
        std::string msg = "error: start the monitor: " + rec.error().message() + "\n";
        if (::write(ready.get(), msg.data(), msg.size()) < 0) {}
        return 1;
    }
    monitor_main(store, *rec, std::move(ready));
}

}  // namespace gocker::core
