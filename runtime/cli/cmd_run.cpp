// `run [create flags] [--detach] [--keep] ID`: create + start. In the foreground, signals are
// forwarded to the container, the exit code is the container's (128+N when killed by signal N),
// and the container is deleted afterwards unless --keep. With process.terminal and no
// --console-socket, `run` holds the pty itself and relays it to its own stdio (as runc does).
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <optional>

#include "cli/commands.hpp"
#include "cli/lifecycle_options.hpp"
#include "cli/tty_relay.hpp"
#include "common/log.hpp"
#include "common/trace.hpp"
#include "container/lifecycle.hpp"
#include "linux/proc_info.hpp"
#include "linux/terminal.hpp"

namespace gocker::cli {

int cmd_run(const GlobalOptions& g, std::vector<std::string>& args) {
    cxxopts::Options opts("gocker-runtime run", "Create and start a container; in the foreground, wait for it.");
    opts.custom_help("[command options] <container-id>");
    add_create_options(opts);
    opts.add_options()("d,detach", "return once the program has started")("keep",
                                                                          "do not delete the container after it exits");
    int code = 0;
    auto r = parse_command(opts, args, code);
    if (!r) return code;
    CreateOptions co;
    if (!create_options_from(*r, opts, "run", co, code)) return code;
    bool detach = r->count("detach") > 0, keep = r->count("keep") > 0;

    // In the foreground: signals held until the wait loop, and without --console-socket a
    // terminal container's pty master comes to us.
    std::optional<ForegroundSession> fg;
    if (!detach) {
        auto f = ForegroundSession::begin(co.console_socket.empty());
        if (!f) return report(std::move(f).error().wrap("run " + co.id));
        fg.emplace(std::move(*f));
    }

    StateStore store(g.root);
    if (fg) co.console_fd = fg->console_fd();  // used by create only when process.terminal is true
    auto created = create_container(store, co);
    if (!created) return report(created.error());
    if (fg) fg->close_console_end();

    UniqueFd master;
    if (created->config.process && created->config.process->terminal && fg && fg->has_console()) {
        auto m = fg->receive_master();
        if (!m) {
            Error e = std::move(m).error().wrap("run " + co.id + ": receive the pty master");
            created->lock = {};  // delete_container takes it
            if (Status del = delete_container(store, co.id, true); !del) log::warning(del.error().message());
            return report(e);
        }
        master = std::move(*m);
    }
    const ContainerRecord& rec = created->record;
    Status st = start_locked(store, created->lock, rec, created->config, created->pidfd.get());
    // Running now (or failed): other commands (kill, pause, delete) may have the container.
    created->lock = {};
    if (!st) {
        Error e = std::move(st).error().wrap("run " + co.id);
        if (Status del = delete_container(store, co.id, true); !del) log::warning(del.error().message());
        return report(e);
    }
    if (detach) return 0;

    Result<int> exit_code = fg->wait(rec.pid, created->pidfd.get(), master.get());
    trace::mark("container ran, init reaped");
    if (!exit_code) {
        // Nothing relays signals or waits for the container any more: do not leave it running
        // (and, unless --keep, not behind either).
        Error e = std::move(exit_code).error().wrap("run " + co.id);
        (void)pidfd_signal(created->pidfd.get(), SIGKILL);
        if (!keep)
            if (Status del = delete_container(store, co.id, true); !del) log::warning(del.error().message());
        return report(e);
    }
    if (!keep) {
        Status del = delete_exited_container(store, *created);
        if (!del) log::warning(del.error().message());
        trace::mark("delete");
    }
    return *exit_code;
}

}  // namespace gocker::cli
