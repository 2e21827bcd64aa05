#include "containers.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <thread>

#include "bundle.hpp"
#include "container/state_store.hpp"
#include "monitor.hpp"
#include "network.hpp"
#include "rootfs_layer.hpp"
#include "runtime_cli.hpp"
#include "spec/config_io.hpp"

namespace gocker::core {
namespace {

void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

// Waits until the monitor has recorded the exit (or is gone and the init with it).
bool wait_exited(const Store& store, const std::string& id, int timeout_ms) {
    for (int waited = 0;; waited += 50) {
        auto r = store.load(id);
        if (!r) return true;
        if (r->status == "exited") return true;
        if (!monitor_alive(*r) && (r->pid <= 0 || ::kill(r->pid, 0) != 0)) return true;
        if (waited >= timeout_ms) return false;
        sleep_ms(50);
    }
}

// Waits for the monitor to finish its work (record, runtime delete) and exit.
void wait_monitor_gone(const Store& store, const std::string& id, int timeout_ms) {
    for (int waited = 0; waited < timeout_ms; waited += 50) {
        auto r = store.load(id);
        if (!r || !monitor_alive(*r)) return;
        sleep_ms(50);
    }
}

std::string join(const std::vector<std::string>& v, const char* sep) {
    std::string s;
    for (const auto& e : v) s += (s.empty() ? "" : sep) + e;
    return s;
}

// Undoes a run that failed after its id was claimed.
class RunRollback {
public:
    RunRollback(const Store& store, std::string id) : store_(store), id_(std::move(id)) {}
    void runtime_created(RuntimeCli rt) { runtime_ = std::move(rt); }
    void release() { armed_ = false; }
    ~RunRollback() {
        if (!armed_) return;
        if (runtime_) {
            (void)runtime_->call({"delete", "--force", id_}, "delete");
            wait_monitor_gone(store_, id_, 10000);
        }
        auto lock = store_.lock();
        (void)remove_container_files(store_, id_);
    }

private:
    const Store& store_;
    std::string id_;
    std::optional<RuntimeCli> runtime_;
    bool armed_ = true;
};

}  // namespace

Result<Record> run_container(const Store& store, const RunOptions& opts, const std::string& cgroup_parent,
                             const RunHooks& hooks) {
    auto note = [&](const std::string& s) {
        if (hooks.note) hooks.note(s);
    };
    // Everything that can be checked without touching the system first.
    std::string runtime = GK_TRY(find_runtime(opts.runtime));
    NetworkPlan net = GK_TRY(plan_network(opts));
    struct stat st {};
    if (::stat(opts.rootfs.c_str(), &st) != 0) return sys_error([&] { return "ROOTFS " + opts.rootfs; });
    if (!S_ISDIR(st.st_mode)) return Error("ROOTFS " + opts.rootfs + ": not a directory", ENOTDIR);
    for (const auto& v : opts.volumes)
        if (::stat(v.source.c_str(), &st) != 0)
            return sys_error([&] { return "--volume " + v.source + ":" + v.destination; });
    if (cgroup_parent.empty() || cgroup_parent[0] != '/' || cgroup_parent.find("..") != std::string::npos)
        return Error("--cgroup-parent " + cgroup_parent + ": expected an absolute cgroup path without ..", EINVAL);
    {  // the config alone, to refuse bad flag values before anything exists
        BundleInputs probe{"probe", opts.rootfs, cgroup_parent + "/probe"};
        GK_TRY(make_config(opts, probe, net));
    }
    if (!net.note.empty()) note(net.note);

    std::string id;
    {
        auto lock = GK_TRY(store.lock());
        if (!opts.name.empty())
            for (const auto& r : store.list())
                if (r.name == opts.name)
                    return Error("--name " + opts.name + ": the name is taken by container " + r.id, EEXIST);
        id = GK_TRY(store.claim_new_id());
        Record placeholder;
        placeholder.id = id;
        placeholder.name = opts.name;
        placeholder.status = "preparing";
        placeholder.created = now_rfc3339_nano();
        if (auto s = store.save(placeholder); !s) {
            (void)remove_container_files(store, id);
            return std::move(s).error();
        }
    }
    RunRollback rollback(store, id);
    RootfsLayer layer = GK_TRY(make_rootfs_layer(store, id, opts.rootfs, opts.storage, opts.userns));
    if (!layer.note.empty()) note(layer.note + ": container " + id + " gets a copy of " + opts.rootfs);
    BundleInputs in{id, layer.path, cgroup_parent + "/" + id};
    spec::Config cfg = GK_TRY(make_config(opts, in, net));
    std::string bundle = store.file(id, "bundle");
    if (::mkdir(bundle.c_str(), 0700) != 0) return sys_error([&] { return "make " + bundle; });
    GK_TRY(write_file_atomic(bundle + "/config.json", spec::config_to_json(cfg), 0600));

    Record rec;
    rec.id = id;
    rec.name = opts.name;
    rec.rootfs = opts.rootfs;
    rec.args = cfg.process->args;
    rec.created = now_rfc3339_nano();
    rec.status = "creating";
    rec.runtime = runtime;
    rec.runtime_root = default_runtime_root();
    rec.storage = layer.storage;
    rec.network = network_mode_name(net.mode);
    for (const auto& p : opts.ports) rec.ports.push_back(p.text());
    rec.hostname = opts.hostname;
    rec.cgroups_path = in.cgroups_path;
    rec.cpu_limit = opts.cpu_limit.value_or("max");
    rec.memory_limit = opts.memory_limit.value_or("max");
    rec.pids_limit = opts.pids_limit;
    for (const auto& v : opts.volumes)
        rec.volumes.push_back(v.source + ":" + v.destination + (v.readonly ? ":ro" : ""));
    std::vector<std::string> maps;
    for (const auto& m : opts.userns)
        maps.push_back(std::to_string(m.container_id) + ":" + std::to_string(m.host_id) + ":" + std::to_string(m.size));
    rec.userns = join(maps, ",");
    rec.tty = opts.tty;
    rec.interactive = opts.interactive;
    rec.read_only = opts.read_only;
    rec.auto_remove = opts.auto_remove;
    rec.log_max_size = opts.log_max_size;
    GK_TRY(store.save(rec));

    RuntimeCli rt(runtime, rec.runtime_root);
    rollback.runtime_created(rt);  // from here a failure also deletes the runtime's container
    GK_TRY(start_monitor(store, rec));
    rec = GK_TRY(store.load(id));
    if (hooks.before_start) GK_TRY(hooks.before_start(rec));
    GK_TRY(rt.call({"start", id}, "start the container"));
    rollback.release();
    {
        auto lock = GK_TRY(store.lock());
        rec = GK_TRY(store.load(id));
        if (rec.status == "created") {  // the monitor may already have recorded its exit
            rec.status = "running";
            rec.started_at = now_rfc3339_nano();
            GK_TRY(store.save(rec));
        }
    }
    return rec;
}

Status stop_container(const Store& store, const std::string& ref, int timeout_s) {
    Record rec = GK_TRY(store.resolve(ref));
    std::string status = live_status(rec);
    if (status != "running" && status != "created") return ok_status();
    RuntimeCli rt(rec.runtime, rec.runtime_root);
    (void)rt.call({"kill", rec.id, "TERM"}, "stop " + ref);
    if (wait_exited(store, rec.id, timeout_s * 1000)) return ok_status();
    (void)rt.call({"kill", rec.id, "KILL"}, "stop " + ref);
    if (!wait_exited(store, rec.id, 10000))
        return Error("stop " + ref + ": still running 10 s after SIGKILL", ETIMEDOUT);
    return ok_status();
}

Status remove_container(const Store& store, const std::string& ref, bool force) {
    Record rec = GK_TRY(store.resolve(ref));
    std::string status = live_status(rec);
    RuntimeCli rt(rec.runtime, rec.runtime_root);
    if (status == "running" || status == "created" || status == "preparing" || status == "creating") {
        if (!force) return Error("rm " + ref + ": the container is " + status + ": stop it first, or use rm -f", EBUSY);
        (void)rt.call({"kill", rec.id, "KILL"}, "rm " + ref);
        if (!wait_exited(store, rec.id, 10000))
            return Error("rm " + ref + ": still running 10 s after SIGKILL", ETIMEDOUT);
    }
    wait_monitor_gone(store, rec.id, 10000);
    if (!rec.runtime.empty()) (void)rt.call({"delete", "--force", rec.id}, "rm " + ref);
    auto lock = GK_TRY(store.lock());
    GK_TRY_CTX(remove_container_files(store, rec.id), "rm " + ref);
    return ok_status();
}

Result<std::vector<std::string>> exec_argv(const Store& store, const std::string& ref, const ExecOptions& opts) {
    Record rec = GK_TRY(store.resolve(ref));
    if (live_status(rec) != "running")
        return Error("exec " + ref + ": the container is not running (" + status_text(rec) + ")", EINVAL);
    std::vector<std::string> args{"exec"};
    if (opts.tty) args.push_back("--tty");
    for (const auto& e : opts.env) args.insert(args.end(), {"--env", e});
    if (!opts.user.empty()) args.insert(args.end(), {"--user", opts.user});
    if (!opts.workdir.empty()) args.insert(args.end(), {"--cwd", opts.workdir});
    args.push_back(rec.id);
    args.insert(args.end(), opts.args.begin(), opts.args.end());
    return RuntimeCli(rec.runtime, rec.runtime_root).argv(args);
}

bool container_active(const Store& store, const std::string& id) {
    auto r = store.load(id);
    return r && monitor_alive(*r);
}

}  // namespace gocker::core
