#include "common/fault_point.hpp"

#ifdef GOCKER_FAULT_POINTS

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

// The linker makes these for a section whose name is a C identifier. Weak: a program that links
// this file but has no point of its own (tests/faults/net_fault_walk) has no such section.
extern "C" [[gnu::weak]] const char* const __start_gk_fault_points[];
extern "C" [[gnu::weak]] const char* const __stop_gk_fault_points[];

namespace gocker::fault {
namespace {

pid_t g_init = 0;
int g_hits = 0;  // of the chosen point, in this process (a clone inherits the count)

void say(const std::string& line) {
    std::string s = "gocker-fault-point: " + line + "\n";
    ssize_t r = ::write(STDERR_FILENO, s.data(), s.size());
    (void)r;
}

bool in_child(std::string_view name) {
    return name.find(".init.") != std::string_view::npos || name.find(".helper.") != std::string_view::npos;
}

}  // namespace

void set_init(pid_t pid) { g_init = pid; }

std::vector<std::string> all_points() {
    if (!__start_gk_fault_points) return {};
    std::vector<std::string> out(__start_gk_fault_points, __stop_gk_fault_points);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

Status hit(const char* name) {
    const char* trace = std::getenv("GOCKER_FAULT_TRACE");
    if (trace && std::strcmp(trace, "1") == 0) say(name);
    const char* spec = std::getenv("GOCKER_FAULT");
    if (!spec) return {};
    std::string_view s(spec);
    size_t colon = s.find(':');
    if (colon == std::string_view::npos || s.substr(0, colon) != name) return {};
    std::string_view mode = s.substr(colon + 1);
    int nth = 1;
    if (size_t c2 = mode.find(':'); c2 != std::string_view::npos) {
        nth = std::atoi(std::string(mode.substr(c2 + 1)).c_str());
        mode = mode.substr(0, c2);
    }
    if (++g_hits != nth) return {};
    std::string what = std::string(name) + ": " + std::string(mode);
    if (mode == "fail") {
        say(what);
        return Error("fault point " + std::string(name) + ": injected failure", EIO);
    }
    if (mode == "kill") {
        if (in_child(name)) {
            say(what + ": not applicable (the runtime is outside this process's PID namespace)");
            return {};
        }
        say(what);
        ::kill(::getpid(), SIGKILL);
    }
    if (mode == "kill-init") {
        if (in_child(name)) {
            say(what);
            ::kill(::getpid(), SIGKILL);
            // The init of a new PID namespace ignores SIGKILL from inside it: only a forced
            // signal (a trap) ends it there.
            __builtin_trap();
        }
        if (g_init <= 0) {
            say(what + ": not applicable (no container init yet)");
            return {};
        }
        say(what);
        ::kill(g_init, SIGKILL);
        return {};
    }
    if (mode == "stop") {
        say(what);
        ::raise(SIGSTOP);
        return {};
    }
    say(what + ": unknown mode (fail, kill, kill-init or stop)");
    return {};
}

}  // namespace gocker::fault

#endif
