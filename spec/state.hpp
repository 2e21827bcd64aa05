// The OCI state document (runtime.md "State") and its JSON.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace gocker::spec {

enum class ContainerStatus { creating, created, running, stopped, paused };
const char* status_name(ContainerStatus s);
Result<ContainerStatus> parse_status(std::string_view s);

struct State {
    bool operator==(const State&) const = default;
    std::string oci_version;
    std::string id;
    ContainerStatus status = ContainerStatus::creating;
    int pid = 0;  // 0 when the container has no process (stopped): omitted from JSON then
    std::string bundle;
    std::map<std::string, std::string> annotations;
};

// Compact JSON, as handed to hooks on stdin; pretty=true for `state`.
std::string state_to_json(const State& s, bool pretty = false);
Result<State> parse_state(std::string_view json);

}  // namespace gocker::spec
