// Keeping the runtime's own binary and descriptors out of the container's reach.
//
// CVE-2019-5736: the container init is a clone of the runtime, so until its execve its
// /proc/self/exe is the runtime binary. A hostile image whose program is `#!/proc/self/exe`
// makes the kernel exec the runtime binary as the container process; from there a process in
// the container can hold /proc/PID/exe open and rewrite the host binary once it is no longer
// running. Two defences, both applied:
//   - reexec_from_protected_binary(): `create`/`run` run from a binary that cannot be written
//     through: a detached read-only bind mount of it (open_tree + mount_setattr, no copy, the
//     same page cache; crun does the same with a mounted bind), or, where that is not allowed
//     (no CAP_SYS_ADMIN, old kernel), a sealed memfd copy. A binary already on a read-only mount
//     is used as it is;
//   - make_non_dumpable(): the init is non-dumpable until its execve, so other container
//     processes cannot open /proc/<init>/exe, /proc/<init>/fd/* or ptrace it.
#pragma once

#include "common/fd.hpp"
#include "common/result.hpp"

namespace gocker {

enum class RuntimeBinary {
    writable,         // the host's file, on a writable mount: must not reach the container
    read_only_mount,  // a file on a read-only mount (ours or the host's): writes fail with EROFS
    sealed_memfd,     // an anonymous copy with F_SEAL_WRITE: writes fail with EPERM
};

// What the file behind `exe_fd` (an open /proc/self/exe) is.
RuntimeBinary classify_runtime_binary(int exe_fd);
// The same for the running process.
RuntimeBinary running_runtime_binary();

// The two protected images of a binary (the runtime passes "/proc/self/exe"), as descriptors
// that execveat can run:
// a detached read-only bind mount (O_PATH; needs CAP_SYS_ADMIN over the mount namespace and
// Linux 5.12), and a sealed memfd copy (anyone, but a copy of the whole file each time).
Result<UniqueFd> read_only_view_of(const char* path);
Result<UniqueFd> sealed_memfd_copy_of(const char* path);

// Unless the running binary is already protected, re-executes the process (same argv from
// /proc/self/cmdline, same environment) from a read-only bind mount of the binary, or from a
// sealed memfd copy when that cannot be made. Returns only when already protected (ok) or on
// failure. Everything the process made before this call is lost, except descriptors without
// close-on-exec (which is how --preserve-fds descriptors survive).
Status reexec_from_protected_binary();

// The same re-execution done as early as possible: called by gocker-runtime's first
// constructor (before any other static initialiser, before main parses the command line) for
// `create`, `run` and `exec`, it re-executes with `argv` from the read-only view only, silently.
// When that view cannot be made (or the binary is protected already) it returns and
// reexec_from_protected_binary() later does the whole job, with its debug lines and its memfd
// fallback. `trace`: carry the start time into the new image (trace.hpp).
void reexec_early_from_read_only_view(char** argv, bool trace);

// PR_SET_DUMPABLE 0 for the calling process (reset by the kernel at execve).
Status make_non_dumpable();

}  // namespace gocker
