#include "linux/confinement.hpp"

#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "common/log.hpp"
#include "linux/lsm.hpp"
#include "spec/state.hpp"

namespace gocker {

Result<Confinement> Confinement::prepare(const spec::Process& proc, int last_cap, const SeccompProgram* seccomp,
                                         int listener, const std::string& state_json) {
    Confinement c;
    c.proc_ = &proc;
    c.last_cap_ = last_cap;
    c.listener_ = listener;
    if (proc.capabilities) c.caps_ = GK_TRY(plan_capabilities(*proc.capabilities));
    if (seccomp) {
        c.seccomp_ = seccomp;
        if (seccomp->notify) {
            if (listener < 0) return Error("linux.seccomp uses SCMP_ACT_NOTIFY but no listener is connected", EINVAL);
            auto state = spec::parse_state(state_json);
            c.listener_message_ =
                seccomp_listener_message(state ? state->pid : ::getpid(), seccomp->listener_metadata, state_json);
        }
        constexpr uint64_t sys_admin = uint64_t{1} << CAP_SYS_ADMIN;
        if (!proc.no_new_privileges) {
            if (c.caps_) c.hold_sys_admin_ = !(c.caps_->effective & sys_admin);
            else c.seccomp_early_ = proc.user.uid != 0;
        }
        log::debug(std::string("seccomp: ") + std::to_string(seccomp->bpf.size() / 8) + " BPF instructions" +
                   (seccomp->from_cache ? " (cached)" : "") + "; loaded " +
                   (c.seccomp_early_    ? "before the user switch (no process.capabilities, no noNewPrivileges)"
                    : c.hold_sys_admin_ ? "right before execve, with CAP_SYS_ADMIN kept for it"
                                        : "right before execve"));
    }
    return c;
}

Status Confinement::load_seccomp() {
    const SeccompProgram& program = *seccomp_;
    seccomp_ = nullptr;
    UniqueFd notify = GK_TRY(load_seccomp_program(program));
    if (!notify) return {};
    // Under the filter now: sendmsg only. Both descriptors are close-on-exec; they are left open
    // rather than closed with a call the profile might deny.
    int fd = notify.release();
    return send_seccomp_notify_fd(listener_, fd, listener_message_);
}

Status Confinement::before_user_switch() {
    if (seccomp_ && seccomp_early_) GK_TRY(load_seccomp());
    if (caps_) GK_TRY(drop_bounding_set(*caps_, last_cap_));
    return {};
}

Status Confinement::after_user_switch() {
    if (caps_) {
        CapabilitySets sets = *caps_;
        if (hold_sys_admin_) {
            sets.effective |= uint64_t{1} << CAP_SYS_ADMIN;
            sets.permitted |= uint64_t{1} << CAP_SYS_ADMIN;
        }
        GK_TRY(apply_final_capabilities(sets, last_cap_));
    }
    if (proc_->no_new_privileges && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return sys_error("prctl PR_SET_NO_NEW_PRIVS for process.noNewPrivileges");
    GK_TRY(apply_lsm_labels(*proc_));
    return {};
}

Error Confinement::seccomp_then_exec(const PreparedExec& px) {
    if (seccomp_) {
        if (Status st = load_seccomp(); !st) return std::move(st).error();
    }
    return exec_failure(px, exec_prepared(px));
}

}  // namespace gocker
