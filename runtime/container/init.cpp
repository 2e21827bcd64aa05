#include "container/init.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <csignal>
#include <exception>
#include <cstdio>
#include <cstring>
#include <optional>

#include "common/fault_point.hpp"
#include "common/trace.hpp"
#include "linux/hooks.hpp"
#include "linux/hygiene.hpp"
#include "spec/state.hpp"

namespace gocker {
namespace {

// Everything from the first instruction to "ready". Errors travel back over the sync socket.
// `fifo` receives an O_PATH descriptor of the exec FIFO, `prepared` the process ready to exec.
Status init_until_ready(const InitContext& ctx, UniqueFd& fifo, std::string& state_json,
                        std::optional<PreparedProcess>& prepared) {
    const spec::Config& cfg = *ctx.config;
    const NamespacePlan& ns = *ctx.namespaces;

    // Die with the runtime while it drives us (cleared just before "ready"; from there on the
    // end-of-file of the sync socket does the same job, see init_main); non-dumpable.
    GK_TRY(begin_container_process());
    GK_FAULT_POINT("create.init.begin");

    // [cgroups] v1/hybrid: the runtime makes the container's cgroups and attaches us while we go
    // on; "cgroup_attached" is the first message it sends, so it is taken before any other, and
    // at the latest before the cgroup filesystem is mounted (which shows our own cgroups) and
    // before anything is forked (hooks). A new cgroup namespace is made then, rooted there.
    bool attached = !ctx.wait_cgroup_attached;
    auto take_cgroup_attached = [&]() -> Status {
        if (attached) return {};
        attached = true;
        GK_TRY(ctx.sync->expect(SyncType::cgroup_attached));
        if (ctx.cgroupns_after_attach && ::unshare(CLONE_NEWCGROUP) < 0)
            return sys_error("create the cgroup namespace");
        trace::mark("wait for cgroups", 'i');
        return {};
    };
    GK_TRY(join_namespaces(ns));
    GK_FAULT_POINT("create.init.namespaces");
    trace::mark("join namespaces", 'i');
    if (ns.new_user) {
        // Dumpable while the maps are written, as runc does: a non-dumpable process's /proc files
        // belong to root, and a rootless runtime (or newuidmap) must open them. Nothing of the
        // container runs yet; only the runtime's own user could ptrace us meanwhile.
        if (::prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0) return sys_error("prctl PR_SET_DUMPABLE 1 for the id maps");
        GK_TRY(ctx.sync->send(SyncType::want_idmap));
        GK_TRY(take_cgroup_attached());
        GK_TRY(ctx.sync->expect(SyncType::idmap_done));
        GK_TRY(make_non_dumpable());
        trace::mark("wait for id maps", 'i');
    }
    // Become root of the user namespace now that the maps are written.
    if (ns.new_user || ns.joined_user) {
        GK_TRY(become_user_namespace_root());
        GK_FAULT_POINT("create.init.user-ns-root");
    }
    if (!ctx.no_new_keyring) GK_TRY(join_session_keyring(ctx.id));
    if (!cfg.hostname.empty() && ::sethostname(cfg.hostname.data(), cfg.hostname.size()) < 0)
        return sys_error([&] { return "set hostname \"" + cfg.hostname + "\""; });
    if (!cfg.domainname.empty() && ::setdomainname(cfg.domainname.data(), cfg.domainname.size()) < 0)
        return sys_error([&] { return "set domainname \"" + cfg.domainname + "\""; });
    GK_FAULT_POINT("create.init.hostname");

    trace::mark("keyring, hostname", 'i');
    RootfsSpec rootfs = ctx.rootfs;
    rootfs.before_cgroup_mount = take_cgroup_attached;
    GK_TRY(prepare_rootfs(rootfs));
    GK_TRY(take_cgroup_attached());
    GK_FAULT_POINT("create.init.mounts");
    trace::mark("mounts", 'i');

    // The runtime runs the prestart and createRuntime hooks in its own namespaces, then hands
    // us the state for the createContainer hooks (in the hooks_done message).
    GK_TRY(ctx.sync->send(SyncType::mounts_done));
    SyncMsg go = GK_TRY(ctx.sync->recv());
    if (go.type == SyncType::error) return Error(go.text, go.err);
    if (go.type != SyncType::hooks_done) return Error("sync: expected hooks_done", EPROTO);
    state_json = std::move(go.text);
    trace::mark("wait for runtime hooks", 'i');
    if (cfg.hooks) {
        GK_TRY(run_hooks("createContainer", cfg.hooks->create_container, state_json));
        GK_FAULT_POINT("create.init.createContainer-hooks");
    }

    // The runtime opened the FIFO O_PATH for us; it is reopened for writing through
    // /proc/self/fd once we wait for `start`.
    fifo.reset(ctx.fifo_fd);

    trace::mark("createContainer hooks", 'i');
    GK_TRY(enter_rootfs(ctx.rootfs));
    trace::mark("pivot_root, masked paths", 'i');
    if (ctx.steps.process) prepared.emplace(GK_TRY(prepare_process(ctx.steps, state_json)));
    GK_FAULT_POINT("create.init.process");
    return {};
}

void write_fifo_error(int fd, const Error& e) {
    std::string msg = e.message();
    // Best effort: `start` reads this as the reason the program did not start.
    ssize_t r = ::write(fd, msg.data(), msg.size());
    (void)r;
}

[[noreturn]] void init_main(const InitContext& ctx) {
    UniqueFd fifo_path_fd;
    std::string state_json;
    std::optional<PreparedProcess> prepared;
    Status st = init_until_ready(ctx, fifo_path_fd, state_json, prepared);
    if (!st) {
        (void)ctx.sync->send_error(st.error());
        _exit(1);
    }

    // Ready: the runtime records the container, then lets us go. The parent-death signal is
    // cleared first, so that the runtime need not wait for us after "detach" (`create` exits at
    // once); a runtime that dies before "detach" closes the socket, and the end-of-file here ends
    // us just as the signal would have.
    ::prctl(PR_SET_PDEATHSIG, 0);
    if (!ctx.sync->send(SyncType::ready, 0, trace::enabled() ? trace::encode_marks() : std::string()) ||
        !ctx.sync->expect(SyncType::detach))
        _exit(1);
    ctx.sync->close();

    // Block until `start` opens the FIFO for reading.
    char self_fd[64];
    snprintf(self_fd, sizeof self_fd, "/proc/self/fd/%d", fifo_path_fd.get());
    UniqueFd fifo(::open(self_fd, O_WRONLY | O_CLOEXEC));
    if (!fifo) _exit(1);
    fifo_path_fd.reset();
    // One byte says "the FIFO is open": `start` then reads to end-of-file, which comes with the
    // close-on-exec of this descriptor at a successful execve, or after an error message.
    if (::write(fifo.get(), "\0", 1) != 1) _exit(1);
    if (Status f = GK_FAULT_CHECK("start.init.fifo"); !f) {
        write_fifo_error(fifo.get(), f.error());
        _exit(1);
    }

    if (ctx.config->hooks && !ctx.config->hooks->start_container.empty()) {
        // The runtime's state said "creating" (for createContainer); by now we are "created".
        if (auto state = spec::parse_state(state_json)) {
            state->status = spec::ContainerStatus::created;
            state_json = spec::state_to_json(*state);
        }
        Status hs = run_hooks("startContainer", ctx.config->hooks->start_container, state_json);
        if (hs) hs = GK_FAULT_CHECK("start.init.startContainer-hooks");
        if (!hs) {
            write_fifo_error(fifo.get(), hs.error());
            _exit(1);
        }
    }
    // The last steps (docs/architecture.md): every system call still needed, then only the
    // seccomp filter and execve.
    // A config without `process` (runtime.md: optional at create): `start` fails with this.
    Error e = prepared ? finish_and_exec(ctx.steps, *prepared)
                       : Error("config.json has no process (/process): there is nothing to start", 0);
    write_fifo_error(fifo.get(), e);
    _exit(127);
}

}  // namespace

[[noreturn]] void container_init(const InitContext& ctx) {
    // Nothing may unwind out of the child into the runtime's own stack (it would go on as a
    // second copy of the command): an exception ends the init with a report.
    try {
        init_main(ctx);
    } catch (const std::exception& ex) {
        (void)ctx.sync->send(SyncType::error, 0, std::string("container init: ") + ex.what());
    } catch (...) {
        (void)ctx.sync->send(SyncType::error, 0, "container init: unexpected exception");
    }
    _exit(1);
}

}  // namespace gocker
