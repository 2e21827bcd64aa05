// Keeping the runtime's own binary and descriptors out of the container's reach.
//
// CVE-2019-5736: the container init is a clone of the runtime, so until its execve its
// /proc/self/exe is the runtime binary. A hostile image whose program is `#!/proc/self/exe`
// makes the kernel exec the runtime binary as the container process; from there a process in
// the container can hold /proc/PID/exe open and rewrite the host binary once it is no longer
// running. Two defences, both applied:
//   - reexec_from_sealed_copy(): `create`/`run` run from a sealed memfd copy of the binary, so
//     whatever the container reaches through /proc/.../exe is an anonymous, write-sealed file;
//   - make_non_dumpable(): the init is non-dumpable until its execve, so other container
//     processes cannot open /proc/<init>/exe, /proc/<init>/fd/* or ptrace it.
#pragma once

#include "common/result.hpp"

namespace gocker {

// True when /proc/self/exe is a memfd with F_SEAL_WRITE.
bool running_from_sealed_copy();

// Copies /proc/self/exe into a sealed memfd and re-executes it with the same argv (from
// /proc/self/cmdline) and environment. Returns only when already sealed (ok) or on failure.
// Everything the process made before this call is lost, except descriptors without
// close-on-exec (which is how --preserve-fds descriptors survive).
Status reexec_from_sealed_copy();

// PR_SET_DUMPABLE 0 for the calling process (reset by the kernel at execve).
Status make_non_dumpable();

}  // namespace gocker
