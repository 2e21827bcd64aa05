// Rootless mode: the runtime runs as an ordinary user (runc's and crun's "rootless"), or as root
// of a user namespace that is not the initial one. The decision is made once, in main(), from
// `--rootless true|false|auto`; the parts of the runtime that act differently without host
// privileges (the default --root, cgroups, id maps) ask rootless_mode().
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace gocker {

// "true", "false" or "auto" (the flag's values); nullopt for auto.
Result<std::optional<bool>> parse_rootless_flag(std::string_view value);

// True when the id map text (/proc/self/uid_map) is anything but the initial namespace's
// "0 0 4294967295".
bool is_non_initial_uid_map(std::string_view uid_map_text);

// True when this process runs in a user namespace other than the initial one (as the runtime does
// under rootless podman): mounts are then made in a user namespace even without a new one.
bool in_non_initial_user_ns();

// runc's rule: rootless unless the caller is root in the initial user namespace.
bool detect_rootless();

void set_rootless_mode(bool on);
bool rootless_mode();

// The default --root: /run/gocker, or $XDG_RUNTIME_DIR/gocker in rootless mode (an error naming
// the variable when it is unset or not absolute).
Result<std::string> default_state_root(bool rootless, const char* xdg_runtime_dir);

}  // namespace gocker
