// `run` in the foreground with process.terminal and no --console-socket: like runc, the runtime
// receives the pty master itself and relays it to its own stdin/stdout (raw mode while it runs).
#pragma once

#include <signal.h>
#include <sys/types.h>
#include <termios.h>

#include "common/fd.hpp"
#include "common/result.hpp"

namespace gocker::cli {

// Puts stdin in raw mode when it is a terminal; restores it when destroyed.
class RawTerminal {
public:
    RawTerminal();
    ~RawTerminal();
    RawTerminal(const RawTerminal&) = delete;
    RawTerminal& operator=(const RawTerminal&) = delete;

private:
    bool active_ = false;
    struct termios saved_ {};
};

// Waits for the init (our child) while forwarding the signals in `forwarded` to it; with a pty
// master, relays stdin -> master and master -> stdout, and window-size changes. Returns the exit
// code (128+N when killed by signal N).
Result<int> forward_and_wait(pid_t pid, int pidfd, const sigset_t& forwarded, int master);

}  // namespace gocker::cli
