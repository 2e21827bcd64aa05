// The container init: what the child of clone3 does, from its first instruction to execve.
// Runs in the new namespaces; reports every failure to the parent over the sync socket (before
// "ready") or through the exec FIFO (after it), then exits. Never returns.
#pragma once

#include <string>

#include "linux/namespaces.hpp"
#include "linux/rootfs.hpp"
#include "linux/sync.hpp"
#include "spec/config.hpp"

namespace gocker {

struct SeccompProgram;

struct InitContext {
    const spec::Config* config = nullptr;
    const NamespacePlan* namespaces = nullptr;
    RootfsSpec rootfs;
    SyncSocket* sync = nullptr;
    int fifo_fd = -1;           // the exec FIFO, opened O_PATH by the runtime (whose state
                                // directory the init may not be allowed to search)
    int console_socket = -1;    // --console-socket connection, when process.terminal
    int seccomp_listener = -1;  // linux.seccomp.listenerPath connection, when SCMP_ACT_NOTIFY is used
    const SeccompProgram* seccomp = nullptr;  // compiled linux.seccomp (runtime/linux/seccomp_cache)
    int preserve_fds = 0;
    int last_cap = 40;  // the host's /proc/sys/kernel/cap_last_cap, read before clone
    bool no_new_keyring = false;
    // v1/hybrid hosts: the init is attached to its cgroups after clone3, so its new cgroup
    // namespace is made then (rooted at the container's cgroup, not the runtime's).
    bool wait_cgroup_attached = false;   // v1/hybrid: the runtime sends cgroup_attached after clone3
    bool cgroupns_after_attach = false;  // ... and then the init unshares its cgroup namespace
    std::string id;
};

[[noreturn]] void container_init(const InitContext& ctx);

}  // namespace gocker
