// The OCI runtime gocker drives, called only through its runc-compatible command line
// (create, start, kill, delete, exec, --console-socket, --pid-file), so that gocker-runtime,
// runc and crun are interchangeable. Every call gets `--root RUNTIME_ROOT`: gocker's containers
// live in a state root of their own, apart from other clients of the same runtime.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/result.hpp"

namespace gocker::core {

// The directory of the running gocker binary ("" when /proc/self/exe cannot be read).
std::string self_dir();
// Finds the runtime: `requested` (a path, or a name looked up in PATH), else $GOCKER_RUNTIME,
// else gocker-runtime next to the gocker binary, else gocker-runtime in PATH. Absolute path.
Result<std::string> find_runtime(const std::string& requested);
// $GOCKER_RUNTIME_ROOT, else /run/gocker-cli (runtime state is per boot, like /run/runc).
std::string default_runtime_root();

// Starts argv[0] with the given descriptors as stdin/stdout/stderr (-1: /dev/null); every other
// descriptor is closed in the child. Returns the pid.
Result<pid_t> spawn(const std::vector<std::string>& argv, int in, int out, int err);
// waitpid() for `pid`, retried on EINTR: the raw wait status.
Result<int> wait_child(pid_t pid);
// The exit code a shell would show: the status, or 128+N for signal N.
int exit_code_of(int wait_status);

class RuntimeCli {
public:
    RuntimeCli(std::string path, std::string root) : path_(std::move(path)), root_(std::move(root)) {}
    const std::string& path() const { return path_; }
    const std::string& root() const { return root_; }

    // [path, --root, root, args...]
    std::vector<std::string> argv(const std::vector<std::string>& args) const;
    // Runs a command to its end with stdin and stdout on /dev/null. A failure is
    // "<what>: <the runtime's last line on stderr>" (or how it ended).
    Status call(const std::vector<std::string>& args, const std::string& what) const;

private:
    std::string path_, root_;
};

}  // namespace gocker::core
