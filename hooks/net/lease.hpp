// One address lease of gocker-net's IPAM and its file format (lease_store.hpp keeps the files):
// {"container","state","ownerPid","ownerStart","veth","ifname","ports"}. Pure: gocker reads a
// container's address with it too.
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
    int owner_pid = 0;            // the gocker-net that wrote the pending lease
    uint64_t owner_start = 0;     // its start time (/proc/PID/stat field 22): a reused pid is not it
    std::string veth;             // host end of the container's veth pair
    std::string ifname = "eth0";  // the container's end (CNI_IFNAME)
    // Its published ports: recorded with the pending lease, before any is made, so that a
    // reclaim removes them with the address (a reused address never inherits a mapping).
    std::vector<PortMapping> ports;
};

std::string lease_to_json(const Lease& l);
Result<Lease> parse_lease(std::string_view json, Ipv4 address, const std::string& origin);

}  // namespace gocker::net
