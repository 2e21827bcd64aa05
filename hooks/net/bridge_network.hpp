// Bridge mode: attach a container's network namespace to a bridge, and detach it.
//
// attach(): lease (pending) -> bridge + gateway address, up -> veth pair, the peer created as
// "eth0" in the container -> host end on the bridge, up -> eth0's address, up; lo up; default
// route via the gateway -> forwarding on -> nftables elements (masquerade, published ports, in one
// transaction) -> lease active. Host ports are checked against every live lease before the pending
// lease (which records them) is written.
// A failure at any step undoes the container's part (veth, element, lease; the bridge too when
// this call created it and nothing else uses it) and names the step and the object.
// Everything runs under the lease store's lock; stale leases are reclaimed first. An earlier
// DEL's deleter still at work on the veth of the same container and interface: its deletion is
// finished here, and its address stays leased until the deleter is done.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "net/lease_store.hpp"
#include "net/port_mapping.hpp"

namespace gocker::net {

struct Attachment {
    std::string container;
    int netns_fd = -1;               // the container's network namespace
    std::vector<PortMapping> ports;  // to publish; a host port another container holds is refused
    std::string ifname = "eth0";     // the container's interface (CNI_IFNAME)
    std::optional<Ipv4> address;     // asked for (CNI "ips" capability); else the lowest free
};

// Returns the lease the container got (mode none: no lease, address 0; only lo is set up).
Result<Lease> attach(const std::string& root, const NetworkConfig& cfg, const Attachment& a);

// Frees what the container holds on the network; nothing to free is success (DEL twice). Its
// nftables elements and ports go at once; its veth (the kernel's deletion waits for RCU grace
// periods) and then its lease go in a detached process, the lease marked "releasing" meanwhile
// so that its address is not given again before the veth is gone (GOCKER_NET_SYNC_DEL=1: all
// here). The network's stale leases are reclaimed too, as attach() does.
Status detach(const std::string& root, const NetworkConfig& cfg, const std::string& container,
              const std::string& ifname = "eth0");

// A pending lease whose writer is dead, a releasing one whose deleter is dead, or an active one
// whose host veth is gone.
Result<bool> lease_is_stale(const Lease& l);

// Frees (veth, element, lease) every stale lease of the network and every one `keep` refuses;
// returns the freed ones. Under the lease store's lock, as attach() and detach().
Result<std::vector<Lease>> reclaim(const std::string& root, const NetworkConfig& cfg,
                                   const std::function<bool(const Lease&)>& keep);

}  // namespace gocker::net
