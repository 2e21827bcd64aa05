// The container init's security steps in one place, so that init.cpp reads as the list of steps.
// The order (docs/architecture.md, "The last steps"):
//
//   prepare()            before "ready": plan capabilities (the seccomp program was compiled, or
//                        read from the cache, by the runtime before clone: seccomp_cache.hpp)
//   before_user_switch() PR_SET_KEEPCAPS + drop the bounding set
//   switch_user()        (process.cpp)
//   after_user_switch()  effective/permitted/inheritable/ambient, no_new_privs, LSM exec labels
//   ... exec FIFO, startContainer hooks, prepare_exec() (process.hpp) ...
//   seccomp_then_exec()  the filter, then execve: nothing else runs under the filter (with
//                        SCMP_ACT_NOTIFY, also the sendmsg of the notify fd to the listener)
//
// Loading a filter needs no_new_privs or CAP_SYS_ADMIN. Without noNewPrivileges, when the final
// effective set lacks CAP_SYS_ADMIN, after_user_switch() keeps CAP_SYS_ADMIN in the effective and
// permitted sets for the load; execve then computes the program's capabilities from the bounding,
// inheritable and ambient sets (already final) and never from the old effective or permitted set
// (capabilities(7), "Transformation of capabilities during execve()"), so the program gets
// exactly what it would have got, and no capset has to run under the filter. (runc loads the
// filter before dropping capabilities in that case, so that its remaining steps run filtered.)
// Only when process.capabilities is absent for a non-root user without noNewPrivileges is the
// filter loaded before the user switch: setresuid then clears every capability.
#pragma once

#include <optional>
#include <string>

#include "common/fd.hpp"
#include "common/result.hpp"
#include "linux/capabilities.hpp"
#include "linux/process.hpp"
#include "linux/seccomp.hpp"
#include "linux/seccomp_cache.hpp"
#include "spec/config.hpp"

namespace gocker {

class Confinement {
public:
    // `last_cap`: the host kernel's last capability, read by the runtime before clone (inside the
    // container, /proc/sys/kernel/cap_last_cap may be the image's own file); `seccomp`: the
    // compiled linux.seccomp or null; `listener`: the connection to linux.seccomp.listenerPath
    // (made by the runtime before clone) or -1; `state_json`: the container state, sent to the
    // listener with the notify fd.
    static Result<Confinement> prepare(const spec::Process& proc, int last_cap, const SeccompProgram* seccomp,
                                       int listener, const std::string& state_json);
    Status before_user_switch();
    Status after_user_switch();
    // The filter (unless already loaded), then execve. Returns only on failure.
    Error seccomp_then_exec(const PreparedExec& px);

    // Is the filter loaded before the user switch (see above)?
    bool seccomp_early() const { return seccomp_early_; }
    // Does the init keep CAP_SYS_ADMIN until execve, to load the filter?
    bool holds_sys_admin_for_seccomp() const { return hold_sys_admin_; }

private:
    Status load_seccomp();

    const spec::Process* proc_ = nullptr;
    std::optional<CapabilitySets> caps_;
    const SeccompProgram* seccomp_ = nullptr;
    bool seccomp_early_ = false;
    bool hold_sys_admin_ = false;
    int last_cap_ = 40;
    int listener_ = -1;
    std::string listener_message_;
};

}  // namespace gocker
