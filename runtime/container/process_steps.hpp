// The last steps of every process the runtime starts inside a container, written once and run
// by both the container init (`create`) and the exec helper (`exec`):
//
//   prepare_process()   process attributes (rlimits, oomScoreAdj, ...), the console, then the
//                       confinement around the user switch (capabilities, no_new_privs, LSM
//                       labels; seccomp early only when it must be), the working directory and
//                       the executable (PATH of the process's env)
//   finish_and_exec()   the last system calls (prepare_exec: close-on-exec for all but stdio
//                       and the preserved fds, argv/envp), then only the seccomp filter and execve
//
// ProcessSteps is the data these steps need, resolved by the runtime before clone3: the
// process, the compiled seccomp program, the connections made on the host (console socket,
// seccomp listener) and the host's last capability.
#pragma once

#include <optional>
#include <string>

#include "common/fd.hpp"
#include "common/result.hpp"
#include "linux/confinement.hpp"
#include "spec/config.hpp"

namespace gocker {

struct ProcessSteps {
    const spec::Process* process = nullptr;
    const spec::Linux* linux_cfg = nullptr;
    int console_socket = -1;                  // --console-socket connection (or `run`/`exec`'s own), when terminal
    int seccomp_listener = -1;                // linux.seccomp.listenerPath connection, when SCMP_ACT_NOTIFY is used
    const SeccompProgram* seccomp = nullptr;  // compiled linux.seccomp (runtime/linux/seccomp_cache)
    int preserve_fds = 0;
    int last_cap = 40;  // the host's /proc/sys/kernel/cap_last_cap, read before clone
};

// The host side of ProcessSteps, resolved before the process exists and the same for create and
// exec: the console connection (`console_socket`, or a dup of `console_fd` when the caller
// relays the terminal itself), [confinement] the seccomp agent's connection and the compiled
// filter (errors before clone; read from the cache when it has it), and the host's last
// capability (read here: inside the new root the file may be the image's own), with a warning
// for ambient capabilities that cannot be raised.
struct HostSideSteps {
    UniqueFd console, seccomp_listener;
    std::optional<SeccompProgram> seccomp;
    int last_cap = 0;
    // Points `steps` at what this holds (it must outlive them).
    void fill(ProcessSteps& steps) const;
};
Result<HostSideSteps> resolve_host_side(const spec::Process& proc, const spec::Linux* linux_cfg,
                                        const std::string& console_socket, int console_fd,
                                        const std::string& seccomp_cache_dir);

// What prepare_process() leaves for finish_and_exec().
struct PreparedProcess {
    std::string exe;
    std::optional<Confinement> confinement;
};

// The first steps of a clone3 child that will become a container process: an empty signal
// mask (`run` and `exec` block the signals they forward, and execve keeps the mask), die with
// the runtime (SIGKILL as parent-death signal; the caller clears it when it may outlive us), and
// [confinement] non-dumpable until execve (CVE-2016-9962: no container process may ptrace us or
// open /proc/<us>/exe or /proc/<us>/fd/*).
Status begin_container_process();

// A new session keyring named "_ses.<id>" (runc's name), so that no process in the container
// shares the caller's keys; skipped where the kernel refuses keyrings to the container.
Status join_session_keyring(const std::string& id);

// Everything between entering the root and the exec. `state_json` is the container state for a
// seccomp listener.
Result<PreparedProcess> prepare_process(const ProcessSteps& steps, std::string state_json);

// The last system calls, then the seccomp filter (unless loaded early) and execve; returns only
// on failure.
Error finish_and_exec(const ProcessSteps& steps, PreparedProcess& prepared);

}  // namespace gocker
