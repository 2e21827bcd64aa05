// gocker's operations on containers: the library behind the command line (and a later web
// console): run, stop, rm, the list, one record. Each takes the Store; none prints.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "run_options.hpp"
#include "store.hpp"

namespace gocker::core {

struct RunHooks {
    // Things the user should know (a copy instead of an overlay, the default network).
    std::function<void(const std::string&)> note;
    // Called once the container is created, before it starts: a foreground run attaches here.
    std::function<Status(const Record&)> before_start;
};

// Checks everything, claims an id (and the name), makes the rootfs layer and the bundle, starts
// the monitor (which creates the container) and starts it. On any failure nothing is left: no
// directory, mount, runtime state or monitor. Returns the record of the running container.
Result<Record> run_container(const Store& store, const RunOptions& opts, const std::string& cgroup_parent,
                             const RunHooks& hooks);

// SIGTERM, then SIGKILL after `timeout_s` seconds; returns once the monitor has recorded the exit.
// A container that is not running is left as it is.
Status stop_container(const Store& store, const std::string& ref, int timeout_s);

// Removes a stopped container: runtime state, overlay, bundle, log, record. A running one is
// refused, or killed first with `force`.
Status remove_container(const Store& store, const std::string& ref, bool force);

// The runtime's argv for `exec` in the container (running only).
struct ExecOptions {
    bool tty = false;
    std::vector<std::string> env;
    std::string user, workdir;
    std::vector<std::string> args;
};
Result<std::vector<std::string>> exec_argv(const Store& store, const std::string& ref, const ExecOptions& opts);

// Whether the record's container can still produce output (for logs -f).
bool container_active(const Store& store, const std::string& id);

}  // namespace gocker::core
