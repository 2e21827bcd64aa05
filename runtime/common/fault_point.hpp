// Fault points: named steps where a build made with -DGOCKER_FAULT_POINTS=ON can be told to fail,
// or to SIGKILL the runtime or the container's init, so that a test can check that every half-made
// container is cleaned up (tests/faults/). In any other build GK_FAULT_POINT is nothing at all.
//
//   GOCKER_FAULT=NAME:MODE[:N]   at the Nth time (default 1) the point NAME is reached:
//     fail       the step fails: "fault point NAME: injected failure" (EIO), as a real failure would
//     kill       the gocker-runtime process running the command dies of SIGKILL
//     kill-init  the container's init dies of SIGKILL (at a point in the init or exec's helper,
//                that process itself; the init of a new PID namespace, which SIGKILL cannot reach
//                from inside, dies of the forced SIGILL of a trap instead)
//     stop       the process that reaches the point stops itself (SIGSTOP) and goes on at
//                SIGCONT: a test holds a command at that step and races another one against it
//   GOCKER_FAULT_TRACE=1         every point reached prints "gocker-fault-point: NAME" on stderr
//
// Names say where they run: "<command>.<step>" in the runtime, "<command>.init.<step>" in the
// container's init and "exec.helper.<step>" in exec's helper. A `kill` at a point in the init or
// the helper is not applicable (the runtime is outside their PID namespace) and prints so. Each
// name is also put in the ELF section gk_fault_points, so that `gocker-runtime
// --list-fault-points` prints every point compiled in, reached or not.
//
// GK_FAULT_POINT("name") is a statement for functions returning Status or Result: it returns the
// injected error. GK_FAULT_CHECK("name") is the Status itself, for the other places.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/result.hpp"

namespace gocker::fault {

#ifdef GOCKER_FAULT_POINTS
inline constexpr bool kEnabled = true;
// What the point does (see above); ok unless the mode is `fail` for this hit.
Status hit(const char* name);
// The container init (or exec's helper) that `kill-init` kills at a point of the runtime.
void set_init(pid_t pid);
// Every point compiled in, sorted.
std::vector<std::string> all_points();

#define GK_FAULT_CHECK(name)                                                                   \
    ({                                                                                         \
        [[gnu::used, gnu::section("gk_fault_points")]] static const char* const gk_fp_ = name; \
        ::gocker::fault::hit(gk_fp_);                                                          \
    })
#define GK_FAULT_POINT(name) GK_TRY(GK_FAULT_CHECK(name))
#else
inline constexpr bool kEnabled = false;
inline void set_init(pid_t) {}
inline std::vector<std::string> all_points() { return {}; }
#define GK_FAULT_CHECK(name) (::gocker::Status{})
#define GK_FAULT_POINT(name) ((void)0)
#endif

}  // namespace gocker::fault
