// The compiled seccomp program, cached by profile (crun does the same). Generating the BPF for
// Docker's default profile on the three x86 architectures costs several milliseconds (tens on
// a loaded machine) on every create; reading a cached program costs one small file read.
//
// The cache lives in <--root>/seccomp-cache/<hash>.bpf. Each file starts with the full
// canonical text of the profile it was compiled from (plus the libseccomp version, the native
// architecture and a format number: the program includes the ENOSYS prologue of
// seccomp_enosys.hpp, which depends on all three), and a hit requires that text to be equal, so a
// hash collision can never hand one container another's filter. Files are written atomically (temp + rename); a broken
// file is just a miss.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/fd.hpp"
#include "common/result.hpp"
#include "spec/config.hpp"

namespace gocker {

// Everything that determines the program: every field of the profile, the libseccomp version, the
// native architecture, the format (with or without the ENOSYS prologue).
std::string seccomp_cache_key(const spec::Seccomp& profile);

struct SeccompProgram {
    std::vector<uint8_t> bpf;  // struct sock_filter[]
    unsigned int flags = 0;    // SECCOMP_FILTER_FLAG_* for seccomp(2)
    bool notify = false;
    bool from_cache = false;
    std::string listener_metadata;  // linux.seccomp.listenerMetadata, for the notify listener
};

// Compiles `profile` (compile_seccomp + export) unless `cache_dir` holds it already. An empty
// cache_dir disables the cache. Cache write failures are logged at debug level only.
Result<SeccompProgram> seccomp_program(const spec::Seccomp& profile, const std::string& cache_dir);

// Child side: installs the program with seccomp(SECCOMP_SET_MODE_FILTER). Returns the notify
// fd when the program uses SCMP_ACT_NOTIFY.
Result<UniqueFd> load_seccomp_program(const SeccompProgram& program);

}  // namespace gocker
