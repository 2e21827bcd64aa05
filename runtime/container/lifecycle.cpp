#include "container/lifecycle.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <csignal>
#include <cstring>

#include "common/fault_point.hpp"
#include "common/log.hpp"
#include "common/trace.hpp"
#include "container/create.hpp"
#include "container/exec_fifo.hpp"
#include "linux/cgroups/cgroup_fs.hpp"  // [cgroups]
#include "linux/cgroups/container_cgroup.hpp"
#include "linux/hooks.hpp"
#include "linux/proc_info.hpp"
#include "spec/config_io.hpp"

namespace gocker {

// [cgroups] The container's cgroup manager, or null when it has none. A half-made container has
// no record of its cgroup path yet, but its cgroup.json is already in the state directory.
static std::unique_ptr<cgroups::CgroupManager> container_cgroup(const StateStore& store, const ContainerRecord& rec,
                                                                bool half_made = false) {
    if (rec.cgroup_path.empty() && !half_made) return nullptr;
    auto m = cgroups::open_container_cgroup(store.dir(rec.id));
    return m ? std::move(*m) : nullptr;
}

spec::ContainerStatus derive_status(const StateStore& store, const ContainerRecord& rec) {
    if (!process_alive(rec.pid, rec.start_time)) return spec::ContainerStatus::stopped;
    if (auto cg = container_cgroup(store, rec)) {  // [cgroups] a frozen cgroup is "paused"
        auto frozen = cg->frozen();
        if (frozen && *frozen) return spec::ContainerStatus::paused;
    }
    if (::access(store.fifo_path(rec.id).c_str(), F_OK) == 0) return spec::ContainerStatus::created;
    return spec::ContainerStatus::running;
}

Result<ContainerInfo> load_container(const StateStore& store, std::string_view id) {
    ContainerInfo info;
    info.record = GK_TRY(store.read_record(id));
    info.status = derive_status(store, info.record);
    return info;
}

spec::State oci_state(const ContainerInfo& info) {
    spec::State s;
    s.oci_version = spec::kOciVersion;
    s.id = info.record.id;
    s.status = info.status;
    s.pid = info.status == spec::ContainerStatus::stopped ? 0 : info.record.pid;
    s.bundle = info.record.bundle;
    s.annotations = info.record.annotations;
    return s;
}

static Result<spec::Config> stored_config(const StateStore& store, std::string_view id) {
    std::string text = GK_TRY(store.read_file(id, "config.json"));
    return spec::parse_config(text);
}

Status start_locked(const StateStore& store, const ContainerLock& lock, const ContainerRecord& rec,
                    const spec::Config& cfg, int pidfd) {
    if (lock.id() != rec.id) return Error("start " + rec.id + ": the lock held is " + lock.id() + "'s", EINVAL);
    std::string fifo_path = store.fifo_path(rec.id);
    // What the init runs before it can exec: it can only once the FIFO is open.
    const auto runtime_exe = exe_of(rec.pid);
    UniqueFd fifo(::open(fifo_path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (!fifo) return sys_error([&] { return "open exec fifo " + fifo_path; });
    GK_FAULT_POINT("start.fifo-open");
    // From here on the container is no longer "created", whatever happens to the program.
    ::unlink(fifo_path.c_str());
    GK_FAULT_POINT("start.fifo-removed");
    trace::mark("open exec fifo");
    GK_TRY(wait_for_exec(fifo.get(), pidfd, rec.pid, runtime_exe));
    GK_FAULT_POINT("start.execed");
    trace::mark("startContainer hooks, execve");
    if (cfg.hooks && !cfg.hooks->poststart.empty()) {
        for (const Error& e : run_all_hooks("poststart", cfg.hooks->poststart, hook_state_json(rec, "running")))
            log::warning("start " + rec.id + ": " + e.message());
        GK_FAULT_POINT("start.poststart-hooks");
    }
    return {};
}

Status start_container(const StateStore& store, std::string_view id) {
    std::string what = "start " + std::string(id);
    auto lock = store.lock(id);
    if (!lock) return std::move(lock).error().wrap(what);
    auto info = load_container(store, id);
    if (!info) return std::move(info).error().wrap(what);
    if (info->status != spec::ContainerStatus::created)
        return Error(what + ": cannot start a container that is " + spec::status_name(info->status) +
                         " (only a created container can be started)",
                     0);
    auto cfg = stored_config(store, id);
    if (!cfg) return std::move(cfg).error().wrap(what);
    auto pidfd = open_verified_pidfd(info->record.pid, info->record.start_time);
    if (!pidfd) return std::move(pidfd).error().wrap(what);
    fault::set_init(info->record.pid);
    if (Status f = GK_FAULT_CHECK("start.locked"); !f) return std::move(f).error().wrap(what);
    Status st = start_locked(store, *lock, info->record, *cfg, pidfd->get());
    if (!st) return std::move(st).error().wrap(what);
    return {};
}

// Host PIDs of the container's processes (init first): those in its cgroup, or else in its PID
// namespace. With a PID namespace of its own, a process in the cgroup counts only when it is in
// that namespace too: anyone may have moved another process into the cgroup.
static std::vector<pid_t> container_pids(const StateStore& store, const ContainerRecord& rec) {
    std::vector<pid_t> pids{rec.pid};
    unsigned long long ns = rec.has_pid_ns ? namespace_inode(rec.pid, "pid") : 0;
    if (rec.has_pid_ns && ns == 0) return pids;
    auto ours = [&](pid_t p) { return p != rec.pid && (!rec.has_pid_ns || namespace_inode(p, "pid") == ns); };
    if (auto cg = container_cgroup(store, rec)) {  // [cgroups]
        if (auto procs = cg->procs()) {
            for (pid_t p : *procs)
                if (ours(p)) pids.push_back(p);
            return pids;
        }
    }
    if (!rec.has_pid_ns) return pids;
    DIR* d = ::opendir("/proc");
    if (!d) return pids;
    while (struct dirent* e = ::readdir(d)) {
        char* end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end != '\0' || pid <= 0) continue;
        if (ours(static_cast<pid_t>(pid))) pids.push_back(static_cast<pid_t>(pid));
    }
    ::closedir(d);
    return pids;
}

// A process found by PID just now: signalled through a pidfd opened after its start time was read,
// so a PID reused meanwhile is never hit. One that has gone is skipped.
static void signal_by_pidfd(pid_t pid, int sig) {
    auto st = read_proc_stat(pid);
    if (!st) return;
    if (auto fd = open_verified_pidfd(pid, st->start_time)) (void)pidfd_signal(fd->get(), sig);
}

// [cgroups] A frozen (v1) task dies of SIGKILL only once thawed.
static void thaw_if_frozen(cgroups::CgroupManager& cg) {
    if (auto frozen = cg.frozen(); frozen && *frozen) (void)cg.freeze(false);
}

// [cgroups] Every process still in the cgroup of a container whose init is gone.
static void signal_leftovers(const StateStore& store, const ContainerRecord& rec, int sig) {
    auto cg = container_cgroup(store, rec);
    if (!cg) return;
    auto procs = cg->procs();
    if (!procs) return;
    for (pid_t pid : *procs) signal_by_pidfd(pid, sig);
    if (sig == SIGKILL) thaw_if_frozen(*cg);
}

static Status signal_container(const StateStore& store, const ContainerRecord& rec, int sig, bool all) {
    UniqueFd pidfd = GK_TRY(open_verified_pidfd(rec.pid, rec.start_time));
    if (all) {
        for (pid_t pid : container_pids(store, rec))
            if (pid != rec.pid) signal_by_pidfd(pid, sig);
    }
    GK_TRY(pidfd_signal(pidfd.get(), sig));
    if (sig == SIGKILL)
        if (auto cg = container_cgroup(store, rec)) thaw_if_frozen(*cg);
    return {};
}

Status kill_container(const StateStore& store, std::string_view id, int sig, bool all) {
    std::string what = "kill " + std::string(id);
    // Under the container's lock, as every command that acts on it: not between `run`'s create
    // and start, nor on a container a delete is removing, nor (--all) in the cgroup of another
    // container made with the same id since the record was read. No command holds the lock for
    // longer than one step of the container's life (`run` lets it go once the container has
    // started), but a kill is what one reaches for when something hangs: it waits a bounded time.
    auto lock = store.lock(id, kKillLockWaitSeconds);
    if (!lock) return std::move(lock).error().wrap(what);
    auto info = load_container(store, id);
    if (!info) return std::move(info).error().wrap(what);
    if (info->status == spec::ContainerStatus::stopped) {
        if (!all) return Error(what + ": the container is not running", 0);
        // runc's `kill --all` of a stopped container signals what is left in its cgroup (without
        // a pid namespace, the init's children outlive it) and succeeds; containerd relies on
        // it (`kill --all ID 9` after the init exited) to bring the container to "exited".
        signal_leftovers(store, info->record, sig);
        return {};
    }
    Status st = signal_container(store, info->record, sig, all);
    if (!st && all && !process_alive(info->record.pid, info->record.start_time)) {
        signal_leftovers(store, info->record, sig);  // the init exited meanwhile: stopped now
        return {};
    }
    if (!st) return std::move(st).error().wrap(what);
    return {};
}

Status remove_container(const StateStore& store, const ContainerRecord& rec, const spec::Config* cfg, bool half_made,
                        cgroups::CgroupManager* cgroup) {
    if (cfg && cfg->hooks && !cfg->hooks->poststop.empty()) {
        for (const Error& e : run_all_hooks("poststop", cfg->hooks->poststop, hook_state_json(rec, "stopped")))
            log::warning("delete " + rec.id + ": " + e.message());
        if (Status f = GK_FAULT_CHECK("delete.poststop-hooks"); !f)
            log::warning("delete " + rec.id + ": " + f.error().message());
    }
    // [cgroups] What is left in the cgroup is killed, then the cgroup goes: only what create()
    // made goes, and what is left is the container's only in a cgroup create() made (it refuses
    // to join a non-empty one) and without a PID namespace of its own (with one, the kernel
    // killed every member when the init died, so anything left was put there by someone else).
    std::unique_ptr<cgroups::CgroupManager> found;
    if (!cgroup) {
        found = container_cgroup(store, rec, half_made);
        cgroup = found.get();
    }
    if (auto* cg = cgroup) {
        if (!rec.has_pid_ns && cg->made_all_leaves())
            if (auto left = cg->procs())
                for (pid_t p : *left) ::kill(p, SIGKILL);
        thaw_if_frozen(*cg);
        Status gone = cg->destroy();
        if (gone) gone = GK_FAULT_CHECK("delete.cgroup");
        if (!gone) log::warning("delete " + rec.id + ": " + gone.error().message());
    } else {
        // No readable cgroup.json: a create killed while it made the cgroup, or a damaged file.
        // The journal lists what create made (only empty cgroups go).
        cgroups::remove_journaled_cgroups(store.dir(rec.id) + "/" + std::string(cgroups::kJournalFile));
    }
    return store.remove(rec.id);
}

Status delete_container(const StateStore& store, std::string_view id, bool force) {
    std::string what = "delete " + std::string(id);
    if (force && validate_container_id(id) && !store.exists(id)) return {};
    auto lock = store.lock(id);
    if (!lock) {
        if (force && !store.exists(id)) return {};  // deleted by the command that held the lock
        return std::move(lock).error().wrap(what);
    }
    // A state directory that cannot be removed (a read-only --root) must not cost the container
    // its processes: refused before anything is killed.
    struct statvfs fs;
    if (::statvfs(store.dir(id).c_str(), &fs) == 0 && (fs.f_flag & ST_RDONLY))
        return Error(what + ": state directory " + store.dir(id), EROFS);
    auto info = load_container(store, id);
    if (!info) {
        // A directory without a readable record is a half-made container (a create that was
        // killed): remove it the same way as any other, cgroup included (its cgroup.json is there).
        if (force) {
            if (Status f = GK_FAULT_CHECK("delete.half-made"); !f) return std::move(f).error().wrap(what);
            ContainerRecord half_made;
            half_made.id = std::string(id);
            Status gone = remove_container(store, half_made, nullptr, true);
            if (!gone) return std::move(gone).error().wrap(what);
            return {};
        }
        return std::move(info).error().wrap(what);
    }
    const ContainerRecord& rec = info->record;
    fault::set_init(rec.pid);
    if (Status f = GK_FAULT_CHECK("delete.locked"); !f) return std::move(f).error().wrap(what);
    if ((info->status == spec::ContainerStatus::running || info->status == spec::ContainerStatus::paused) && !force)
        return Error(what + ": cannot delete a " + spec::status_name(info->status) +
                         " container (stop it first, or use --force)",
                     0);
    if (info->status != spec::ContainerStatus::stopped) {
        // created (never started) or running with --force: kill every process and wait.
        auto pidfd = open_verified_pidfd(rec.pid, rec.start_time);
        if (pidfd) {
            (void)signal_container(store, rec, SIGKILL, true);
            if (!pidfd_wait_exit(pidfd->get(), 10000))
                return Error(what + ": the container init did not exit within 10 s of SIGKILL", ETIMEDOUT);
        }
        if (Status f = GK_FAULT_CHECK("delete.killed"); !f) return std::move(f).error().wrap(what);
    }
    auto cfg = stored_config(store, id);
    Status gone = remove_container(store, rec, cfg ? &*cfg : nullptr);
    if (!gone) return std::move(gone).error().wrap(what);
    return {};
}

Status delete_exited_container(const StateStore& store, const CreatedContainer& c) {
    const std::string& id = c.record.id;
    auto lock = store.lock(id);
    if (!lock) {
        if (!store.exists(id)) return {};
        return std::move(lock).error().wrap("delete " + id);
    }
    if (!store.exists(id)) return {};
    // Someone may have deleted ours and created another container with the same id meanwhile:
    // remove only the container this `run` made.
    if (auto now = store.read_record(id); !now || now->pid != c.record.pid || now->start_time != c.record.start_time)
        return {};
    Status gone = remove_container(store, c.record, &c.config, false, c.cgroup.get());
    if (!gone) return std::move(gone).error().wrap("delete " + id);
    return {};
}

Result<std::vector<ContainerInfo>> list_containers(const StateStore& store) {
    std::vector<ContainerInfo> out;
    for (const auto& id : GK_TRY(store.list())) {
        auto info = load_container(store, id);
        if (info) {
            out.push_back(std::move(*info));
        } else if (info.error().sys_errno() != ENOENT && store.exists(id)) {
            // A damaged record is said, not hidden: `delete --force` removes such a container.
            // (No state.json yet, or any more, is a create or delete under way.)
            log::warning("list: container " + id + ": " + info.error().message());
        }
    }
    return out;
}

Result<int> parse_signal(std::string_view s) {
    if (s.empty()) return Error("invalid signal \"\"", EINVAL);
    if (s[0] >= '0' && s[0] <= '9') {
        int n = 0;
        for (char c : s) {
            if (c < '0' || c > '9' || n > 1000) return Error("invalid signal \"" + std::string(s) + "\"", EINVAL);
            n = n * 10 + (c - '0');
        }
        if (n <= 0 || n >= NSIG) return Error("invalid signal \"" + std::string(s) + "\"", EINVAL);
        return n;
    }
    std::string name(s);
    for (auto& c : name) c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
    if (name.rfind("SIG", 0) == 0) name = name.substr(3);
    for (int i = 1; i < NSIG; ++i) {
        const char* abbrev = sigabbrev_np(i);
        if (abbrev && name == abbrev) return i;
    }
    if (name.rfind("RTMIN", 0) == 0 || name.rfind("RTMAX", 0) == 0) {
        bool min = name[3] == 'I';
        int base = min ? SIGRTMIN : SIGRTMAX;
        std::string rest = name.substr(5);
        int off = 0;
        if (!rest.empty()) {
            if ((min && rest[0] != '+') || (!min && rest[0] != '-'))
                return Error("invalid signal \"" + std::string(s) + "\"", EINVAL);
            off = atoi(rest.c_str() + 1);
        }
        int n = min ? base + off : base - off;
        if (n >= SIGRTMIN && n <= SIGRTMAX) return n;
    }
    return Error("invalid signal \"" + std::string(s) + "\"", EINVAL);
}

}  // namespace gocker
