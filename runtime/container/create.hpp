// The create operation (runtime.md "Lifecycle" steps 1-5 up to "created"), shared by the
// `create` and `run` commands. Reads top to bottom as the lifecycle; see docs/architecture.md.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <string>

#include "common/fd.hpp"
#include "common/result.hpp"
#include "container/state_store.hpp"
#include "linux/cgroups/manager.hpp"
#include "spec/config.hpp"

namespace gocker {

struct CreateOptions {
    std::string id;
    std::string bundle = ".";
    std::string pid_file;
    std::string console_socket;
    int console_fd = -1;  // a connected socket for the pty master, used only when process.terminal
                          // (`run` relaying the terminal itself)
    bool no_pivot = false;
    bool no_new_keyring = false;
    int preserve_fds = 0;
};

// A file a command wrote (the --pid-file), remembered by device and inode so that undoing the
// command removes only that file, never one put at the same path since.
struct WrittenFile {
    std::string path;
    struct stat id {};
    void remove_if_unchanged() const;
};

struct CreatedContainer {
    ContainerRecord record;
    spec::Config config;
    UniqueFd pidfd;                                  // of the container init, a child of this process
    std::unique_ptr<cgroups::CgroupManager> cgroup;  // [cgroups] null when it has none
    ContainerLock lock;    // still held: `run` starts the container before anyone else may touch it
    WrittenFile pid_file;  // empty path: none written (a failed `run` removes it)
};

// Validates the bundle, makes the state directory, clones the container init and drives it to
// "created" (waiting on the exec FIFO). On failure nothing is left behind: no state directory,
// no process, no mount. Errors read "create <id>: ...".
Result<CreatedContainer> create_container(const StateStore& store, const CreateOptions& opts);

// The OCI state JSON handed to hooks (status given explicitly).
std::string hook_state_json(const ContainerRecord& r, const char* status);

}  // namespace gocker
