// `exec [options] ID [COMMAND [ARGS...]]`: run another process in a running container, as runc
// does. In the foreground, stdio is the caller's, signals are forwarded and the exit code is the
// process's (128+N when killed by signal N); `--tty` without --console-socket relays the
// terminal as `run` does. `--detach` returns once the process has been execve'd.
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <optional>

#include "cli/commands.hpp"
#include "cli/parse_options.hpp"
#include "container/tty_relay.hpp"
#include "common/trace.hpp"
#include "container/exec.hpp"
#include "linux/proc_info.hpp"
#include "linux/terminal.hpp"

namespace gocker::cli {
namespace {

// The options that take a value as the next word (unless written --flag=value).
bool takes_value(std::string_view w) {
    for (const char* f :
         {"-p", "--process", "--console-socket", "--pid-file", "--cwd", "-e", "--env", "-u", "--user", "-g",
          "--additional-gids", "-c", "--cap", "--apparmor", "--process-label", "--preserve-fds", "--cgroup"})
        if (w == f) return true;
    return false;
}

// Options end at the container id: everything after it is the command and its own options.
size_t first_positional(const std::vector<std::string>& args) {
    for (size_t i = 1; i < args.size(); ++i) {
        const std::string& w = args[i];
        if (w == "--") return i;
        if (w.size() < 2 || w[0] != '-') return i;
        if (takes_value(w)) ++i;
    }
    return args.size();
}

bool parse_u32(const std::string& s, uint32_t& out) {
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size() && !s.empty();
}

}  // namespace

int cmd_exec(const GlobalOptions& g, std::vector<std::string>& args) {
    cxxopts::Options opts("gocker-runtime exec", "Run a new process inside a running container.");
    opts.custom_help("[command options] <container-id> [--] <command> [args...]");
    opts.add_options()("p,process", "an OCI process object (JSON file) to run instead of COMMAND",
                       cxxopts::value<std::string>())("d,detach", "return once the process has started")(
        "t,tty", "allocate a pseudo-terminal")("console-socket", "AF_UNIX socket that receives the pty master",
                                               cxxopts::value<std::string>())(
        "pid-file", "write the process's host PID to this file", cxxopts::value<std::string>())(
        "cwd", "working directory in the container", cxxopts::value<std::string>())(
        "e,env", "set an environment variable NAME=VALUE (repeatable)", cxxopts::value<std::vector<std::string>>())(
        "u,user", "UID[:GID] to run as", cxxopts::value<std::string>())(
        "g,additional-gids", "an additional group id (repeatable)", cxxopts::value<std::vector<std::string>>())(
        "c,cap", "add a capability (repeatable)", cxxopts::value<std::vector<std::string>>())(
        "no-new-privs", "set no_new_privileges")("apparmor", "AppArmor profile", cxxopts::value<std::string>())(
        "process-label", "SELinux label", cxxopts::value<std::string>())(
        "preserve-fds", "pass N extra fds (3 .. 3+N-1) to the process", cxxopts::value<int>()->default_value("0"))(
        "cgroup", "[CTRL[,CTRL]:]PATH: a sub-cgroup of the container to run in", cxxopts::value<std::string>())(
        "ignore-paused", "exec even into a paused container")("h,help", "show this help");

    size_t cut = first_positional(args);
    std::vector<std::string> own(args.begin(), args.begin() + static_cast<long>(std::min(cut + 1, args.size())));
    std::vector<std::string> rest;
    if (cut < args.size() && args[cut] == "--") {
        // "exec [opts] -- ID CMD..." is not runc's form; treat "--" as the end of options.
        own.pop_back();
        if (cut + 1 < args.size()) own.push_back(args[cut + 1]);
        if (cut + 2 < args.size()) rest.assign(args.begin() + static_cast<long>(cut + 2), args.end());
    } else if (cut + 1 < args.size()) {
        rest.assign(args.begin() + static_cast<long>(cut + 1), args.end());
        if (!rest.empty() && rest.front() == "--") rest.erase(rest.begin());
    }
    int code = 0;
    auto r = parse_command(opts, own, code);
    if (!r) return code;
    if (r->unmatched().empty()) return usage_error("exec: missing container id", opts.help());

    ExecOptions eo;
    eo.id = r->unmatched().front();
    eo.args = rest;
    if (r->count("process")) eo.process_file = (*r)["process"].as<std::string>();
    else if (eo.args.empty()) return usage_error("exec: missing the command to run (or --process)", opts.help());
    bool detach = r->count("detach") > 0;
    eo.tty = r->count("tty") > 0;
    if (r->count("console-socket")) eo.console_socket = (*r)["console-socket"].as<std::string>();
    if (r->count("pid-file")) eo.pid_file = (*r)["pid-file"].as<std::string>();
    if (r->count("cwd")) eo.cwd = (*r)["cwd"].as<std::string>();
    if (r->count("env")) eo.env = (*r)["env"].as<std::vector<std::string>>();
    if (r->count("user")) {
        std::string u = (*r)["user"].as<std::string>();
        auto colon = u.find(':');
        uint32_t uid = 0, gid = 0;
        if (!parse_u32(u.substr(0, colon), uid) || (colon != std::string::npos && !parse_u32(u.substr(colon + 1), gid)))
            return usage_error("exec: --user " + u + ": expected UID[:GID] (numbers)", opts.help());
        eo.uid = uid;
        if (colon != std::string::npos) eo.gid = gid;
    }
    if (r->count("additional-gids"))
        for (const auto& s : (*r)["additional-gids"].as<std::vector<std::string>>()) {
            uint32_t gid = 0;
            if (!parse_u32(s, gid))
                return usage_error("exec: --additional-gids " + s + ": expected a number", opts.help());
            eo.additional_gids.push_back(gid);
        }
    if (r->count("cap")) eo.caps = (*r)["cap"].as<std::vector<std::string>>();
    eo.no_new_privs = r->count("no-new-privs") > 0;
    if (r->count("apparmor")) eo.apparmor = (*r)["apparmor"].as<std::string>();
    if (r->count("process-label")) eo.process_label = (*r)["process-label"].as<std::string>();
    eo.preserve_fds = (*r)["preserve-fds"].as<int>();
    if (eo.preserve_fds < 0) return usage_error("exec: --preserve-fds must not be negative", opts.help());
    if (r->count("cgroup")) eo.cgroup = (*r)["cgroup"].as<std::string>();
    eo.ignore_paused = r->count("ignore-paused") > 0;

    // In the foreground: signals held until the wait loop (the helper clears its mask), and
    // without --console-socket a terminal's pty master comes to us.
    std::optional<ForegroundSession> fg;
    if (!detach) {
        auto f = ForegroundSession::begin(eo.console_socket.empty());
        if (!f) return report(std::move(f).error().wrap("exec " + eo.id));
        fg.emplace(std::move(*f));
        eo.console_fd = fg->console_fd();
    }

    StateStore store(g.root);
    auto proc = exec_in_container(store, eo);
    if (!proc) return report(proc.error());
    if (detach) return 0;
    fg->close_console_end();

    UniqueFd master;
    if (proc->process.terminal && fg->has_console()) {
        auto m = fg->receive_master();
        if (!m) {
            (void)pidfd_signal(proc->pidfd.get(), SIGKILL);
            return report(std::move(m).error().wrap("exec " + eo.id + ": receive the pty master"));
        }
        master = std::move(*m);
    }
    Result<int> exit_code = fg->wait(proc->pid, proc->pidfd.get(), master.get());
    trace::mark("process ran, reaped");
    if (!exit_code) {
        (void)pidfd_signal(proc->pidfd.get(), SIGKILL);
        return report(std::move(exit_code).error().wrap("exec " + eo.id));
    }
    return *exit_code;
}

}  // namespace gocker::cli
