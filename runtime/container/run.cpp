#include "container/run.hpp"

#include <signal.h>

#include <optional>

#include "common/fault_point.hpp"
#include "common/log.hpp"
#include "common/trace.hpp"
#include "container/lifecycle.hpp"
#include "container/tty_relay.hpp"
#include "linux/proc_info.hpp"

namespace gocker {
namespace {

// What a run that does not get through undoes, whichever step failed: the container is deleted
// (its lock given up first: delete_container takes it), with the pid file it wrote. Once
// started, nothing relays signals to it or waits for it any more, so it is killed, and with
// --keep left behind (stopped).
class RunRollback {
public:
    RunRollback(const StateStore& store, CreatedContainer& c, bool keep) : store_(store), c_(c), keep_(keep) {}
    RunRollback(const RunRollback&) = delete;
    RunRollback& operator=(const RunRollback&) = delete;
    ~RunRollback() {
        if (!armed_) return;
        if (started_) (void)pidfd_signal(c_.pidfd.get(), SIGKILL);
        c_.lock = {};
        if (started_ && keep_) return;
        if (Status del = delete_container(store_, c_.record.id, true); !del) log::warning(del.error().message());
        c_.pid_file.remove_if_unchanged();
    }
    void started() { started_ = true; }
    void dismiss() { armed_ = false; }

private:
    const StateStore& store_;
    CreatedContainer& c_;
    bool keep_;
    bool started_ = false, armed_ = true;
};

}  // namespace

Result<int> run_container(const StateStore& store, RunOptions opts) {
    CreateOptions& co = opts.create;
    const std::string what = "run " + co.id;
    // In the foreground: signals held until the wait loop, and without --console-socket a
    // terminal container's pty master comes to us.
    std::optional<ForegroundSession> fg;
    if (!opts.detach) {
        auto f = ForegroundSession::begin(co.console_socket.empty());
        if (!f) return std::move(f).error().wrap(what);
        fg.emplace(std::move(*f));
        co.console_fd = fg->console_fd();  // used by create only when process.terminal is true
    }

    CreatedContainer created = GK_TRY(create_container(store, co));
    RunRollback rollback(store, created, opts.keep);
    if (fg) fg->close_console_end();

    UniqueFd master;
    if (created.config.process && created.config.process->terminal && fg && fg->has_console()) {
        auto m = fg->receive_master();
        if (!m) return std::move(m).error().wrap(what + ": receive the pty master");
        master = std::move(*m);
    }
    const ContainerRecord& rec = created.record;
    // Created and still locked: no other command may touch the container before it starts.
    fault::set_init(rec.pid);
    if (Status f = GK_FAULT_CHECK("run.created"); !f) return std::move(f).error().wrap(what);
    Status st = start_locked(store, created.lock, rec, created.config, created.pidfd.get());
    if (!st) return std::move(st).error().wrap(what);
    // Running now: other commands (kill, pause, delete) may have the container.
    created.lock = {};
    rollback.started();
    if (opts.detach) {
        rollback.dismiss();
        return 0;
    }

    Result<int> exit_code = fg->wait(rec.pid, created.pidfd.get(), master.get());
    trace::mark("container ran, init reaped");
    if (!exit_code) return std::move(exit_code).error().wrap(what);
    rollback.dismiss();
    if (!opts.keep) {
        Status del = delete_exited_container(store, created);
        if (!del) log::warning(del.error().message());
        trace::mark("delete");
    }
    return *exit_code;
}

}  // namespace gocker
