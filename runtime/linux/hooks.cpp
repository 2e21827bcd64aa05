// OCI hooks: fork + execve with the state JSON on stdin, waited for through a pidfd so the
// timeout needs no threads, timers or signals (run_hook may run inside the single-threaded
// container init). Exec failures come back through a close-on-exec pipe, so "no such file"
// is told apart from a hook that ran and exited 127. A hook gets the state on stdin, the
// runtime's stdout and stderr and no other descriptor, in a process group of its own that a
// timeout kills whole.
#include "linux/hooks.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>

#include "common/fd.hpp"

namespace gocker {

namespace {

// A hook that exits without reading stdin turns our write into EPIPE; SIGPIPE's default action
// would kill the runtime (or the container init) instead. Ignored only while we feed the pipe.
class IgnoreSigpipe {
public:
    IgnoreSigpipe() {
        struct sigaction ign {};
        ign.sa_handler = SIG_IGN;
        sigemptyset(&ign.sa_mask);
        saved_ = sigaction(SIGPIPE, &ign, &old_) == 0;
    }
    ~IgnoreSigpipe() {
        if (saved_) sigaction(SIGPIPE, &old_, nullptr);
    }
    IgnoreSigpipe(const IgnoreSigpipe&) = delete;
    IgnoreSigpipe& operator=(const IgnoreSigpipe&) = delete;

private:
    struct sigaction old_ {};
    bool saved_ = false;
};

struct Pipe {
    UniqueFd read_end, write_end;
};

Result<Pipe> make_pipe(const char* what) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return sys_error(what);
    return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// Child side, between fork and exec: only async-signal-safe calls.
[[noreturn]] void exec_hook(const std::string& path, char* const argv[], char* const envp[], int stdin_fd,
                            int error_fd) {
    // Hooks start with the signal state a fresh program expects, not the runtime's.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    signal(SIGPIPE, SIG_DFL);
    // Its own process group, so that a timeout ends whatever the hook started too.
    setpgid(0, 0);
    if (stdin_fd == 0) fcntl(0, F_SETFD, 0);
    else if (dup2(stdin_fd, 0) < 0) {
        const int err = errno;
        (void)!write(error_fd, &err, sizeof(err));
        _exit(127);
    }
    // stdin (the state), stdout and stderr, nothing else: every other descriptor the runtime
    // holds (or inherited from its caller) is closed at execve; error_fd stays open until then.
    close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    execve(path.c_str(), argv, envp);
    const int err = errno;
    (void)!write(error_fd, &err, sizeof(err));
    _exit(127);
}

int wait_for(pid_t pid) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    return status;
}

}  // namespace

Status run_hook(std::string_view phase, const spec::Hook& hook, std::string_view state_json) {
    const std::string who = std::string(phase) + " hook " + hook.path;
    // Everything the child needs is built before fork: no allocation after it.
    const std::vector<std::string>& args = hook.args.empty() ? std::vector<std::string>{hook.path} : hook.args;
    std::vector<char*> argv, envp;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (const auto& e : hook.env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);

    Pipe input = GK_TRY_CTX(make_pipe("pipe for stdin"), who);
    Pipe exec_error = GK_TRY_CTX(make_pipe("pipe for exec errors"), who);

    const pid_t pid = fork();
    if (pid < 0) return sys_error([&] { return who + ": fork"; });
    if (pid == 0) exec_hook(hook.path, argv.data(), envp.data(), input.read_end.get(), exec_error.write_end.get());
    input.read_end.reset();
    exec_error.write_end.reset();
    setpgid(pid, pid);  // as the child does: whichever runs first, the group exists before a kill

    UniqueFd pidfd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
    if (!pidfd) {
        const int err = errno;
        kill(pid, SIGKILL);
        wait_for(pid);
        return Error(who + ": pidfd_open", err);
    }

    // Feed stdin and wait in one poll loop: a hook that never reads a large state must still be
    // stopped by its timeout rather than leave us blocked in write().
    const bool has_timeout = hook.timeout && *hook.timeout > 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(has_timeout ? *hook.timeout : 0);
    fcntl(input.write_end.get(), F_SETFL, O_NONBLOCK);
    IgnoreSigpipe sigpipe_guard;
    size_t written = 0;
    if (state_json.empty()) input.write_end.reset();
    bool timed_out = false;
    while (true) {
        struct pollfd fds[2] = {{pidfd.get(), POLLIN, 0}, {input.write_end.get(), POLLOUT, 0}};
        int wait_ms = -1;
        if (has_timeout) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            wait_ms = left.count() > 0 ? static_cast<int>(left.count()) : 0;
        }
        const int ready = poll(fds, 2, wait_ms);
        if (ready < 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            kill(pid, SIGKILL);
            wait_for(pid);
            return Error(who + ": poll", err);
        }
        if (ready == 0) {
            timed_out = true;
            // The hook is not reaped yet, so neither its pid nor its process group id can have
            // been reused: the whole group goes, children the hook started included.
            if (kill(-pid, SIGKILL) < 0) kill(pid, SIGKILL);
            break;
        }
        if (fds[1].revents != 0) {
            const ssize_t n = write(input.write_end.get(), state_json.data() + written, state_json.size() - written);
            if (n > 0) written += static_cast<size_t>(n);
            // EPIPE/EIO: the hook closed stdin without reading it all, which is its right.
            if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == state_json.size())
                input.write_end.reset();  // EOF for the hook
        }
        if (fds[0].revents != 0) break;
    }
    const int status = wait_for(pid);

    int exec_errno = 0;
    if (read(exec_error.read_end.get(), &exec_errno, sizeof(exec_errno)) == static_cast<ssize_t>(sizeof(exec_errno)))
        return Error(who + ": exec", exec_errno);
    if (timed_out) return Error(who + ": timed out after " + std::to_string(*hook.timeout) + " s");
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
        return Error(who + ": exit status " + std::to_string(WEXITSTATUS(status)));
    if (WIFSIGNALED(status)) return Error(who + ": killed by signal " + std::to_string(WTERMSIG(status)));
    return ok_status();
}

Status run_hooks(std::string_view phase, const std::vector<spec::Hook>& hooks, std::string_view state_json) {
    for (const auto& hook : hooks) GK_TRY(run_hook(phase, hook, state_json));
    return ok_status();
}

std::vector<Error> run_all_hooks(std::string_view phase, const std::vector<spec::Hook>& hooks,
                                 std::string_view state_json) {
    std::vector<Error> failures;
    for (const auto& hook : hooks) {
        Status st = run_hook(phase, hook, state_json);
        if (!st) failures.push_back(std::move(st).error());
    }
    return failures;
}

}  // namespace gocker
