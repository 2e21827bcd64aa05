// process.terminal: a pty made inside the container, whose master is sent to the caller over
// --console-socket exactly as runc does (one SCM_RIGHTS message, name "/dev/ptmx").
#pragma once

#include <optional>
#include <string>

#include "common/fd.hpp"
#include "common/result.hpp"
#include "spec/config.hpp"

namespace gocker {

// A connected AF_UNIX stream socket to `path`; errors read "<what>: <reason>".
Result<UniqueFd> connect_unix_socket(const std::string& path, const std::string& what);
// Parent side: connect to the AF_UNIX stream socket at `path` (before clone, so the child inherits it).
Result<UniqueFd> connect_console_socket(const std::string& path);

// Child side, after enter_rootfs() (devpts is at /dev/pts, /dev/ptmx links to pts/ptmx):
// opens a new pty, applies consoleSize, bind-mounts the slave on /dev/console, sends the master
// over `socket_fd` and closes it, makes the slave the controlling terminal (setsid + TIOCSCTTY)
// and stdin/stdout/stderr.
Status setup_console(int socket_fd, const std::optional<spec::ConsoleSize>& size);

// Sends `fd` over the unix socket `sock` with SCM_RIGHTS; `name` is the message payload.
Status send_fd(int sock, int fd, const std::string& name);
// Receives one fd sent by send_fd (for tests and for `run` in the foreground with a terminal).
Result<UniqueFd> recv_fd(int sock, std::string* name = nullptr);

}  // namespace gocker
