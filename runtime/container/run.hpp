// `run`: create + start in one process, then (in the foreground) wait for the container.
//
// The container stays locked from its create through its start, so no other command (`start`,
// `delete`, `exec`, `pause`...) can act on it in between. In the foreground, the signals to
// forward are held from before the create (none is lost before the wait loop), a terminal
// container's pty master comes to `run` itself when there is no --console-socket, and the
// container is deleted after it exits unless `keep`. A run that fails at any step after the
// create leaves nothing behind: the container is deleted (a started one killed first; with
// `keep`, a started one is only killed).
#pragma once

#include "common/result.hpp"
#include "container/create.hpp"
#include "container/state_store.hpp"

namespace gocker {

struct RunOptions {
    CreateOptions create;
    bool detach = false;  // return once the program has started
    bool keep = false;    // do not delete the container after it exits
};

// The container's exit code (128+N when killed by signal N), or 0 once it started when
// detached. Errors read "create <id>: ..." or "run <id>: ...".
Result<int> run_container(const StateStore& store, RunOptions opts);

}  // namespace gocker
