// A process that outlives its caller and holds nothing of it: what gocker-net's DEL hands the
// slow part of a teardown to (deleting a veth waits for RCU grace periods), so that DEL returns
// at once and a runtime waiting for the poststop hook's exit or output is not held up.
#pragma once

#include <sys/types.h>

#include <functional>

#include "common/result.hpp"

namespace gocker::net {

// Runs `work` in a child in a session of its own, with stdin, stdout and stderr on /dev/null and
// every other descriptor closed (no pipe, lock or socket of the caller stays open in it); it
// exits with work()'s status. Returns its pid. The caller (gocker-net) exits right after, so
// the child is re-parented (to init, or to the nearest subreaper) and reaped there: a double
// fork would re-parent it the same way, and costs the caller a wait for the middle process
// (7 ms measured on the loaded 2-CPU VM).
Result<pid_t> spawn_detached(const std::function<int()>& work);

}  // namespace gocker::net
