// The monitor: one small daemon per container (the job conmon does for podman).
//
// `gocker run` forks it; it calls setsid() and forks once more, so it is in no terminal session
// and outlives the gocker that started it, and that grandchild execs `gocker __monitor ID` (a
// fresh program: the caller may be the console's threaded server). It stays in gocker's cgroup and namespaces: it never
// joins the container's. It
//   - makes itself a child subreaper (PR_SET_CHILD_SUBREAPER) and runs `RUNTIME create`, so the
//     container's init becomes its child when create exits, and it can reap it;
//   - owns the container's stdio: pipes for stdin/stdout/stderr, or the pty master that the
//     runtime sends over ID/console.sock for -t;
//   - writes the output to ID/container.log (container_log.hpp) and to attached clients
//     (ID/attach.sock, attach.hpp), and feeds them stdin;
//   - records the exit code and time in the record when the init exits, runs `RUNTIME delete`
//     (cgroups, poststop hooks: the network lease), and with --rm removes the container.
// gocker itself runs `RUNTIME start` once the monitor has said the container is created.
#pragma once

#include <string>

#include "common/result.hpp"
#include "store.hpp"

namespace gocker::core {

// Forks the monitor for `rec` (already saved, with its bundle at ID/bundle) and waits until it
// reports: success when the container is created (the record then has pid, monitorPid and
// status "created"); the runtime's error otherwise (the monitor has then exited).
Status start_monitor(const Store& store, const Record& rec);

// `gocker __monitor ID` (hidden): the monitor itself, started by start_monitor with its ready
// pipe as fd 3. Returns only when it cannot start (125: not started by gocker; 1: no record).
int monitor_command(const Store& store, const std::string& id);

}  // namespace gocker::core
