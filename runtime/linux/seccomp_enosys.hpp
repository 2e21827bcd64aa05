// ENOSYS for system calls newer than the profile (runc's patchbpf does the same).
//
// A profile lists the system calls its author knew. A call added to the kernel later (openat2,
// close_range, faccessat2, clone3, epoll_pwait2, futex_waitv...) falls to the profile's default
// action: with Docker's older profiles that is EPERM, and glibc and Go only fall back to the old
// call on ENOSYS, so programs fail instead of working as on an older kernel. So a small BPF
// prologue runs before the libseccomp program: per architecture, a call whose number is above
// the largest number the profile names on that architecture returns ENOSYS; every other call
// goes on to the profile's own program.
//
// "Newer" is decided as runc decides it: by number, per architecture of the filter (the native
// one always included), with x86_64 and x32 sharing one AUDIT_ARCH and told apart by the x32 bit
// of the call number, and s390/s390x's multiplexer (call 0, where an unknown large call number
// lands) answering ENOSYS too. A call added out of order in the table (a hole below the largest
// named one) still gets the default action, as with runc.
//
// The prologue is skipped when the default action already lets calls through (ALLOW, LOG,
// TRACE) or already returns ENOSYS.
#pragma once

#include <linux/filter.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "spec/config.hpp"

namespace gocker {

// The largest call number the profile names on one libseccomp architecture.
struct LastNamedSyscall {
    bool operator==(const LastNamedSyscall&) const = default;
    uint32_t audit_arch = 0;  // AUDIT_ARCH_* the kernel reports in seccomp_data.arch
    uint32_t scmp_arch = 0;   // SCMP_ARCH_* (x86_64 and x32 share one audit_arch)
    uint32_t last = 0;        // as libseccomp numbers it (x32 numbers carry the x32 bit)
};

// Does this profile get the prologue at all?
bool wants_enosys_prologue(const spec::Seccomp& profile);

// Per architecture of the profile (and the native one), the largest named call; architectures
// where no name resolves are left out. `native` is seccomp_arch_native() outside of tests.
Result<std::vector<LastNamedSyscall>> last_named_syscalls(const spec::Seccomp& profile, uint32_t native);

// The prologue: ends by falling through to the instruction right after it.
std::vector<sock_filter> enosys_prologue(const std::vector<LastNamedSyscall>& last);

// `program` (struct sock_filter[] bytes from libseccomp) with the prologue in front, when the
// profile wants one; unchanged otherwise. Fails if the result exceeds BPF_MAXINSNS.
Result<std::vector<uint8_t>> add_enosys_prologue(const spec::Seccomp& profile, std::vector<uint8_t> program);

}  // namespace gocker
