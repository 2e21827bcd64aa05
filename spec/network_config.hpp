// `gocker-runtime spec --network MODE`: what a generated bundle needs for a network, as edits
// of the typed config (never of JSON text) and the bundle files it brings. Pure: no system calls.
//
//   none    a network namespace of its own; gocker-net brings lo up
//   host    the host's network namespace (no network namespace entry), no hook
//   veth    the seed's point-to-point pair, made by gocker-net
//   bridge  an address on gocker-net's bridge, NAT, published ports (the default of --network)
//
// none, veth and bridge get gocker-net as createRuntime and poststop hook and the annotation
// gocker.net.mode (plus gocker.net.ports with -p); veth, bridge and host bind-mount the bundle's
// `hosts` and `resolv.conf` files at /etc/hosts and /etc/resolv.conf (read-only in the
// container; gocker-net adds the container's address to `hosts` at createRuntime).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "spec/config.hpp"

namespace gocker::spec {

struct NetworkChoice {
    std::string mode;                // none, host, veth or bridge
    std::vector<std::string> ports;  // canonical published ports (checked by the caller)
    std::string hook_path;           // the gocker-net binary (none, veth, bridge)
};

// Refuses an unknown mode, and ports outside bridge and veth modes.
Status apply_network(Config& cfg, const NetworkChoice& choice);

// Whether the mode brings the bundle files `hosts` and `resolv.conf`.
bool network_writes_bundle_files(std::string_view mode);

// The container's resolv.conf from the host's: `search`, `domain` and `options` kept;
// nameservers on loopback (127.0.0.0/8, ::1: the host's local resolver, unreachable from the
// container's namespace) and IPv6 ones (the bridge has no IPv6) dropped; when none is left,
// Google's public 8.8.8.8 and 8.8.4.4 (docker's default). `host` mode keeps the host's file.
std::string container_resolv_conf(std::string_view host_resolv_conf);
// The container's hosts file before gocker-net adds its address: localhost names only.
std::string container_hosts();

}  // namespace gocker::spec
