// `ps [--format table|json] ID`: the processes in the container's cgroup, as host PIDs.
#include <iostream>

#include "cli/commands.hpp"
#include "cli/lifecycle_options.hpp"
#include "common/printable.hpp"
#include "container/lifecycle.hpp"
#include "linux/cgroups/container_cgroup.hpp"
#include "linux/proc_info.hpp"

namespace gocker::cli {
namespace {

std::string proc_text(pid_t pid, const char* file) {
    auto t = read_whole_file("/proc/" + std::to_string(pid) + "/" + file);
    return t ? *t : std::string();
}

// PID, PPID, state and command line, read from /proc (no dependency on procps).
void print_table(const std::vector<pid_t>& pids) {
    std::cout << "PID\tPPID\tSTAT\tCMD\n";
    for (pid_t pid : pids) {
        std::string stat = proc_text(pid, "stat");
        size_t close = stat.rfind(')');
        if (close == std::string::npos || close + 4 > stat.size()) continue;
        char state = stat[close + 2];
        long ppid = std::strtol(stat.c_str() + close + 4, nullptr, 10);
        std::string cmd = proc_text(pid, "cmdline");
        for (auto& c : cmd)
            if (c == '\0') c = ' ';
        while (!cmd.empty() && cmd.back() == ' ') cmd.pop_back();
        if (cmd.empty()) cmd = "[" + stat.substr(stat.find('(') + 1, close - stat.find('(') - 1) + "]";
        // The command line and name are the container's to choose: escape sequences in them
        // must not reach the terminal.
        std::cout << pid << '\t' << ppid << '\t' << state << '\t' << printable(cmd) << '\n';
    }
}

}  // namespace

int cmd_ps(const GlobalOptions& g, std::vector<std::string>& args) {
    cxxopts::Options opts("gocker-runtime ps", "List the processes running in a container (host PIDs).");
    opts.custom_help("[command options] <container-id>");
    opts.add_options()("f,format", "table or json", cxxopts::value<std::string>()->default_value("table"))(
        "h,help", "show this help");
    int code = 0;
    auto r = parse_command(opts, args, code);
    if (!r) return code;
    if (!positional(*r, opts, "ps", 1, 1, code)) return code;
    const std::string& id = r->unmatched().front();
    std::string format = (*r)["format"].as<std::string>();
    if (format != "table" && format != "json")
        return usage_error("ps: --format must be \"table\" or \"json\", not \"" + format + "\"", opts.help());
    std::string what = "ps " + id;
    StateStore store(g.root);
    auto info = load_container(store, id);
    if (!info) return report(std::move(info).error().wrap(what));
    // A stopped container's cgroup may still hold processes (no pid namespace): listed, as runc
    // does; when its cgroup is gone (or it never had one), there are none. Any other failure is
    // said, stopped or not.
    std::vector<pid_t> pids;
    const bool stopped = info->status == spec::ContainerStatus::stopped;
    auto gone = [&](const Error& e) { return stopped && e.sys_errno() == ENOENT; };
    auto cg = cgroups::open_container_cgroup(store.dir(id));
    if (!cg && !gone(cg.error())) return report(std::move(cg).error().wrap(what));
    if (cg) {
        auto p = (*cg)->procs();
        if (!p && !gone(p.error())) return report(std::move(p).error().wrap(what));
        if (p) pids = std::move(*p);
    }
    if (format == "json") {
        std::cout << '[';
        for (size_t i = 0; i < pids.size(); ++i) std::cout << (i ? "," : "") << pids[i];
        std::cout << "]\n";
    } else {
        print_table(pids);
    }
    return 0;
}

}  // namespace gocker::cli
