// One address lease of gocker-net's IPAM and its file format (lease_store.hpp keeps the files):
// {"container","state","ownerPid","ownerStart","veth","vethIndex","ifname","ports"}, state "pending", "active"
// or "releasing". Pure: gocker reads a container's address with it too.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "net/ipv4.hpp"
#include "net/port_mapping.hpp"

namespace gocker::net {

struct Lease {
    Ipv4 address;
    std::string container;
    bool active = false;
    // DEL has removed its nftables elements and ports and handed the veth's deletion and the
    // lease's removal to a detached process (the owner): the address stays taken until the
    // veth is gone. Then active is false.
    bool releasing = false;
    int owner_pid = 0;            // the gocker-net that wrote the pending lease (releasing: the deleter)
    uint64_t owner_start = 0;     // its start time (/proc/PID/stat field 22): a reused pid is not it
    std::string veth;             // host end of the container's veth pair
    std::string ifname = "eth0";  // the container's end (CNI_IFNAME)
    // Its published ports: recorded with the pending lease, before any is made, so that a
    // reclaim removes them with the address (a reused address never inherits a mapping).
    std::vector<PortMapping> ports;
    // Releasing: the veth's interface index. The deleter and a reclaim delete the link of that
    // index, not of that name: a later ADD of the same container and interface makes a new veth
    // of the same name.
    int veth_index = 0;
};

std::string lease_to_json(const Lease& l);
Result<Lease> parse_lease(std::string_view json, Ipv4 address, const std::string& origin);

}  // namespace gocker::net
