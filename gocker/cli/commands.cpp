// The command table of `gocker`: each command's flags and help, and the thin code that turns
// parsed flags into calls of gocker/core.
#include "commands.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "core/bundle.hpp"
#include "core/container_log.hpp"
#include "core/containers.hpp"
#include "core/monitor.hpp"
#include "core/network.hpp"
#include "core/runtime_cli.hpp"
#include "flags.hpp"
#include "foreground.hpp"
#include "gui/server.hpp"
#include "linux/cgroups/units.hpp"

namespace gocker::cli {
namespace {

using core::Store;

const Command kRun{
    "run",
    "[OPTIONS] ROOTFS [COMMAND [ARG...]]",
    "Runs COMMAND (default: sh) in a new container made from the root filesystem directory ROOTFS.\n"
    "The seed's defaults: new uts, pid, mount, network, ipc and user namespaces (container root is\n"
    "host uid/gid 1000), hostname gocker-container, a fresh /proc, at most 20 processes. Each\n"
    "container writes to an overlay of its own over ROOTFS (a copy when overlayfs is unavailable),\n"
    "so ROOTFS is never changed and many containers can share it. In the foreground the output\n"
    "streams, signals reach the container and gocker exits with the container's exit code; with\n"
    "-d it prints the container's id and the output goes to its log (gocker logs).",
    {
        {"detach", 'd', nullptr, "run in the background and print the container's id"},
        {"name", 0, "NAME", "a unique name for the container"},
        {"hostname", 0, "NAME", "the container's hostname (default gocker-container)"},
        {"env", 'e', "K=V", "set an environment variable (K alone: gocker's own value); repeatable"},
        {"workdir", 'w', "DIR", "the working directory inside the container"},
        {"user", 'u', "UID[:GID]", "run as this user (numbers, inside the container)"},
        {"interactive", 'i', nullptr, "keep stdin open and pass it to the container"},
        {"tty", 't', nullptr, "give the container a terminal"},
        {"volume", 'v', "SRC:DST[:ro]", "bind-mount the host path SRC at DST, read-only with :ro; repeatable"},
        {"publish", 'p', "[IP:]HOST:CTR[/PROTO]", "publish a container port on the host (needs the bridge network)"},
        {"network", 0, "MODE",
         "bridge (through gocker-net), none (loopback only) or host; default bridge when gocker-net is installed, else "
         "none"},
        {"cpu-limit", 0, "N|max", "CPUs the container may use, e.g. 0.5, 2 or max"},
        {"memory-limit", 0, "SIZE|max", "memory limit, e.g. 512M, 1G or max"},
        {"pids-limit", 0, "N|max", "maximum number of processes (default 20)"},
        {"userns", 0, "MAP", "user namespace maps CTR:HOST:SIZE[,...] for uids and gids (default 0:1000:65536)"},
        {"no-userns", 0, nullptr, "no user namespace: container root is host root"},
        {"read-only", 0, nullptr, "mount the container's root filesystem read-only"},
        {"rm", 0, nullptr, "remove the container when it exits"},
        {"runtime", 0, "PATH",
         "the OCI runtime to use (a runc-compatible command line; default $GOCKER_RUNTIME, else gocker-runtime next to "
         "gocker, else in PATH)"},
        {"storage", 0, "overlay|copy", "how the container gets its own root filesystem (default overlay)"},
        {"log-max-size", 0, "SIZE", "rotate the container's log at this size (default 10M)"},
        {"cgroup-parent", 0, "PATH",
         "the cgroup under which containers are made (default $GOCKER_CGROUP_PARENT, else /gocker-cli)"},
        {"help", 'h', nullptr, "show this help"},
    }};

const Command kPs{"ps",
                  "[OPTIONS]",
                  "Lists containers: id, name, command, status (running, created, exited (N) T ago), created,\n"
                  "published ports, address (on the bridge network; else the network mode).",
                  {
                      {"all", 'a', nullptr, "also list containers that are not running"},
                      {"quiet", 'q', nullptr, "print ids only"},
                      {"format", 0, "table|json", "output format (default table)"},
                      {"help", 'h', nullptr, "show this help"},
                  }};

const Command kStop{"stop",
                    "[OPTIONS] CONTAINER...",
                    "Stops running containers: SIGTERM, then SIGKILL when the container still runs after the\n"
                    "timeout. CONTAINER is an id, a unique id prefix or a name.",
                    {
                        {"time", 't', "SECONDS", "seconds to wait after SIGTERM before SIGKILL (default 10)"},
                        {"help", 'h', nullptr, "show this help"},
                    }};

const Command kRm{"rm",
                  "[OPTIONS] CONTAINER...",
                  "Removes stopped containers with their overlay (or copy), bundle, log and network lease.",
                  {
                      {"force", 'f', nullptr, "kill a running container first"},
                      {"help", 'h', nullptr, "show this help"},
                  }};

const Command kLogs{"logs",
                    "[OPTIONS] CONTAINER",
                    "Prints a container's stdout and stderr (to gocker's stdout and stderr), in order.",
                    {
                        {"follow", 'f', nullptr, "keep printing new output until the container stops"},
                        {"tail", 0, "N", "only the last N lines"},
                        {"timestamps", 't', nullptr, "prefix each line with the time it was written"},
                        {"help", 'h', nullptr, "show this help"},
                    }};

const Command kExec{"exec",
                    "[OPTIONS] CONTAINER COMMAND [ARG...]",
                    "Runs another command in a running container (through the runtime's exec) and exits with\n"
                    "its exit code.",
                    {
                        {"interactive", 'i', nullptr, "pass stdin to the command"},
                        {"tty", 't', nullptr, "give the command a terminal"},
                        {"env", 'e', "K=V", "set an environment variable; repeatable"},
                        {"user", 'u', "UID[:GID]", "run as this user"},
                        {"workdir", 'w', "DIR", "the working directory"},
                        {"help", 'h', nullptr, "show this help"},
                    }};

const Command kInspect{"inspect",
                       "CONTAINER...",
                       "Prints the records of containers as a JSON array: command, state, pid, exit code and\n"
                       "times, limits, volumes, user namespace, network, runtime and storage.",
                       {{"help", 'h', nullptr, "show this help"}}};

const Command kGui{"gui",
                   "[OPTIONS]",
                   "Serves the web console (list, details, logs, creation, stop, remove, live usage) and prints\n"
                   "the URL to open, with a token made for this start: every request must carry it. Listens on\n"
                   "loopback unless --listen names another address (then it warns). Ctrl-C stops it.",
                   {
                       {"listen", 0, "HOST:PORT", "the address to listen on (default 127.0.0.1:8080; port 0: any)"},
                       {"cgroup-parent", 0, "PATH",
                        "the cgroup under which containers are made (default $GOCKER_CGROUP_PARENT, else /gocker-cli)"},
                       {"help", 'h', nullptr, "show this help"},
                   }};

const Command* const kCommands[] = {&kRun, &kPs, &kStop, &kRm, &kLogs, &kExec, &kInspect, &kGui};

int fail(const Error& e) {
    std::fprintf(stderr, "gocker: %s\n", e.message().c_str());
    return 125;
}

std::string short_id(const std::string& id) { return id.substr(0, 12); }

// What ps and inspect show as the address: the bridge lease while running, else the mode.
std::string address(const core::Record& r) {
    if (r.network == "bridge" && core::live_status(r) == "running") {
        std::string a = core::bridge_address(r.id);
        if (!a.empty()) return a;
    }
    return "(" + r.network + ")";
}

std::string join_args(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& a : v) s += (s.empty() ? "" : " ") + a;
    return s;
}

Result<core::RunOptions> run_options(const Parsed& p) {
    core::RunOptions o;
    if (p.positional.empty()) return Error("run: ROOTFS is missing (gocker run [OPTIONS] ROOTFS [COMMAND...])", 0);
    o.detach = p.has("detach");
    o.name = p.last("name");
    if (p.has("name")) GK_TRY(core::validate_name(o.name));
    o.hostname = p.last("hostname", o.hostname);
    if (o.hostname.empty()) return Error("--hostname: must not be empty", 0);
    for (const auto& e : p.all("env"))
        if (auto kv = GK_TRY(core::parse_env(e, [](const char* k) -> const char* { return std::getenv(k); })))
            o.env.push_back(*kv);
    o.workdir = p.last("workdir");
    if (!o.workdir.empty() && o.workdir[0] != '/')
        return Error("--workdir " + o.workdir + ": must be an absolute path", 0);
    if (p.has("user")) {
        o.user = p.last("user");
        GK_TRY(core::parse_user(*o.user));
    }
    o.interactive = p.has("interactive");
    o.tty = p.has("tty");
    for (const auto& v : p.all("volume")) o.volumes.push_back(GK_TRY(core::parse_volume(v)));
    for (const auto& v : p.all("publish")) o.ports.push_back(GK_TRY(core::parse_publish(v)));
    if (p.has("network")) o.network = GK_TRY(core::parse_network(p.last("network")));
    if (p.has("cpu-limit")) o.cpu_limit = p.last("cpu-limit");
    if (p.has("memory-limit")) o.memory_limit = p.last("memory-limit");
    if (p.has("pids-limit")) o.pids_limit = p.last("pids-limit");
    if (p.has("userns") && p.has("no-userns")) return Error("--userns and --no-userns: give one of them", 0);
    if (p.has("userns")) o.userns = GK_TRY(core::parse_userns(p.last("userns")));
    if (p.has("no-userns")) o.userns.clear();
    o.read_only = p.has("read-only");
    o.auto_remove = p.has("rm");
    o.runtime = p.last("runtime");
    if (p.has("storage")) {
        std::string s = p.last("storage");
        if (s == "copy") o.storage = core::Storage::copy;
        else if (s != "overlay") return Error("--storage " + s + ": expected overlay or copy", 0);
    }
    if (p.has("log-max-size")) {
        int64_t n = GK_TRY(cgroups::parse_bytes(p.last("log-max-size"), "--log-max-size"));
        if (n <= 0) return Error("--log-max-size " + p.last("log-max-size") + ": expected a positive size", 0);
        o.log_max_size = static_cast<uint64_t>(n);
    }
    char* abs = ::realpath(p.positional[0].c_str(), nullptr);
    if (!abs) return sys_error([&] { return "ROOTFS " + p.positional[0]; });
    o.rootfs = abs;
    std::free(abs);
    o.args.assign(p.positional.begin() + 1, p.positional.end());
    return o;
}

int cmd_run(const Store& store, const Parsed& p) {
    auto opts = run_options(p);
    if (!opts) return fail(opts.error());
    std::string parent = p.last("cgroup-parent", core::default_cgroup_parent());
    UniqueFd attached;
    core::RunHooks hooks;
    hooks.note = [](const std::string& s) { std::fprintf(stderr, "gocker: %s\n", s.c_str()); };
    if (!opts->detach)
        hooks.before_start = [&](const core::Record& r) -> Status {
            attached = GK_TRY(attach_to(store, r.id));
            return ok_status();
        };
    auto rec = core::run_container(store, *opts, parent, hooks);
    if (!rec) return fail(rec.error().wrap("run"));
    if (opts->detach) {
        std::printf("%s\n", rec->id.c_str());
        return 0;
    }
    auto code = relay(store, *rec, std::move(attached));
    if (!code) return fail(code.error());
    return *code;
}

int cmd_ps(const Store& store, const Parsed& p) {
    std::string format = p.last("format", "table");
    if (format != "table" && format != "json") return fail(Error("--format " + format + ": expected table or json", 0));
    std::vector<core::Record> shown;
    for (auto& r : store.list()) {
        if (r.status == "preparing" || r.status == "creating") continue;
        std::string s = core::live_status(r);
        if (!p.has("all") && s != "running") continue;
        shown.push_back(r);
    }
    if (p.has("quiet")) {
        for (const auto& r : shown) std::printf("%s\n", short_id(r.id).c_str());
        return 0;
    }
    if (format == "json") {
        std::printf("%s\n", record_views_json(shown).c_str());
        return 0;
    }
    std::printf("%-12s  %-16s  %-24s  %-26s  %-20s  %-20s  %s\n", "CONTAINER ID", "NAME", "COMMAND", "STATUS",
                "CREATED", "PORTS", "ADDRESS");
    for (const auto& r : shown) {
        std::string cmd = join_args(r.args);
        if (cmd.size() > 24) cmd = cmd.substr(0, 21) + "...";
        std::string ports;
        for (const auto& x : r.ports) ports += (ports.empty() ? "" : ",") + x;
        std::printf("%-12s  %-16s  %-24s  %-26s  %-20s  %-20s  %s\n", short_id(r.id).c_str(),
                    r.name.empty() ? "-" : r.name.c_str(), cmd.c_str(), core::status_text(r).c_str(),
                    r.created.substr(0, 19).c_str(), ports.empty() ? "-" : ports.c_str(), address(r).c_str());
    }
    return 0;
}

int cmd_stop(const Store& store, const Parsed& p) {
    if (p.positional.empty()) return fail(Error("stop: name at least one CONTAINER", 0));
    int timeout = 10;
    if (p.has("time")) {
        char* end = nullptr;
        long t = std::strtol(p.last("time").c_str(), &end, 10);
        if (p.last("time").empty() || *end || t < 0 || t > 86400)
            return fail(Error("--time " + p.last("time") + ": expected a number of seconds", 0));
        timeout = static_cast<int>(t);
    }
    int rc = 0;
    for (const auto& ref : p.positional) {
        if (auto s = core::stop_container(store, ref, timeout); !s) rc = fail(s.error());
        else std::printf("%s\n", ref.c_str());
    }
    return rc ? 1 : 0;
}

int cmd_rm(const Store& store, const Parsed& p) {
    if (p.positional.empty()) return fail(Error("rm: name at least one CONTAINER", 0));
    int rc = 0;
    for (const auto& ref : p.positional) {
        if (auto s = core::remove_container(store, ref, p.has("force")); !s) rc = fail(s.error());
        else std::printf("%s\n", ref.c_str());
    }
    return rc ? 1 : 0;
}

int cmd_logs(const Store& store, const Parsed& p) {
    if (p.positional.size() != 1) return fail(Error("logs: name one CONTAINER", 0));
    auto rec = store.resolve(p.positional[0]);
    if (!rec) return fail(rec.error());
    core::LogReadOptions o;
    o.follow = p.has("follow");
    o.timestamps = p.has("timestamps");
    if (p.has("tail")) {
        char* end = nullptr;
        long n = std::strtol(p.last("tail").c_str(), &end, 10);
        if (p.last("tail").empty() || *end || n < 0)
            return fail(Error("--tail " + p.last("tail") + ": expected a number of lines", 0));
        o.tail = n;
    }
    std::string id = rec->id;
    auto s = core::print_log(store.dir(id), o, [&] { return core::container_active(store, id); });
    if (!s) return fail(s.error());
    return 0;
}

int cmd_exec(const Store& store, const Parsed& p) {
    if (p.positional.size() < 2) return fail(Error("exec: give CONTAINER and COMMAND", 0));
    core::ExecOptions o;
    o.tty = p.has("tty");
    o.env = p.all("env");
    for (const auto& e : o.env)
        if (e.find('=') == std::string::npos || e[0] == '=') return fail(Error("--env " + e + ": expected K=V", 0));
    o.user = p.last("user");
    if (!o.user.empty())
        if (auto u = core::parse_user(o.user); !u) return fail(u.error());
    o.workdir = p.last("workdir");
    o.args.assign(p.positional.begin() + 1, p.positional.end());
    auto argv = core::exec_argv(store, p.positional[0], o);
    if (!argv) return fail(argv.error());
    if (!p.has("interactive")) {
        int null = ::open("/dev/null", O_RDONLY);
        if (null >= 0) ::dup2(null, STDIN_FILENO);
    }
    std::vector<char*> cargv;
    for (auto& a : *argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    ::execv(cargv[0], cargv.data());
    return fail(sys_error([&] { return "exec " + (*argv)[0]; }));
}

int cmd_gui(const Store& store, const Parsed& p) {
    std::string parent = p.last("cgroup-parent", core::default_cgroup_parent());
    return gui::serve(store, p.last("listen", "127.0.0.1:8080"), parent);
}

int cmd_inspect(const Store& store, const Parsed& p) {
    if (p.positional.empty()) return fail(Error("inspect: name at least one CONTAINER", 0));
    std::vector<core::RecordView> views;
    int rc = 0;
    for (const auto& ref : p.positional) {
        auto r = store.resolve(ref);
        if (!r) {
            rc = fail(r.error());
            continue;
        }
        core::RecordView v = record_view(*r);
        v.extras.emplace_back("bundle", store.file(r->id, "bundle"));
        v.extras.emplace_back("logPath", store.file(r->id, "container.log"));
        views.push_back(std::move(v));
    }
    std::printf("%s\n", core::records_to_json(views, true).c_str());
    return rc ? 1 : 0;
}

}  // namespace

Result<RunRequest> parse_run_args(const std::vector<std::string>& args) {
    auto parsed = GK_TRY(parse_flags(kRun, args, true));
    if (parsed.has("help")) return Error("run: --help is not a container option", 0);
    RunRequest req;
    req.options = GK_TRY(run_options(parsed));
    req.cgroup_parent = parsed.last("cgroup-parent", core::default_cgroup_parent());
    return req;
}

core::RecordView record_view(const core::Record& r) {
    core::RecordView v{r, {{"statusText", core::status_text(r)}, {"address", address(r)}}};
    v.record.status = core::live_status(r);
    return v;
}

std::string record_view_json(const core::Record& r) {
    auto v = record_view(r);
    std::string j = core::record_to_json(v.record, false, v.extras);
    j.pop_back();  // the newline
    return j;
}

std::string record_views_json(const std::vector<core::Record>& rs) {
    std::vector<core::RecordView> views;
    for (const auto& r : rs) views.push_back(record_view(r));
    return core::records_to_json(views, false);
}

std::string main_help() {
    std::string s =
        "Usage: gocker [--root DIR] COMMAND [OPTIONS] [ARGS...]\n"
        "       gocker COMMAND --help\n\n"
        "gocker, the seed's command line: runs containers from a root filesystem directory on one machine,\n"
        "through an OCI runtime (gocker-runtime by default, or any runc-compatible one).\n\n"
        "Global options:\n"
        "  --root DIR       where gocker keeps its containers (default $GOCKER_ROOT, else /var/lib/gocker)\n"
        "  --help, -h       show this help\n"
        "  --version        print the version\n\n"
        "Commands:\n";
    const char* summary[] = {"run a command in a new container",  "list containers",
                             "stop running containers",           "remove containers",
                             "print a container's output",        "run a command in a running container",
                             "print containers' records as JSON", "serve the web console"};
    size_t i = 0;
    for (const Command* c : kCommands) {
        std::string name = c->name;
        name.resize(10, ' ');
        s += "  " + name + summary[i++] + "\n";
    }
    s += "\nEnvironment: GOCKER_ROOT, GOCKER_RUNTIME (the runtime), GOCKER_RUNTIME_ROOT (the runtime's --root,\n"
         "default /run/gocker-cli), GOCKER_CGROUP_PARENT (default /gocker-cli).\n";
    return s;
}

int dispatch(const std::string& root, const std::string& name, const std::vector<std::string>& args) {
    if (name == "__monitor" && args.size() == 1) return core::monitor_command(core::Store(root), args[0]);
    for (const Command* c : kCommands) {
        if (name != c->name) continue;
        bool stop = name == "run" || name == "exec";
        auto parsed = parse_flags(*c, args, stop);
        if (!parsed) return fail(parsed.error());
        if (parsed->has("help")) {
            std::fputs(help_text(*c).c_str(), stdout);
            return 0;
        }
        Store store(root);
        if (name == "run") return cmd_run(store, *parsed);
        if (name == "ps") return cmd_ps(store, *parsed);
        if (name == "stop") return cmd_stop(store, *parsed);
        if (name == "rm") return cmd_rm(store, *parsed);
        if (name == "logs") return cmd_logs(store, *parsed);
        if (name == "exec") return cmd_exec(store, *parsed);
        if (name == "gui") return cmd_gui(store, *parsed);
        return cmd_inspect(store, *parsed);
    }
    return fail(Error("unknown command \"" + name + "\" (gocker --help lists them)", 0));
}

}  // namespace gocker::cli
