// gocker-runtime: global flags (runc-compatible, written before the command), logging, dispatch.
#include <fcntl.h>
#include <seccomp.h>

#include <cstdlib>
#include <cxxopts.hpp>
#include <exception>
#include <iostream>
#include <string>
#include <span>
#include <string_view>
#include <vector>

#include "cli/commands.hpp"
#include "common/trace.hpp"
#include "cli/parse_options.hpp"
#include "common/fault_point.hpp"
#include "common/fd.hpp"
#include "common/log.hpp"
#include "linux/hygiene.hpp"
#include "linux/rootless.hpp"
#include "spec/config.hpp"
#include "gocker_commit.h"  // generated at build time: GOCKER_COMMIT (cmake/GitCommit.cmake)

namespace gocker::cli {
namespace {

std::string usage_text() {
    std::string s =
        "Usage: gocker-runtime [global options] COMMAND [command options] [arguments]\n"
        "\n"
        "An OCI container runtime (runtime-spec " +
        std::string(spec::kOciVersion) +
        ").\n"
        "\n"
        "Commands:\n";
    for (const auto& c : command_table()) {
        std::string name = c.name;
        name.resize(std::max<size_t>(name.size() + 2, 12), ' ');
        s += "  " + name + c.summary + "\n";
    }
    s += "  help        Show the usage of a command (help COMMAND)\n"
         "\n"
         "Global options:\n"
         "  --root DIR            state directory (default /run/gocker; rootless: $XDG_RUNTIME_DIR/gocker)\n"
         "  --log FILE            also write errors and logs to FILE (always created)\n"
         "  --log-format FORMAT   text or json (JSON lines {\"level\",\"msg\",\"time\"})\n"
         "  --debug               log debug messages\n"
         "  --systemd-cgroup      accepted for runc compatibility\n"
         "  --rootless MODE       true, false or auto (default: rootless unless root in the initial user namespace)\n"
         "  --trace               trace the container lifecycle (also GOCKER_TRACE=1)\n"
         "  -v, --version         print the version\n"
         "  -h, --help            print this help\n"
         "\n"
         "Run 'gocker-runtime help COMMAND' for a command's options.\n";
    return s;
}

void print_version() {
    const scmp_version* v = seccomp_version();
    // runc's shape ("runc version X", "commit: Y", "spec: Z"): docker's `info` reads the first two.
    std::cout << "gocker-runtime version " << GOCKER_VERSION << "\n"
              << "commit: " << GOCKER_COMMIT << "\n"
              << "spec: " << spec::kOciVersion << "\n"
              << "libseccomp: " << v->major << "." << v->minor << "." << v->micro << "\n";
}

bool takes_value(std::string_view flag) {
    return flag == "--root" || flag == "--log" || flag == "--log-format" || flag == "--rootless";
}

// The commands that never read or write the state directory.
bool uses_state_root(std::string_view cmd) {
    return cmd != "spec" && cmd != "features" && cmd != "check" && cmd != "help";
}

// Global flags end at the first word that is not a flag: that word is the command. `words` is
// main's vector or the raw argv (for the constructor below).
template <class Words>
size_t command_index(const Words& words) {
    size_t i = 1;
    while (i < words.size() && std::string_view(words[i]).size() > 1 && words[i][0] == '-') {
        if (std::string_view(words[i]) == "--") return i + 1;
        if (takes_value(words[i])) ++i;
        ++i;
    }
    return i;
}

// [hygiene] `create`, `run` and `exec` must run from a protected image of the binary
// (hygiene.hpp). Done here, in the first constructor, the first image does nothing else: no
// static initialiser (iostream, locale), no option parsing, no exit. With --debug the
// re-execution is left to the command (reexec_from_protected_binary), which logs how it is made;
// the same when the read-only view cannot be made (the sealed memfd fallback).
__attribute__((constructor(101))) void reexec_before_static_init(int argc, char** argv, char**) {
    const std::span<char*> words(argv, static_cast<size_t>(argc));
    const size_t at = command_index(words);
    if (at >= words.size()) return;
    const std::string_view cmd = words[at];
    if (cmd != "create" && cmd != "run" && cmd != "exec") return;
    const char* trace_env = std::getenv("GOCKER_TRACE");
    bool trace = trace_env && std::string_view(trace_env) == "1";
    for (size_t i = 1; i < at; ++i) {
        const std::string_view flag = words[i];
        if (flag == "--debug") return;
        trace = trace || flag == "--trace";
    }
    reexec_early_from_read_only_view(argv, trace);
}

int run_command(const Command& cmd, std::vector<std::string> args, const GlobalOptions& g) {
    try {
        return cmd.run(g, args);
    } catch (const std::exception& e) {
        return report(Error(std::string(cmd.name) + ": " + e.what()));
    }
}

int main_impl(int argc, char** argv) {
    std::vector<std::string> words(argv, argv + argc);
    if (words.empty()) words.emplace_back("gocker-runtime");
    // Hidden, in a fault-point build only (tests/faults/ walks them): every point compiled in.
    if (fault::kEnabled && words.size() == 2 && words[1] == "--list-fault-points") {
        for (const auto& p : fault::all_points()) std::cout << p << "\n";
        return 0;
    }
    size_t cmd_at = command_index(words);

    cxxopts::Options opts("gocker-runtime", "");
    opts.add_options()("root", "", cxxopts::value<std::string>())(
        "rootless", "", cxxopts::value<std::string>()->default_value("auto"))("log", "", cxxopts::value<std::string>())(
        "log-format", "", cxxopts::value<std::string>()->default_value("text"))("debug", "")("systemd-cgroup", "")(
        "trace", "")("v,version", "")("h,help", "");
    std::vector<std::string> global(words.begin(), words.begin() + static_cast<long>(std::min(cmd_at, words.size())));
    if (!global.empty() && global.back() == "--") global.pop_back();
    cxxopts::ParseResult r;
    try {
        std::vector<char*> gargv = make_argv(global);
        r = opts.parse(static_cast<int>(global.size()), gargv.data());
    } catch (const cxxopts::exceptions::exception& e) {
        return usage_error(plain_quotes(e.what()), usage_text());
    }

    GlobalOptions g;
    auto rootless = parse_rootless_flag(r["rootless"].as<std::string>());
    if (!rootless) return usage_error(rootless.error().message(), usage_text());
    g.rootless = rootless->value_or(detect_rootless());
    set_rootless_mode(g.rootless);
    g.debug = r.count("debug") > 0;
    g.systemd_cgroup = r.count("systemd-cgroup") > 0;
    const char* trace_env = std::getenv("GOCKER_TRACE");
    g.trace = r.count("trace") > 0 || (trace_env && std::string_view(trace_env) == "1");
    if (g.trace) trace::enable();
    std::string format = r["log-format"].as<std::string>();
    if (format == "json") g.log_format = log::Format::json;
    else if (format != "text")
        return usage_error("invalid --log-format \"" + format + "\": expected text or json", usage_text());
    if (r.count("log")) g.log_file = r["log"].as<std::string>();
    // Clients read a failed call's reason from the log file, so it is created even on success.
    if (!log::configure({g.log_file, g.log_format, g.debug}))
        return report(sys_error([&] { return "open log file \"" + g.log_file + "\""; }));

    if (r.count("version")) {
        print_version();
        return 0;
    }
    if (r.count("help") || cmd_at >= words.size()) {
        std::cout << usage_text();
        return 0;
    }

    std::vector<std::string> args(words.begin() + static_cast<long>(cmd_at), words.end());
    if (args[0] == "help") {
        if (args.size() == 1) {
            std::cout << usage_text();
            return 0;
        }
        const Command* cmd = find_command(args[1]);
        if (!cmd) return usage_error("help: unknown command \"" + args[1] + "\"", usage_text());
        return run_command(*cmd, {args[1], "--help"}, g);
    }
    const Command* cmd = find_command(args[0]);
    if (!cmd) return usage_error("unknown command \"" + args[0] + "\"", usage_text());
    if (r.count("root")) {
        g.root = r["root"].as<std::string>();
    } else if (auto root = default_state_root(g.rootless, std::getenv("XDG_RUNTIME_DIR"))) {
        g.root = *root;
    } else if (uses_state_root(args[0])) {
        return report(std::move(root).error().wrap(args[0]));
    } else {
        g.root.clear();  // none could be chosen; `check` says so
    }
    if (g.rootless) log::debug("rootless mode: --root " + g.root);
    log::debug("command " + args[0] + ", root " + g.root);
    std::string name = args[0];
    int rc = run_command(*cmd, std::move(args), g);
    trace::print(name);
    return rc;
}

}  // namespace
}  // namespace gocker::cli

int main(int argc, char** argv) { return gocker::cli::main_impl(argc, argv); }
