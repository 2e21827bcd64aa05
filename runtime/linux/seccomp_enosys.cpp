#include "linux/seccomp_enosys.hpp"

#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>

#include "common/log.hpp"
#include "linux/seccomp.hpp"

namespace gocker {
namespace {

constexpr uint32_t kX32Bit = 0x40000000;  // __X32_SYSCALL_BIT
constexpr uint32_t kRetEnosys = SECCOMP_RET_ERRNO | ENOSYS;

uint32_t audit_arch_of(uint32_t scmp_arch) {
    // libseccomp's tokens are the AUDIT_ARCH values, except x32's made-up one.
    return scmp_arch == SCMP_ARCH_X32 ? AUDIT_ARCH_X86_64 : scmp_arch;
}

// Instructions whose jumps to the end of the prologue are fixed up once its length is known.
class Prologue {
public:
    void stmt(uint16_t code, uint32_t k) { out_.push_back(BPF_STMT(code, k)); }
    void jump(uint16_t code, uint32_t k, uint8_t jt, uint8_t jf) { out_.push_back(BPF_JUMP(code, k, jt, jf)); }
    void to_program() {
        exits_.push_back(out_.size());
        stmt(BPF_JMP | BPF_JA, 0);
    }
    // "call number above `last`: ENOSYS; otherwise the program" (3 instructions).
    void above_is_enosys(uint32_t last) {
        jump(BPF_JMP | BPF_JGT | BPF_K, last, 0, 1);
        stmt(BPF_RET | BPF_K, kRetEnosys);
        to_program();
    }
    size_t size() const { return out_.size(); }
    void patch_jump_to(size_t at, size_t target) { out_[at].k = static_cast<uint32_t>(target - at - 1); }
    std::vector<sock_filter> finish() {
        for (size_t at : exits_) patch_jump_to(at, out_.size());
        return std::move(out_);
    }

private:
    std::vector<sock_filter> out_;
    std::vector<size_t> exits_;
};

}  // namespace

bool wants_enosys_prologue(const spec::Seccomp& p) {
    const std::string& d = p.default_action;
    // TRACE counts as letting calls through: a tracer handles new calls itself (runc agrees).
    if (d == "SCMP_ACT_ALLOW" || d == "SCMP_ACT_LOG" || d == "SCMP_ACT_TRACE") return false;
    if (d == "SCMP_ACT_ERRNO" && p.default_errno_ret && *p.default_errno_ret == ENOSYS) return false;
    return true;
}

Result<std::vector<LastNamedSyscall>> last_named_syscalls(const spec::Seccomp& p, uint32_t native) {
    std::vector<uint32_t> archs = GK_TRY(profile_architectures(p));
    // libseccomp always filters the native architecture; some profiles (Docker's on ppc64le)
    // forget to list it.
    archs.push_back(native);
    std::sort(archs.begin(), archs.end());
    archs.erase(std::unique(archs.begin(), archs.end()), archs.end());

    std::vector<LastNamedSyscall> out;
    for (uint32_t arch : archs) {
        int last = -1;
        for (const auto& rule : p.syscalls)
            for (const auto& name : rule.names)
                // Negative: unknown here, or a pseudo number for a multiplexed call.
                last = std::max(last, seccomp_syscall_resolve_name_arch(arch, name.c_str()));
        if (last <= 0) {
            log::debug("seccomp: no syscall of the profile exists on architecture " + std::to_string(arch) +
                       ": no ENOSYS rule for it");
            continue;
        }
        out.push_back({audit_arch_of(arch), arch, static_cast<uint32_t>(last)});
    }
    return out;
}

std::vector<sock_filter> enosys_prologue(const std::vector<LastNamedSyscall>& last) {
    // Group by audit architecture (only x86_64 and x32 share one).
    std::vector<uint32_t> audits;
    for (const auto& l : last)
        if (std::find(audits.begin(), audits.end(), l.audit_arch) == audits.end()) audits.push_back(l.audit_arch);
    auto find = [&](uint32_t scmp) -> const LastNamedSyscall* {
        for (const auto& l : last)
            if (l.scmp_arch == scmp) return &l;
        return nullptr;
    };

    Prologue p;
    p.stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch));
    // Dispatch: "jeq arch; ja section" per architecture, so that no conditional jump is long.
    std::vector<size_t> dispatch;
    for (uint32_t audit : audits) {
        p.jump(BPF_JMP | BPF_JEQ | BPF_K, audit, 0, 1);
        dispatch.push_back(p.size());
        p.stmt(BPF_JMP | BPF_JA, 0);
    }
    p.to_program();  // an architecture the profile does not know: libseccomp's program decides
    for (size_t i = 0; i < audits.size(); ++i) {
        p.patch_jump_to(dispatch[i], p.size());
        p.stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr));
        if (audits[i] == AUDIT_ARCH_X86_64) {
            // The x32 bit of the number tells an x32 call from an x86_64 one.
            const LastNamedSyscall* x64 = find(SCMP_ARCH_X86_64);
            const LastNamedSyscall* x32 = find(SCMP_ARCH_X32);
            const uint8_t x64_len = x64 ? 3 : 1;
            p.jump(BPF_JMP | BPF_JSET | BPF_K, kX32Bit, x64_len, 0);
            if (x64) p.above_is_enosys(x64->last);
            else p.to_program();
            if (x32) p.above_is_enosys(x32->last);
            else p.to_program();
            continue;
        }
        if (audits[i] == AUDIT_ARCH_S390 || audits[i] == AUDIT_ARCH_S390X) {
            // A call number too large for the kernel arrives as the multiplexer, call 0.
            p.jump(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1);
            p.stmt(BPF_RET | BPF_K, kRetEnosys);
        }
        for (const auto& l : last)
            if (l.audit_arch == audits[i]) p.above_is_enosys(l.last);
    }
    return p.finish();
}

Result<std::vector<uint8_t>> add_enosys_prologue(const spec::Seccomp& profile, std::vector<uint8_t> program) {
    if (!wants_enosys_prologue(profile)) return program;
    auto last = GK_TRY(last_named_syscalls(profile, seccomp_arch_native()));
    std::vector<sock_filter> prologue = enosys_prologue(last);
    const size_t total = prologue.size() + program.size() / sizeof(sock_filter);
    if (total > BPF_MAXINSNS)
        return Error("seccomp: the filter needs " + std::to_string(total) + " BPF instructions, more than the " +
                         std::to_string(BPF_MAXINSNS) + " the kernel accepts",
                     EINVAL);
    std::vector<uint8_t> out(prologue.size() * sizeof(sock_filter));
    std::memcpy(out.data(), prologue.data(), out.size());
    out.insert(out.end(), program.begin(), program.end());
    return out;
}

}  // namespace gocker
