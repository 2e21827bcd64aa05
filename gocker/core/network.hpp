// How a container gets its network: the one place that knows about gocker-net, the network hook
// built beside gocker (hooks/README.md), so that its wiring can change in one file.
//
//   none    a network namespace of its own with only lo
//   host    the host's network namespace
//   bridge  gocker-net as the bundle's createRuntime and poststop hooks (eth0 on gocker0, NAT);
//           -p/--publish is passed to it as the annotation gocker.net.ports
// Without --network: bridge when gocker-net is there, else none (and run says so).
#pragma once

#include <string>

#include "common/result.hpp"
#include "run_options.hpp"
#include "spec/config.hpp"

namespace gocker::core {

struct NetworkPlan {
    NetworkMode mode = NetworkMode::none;
    std::string hook;  // gocker-net's path, for bridge
    std::string note;  // said on stderr by run (e.g. why the default is none)
};

// gocker-net next to the gocker binary, or "".
std::string find_network_hook();
// Decides the mode; bridge or --publish without gocker-net, or --publish with none/host, is an
// error naming the flag.
Result<NetworkPlan> plan_network(const RunOptions& opts);
// The namespaces, hooks and annotations of the plan, in the config.
void apply_network(spec::Config& cfg, const NetworkPlan& plan, const RunOptions& opts);

// The container's address on the bridge: the name of gocker-net's lease file (in its default
// store, /run/gocker/net/gocker/<address>) whose "container" is `id`; "" when there is none.
std::string bridge_address(const std::string& id);

}  // namespace gocker::core
