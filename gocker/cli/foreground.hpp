// A foreground `gocker run`: the client side of the monitor's attach socket. Output frames go
// to stdout/stderr, stdin (with -i) goes to the container, signals gocker receives are sent to
// the container through the runtime (`kill ID SIG`), a terminal is put in raw mode for -t and
// its size follows SIGWINCH. Returns the container's exit code.
#pragma once

#include "common/fd.hpp"
#include "common/result.hpp"
#include "core/store.hpp"

namespace gocker::cli {

// Connects to ID/attach.sock (before the container starts, so no output is missed).
Result<UniqueFd> attach_to(const core::Store& store, const std::string& id);
Result<int> relay(const core::Store& store, const core::Record& rec, UniqueFd sock);

}  // namespace gocker::cli
