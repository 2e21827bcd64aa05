// Runs a program the way a user or a client would, and captures what it says.
//
//   RunResult r = run_cmd({GOCKER_BINARY, "--version"});
//   EXPECT_EQ(r.exit_code, 0);  EXPECT_NE(r.out.find("spec: 1.3.0"), std::string::npos);
//
// stdin gets `stdin_data` (then EOF); stdout and stderr are read concurrently so a chatty child
// never blocks. After `timeout_ms` the child is SIGKILLed and exit_code is -1 (err then says so).
// A child killed by a signal reports 128 + the signal number, as a shell would.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace gocker::test {

struct RunResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

inline RunResult run_cmd(std::vector<std::string> argv, std::string stdin_data = "", int timeout_ms = 30000) {
    RunResult res;
    int in[2], out[2], err[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
        res.err = std::string("run_cmd: pipe: ") + std::strerror(errno);
        return res;
    }
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);

    pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(in[0], 0);
        ::dup2(out[1], 1);
        ::dup2(err[1], 2);
        ::execvp(cargv[0], cargv.data());
        const char msg[] = "run_cmd: exec failed\n";
        (void)!::write(2, msg, sizeof msg - 1);
        ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    if (pid < 0) {
        ::close(in[1]);
        ::close(out[0]);
        ::close(err[0]);
        res.err = std::string("run_cmd: fork: ") + std::strerror(errno);
        return res;
    }

    // The write end is non-blocking so that a child that never reads stdin cannot wedge us.
    int in_fd = in[1];
    ::fcntl(in_fd, F_SETFL, O_NONBLOCK);
    size_t in_off = 0;
    if (stdin_data.empty()) {
        ::close(in_fd);
        in_fd = -1;
    }
    struct timespec start;
    ::clock_gettime(CLOCK_MONOTONIC, &start);
    int fds[2] = {out[0], err[0]};
    std::string* bufs[2] = {&res.out, &res.err};
    for (int fd : fds) ::fcntl(fd, F_SETFL, O_NONBLOCK);
    ::signal(SIGPIPE, SIG_IGN);
    auto drain = [&](int i) {
        char buf[4096];
        for (;;) {
            ssize_t r = ::read(fds[i], buf, sizeof buf);
            if (r > 0) {
                bufs[i]->append(buf, static_cast<size_t>(r));
                continue;
            }
            if (r < 0 && errno == EINTR) continue;
            if (r == 0 || errno != EAGAIN) {
                ::close(fds[i]);
                fds[i] = -1;
            }
            return;
        }
    };
    // The child may leave descendants holding our pipes (a container's init does), so the
    // end is the child's exit, not EOF: after it, take what is buffered and stop.
    int status = 0;
    bool exited = false, timed_out = false;
    while (!exited) {
        struct timespec now;
        ::clock_gettime(CLOCK_MONOTONIC, &now);
        long elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        if (elapsed >= timeout_ms) {
            timed_out = true;
            break;
        }
        struct pollfd p[3] = {{fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}, {in_fd, POLLOUT, 0}};
        long wait_ms = timeout_ms - elapsed < 20 ? timeout_ms - elapsed : 20;
        if (::poll(p, 3, static_cast<int>(wait_ms)) < 0 && errno != EINTR) break;
        for (int i = 0; i < 2; ++i)
            if (fds[i] >= 0 && (p[i].revents & (POLLIN | POLLHUP | POLLERR))) drain(i);
        if (in_fd >= 0 && (p[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t w = ::write(in_fd, stdin_data.data() + in_off, stdin_data.size() - in_off);
            if (w > 0) in_off += static_cast<size_t>(w);
            if (in_off == stdin_data.size() || (w < 0 && errno != EAGAIN && errno != EINTR)) {
                ::close(in_fd);
                in_fd = -1;
            }
        }
        pid_t w = ::waitpid(pid, &status, WNOHANG);
        exited = w == pid || (w < 0 && errno != EINTR);
    }
    if (timed_out) {
        ::kill(pid, SIGKILL);
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    }
    for (int i = 0; i < 2; ++i)
        if (fds[i] >= 0) {
            drain(i);
            if (fds[i] >= 0) ::close(fds[i]);
        }
    if (in_fd >= 0) ::close(in_fd);

    if (timed_out) {
        res.exit_code = -1;
        res.err += "run_cmd: timed out after " + std::to_string(timeout_ms) + " ms\n";
    } else if (WIFEXITED(status)) {
        res.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        res.exit_code = 128 + WTERMSIG(status);
    }
    return res;
}

// A listening unix socket at `path` (what --console-socket connects to), or -1.
inline int listen_unix(const std::string& path) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct sockaddr_un addr = {};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 1) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// A command line run in a UTS and network namespace of the test's own (`unshare --uts --net`),
// which then reports what it sees there after the command: so that a runtime that failed to
// give a container its own namespaces changes the test's namespace, never the host's, and the
// test checks the namespace the runtime ran in. Prepend to argv; see split_ns_view().
inline std::vector<std::string> in_own_uts_and_net(std::vector<std::string> argv) {
    std::vector<std::string> out{"unshare",
                                 "--uts",
                                 "--net",
                                 "--",
                                 "sh",
                                 "-c",
                                 "b=$(cat /proc/sys/net/ipv4/ip_forward); \"$@\"; rc=$?; "
                                 "printf '\\n==ns== %s %s %s %s\\n' \"$(hostname)\" "
                                 "\"$(cat /proc/sys/kernel/domainname)\" \"$b\" "
                                 "\"$(cat /proc/sys/net/ipv4/ip_forward)\"; exit $rc",
                                 "sh"};
    out.insert(out.end(), argv.begin(), argv.end());
    return out;
}

// What the namespace of in_own_uts_and_net() held after the command; `out` loses the report.
struct NsView {
    std::string hostname, domainname, ip_forward_before, ip_forward_after;
};
inline NsView split_ns_view(std::string& out) {
    NsView v;
    auto at = out.rfind("\n==ns== ");
    if (at == std::string::npos) return v;
    std::string tail = out.substr(at + 9);
    out.erase(at);
    size_t p = 0;
    std::string* fields[] = {&v.hostname, &v.domainname, &v.ip_forward_before, &v.ip_forward_after};
    for (auto* f : fields) {
        size_t q = tail.find_first_of(" \n", p);
        *f = tail.substr(p, q - p);
        p = q == std::string::npos ? q : q + 1;
        if (p == std::string::npos) break;
    }
    return v;
}

}  // namespace gocker::test
