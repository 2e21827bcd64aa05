// The container init's security steps in one place, so that init.cpp reads as the list of steps
// (runc's standard_init_linux.go order):
//
//   prepare()            before "ready": plan capabilities (the seccomp program was compiled, or
//                        read from the cache, by the runtime before clone: seccomp_cache.hpp)
//   before_user_switch() seccomp now if it could not be loaded later (see below), then
//                        PR_SET_KEEPCAPS + drop the bounding set
//   switch_user()        (process.cpp)
//   after_user_switch()  effective/permitted/inheritable/ambient, no_new_privs, LSM exec labels
//   before_exec()        seccomp as late as possible: after the startContainer hooks
//
// Loading a filter needs no_new_privs or CAP_SYS_ADMIN. When the process gets neither, the
// filter is loaded before the capabilities are dropped (runc does the same), which means the
// remaining init steps also run under it.
#pragma once

#include <optional>
#include <string>

#include "common/fd.hpp"
#include "common/result.hpp"
#include "linux/capabilities.hpp"
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
                                       int listener, std::string state_json);
    Status before_user_switch();
    Status after_user_switch();
    Status before_exec();

    // Would the filter be loaded early (before the capabilities are dropped)?
    bool seccomp_early() const { return seccomp_early_; }

private:
    Status load_seccomp();

    const spec::Process* proc_ = nullptr;
    std::optional<CapabilitySets> caps_;
    const SeccompProgram* seccomp_ = nullptr;
    bool seccomp_early_ = false;
    int last_cap_ = 40;
    int listener_ = -1;
    std::string state_json_;
};

}  // namespace gocker
