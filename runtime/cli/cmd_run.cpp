// `run [create flags] [--detach] [--keep] ID`: create + start. In the foreground, signals are
// forwarded to the container, the exit code is the container's (128+N when killed by signal N),
// and the container is deleted afterwards unless --keep.
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/commands.hpp"
#include "cli/lifecycle_options.hpp"
#include "common/log.hpp"
#include "container/lifecycle.hpp"
#include "linux/proc_info.hpp"

namespace gocker::cli {
namespace {

// Waits for the init (our child) while forwarding signals to it; returns the exit code.
Result<int> forward_and_wait(pid_t pid, int pidfd, const sigset_t& forwarded) {
    UniqueFd sfd(::signalfd(-1, &forwarded, SFD_CLOEXEC));
    if (!sfd) return sys_error("signalfd");
    struct pollfd fds[2] = {{sfd.get(), POLLIN, 0}, {pidfd, POLLIN, 0}};
    for (;;) {
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            return sys_error("wait for the container");
        }
        if (fds[0].revents & POLLIN) {
            struct signalfd_siginfo si;
            if (::read(sfd.get(), &si, sizeof si) == sizeof si && si.ssi_signo != SIGCHLD)
                (void)pidfd_signal(pidfd, static_cast<int>(si.ssi_signo));
        }
        if (fds[1].revents & POLLIN) break;
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return sys_error("wait for the container");
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 1;
}

}  // namespace

int cmd_run(const GlobalOptions& g, std::vector<std::string>& args) {
    cxxopts::Options opts("gocker-runtime run", "Create and start a container; in the foreground, wait for it.");
    opts.custom_help("[command options] <container-id>");
    add_create_options(opts);
    opts.add_options()("d,detach", "return once the program has started")(
        "keep", "do not delete the container after it exits");
    int code = 0;
    auto r = parse_command(opts, args, code);
    if (!r) return code;
    CreateOptions co;
    if (!create_options_from(*r, opts, "run", co, code)) return code;
    bool detach = r->count("detach") > 0, keep = r->count("keep") > 0;

    // Signals are held from here so that none is lost between start and the wait loop.
    sigset_t forwarded, old;
    sigfillset(&forwarded);
    for (int s : {SIGKILL, SIGSTOP, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS})
        sigdelset(&forwarded, s);
    if (!detach) ::sigprocmask(SIG_BLOCK, &forwarded, &old);

    StateStore store(g.root);
    auto created = create_container(store, co);
    if (!created) return report(created.error());
    const ContainerRecord& rec = created->record;
    Status st = start_locked(store, rec, created->config);
    if (!st) {
        Error e = std::move(st).error().wrap("run " + co.id);
        (void)delete_container(store, co.id, true);
        return report(e);
    }
    if (detach) return 0;

    auto exit_code = forward_and_wait(rec.pid, created->pidfd.get(), forwarded);
    ::sigprocmask(SIG_SETMASK, &old, nullptr);
    if (!exit_code) return report(std::move(exit_code).error().wrap("run " + co.id));
    if (!keep) {
        Status del = delete_container(store, co.id, true);
        if (!del) log::warning(del.error().message());
    }
    return *exit_code;
}

}  // namespace gocker::cli
