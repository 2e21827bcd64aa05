// Bridge mode: attach a container's network namespace to a bridge, and detach it.
//
// attach(): lease (pending) -> bridge + gateway address, up -> veth pair, the peer created as
// "eth0" in the container -> host end on the bridge, up -> eth0's address, up; lo up; default
// route via the gateway -> forwarding on -> nftables elements (masquerade, published ports, in one
// transaction) -> lease active. Host ports are checked against every live lease before the pending
// lease (which records them) is written.
// A failure at any step undoes the container's part (veth, element, lease; the bridge too when
// this call created it and nothing else uses it) and names the step and the object.
// Everything runs under the lease store's lock; stale leases are reclaimed first.
#pragma once

#include <string>
#include <vector>

#include "common/result.hpp"
#include "net/lease_store.hpp"
#include "net/port_mapping.hpp"

namespace gocker::net {

struct Attachment {
    std::string container;
    int netns_fd = -1;  // the container's network namespace
    std::vector<PortMapping> ports;  // to publish; a host port another container holds is refused
};

// Returns the lease the container got.
Result<Lease> attach(const std::string& root, const NetworkConfig& cfg, const Attachment& a);

// Frees what the container holds on the network; nothing to free is success (DEL twice).
Status detach(const std::string& root, const NetworkConfig& cfg, const std::string& container);

}  // namespace gocker::net
