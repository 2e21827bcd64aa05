// The container init: what the child of clone3 does, from its first instruction to execve.
// Runs in the new namespaces; reports every failure to the parent over the sync socket (before
// "ready") or through the exec FIFO (after it), then exits. Never returns.
#pragma once

#include <string>

#include "container/process_steps.hpp"
#include "linux/namespaces.hpp"
#include "linux/rootfs.hpp"
#include "linux/sync.hpp"
#include "spec/config.hpp"

namespace gocker {

struct InitContext {
    const spec::Config* config = nullptr;
    const NamespacePlan* namespaces = nullptr;
    RootfsSpec rootfs;
    SyncSocket* sync = nullptr;
    int fifo_fd = -1;    // the exec FIFO, opened O_PATH by the runtime (whose state
                         // directory the init may not be allowed to search)
    ProcessSteps steps;  // the process's own steps, shared with `exec` (process_steps.hpp)
    bool no_new_keyring = false;
    // v1/hybrid hosts: the init is attached to its cgroups after clone3, so its new cgroup
    // namespace is made then (rooted at the container's cgroup, not the runtime's).
    bool wait_cgroup_attached = false;   // v1/hybrid: the runtime sends cgroup_attached after clone3
    bool cgroupns_after_attach = false;  // ... and then the init unshares its cgroup namespace
    std::string id;
};

[[noreturn]] void container_init(const InitContext& ctx);

}  // namespace gocker
