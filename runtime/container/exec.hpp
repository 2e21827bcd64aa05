// `exec`: another process in a running container (runc's `exec`, libcontainer's setns init).
//
// The plan is made from the saved state and a process object (a --process file, or the
// container's own process with the command line's overrides): the namespaces of the container's
// init to join (/proc/<init>/ns/*, user first; pid and time through the runtime's
// pid_for_children, as create joins them), its cgroups, and the same ProcessSteps the init ran
// (process_steps.hpp). The helper is a clone3 of the runtime, non-dumpable, run from the
// protected binary, that execs the process; see docs/architecture.md, "exec".
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "common/fd.hpp"
#include "common/result.hpp"
#include "container/state_store.hpp"
#include "spec/config.hpp"

namespace gocker {

struct ExecOptions {
    std::string id;
    std::string process_file;       // --process: an OCI process object (flags below then ignored)
    std::vector<std::string> args;  // COMMAND [ARGS...]
    bool tty = false;
    std::string console_socket;
    int console_fd = -1;  // a connected socket for the pty master (`exec` relaying it)
    std::string pid_file;
    std::string cwd;
    std::vector<std::string> env;  // K=V, replacing K in the base environment
    std::optional<uint32_t> uid, gid;
    std::vector<uint32_t> additional_gids;
    std::vector<std::string> caps;  // added to bounding/effective/permitted (+ ambient when inheritable is set)
    bool no_new_privs = false;
    std::string apparmor, process_label;
    int preserve_fds = 0;
    std::string cgroup;  // --cgroup [CTRL:]PATH, below the container's cgroup
    bool ignore_paused = false;
};

// The process to run: `base` (the container's process) changed by the options, as runc does.
// Pure, for tests. Errors name the flag.
Result<spec::Process> exec_process_from_flags(const spec::Process& base, const ExecOptions& opts);

struct ExecedProcess {
    pid_t pid = -1;
    UniqueFd pidfd;  // a child of this process
    spec::Process process;
};

// Starts the process and returns once it has been execve'd (the --pid-file written), or with
// the reason it could not be: "exec <id>: ...".
Result<ExecedProcess> exec_in_container(const StateStore& store, const ExecOptions& opts);

}  // namespace gocker
