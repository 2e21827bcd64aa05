#include "container/exec.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <exception>

#include "common/file_io.hpp"
#include "common/fault_point.hpp"
#include "common/log.hpp"
#include "common/trace.hpp"
#include "container/create.hpp"
#include "container/lifecycle.hpp"
#include "container/process_steps.hpp"
#include "linux/capabilities.hpp"
#include "linux/cgroups/cgroup_fs.hpp"  // [cgroups]
#include "linux/cgroups/container_cgroup.hpp"
#include "linux/hygiene.hpp"
#include "linux/lsm.hpp"
#include "linux/namespaces.hpp"
#include "linux/proc_info.hpp"
#include "linux/seccomp.hpp"
#include "linux/seccomp_cache.hpp"
#include "linux/sync.hpp"
#include "linux/terminal.hpp"
#include "spec/config_io.hpp"

namespace gocker {
namespace {

void add_unique(std::vector<std::string>& set, const std::string& cap) {
    for (const auto& c : set)
        if (c == cap) return;
    set.push_back(cap);
}

// What the exec helper (the child of clone3) needs; everything was resolved by the runtime.
struct ExecPlan {
    std::string id;
    NamespacePlan namespaces;  // the init's namespaces, all joined
    int root_fd = -1;          // the init's root, entered with chroot when the container has no
                               // mount namespace of its own (a pivoted one is the namespace's root)
    ProcessSteps steps;
    std::string state_json;  // for a seccomp listener
};

// The helper: joins, waits to be in the container's cgroups, runs the process steps, execs.
Status exec_helper_steps(const ExecPlan& plan, const SyncSocket& sync) {
    GK_TRY(join_namespaces(plan.namespaces));
    if (plan.namespaces.joined_user) GK_TRY(become_user_namespace_root());
    GK_FAULT_POINT("exec.helper.namespaces");
    trace::mark("join namespaces", 'i');
    // [cgroups] The runtime moves us into the container's cgroups meanwhile; nothing of the
    // process runs (and nothing forks) before that is done.
    GK_TRY(sync.expect(SyncType::cgroup_attached));
    GK_TRY(join_session_keyring(plan.id));
    if (plan.root_fd >= 0 && (::fchdir(plan.root_fd) < 0 || ::chroot(".") < 0))
        return sys_error("enter the container's root");
    PreparedProcess prepared = GK_TRY(prepare_process(plan.steps, plan.state_json));
    GK_FAULT_POINT("exec.helper.process");
    // From here the process may outlive the runtime (`exec --detach`).
    ::prctl(PR_SET_PDEATHSIG, 0);
    return finish_and_exec(plan.steps, prepared);
}

[[noreturn]] void exec_helper(const ExecPlan& plan, SyncSocket& sync_in) {
    // The sync socket must be above the descriptors --preserve-fds keeps (its close-on-exec
    // tells the runtime that execve succeeded).
    SyncSocket sync(UniqueFd(::fcntl(sync_in.fd(), F_DUPFD_CLOEXEC, 3 + plan.steps.preserve_fds)));
    sync_in.close();
    // Nothing may unwind out of the child into the runtime's own stack.
    try {
        Status st = begin_container_process();
        if (st) st = exec_helper_steps(plan, sync);
        (void)sync.send_error(st ? Error("exec returned", 0) : st.error());
    } catch (const std::exception& ex) {
        (void)sync.send(SyncType::error, 0, std::string("exec helper: ") + ex.what());
    } catch (...) {
        (void)sync.send(SyncType::error, 0, "exec helper: unexpected exception");
    }
    _exit(127);
}

Result<spec::Process> load_process(const spec::Config& cfg, const ExecOptions& opts) {
    if (opts.process_file.empty()) {
        if (!cfg.process) return Error("the container's config.json has no process to start from", EINVAL);
        spec::Process p = GK_TRY(exec_process_from_flags(*cfg.process, opts));
        GK_TRY(spec::validate_process(p, "exec"));
        return p;
    }
    std::string text = GK_TRY(read_whole_file(opts.process_file));
    std::string origin = opts.process_file.substr(opts.process_file.rfind('/') + 1);
    spec::Process p = GK_TRY(spec::parse_process(text, origin));
    GK_TRY(spec::validate_process(p, origin));
    return p;
}

// The container's namespaces, as paths under /proc/<init>/ns: every type its config lists, except
// those the init shares with us (nothing to join).
spec::Linux namespaces_of_init(const spec::Linux& lnx, pid_t init) {
    spec::Linux out;
    for (const auto& ns : lnx.namespaces) {
        const char* name = namespace_proc_name(ns.type);
        if (*name == '\0') continue;
        unsigned long long theirs = namespace_inode(init, name);
        if (theirs != 0 && theirs == namespace_inode(::getpid(), name)) continue;
        spec::Namespace joined;
        joined.type = ns.type;
        joined.path = "/proc/" + std::to_string(init) + "/ns/" + name;
        out.namespaces.push_back(std::move(joined));
    }
    return out;
}

// [cgroups] Moves `pid` into the container's cgroups, or into --cgroup's sub-cgroup: "PATH" for
// every controller, "CTRL[,CTRL]:PATH" for those (runc 1.2's syntax).
Status attach_to_cgroup(cgroups::CgroupManager& cg, pid_t pid, const std::string& sub) {
    if (sub.empty()) return cg.attach(pid, false);
    std::vector<std::string> dirs;
    std::string path = sub, ctrls;
    if (auto colon = sub.find(':'); colon != std::string::npos) {
        ctrls = sub.substr(0, colon);
        path = sub.substr(colon + 1);
    }
    if (path.empty() || path.find("..") != std::string::npos)
        return Error("--cgroup " + sub + ": the path must name a cgroup below the container's", EINVAL);
    std::vector<std::string> wanted;
    if (ctrls.empty()) {
        auto all = cg.controllers();
        wanted.assign(all.v1.begin(), all.v1.end());
        wanted.insert(wanted.end(), all.v2.begin(), all.v2.end());
    } else {
        for (size_t at = 0; at <= ctrls.size();) {
            size_t comma = ctrls.find(',', at);
            if (comma == std::string::npos) comma = ctrls.size();
            wanted.push_back(ctrls.substr(at, comma - at));
            at = comma + 1;
        }
    }
    for (const auto& c : wanted) {
        if (cg.version_of(c) == 0)
            return Error("--cgroup " + sub + ": no " + c + " controller in the container's cgroups", EINVAL);
        std::string dir = cg.dir_of(c) + "/" + path;
        bool seen = false;
        for (const auto& d : dirs) seen = seen || d == dir;
        if (seen) continue;
        dirs.push_back(dir);
        GK_TRY(cgroups::write_cgroup_file(dir + "/cgroup.procs", std::to_string(pid)));
    }
    return {};
}

// The helper's end of the sync socket is closed without a report: by its execve, or by its
// death before it (a signal, a seccomp filter that kills execve...). A zombie shows which.
Status helper_execed(pid_t pid, int pidfd) {
    auto st = read_proc_stat(pid);  // our child, not reaped: readable even once it has exited
    if (!st) return std::move(st).error().wrap("exec helper");
    if (!(st->flags & kProcForkNoExec)) return {};
    std::string how = describe_child_exit(pidfd, 2000);
    return Error("the exec helper " + (how.empty() ? "closed its channel" : how) + " before the process started", 0);
}

Result<ExecedProcess> exec_impl(const StateStore& store, const ExecOptions& opts, ContainerLock& lock,
                                OwnedChild& rollback) {
    ContainerInfo info = GK_TRY(load_container(store, opts.id));
    const ContainerRecord& rec = info.record;
    fault::set_init(rec.pid);
    GK_FAULT_POINT("exec.locked");
    using spec::ContainerStatus;
    // A created container takes an exec, as runc's does: its namespaces and cgroups exist, and
    // its init waits on the exec FIFO meanwhile.
    if (info.status == ContainerStatus::stopped) return Error("cannot exec in a stopped container", 0);
    if (info.status == ContainerStatus::paused && !opts.ignore_paused)
        return Error("cannot exec in a paused container (use --ignore-paused to override)", 0);
    spec::Config cfg = GK_TRY(spec::parse_config(GK_TRY(store.read_file(opts.id, "config.json"))));
    ExecedProcess out;
    out.process = GK_TRY(load_process(cfg, opts));
    const spec::Process& proc = out.process;
    if (proc.terminal && opts.console_socket.empty() && opts.console_fd < 0)
        return Error("a terminal (--tty or process.terminal) needs --console-socket when detached", 0);
    if (!proc.terminal && !opts.console_socket.empty())
        return Error("--console-socket needs --tty (or process.terminal in the process file)", 0);
    GK_TRY(check_lsm_available(proc));  // [confinement]
    const spec::Linux* lnx = cfg.linux ? &*cfg.linux : nullptr;
    trace::mark("load state, config, process");

    ExecPlan plan;
    plan.id = opts.id;
    // The init's namespaces, opened and then checked to still be the init's (not a reused pid).
    spec::Linux joined = lnx ? namespaces_of_init(*lnx, rec.pid) : spec::Linux{};
    plan.namespaces = GK_TRY(plan_namespaces(&joined));
    bool own_mount_ns = false;
    for (const auto& ns : joined.namespaces) own_mount_ns = own_mount_ns || ns.type == "mount";
    UniqueFd root;
    if (!own_mount_ns) {
        root.reset(::open(("/proc/" + std::to_string(rec.pid) + "/root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!root) return sys_error("open the container's root");
        plan.root_fd = root.get();
    }
    if (!process_alive(rec.pid, rec.start_time)) return Error("cannot exec in a stopped container", 0);

    // The console and [confinement] the container's seccomp profile and agent, as create has them.
    HostSideSteps host_side =
        GK_TRY(resolve_host_side(proc, lnx, opts.console_socket, opts.console_fd, store.root() + "/.seccomp-cache"));
    plan.steps.process = &proc;
    plan.steps.linux_cfg = lnx;
    host_side.fill(plan.steps);
    plan.steps.preserve_fds = opts.preserve_fds;
    plan.state_json = hook_state_json(rec, spec::status_name(info.status));
    std::unique_ptr<cgroups::CgroupManager> cg;  // [cgroups]
    if (!rec.cgroup_path.empty()) cg = GK_TRY(cgroups::open_container_cgroup(store.dir(opts.id)));
    else if (!opts.cgroup.empty()) return Error("--cgroup: the container has no cgroup", EINVAL);
    trace::mark("plan");

    auto [parent_end, child_end] = GK_TRY(SyncSocket::make_pair());
    // The lock goes before the helper exists: a copy of it in a helper that is frozen with a
    // paused container would keep `resume` waiting forever. A `delete` from here on leaves the
    // helper no cgroup to join (the attach fails and the helper is killed), or no pid namespace
    // to be cloned into.
    lock = ContainerLock();
    GK_FAULT_POINT("exec.unlocked");
    ParentNamespaceSwitch nsswitch;
    GK_TRY(nsswitch.enter(plan.namespaces, nullptr));
    int pidfd = -1;
    auto cloned = clone_with_pidfd(0, &pidfd);
    if (!cloned) {
        // The kernel refuses a new member of a pid namespace whose init has exited with ENOMEM:
        // the container stopped (a kill or delete) after the check above.
        if (cloned.error().sys_errno() == ENOMEM && !process_alive(rec.pid, rec.start_time))
            return Error("cannot exec in a stopped container (its init exited while exec started)", 0);
        return std::move(cloned).error();
    }
    pid_t pid = *cloned;
    if (pid == 0) {
        parent_end.close();
        exec_helper(plan, child_end);
    }
    rollback = OwnedChild(pid, UniqueFd(pidfd));  // killed and reaped unless the exec went through
    nsswitch.restore();
    GK_FAULT_POINT("exec.clone");
    child_end.close();
    if (cg) {
        Status attached = attach_to_cgroup(*cg, pid, opts.cgroup);
        if (!attached) return std::move(attached).error().wrap("cgroup " + rec.cgroup_path);
        GK_FAULT_POINT("exec.cgroup-attach");
    }
    trace::mark("clone3, cgroups");
    // The helper may be gone already (its error then waits in the socket).
    (void)parent_end.send(SyncType::cgroup_attached);
    // End-of-file: the socket was closed by a successful execve, or by a helper that died.
    auto msg = parent_end.recv();
    if (msg) {
        if (msg->type == SyncType::error) return Error(msg->text, msg->err);
        return Error(std::string("sync: unexpected message ") + sync_type_name(msg->type), EPROTO);
    }
    if (msg.error().sys_errno() != EPIPE) return std::move(msg).error();
    GK_TRY(helper_execed(pid, rollback.pidfd()));
    trace::mark("execve");
    GK_FAULT_POINT("exec.execed");
    out.pid = pid;
    if (!opts.pid_file.empty()) {
        char cwd[PATH_MAX];
        if (!::getcwd(cwd, sizeof cwd)) return sys_error("getcwd");
        std::string pf = opts.pid_file[0] == '/' ? opts.pid_file : std::string(cwd) + "/" + opts.pid_file;
        GK_TRY(write_file_atomic(pf, std::to_string(pid), 0644));
        GK_FAULT_POINT("exec.pid-file");
    }
    out.pidfd = rollback.release();
    return out;
}

}  // namespace

Result<spec::Process> exec_process_from_flags(const spec::Process& base, const ExecOptions& opts) {
    spec::Process p = base;
    if (opts.args.empty()) return Error("no command given (COMMAND after the container id, or --process)", EINVAL);
    p.args = opts.args;
    p.terminal = opts.tty;
    if (!opts.cwd.empty()) p.cwd = opts.cwd;
    for (const auto& kv : opts.env) {
        auto eq = kv.find('=');
        if (eq == std::string::npos || eq == 0) return Error("--env " + kv + ": expected NAME=VALUE", EINVAL);
        std::string key = kv.substr(0, eq + 1);
        bool replaced = false;
        for (auto& e : p.env)
            if (e.starts_with(key)) {
                e = kv;
                replaced = true;
            }
        if (!replaced) p.env.push_back(kv);
    }
    if (opts.uid) p.user.uid = *opts.uid;
    if (opts.gid) p.user.gid = *opts.gid;
    for (uint32_t g : opts.additional_gids) p.user.additional_gids.push_back(g);
    if (!opts.caps.empty()) {
        if (!p.capabilities) p.capabilities.emplace();
        auto& c = *p.capabilities;
        for (std::string cap : opts.caps) {
            for (auto& ch : cap) ch = static_cast<char>(toupper(static_cast<unsigned char>(ch)));
            if (!cap.starts_with("CAP_")) cap = "CAP_" + cap;
            add_unique(c.bounding, cap);
            add_unique(c.effective, cap);
            add_unique(c.permitted, cap);
            // Ambient needs inheritable, which --cap does not add (as runc).
            if (!c.inheritable.empty()) add_unique(c.ambient, cap);
        }
    }
    if (opts.no_new_privs) p.no_new_privileges = true;
    if (!opts.apparmor.empty()) p.apparmor_profile = opts.apparmor;
    if (!opts.process_label.empty()) p.selinux_label = opts.process_label;
    return p;
}

Result<ExecedProcess> exec_in_container(const StateStore& store, const ExecOptions& opts) {
    std::string what = "exec " + opts.id;
    // [confinement] CVE-2019-5736: the helper is a clone of this process and visible in the
    // container until its execve: run from the protected binary, as create does.
    if (Status safe = reexec_from_protected_binary(); !safe) return std::move(safe).error().wrap(what);
    auto lock = store.lock(opts.id);
    if (!lock) return std::move(lock).error().wrap(what);
    OwnedChild rollback;
    auto done = exec_impl(store, opts, *lock, rollback);
    if (!done) return std::move(done).error().wrap(what);
    return done;
}

}  // namespace gocker
