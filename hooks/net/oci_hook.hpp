// gocker-net as an OCI hook (config.md "POSIX-platform Hooks"): the container's state JSON on
// stdin; `createRuntime` attaches the container to its network, `poststop` detaches it.
//
// Annotations (config.json "annotations", copied into the state) choose the network:
//   gocker.net.mode     bridge (default), veth (a point-to-point pair) or none (only lo, up)
//   gocker.net.network  name of the network (default "gocker", "gocker-veth" in veth mode;
//                       its state is <root>/<name>/)
//   gocker.net.bridge   bridge name (default "gocker0")
//   gocker.net.subnet   IPv4 subnet (default "10.0.0.0/24")
//   gocker.net.gateway  the bridge's address (default: the subnet's first address, 10.0.0.1)
//   gocker.net.mode     bridge (what `spec --network` writes; the only mode built so far)
//   gocker.net.ports    published ports, comma-separated [HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp|/udp]
// When config.json bind-mounts a file of the bundle directory at /etc/hosts, the container's
// address and hostname are added to it (container_files.hpp).
// A container without a new network namespace of its own (none in linux.namespaces, or one with
// a path: it joins a namespace someone else made and owns) is left alone.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "net/lease_store.hpp"

namespace gocker::net {

inline constexpr const char* kDefaultRoot = "/run/gocker/net";

Result<NetworkConfig> network_from_annotations(const std::map<std::string, std::string>& annotations);

// `phase` is "createRuntime" or "poststop"; `state_json` is what the runtime wrote on stdin.
// Quiet on success: a hook's stdout is the runtime's (and so the user's).
Status run_oci_hook(std::string_view phase, const std::string& root, std::string_view state_json);

}  // namespace gocker::net
