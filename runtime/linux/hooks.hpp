// OCI hooks (config.md "POSIX-platform Hooks"): each hook is executed with its path, args and env,
// the container state JSON on stdin, and a timeout in seconds (killed with SIGKILL when it expires).
// A hook fails when it cannot be started, exits non-zero, is killed, or times out; the error names
// the phase, the hook path and why: `createRuntime hook /usr/bin/x: exit status 3`.
#pragma once

#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "spec/config.hpp"

namespace gocker {

Status run_hook(std::string_view phase, const spec::Hook& hook, std::string_view state_json);

// Runs hooks in order and stops at the first failure.
Status run_hooks(std::string_view phase, const std::vector<spec::Hook>& hooks, std::string_view state_json);

// Runs every hook in order whatever the others do, and returns the failures: for poststart and
// poststop, whose failures config.md turns into warnings with "the remaining hooks and lifecycle
// continue as if the hook had succeeded".
std::vector<Error> run_all_hooks(std::string_view phase, const std::vector<spec::Hook>& hooks,
                                 std::string_view state_json);

}  // namespace gocker
