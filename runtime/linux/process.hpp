// The container process's own settings, applied by the container init after enter_rootfs() and
// before execve (child side). Every failure returns an Error naming the field and the reason,
// e.g. `setrlimit RLIMIT_NOFILE (soft 1024, hard 2048): operation not permitted`.
#pragma once

#include <string>
#include <vector>

#include "common/result.hpp"
#include "spec/config.hpp"

namespace gocker {

// rlimits, oomScoreAdj, personality, scheduler, ioPriority, execCPUAffinity.initial: things
// that need the init's privileges, applied before switch_user().
Status apply_process_attributes(const spec::Process& proc, const spec::Linux* linux_cfg);

// additionalGids (setgroups), gid, uid, umask. (Capabilities are kept/dropped around this by the
// confinement layer.)
Status switch_user(const spec::Process& proc);

// chdir to process.cwd and check that the working directory is inside the (already entered)
// root: getcwd() must succeed and not report "(unreachable)".
Status enter_cwd(const spec::Process& proc);

// The absolute path to execve: args[0] if it contains '/', else looked up in PATH from
// process.env (default PATH when absent); must exist and be executable. Error names args[0].
Result<std::string> resolve_executable(const spec::Process& proc);

// Everything execve needs, made while every system call is still allowed (before the seccomp
// filter): execCPUAffinity.final applied, every fd above 2 + preserve_fds marked close-on-exec
// and the kept ones cleared, argv and envp built. argv/envp point into `proc`, which must
// outlive the result.
struct PreparedExec {
    std::string path;
    std::vector<char*> argv, envp;
};
Result<PreparedExec> prepare_exec(const spec::Process& proc, const std::string& path, int preserve_fds);

// execve and nothing else: no allocation, no other system call (it runs under the container's
// seccomp filter). Returns errno when execve fails.
int exec_prepared(const PreparedExec& px);
// `exec "path": reason`, for a failed exec_prepared.
Error exec_failure(const PreparedExec& px, int err);

// prepare_exec + exec_prepared. Only returns on failure.
Error exec_process(const spec::Process& proc, const std::string& path, int preserve_fds);

}  // namespace gocker
