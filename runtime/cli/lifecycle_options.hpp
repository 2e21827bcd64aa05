// Flags shared by `create` and `run`, and the one-positional-id check of the lifecycle commands.
#pragma once

#include <string>

#include "cli/parse_options.hpp"
#include "container/create.hpp"

namespace gocker::cli {

inline void add_create_options(cxxopts::Options& opts) {
    opts.add_options()("b,bundle", "path to the bundle directory", cxxopts::value<std::string>()->default_value("."))(
        "pid-file", "write the container init's host PID to this file", cxxopts::value<std::string>())(
        "console-socket", "AF_UNIX socket that receives the pty master when process.terminal is true",
        cxxopts::value<std::string>())("no-pivot", "chroot instead of pivot_root (for a rootfs on ramfs)")(
        "no-new-keyring", "keep the caller's session keyring")(
        "preserve-fds", "pass N extra fds (3 .. 3+N-1) to the container", cxxopts::value<int>()->default_value("0"))(
        "h,help", "show this help");
}

// Exactly `count` positional words (the id, then e.g. a signal); usage error otherwise.
inline bool positional(const cxxopts::ParseResult& r, const cxxopts::Options& opts, const char* cmd, size_t min,
                       size_t max, int& code) {
    size_t n = r.unmatched().size();
    if (n >= min && n <= max) return true;
    code = usage_error(std::string(cmd) + (n < min ? ": missing container id" : ": too many arguments"), opts.help());
    return false;
}

inline bool create_options_from(const cxxopts::ParseResult& r, const cxxopts::Options& opts, const char* cmd,
                                CreateOptions& co, int& code) {
    if (!positional(r, opts, cmd, 1, 1, code)) return false;
    co.id = r.unmatched().front();
    co.bundle = r["bundle"].as<std::string>();
    if (r.count("pid-file")) co.pid_file = r["pid-file"].as<std::string>();
    if (r.count("console-socket")) co.console_socket = r["console-socket"].as<std::string>();
    co.no_pivot = r.count("no-pivot") > 0;
    co.no_new_keyring = r.count("no-new-keyring") > 0;
    co.preserve_fds = r["preserve-fds"].as<int>();
    if (co.preserve_fds < 0) {
        code = usage_error(std::string(cmd) + ": --preserve-fds must not be negative", opts.help());
        return false;
    }
    return true;
}

}  // namespace gocker::cli
