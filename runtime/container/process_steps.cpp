#include "container/process_steps.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <unistd.h>

#include "common/trace.hpp"
#include "linux/hygiene.hpp"
#include "linux/process.hpp"
#include "linux/capabilities.hpp"
#include "linux/seccomp.hpp"
#include "linux/seccomp_cache.hpp"
#include "linux/terminal.hpp"

#ifndef KEYCTL_JOIN_SESSION_KEYRING
#define KEYCTL_JOIN_SESSION_KEYRING 1
#endif

namespace gocker {

Status begin_container_process() {
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) return sys_error("set parent-death signal");
    return make_non_dumpable();
}

Status join_session_keyring(const std::string& id) {
    std::string name = "_ses." + id;
    if (::syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name.c_str()) < 0 && errno != ENOSYS && errno != EPERM &&
        errno != EACCES)
        return sys_error("join a new session keyring");
    return {};
}

Result<HostSideSteps> resolve_host_side(const spec::Process& proc, const spec::Linux* linux_cfg,
                                        const std::string& console_socket, int console_fd,
                                        const std::string& seccomp_cache_dir) {
    HostSideSteps out;
    if (!console_socket.empty()) out.console = GK_TRY(connect_console_socket(console_socket));
    else if (console_fd >= 0 && proc.terminal) out.console.reset(::fcntl(console_fd, F_DUPFD_CLOEXEC, 3));
    if (linux_cfg && linux_cfg->seccomp) {
        if (seccomp_uses_notify(*linux_cfg->seccomp))
            out.seccomp_listener = GK_TRY(connect_seccomp_listener(linux_cfg->seccomp->listener_path));
        out.seccomp = GK_TRY(seccomp_program(*linux_cfg->seccomp, seccomp_cache_dir));
    }
    if (proc.capabilities) {
        out.last_cap = last_capability();
        warn_unraisable_ambient(*proc.capabilities);
    }
    return out;
}

void HostSideSteps::fill(ProcessSteps& steps) const {
    steps.console_socket = console.get();
    steps.seccomp_listener = seccomp_listener.get();
    steps.seccomp = seccomp ? &*seccomp : nullptr;
    steps.last_cap = last_cap;
}

Result<PreparedProcess> prepare_process(const ProcessSteps& steps, std::string state_json) {
    const spec::Process& proc = *steps.process;
    PreparedProcess out;
    GK_TRY(apply_process_attributes(proc, steps.linux_cfg));
    if (proc.terminal) GK_TRY(setup_console(steps.console_socket, proc.console_size));
    // [confinement] Capabilities kept across the user switch then set; NNP, LSM; seccomp compiled.
    out.confinement.emplace(GK_TRY(
        Confinement::prepare(proc, steps.last_cap, steps.seccomp, steps.seccomp_listener, std::move(state_json))));
    GK_TRY(out.confinement->before_user_switch());
    GK_TRY(switch_user(proc));
    GK_TRY(out.confinement->after_user_switch());
    GK_TRY(enter_cwd(proc));
    out.exe = GK_TRY(resolve_executable(proc));
    trace::mark("process, user, cwd", 'i');
    return out;
}

Error finish_and_exec(const ProcessSteps& steps, PreparedProcess& prepared) {
    // Every system call still needed is made here, while the filter is not loaded (fds marked
    // close-on-exec, execCPUAffinity.final, argv/envp); then [confinement] the seccomp filter
    // and execve, nothing else (docs/architecture.md, "The last steps").
    auto px = prepare_exec(*steps.process, prepared.exe, steps.preserve_fds);
    if (!px) return px.error();
    return prepared.confinement->seccomp_then_exec(*px);
}

}  // namespace gocker
