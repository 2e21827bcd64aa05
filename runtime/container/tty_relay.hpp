// `run` in the foreground with process.terminal and no --console-socket: like runc, the runtime
// receives the pty master itself and relays it to its own stdin/stdout (raw mode while it runs).
#pragma once

#include <signal.h>
#include <sys/types.h>
#include <termios.h>

#include "common/fd.hpp"
#include "common/result.hpp"

namespace gocker {

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

// What `run` and `exec` share in the foreground, set up before the process exists: the signals
// to forward are held (so none is lost before the wait loop; the container process clears its
// mask), and without --console-socket a socketpair receives a terminal's pty master. Destroying
// it gives the mask back.
class ForegroundSession {
public:
    // `with_console`: make the socketpair (no --console-socket was given).
    static Result<ForegroundSession> begin(bool with_console);
    ForegroundSession(ForegroundSession&& o) noexcept;
    ForegroundSession& operator=(ForegroundSession&&) = delete;
    ~ForegroundSession();

    // The end handed to create/exec as the console connection, or -1; and closing it once they
    // have used it, so that a receive ends when the process sent nothing.
    int console_fd() const { return theirs_.get(); }
    void close_console_end() { theirs_.reset(); }
    bool has_console() const { return ours_.valid(); }
    // The pty master sent over the socketpair.
    Result<UniqueFd> receive_master();
    // forward_and_wait (stdin raw while a pty master is relayed), then the mask is given back.
    Result<int> wait(pid_t pid, int pidfd, int master);

private:
    ForegroundSession() = default;
    UniqueFd ours_, theirs_;
    sigset_t forwarded_{}, old_{};
    bool masked_ = false;
};

}  // namespace gocker
