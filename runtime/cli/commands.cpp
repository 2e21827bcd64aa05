#include "cli/commands.hpp"

#include <array>
#include <iostream>

namespace gocker::cli {
namespace {

// To add a command: declare cmd_<name> in commands.hpp, write it in cmd_<name>.cpp (flags via
// parse_command() in parse_options.hpp), and add one line here. `help` is handled by main.cpp.
constexpr std::array kCommands = {
    Command{"create", "Create a container (its program waits for `start`)", cmd_create},
    Command{"start", "Start the program of a created container", cmd_start},
    Command{"run", "Create and start a container (and wait for it in the foreground)", cmd_run},
    Command{"exec", "Run a new process inside a running container", cmd_exec},
    Command{"state", "Print the OCI state of a container", cmd_state},
    Command{"kill", "Send a signal to a container's init (or all its processes)", cmd_kill},
    Command{"delete", "Delete a container", cmd_delete},
    Command{"list", "List containers", cmd_list},
    Command{"ps", "List the processes of a container (host PIDs)", cmd_ps},
    Command{"pause", "Freeze every process of a container", cmd_pause},
    Command{"resume", "Thaw a paused container", cmd_resume},
    Command{"update", "Change the resource limits of a running container", cmd_update},
    Command{"events", "Resource usage and OOM events of a container", cmd_events},
    Command{"spec", "Create a new config.json in the bundle", cmd_spec},
    Command{"features", "Show the features this runtime implements (JSON)", cmd_features},
    Command{"check", "Diagnose what this host can run (and a bundle's needs)", cmd_check},
};

}  // namespace

std::span<const Command> command_table() { return kCommands; }

const Command* find_command(std::string_view name) {
    for (const auto& c : kCommands)
        if (name == c.name) return &c;
    return nullptr;
}

int report(const Error& err) {
    log::error(err.message());
    return 1;
}

int usage_error(std::string_view msg, std::string_view usage) {
    log::error(msg);
    std::cerr << usage;
    if (!usage.empty() && usage.back() != '\n') std::cerr << '\n';
    return 1;
}

std::vector<char*> make_argv(std::vector<std::string>& args) {
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    return argv;
}

}  // namespace gocker::cli
