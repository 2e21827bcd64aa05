#include "linux/confinement.hpp"

#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "common/log.hpp"
#include "linux/lsm.hpp"
#include "spec/state.hpp"

namespace gocker {

Result<Confinement> Confinement::prepare(const spec::Process& proc, int last_cap, const SeccompProgram* seccomp,
                                         int listener, std::string state_json) {
    Confinement c;
    c.proc_ = &proc;
    c.last_cap_ = last_cap;
    c.listener_ = listener;
    c.state_json_ = std::move(state_json);
    if (proc.capabilities) c.caps_ = GK_TRY(plan_capabilities(*proc.capabilities));
    if (seccomp) {
        c.seccomp_ = seccomp;
        if (seccomp->notify && listener < 0)
            return Error("linux.seccomp uses SCMP_ACT_NOTIFY but no listener is connected", EINVAL);
        bool keeps_sys_admin = c.caps_ ? ((c.caps_->effective >> CAP_SYS_ADMIN) & 1) : proc.user.uid == 0;
        c.seccomp_early_ = !proc.no_new_privileges && !keeps_sys_admin;
        log::debug(std::string("seccomp: ") + std::to_string(seccomp->bpf.size() / 8) + " BPF instructions" +
                   (seccomp->from_cache ? " (cached)" : "") + "; loaded " +
                   (c.seccomp_early_ ? "before dropping capabilities (no noNewPrivileges, no CAP_SYS_ADMIN)"
                                     : "right before execve"));
    }
    return c;
}

Status Confinement::load_seccomp() {
    const SeccompProgram& program = *seccomp_;
    seccomp_ = nullptr;
    UniqueFd notify = GK_TRY(load_seccomp_program(program));
    if (!notify) return {};
    auto state = spec::parse_state(state_json_);
    int pid = state ? state->pid : ::getpid();
    UniqueFd listener(listener_);
    listener_ = -1;
    GK_TRY(send_to_seccomp_listener(std::move(listener), notify.get(), pid, program.listener_metadata,
                                    state_json_));
    return {};
}

Status Confinement::before_user_switch() {
    if (seccomp_ && seccomp_early_) GK_TRY(load_seccomp());
    if (caps_) GK_TRY(drop_bounding_set(*caps_, last_cap_));
    return {};
}

Status Confinement::after_user_switch() {
    if (caps_) GK_TRY(apply_final_capabilities(*caps_, last_cap_));
    if (proc_->no_new_privileges && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return sys_error("prctl PR_SET_NO_NEW_PRIVS for process.noNewPrivileges");
    GK_TRY(apply_lsm_labels(*proc_));
    return {};
}

Status Confinement::before_exec() {
    if (seccomp_) GK_TRY(load_seccomp());
    return {};
}

}  // namespace gocker
