// The subcommands of gocker-runtime. Each lives in its own cmd_<name>.cpp: it parses its own
// flags (cxxopts), calls the library, and returns the process exit code. main.cpp parses the
// global flags, configures logging and dispatches through command_table().
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/log.hpp"
#include "common/result.hpp"

namespace gocker::cli {

struct GlobalOptions {
    std::string root = "/run/gocker";            // --root: state directory
    std::string log_file;                        // --log
    log::Format log_format = log::Format::text;  // --log-format text|json
    bool debug = false;                          // --debug
    bool systemd_cgroup = false;                 // --systemd-cgroup (accepted for runc compatibility)
    bool trace = false;                          // --trace or GOCKER_TRACE=1
    bool rootless = false;                       // --rootless true|false|auto (linux/rootless.hpp)
};

// args[0] is the command name, as cxxopts expects argv[0]; the rest are its own words.
using CommandFn = int (*)(const GlobalOptions&, std::vector<std::string>& args);

struct Command {
    const char* name;
    const char* summary;  // one line, for `gocker-runtime --help`
    CommandFn run;
};

std::span<const Command> command_table();
const Command* find_command(std::string_view name);

// Prints `err` as one line (stderr, and the --log file when set) and returns exit code 1.
int report(const Error& err);
// For a command's usage errors: "<msg>" + the command's usage on stderr; returns 1.
int usage_error(std::string_view msg, std::string_view usage);

// Runs cxxopts over `args` (args[0] = command name). Lets each cmd_*.cpp share one way of
// turning a vector into argc/argv.
std::vector<char*> make_argv(std::vector<std::string>& args);

// Declarations of every command; command_table() in commands.cpp lists them.
int cmd_spec(const GlobalOptions&, std::vector<std::string>&);
int cmd_features(const GlobalOptions&, std::vector<std::string>&);
int cmd_check(const GlobalOptions&, std::vector<std::string>&);
int cmd_create(const GlobalOptions&, std::vector<std::string>&);
int cmd_start(const GlobalOptions&, std::vector<std::string>&);
int cmd_run(const GlobalOptions&, std::vector<std::string>&);
int cmd_exec(const GlobalOptions&, std::vector<std::string>&);
int cmd_state(const GlobalOptions&, std::vector<std::string>&);
int cmd_kill(const GlobalOptions&, std::vector<std::string>&);
int cmd_delete(const GlobalOptions&, std::vector<std::string>&);
int cmd_list(const GlobalOptions&, std::vector<std::string>&);
int cmd_ps(const GlobalOptions&, std::vector<std::string>&);  // [cgroups]
int cmd_pause(const GlobalOptions&, std::vector<std::string>&);
int cmd_resume(const GlobalOptions&, std::vector<std::string>&);
int cmd_update(const GlobalOptions&, std::vector<std::string>&);
int cmd_events(const GlobalOptions&, std::vector<std::string>&);

}  // namespace gocker::cli
