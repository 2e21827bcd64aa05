// `check` in rootless mode: whether the calling user can run rootless containers here and what
// is missing (user namespaces for unprivileged users, a state directory, newuidmap/newgidmap and
// subordinate ids for wider maps, a delegated cgroup for limits).
#pragma once

#include <string>
#include <vector>

namespace gocker {

struct RootlessFinding {
    std::string item, status, detail;  // status: ok, warn or fail
};

// `state_root` is the --root in use ("" when none could be chosen).
std::vector<RootlessFinding> rootless_readiness(const std::string& state_root);

}  // namespace gocker
