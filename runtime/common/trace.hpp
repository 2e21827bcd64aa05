// --trace (or GOCKER_TRACE=1): a timeline of the steps of a command, printed on stderr when the
// command ends, so that a user sees where the time goes. Off, it costs one predictable branch
// per step.
//
// A step is marked when it ENDS: mark("clone") records the time since the previous mark under
// the name "clone". The container init keeps its own marks and sends them to the runtime with
// its "ready" message (encode_marks/merge_marks), so one timeline shows both processes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gocker::trace {

extern bool g_enabled;

void enable();
inline bool enabled() { return g_enabled; }
// The environment variable that carries the timeline's start across a re-exec of the runtime
// (CLOCK_MONOTONIC ns), and that start.
inline constexpr const char* kStartVariable = "_GOCKER_TRACE_START";
uint64_t start_ns();
// The timeline's clock (CLOCK_MONOTONIC, ns), also for a start taken before enable().
uint64_t now_ns();

void mark_slow(const char* step, char who);
// `who`: 'r' the runtime, 'i' the container init.
inline void mark(const char* step, char who = 'r') {
    if (g_enabled) mark_slow(step, who);
}

// The marks recorded in this process since `since` as text ("i name ns\n" lines).
std::string encode_marks();
// Adds marks sent by the init.
void merge_marks(std::string_view text);

// Prints the timeline (step, who, duration, running total) on stderr.
void print(std::string_view command);

}  // namespace gocker::trace
