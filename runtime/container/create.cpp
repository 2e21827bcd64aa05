#include "container/create.hpp"

#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <optional>
#include <cstdlib>

#include "common/fault_point.hpp"
#include "common/log.hpp"
#include "common/passwd.hpp"
#include "common/trace.hpp"
#include "container/init.hpp"
#include "linux/capabilities.hpp"
#include "linux/cgroups/container_cgroup.hpp"  // [cgroups]
#include "linux/cgroups/host_cgroups.hpp"
#include "linux/hooks.hpp"
#include "linux/hygiene.hpp"
#include "linux/idmap.hpp"
#include "linux/lsm.hpp"
#include "linux/namespaces.hpp"
#include "linux/proc_info.hpp"
#include "linux/rootless.hpp"
#include "linux/seccomp.hpp"
#include "linux/seccomp_cache.hpp"
#include "linux/sync.hpp"
#include "linux/terminal.hpp"
#include "spec/config_io.hpp"
#include "spec/state.hpp"

namespace gocker {
namespace {

Result<std::string> absolute_path(const std::string& path, const std::string& base, const char* what) {
    std::string full = (!path.empty() && path[0] == '/') ? path : base + "/" + path;
    char buf[PATH_MAX];
    if (!::realpath(full.c_str(), buf)) return sys_error([&] { return std::string(what) + " " + full; });
    return std::string(buf);
}

// Undoes a half-made container: kills the init, reaps it, removes the state directory.
class CreateRollback {
public:
    CreateRollback(const StateStore& store, std::string id) : store_(store), id_(std::move(id)) {}
    ~CreateRollback() {
        if (committed_) {
            (void)child_.release();
            return;
        }
        child_.kill_and_reap();
        // [cgroups] Only once the init is reaped can its cgroup be removed.
        if (cgroup_) {
            Status st = cgroup_->destroy();
            if (!st) log::warning("create " + id_ + ": " + st.error().message());
        }
        // [hooks] Once prestart/createRuntime hooks have run, a failed create goes on as the
        // spec's lifecycle says (steps 12-13): the container is destroyed, then the poststop hooks
        // run, so that what a hook made (a network hook's veth and lease) is undone at once.
        for (const Error& e : run_all_hooks("poststop", poststop_, poststop_state_))
            log::warning("create " + id_ + ": " + e.message());
        if (Status gone = store_.remove(id_); !gone) log::warning("create " + id_ + ": " + gone.error().message());
        // Only the pid file this create wrote: a file put there since (or before) stays.
        pid_file_.remove_if_unchanged();
    }
    // The rollback owns the init's pidfd until the create is committed, so that the pidfd is
    // still open when a failed create kills the init with it.
    void set_child(pid_t pid, UniqueFd pidfd) { child_ = OwnedChild(pid, std::move(pidfd)); }
    // Called once the pid file is written, with what it is (device and inode).
    void set_pid_file(const WrittenFile& f) { pid_file_ = f; }
    void set_cgroup(std::unique_ptr<cgroups::CgroupManager> m) { cgroup_ = std::move(m); }  // [cgroups]
    // Called when the hooks of the create phase are about to run: a rollback from then on runs
    // these poststop hooks with this state.
    void set_poststop(std::vector<spec::Hook> hooks, std::string state) {
        poststop_ = std::move(hooks);
        poststop_state_ = std::move(state);
    }
    cgroups::CgroupManager* cgroup() const { return cgroup_.get(); }
    std::unique_ptr<cgroups::CgroupManager> release_cgroup() { return std::move(cgroup_); }
    UniqueFd release_pidfd() { return child_.release(); }
    int pidfd() const { return child_.pidfd(); }
    void commit() { committed_ = true; }

private:
    const StateStore& store_;
    std::string id_;
    OwnedChild child_;
    WrittenFile pid_file_;
    std::unique_ptr<cgroups::CgroupManager> cgroup_;
    std::vector<spec::Hook> poststop_;
    std::string poststop_state_;
    bool committed_ = false;
};

// An error message the init has already sent (it sends one, then exits, when a step fails), if
// any is waiting: when the runtime's own step fails because the init is gone, the init's reason
// is the one to report.
std::optional<Error> pending_init_error(const SyncSocket& sync) {
    struct pollfd p {};
    p.fd = sync.fd();
    p.events = POLLIN;
    if (::poll(&p, 1, 0) <= 0) return std::nullopt;
    auto msg = sync.recv();
    if (msg && msg->type == SyncType::error) return Error(msg->text, msg->err);
    return std::nullopt;
}

// Why the init is gone, when the channel broke without an error report from it: its own report
// if one is still queued, else how it ended ("container init was killed by signal 9 (SIGKILL)
// before reporting"), else `fallback`.
Error init_gone(const SyncSocket& sync, int pidfd, Error fallback) {
    if (auto early = pending_init_error(sync)) return *early;
    // Wait for the init's end only when the failure says it is going (a broken channel, a process
    // that is gone); a failure of our own (a cgroup write refused) is reported at once.
    const int e = fallback.sys_errno();
    const bool going = e == 0 || e == EPIPE || e == ECONNRESET || e == ESRCH;
    std::string how = describe_child_exit(pidfd, going ? 2000 : 0);
    if (how.empty()) return fallback;
    return Error("container init " + how + " before reporting", 0);
}

// The parent's side of the conversation with the init, until it reports "ready".
Status drive_init(const SyncSocket& sync, pid_t pid, CreateRollback& rollback, const spec::Config& cfg,
                  ContainerRecord& rec) {
    const int pidfd = rollback.pidfd();
    for (;;) {
        auto msg = sync.recv();
        if (!msg) return init_gone(sync, pidfd, std::move(msg).error());
        switch (msg->type) {
            case SyncType::want_idmap: {
                const auto& lnx = *cfg.linux;
                GK_TRY_CTX(write_id_maps(pid, lnx.uid_mappings, lnx.gid_mappings), "write id maps");
                GK_FAULT_POINT("create.idmap");
                if (Status st = sync.send(SyncType::idmap_done); !st)
                    return init_gone(sync, pidfd, std::move(st).error());
                trace::mark("write id maps");
                break;
            }
            case SyncType::mounts_done: {
                std::string state = hook_state_json(rec, "creating");
                GK_FAULT_POINT("create.mounts-done");
                if (cfg.hooks) {
                    if (!cfg.hooks->poststop.empty())
                        rollback.set_poststop(cfg.hooks->poststop, hook_state_json(rec, "stopped"));
                    GK_TRY(run_hooks("prestart", cfg.hooks->prestart, state));
                    GK_FAULT_POINT("create.prestart-hooks");
                    GK_TRY(run_hooks("createRuntime", cfg.hooks->create_runtime, state));
                    GK_FAULT_POINT("create.createRuntime-hooks");
                }
                trace::mark("prestart, createRuntime hooks");
                if (Status st = sync.send(SyncType::hooks_done, 0, state); !st)
                    return init_gone(sync, pidfd, std::move(st).error());
                break;
            }
            case SyncType::ready:
                if (trace::enabled()) trace::merge_marks(msg->text);
                trace::mark("init ready");
                GK_FAULT_POINT("create.ready");
                return {};
            case SyncType::error: return Error(msg->text, msg->err);
            default: return Error(std::string("sync: unexpected message ") + sync_type_name(msg->type), EPROTO);
        }
    }
}

}  // namespace

std::string hook_state_json(const ContainerRecord& r, const char* status) {
    spec::State s;
    s.oci_version = spec::kOciVersion;
    s.id = r.id;
    s.status = *spec::parse_status(status);
    s.pid = r.pid;
    s.bundle = r.bundle;
    s.annotations = r.annotations;
    return spec::state_to_json(s);
}

static Result<CreatedContainer> create_impl(const StateStore& store, const CreateOptions& opts,
                                            CreateRollback& rollback, ContainerLock& lock) {
    CreatedContainer out;
    ContainerRecord& rec = out.record;
    rec.id = opts.id;

    // 1. The bundle and its config, fully validated before anything touches the system.
    char cwd[PATH_MAX];
    if (!::getcwd(cwd, sizeof cwd)) return sys_error("getcwd");
    rec.bundle = GK_TRY(absolute_path(opts.bundle, cwd, "open bundle"));
    std::string config_path = rec.bundle + "/config.json";
    auto config_text = read_whole_file(config_path);
    if (!config_text) return std::move(config_text).error();
    out.config = GK_TRY(spec::parse_config(*config_text));
    GK_TRY(spec::validate_config(out.config));
    trace::mark("parse and validate config");
    const spec::Config& cfg = out.config;
    // runtime.md makes `process` optional at create and requires `start` to fail without one: the
    // container is made, its init waits as usual and reports "no process" to `start`.
    static const spec::Process no_process;
    const spec::Process& process = cfg.process ? *cfg.process : no_process;
    if (!cfg.process) log::debug("config.json: no /process: the container is created, and start will fail");
    if (!cfg.root) return Error("config.json: /root: missing required field \"path\"", 0);
    rec.rootfs = GK_TRY(absolute_path(cfg.root->path, rec.bundle, "open root filesystem"));
    rec.annotations = cfg.annotations;
    rec.created = now_rfc3339_nano();
    rec.owner = user_name_of(::geteuid());
    const spec::Linux* lnx = cfg.linux ? &*cfg.linux : nullptr;
    if (process.terminal && opts.console_socket.empty() && opts.console_fd < 0)
        return Error("process.terminal is true but no --console-socket was given", 0);
    if (!process.terminal && !opts.console_socket.empty())
        return Error("--console-socket needs process.terminal to be true in config.json", 0);
    GK_TRY(check_lsm_available(process));  // [confinement]
    NamespacePlan ns = GK_TRY(plan_namespaces(lnx));
    rec.has_pid_ns = ns.new_pid;
    rec.user_ns = ns.new_user || ns.joined_user;
    // Already in a user namespace (rootless podman runs us in its own): device nodes are bound,
    // locked mount flags kept, as in a new one (runc: RunningInUserNS).
    const bool mounts_in_user_ns = rec.user_ns || in_non_initial_user_ns();

    // 2. State directory (already made and locked by the caller), saved config, exec FIFO.
    GK_FAULT_POINT("create.state-dir");
    GK_TRY(store.write_file(lock, "config.json", *config_text));
    GK_FAULT_POINT("create.config-saved");
    std::string fifo = store.fifo_path(opts.id);
    if (::mkfifo(fifo.c_str(), 0622) < 0 || ::chmod(fifo.c_str(), 0622) < 0)
        return sys_error([&] { return "create exec fifo " + fifo; });
    UniqueFd fifo_fd(::open(fifo.c_str(), O_PATH | O_CLOEXEC));
    if (!fifo_fd) return sys_error([&] { return "open exec fifo " + fifo; });
    GK_FAULT_POINT("create.exec-fifo");

    // The console and [confinement] the seccomp agent's connections, the compiled filter and the
    // host's last capability, as exec resolves them (process_steps.hpp).
    HostSideSteps host_side =
        GK_TRY(resolve_host_side(process, lnx, opts.console_socket, opts.console_fd, store.root() + "/.seccomp-cache"));
    GK_FAULT_POINT("create.console-socket");
    trace::mark("state dir, exec fifo");
    // [cgroups] The cgroup, with every limit written, before the init exists. Each directory
    // made is written to the journal at once, so that a create killed halfway leaves `delete
    // --force` the list (cgroup.json, written next, says it all once the cgroup is complete).
    std::string journal_path = store.dir(opts.id) + "/" + std::string(cgroups::kJournalFile);
    UniqueFd journal(::open(journal_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
    if (!journal) return sys_error([&] { return "create " + journal_path; });
    if (auto cg = GK_TRY(cgroups::create_container_cgroup(cfg, opts.id, journal.get()))) {
        cg->set_journal(-1);
        rec.cgroup_path = cg->path();
        rollback.set_cgroup(std::move(cg));
        GK_TRY(store.write_file(lock, cgroups::kStateFile, cgroups::manager_state_json(*rollback.cgroup())));
        GK_FAULT_POINT("create.cgroup");
        trace::mark("cgroup");
    }
    // 3. Sync channel and clone3 of the init, straight into its namespaces.
    auto [parent_end, child_end] = GK_TRY(SyncSocket::make_pair());
    ParentNamespaceSwitch nsswitch;
    GK_TRY(nsswitch.enter(ns, lnx));
    int pidfd = -1;
    int cgroup_fd = rollback.cgroup() ? rollback.cgroup()->clone_into_fd() : -1;  // [cgroups]
    // [cgroups] On v1/hybrid hosts the init reaches its cgroups only when the runtime writes its
    // pid after clone3: it waits for "cgroup_attached" before it mounts the cgroup filesystem
    // (which shows its own cgroups) or lets anything fork, and a new cgroup namespace, rooted
    // where its creator stands, is unshared only then.
    const bool wait_cgroup_attached = rollback.cgroup() && detect_cgroup_mode() != CgroupMode::v2;
    // (With a joined user namespace the new namespaces are unshared after the join, not cloned.)
    const bool cgroupns_after_attach =
        wait_cgroup_attached && ((ns.clone_flags | ns.unshare_after_join) & CLONE_NEWCGROUP);
    if (cgroupns_after_attach) {
        ns.clone_flags &= ~static_cast<uint64_t>(CLONE_NEWCGROUP);
        ns.unshare_after_join &= ~static_cast<uint64_t>(CLONE_NEWCGROUP);
    }
    pid_t pid = GK_TRY(clone_with_pidfd(ns.clone_flags, &pidfd, cgroup_fd));
    if (pid == 0) {
        // The init must not hold the container lock (flock is per open file) while it waits.
        ::close(lock.dir_fd());
        parent_end.close();
        InitContext ctx;
        ctx.config = &cfg;
        ctx.namespaces = &ns;
        ctx.rootfs.cfg = &cfg;
        ctx.rootfs.rootfs = rec.rootfs;
        ctx.rootfs.bundle = rec.bundle;
        ctx.rootfs.no_pivot = opts.no_pivot;
        ctx.rootfs.in_user_ns = mounts_in_user_ns;
        ctx.rootfs.new_mount_ns = ns.new_mount;
        ctx.rootfs.joined_mount_ns = ns.joined_mount;
        ctx.sync = &child_end;
        ctx.fifo_fd = fifo_fd.release();
        ctx.steps.process = cfg.process ? &*cfg.process : nullptr;  // none: `start` fails
        ctx.steps.linux_cfg = lnx;
        host_side.fill(ctx.steps);
        ctx.steps.preserve_fds = opts.preserve_fds;
        ctx.no_new_keyring = opts.no_new_keyring;
        ctx.wait_cgroup_attached = wait_cgroup_attached;
        ctx.cgroupns_after_attach = cgroupns_after_attach;
        ctx.id = opts.id;
        container_init(ctx);
    }
    rollback.set_child(pid, UniqueFd(pidfd));
    fault::set_init(pid);
    GK_FAULT_POINT("create.clone");
    // At once: a message to an init that has died must fail, not sit in our copy of its end.
    child_end.close();
    // [cgroups] Attach before the init can fork; v1 hierarchies by pid (v2: cloned into it).
    if (rollback.cgroup()) {
        Status made = rollback.cgroup()->attach(pid, cgroup_fd >= 0);
        if (!made) made = std::move(made).error().wrap("cgroup " + rec.cgroup_path);
        if (made && wait_cgroup_attached) made = parent_end.send(SyncType::cgroup_attached);
        if (!made) {
            // The init may have failed on its own meanwhile (and be gone, which is why the attach
            // or the message failed): its error is the one to report.
            return init_gone(parent_end, rollback.pidfd(), std::move(made).error());
        }
        GK_FAULT_POINT("create.cgroup-attach");
    }
    nsswitch.restore();
    host_side.console.reset();
    host_side.seccomp_listener.reset();
    fifo_fd.reset();
    rec.pid = pid;
    auto st = read_proc_stat(pid);
    if (!st) return std::move(st).error().wrap("read the init's start time");
    rec.start_time = st->start_time;
    trace::mark("clone3");

    // 4. Id maps, hooks and the init's own set-up, until it waits on the exec FIFO.
    GK_TRY(drive_init(parent_end, pid, rollback, cfg, rec));

    // 5. Record the container, write the pid file, and let the init go on without us.
    GK_TRY(store.write_record(lock, rec));
    GK_FAULT_POINT("create.state");
    if (!opts.pid_file.empty()) {
        std::string pf = opts.pid_file[0] == '/' ? opts.pid_file : std::string(cwd) + "/" + opts.pid_file;
        GK_TRY(write_file_atomic(pf, std::to_string(pid), 0644));
        if (::lstat(pf.c_str(), &out.pid_file.id) == 0) {
            out.pid_file.path = pf;
            rollback.set_pid_file(out.pid_file);
        }
        GK_FAULT_POINT("create.pid-file");
    }
    trace::mark("write state, pid file");
    // The init cleared its parent-death signal before it said "ready", and it dies on end-of-file
    // rather than on anything but "detach": nothing to wait for. The message stays queued for it
    // even if this process exits at once.
    GK_TRY(parent_end.send(SyncType::detach));
    GK_FAULT_POINT("create.detach");
    trace::mark("detach");
    return out;
}

void WrittenFile::remove_if_unchanged() const {
    struct stat now;
    if (!path.empty() && ::lstat(path.c_str(), &now) == 0 && now.st_dev == id.st_dev && now.st_ino == id.st_ino)
        ::unlink(path.c_str());
}

Result<CreatedContainer> create_container(const StateStore& store, const CreateOptions& opts) {
    std::string what = "create " + opts.id;
    // [confinement] CVE-2019-5736: the init is a clone of this process, so its /proc/self/exe
    // must be a read-only view or a sealed copy, never the writable host binary. Returns here
    // only once protected.
    if (Status safe = reexec_from_protected_binary(); !safe) return std::move(safe).error().wrap(what);
    auto lock = store.create_dir(opts.id);
    if (!lock) return std::move(lock).error().wrap(what);
    CreateRollback rollback(store, opts.id);
    auto created = create_impl(store, opts, rollback, *lock);
    if (!created) return std::move(created).error().wrap(what);
    rollback.commit();
    created->pidfd = rollback.release_pidfd();
    created->cgroup = rollback.release_cgroup();
    created->lock = std::move(*lock);
    return created;
}

}  // namespace gocker
