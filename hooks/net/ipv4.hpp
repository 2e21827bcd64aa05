// IPv4 addresses and subnets for gocker-net, and the host-side veth name of a container.
// Pure functions: no system calls (unit-tested).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace gocker::net {

// An address in host byte order.
struct Ipv4 {
    uint32_t value = 0;
    bool operator==(const Ipv4&) const = default;
    auto operator<=>(const Ipv4&) const = default;
};

Result<Ipv4> parse_ipv4(std::string_view text);
std::string to_string(Ipv4 a);

// A subnet "10.0.0.0/24": `base` has the host bits cleared.
struct Subnet {
    Ipv4 base;
    int prefix = 0;
    bool operator==(const Subnet&) const = default;

    bool contains(Ipv4 a) const;
    // The first and last addresses a host can have (network and broadcast excluded).
    Ipv4 first_host() const;
    Ipv4 last_host() const;
};

// "10.0.0.0/24"; host bits must be zero; prefix 8..30 (a bridge needs a gateway and at least one
// container: /31 and /32 have no room).
Result<Subnet> parse_subnet(std::string_view text);
std::string to_string(const Subnet& s);

// The host end of a container's veth: "gk" + 9 hex digits of a 64-bit FNV-1a hash of the
// container id, mixed (11 characters, within IFNAMSIZ-1 = 15). Recomputed from the id at teardown.
std::string veth_name(std::string_view container_id);
// The host end for the container's interface `ifname`: veth_name(id) for "eth0" (the OCI hook's),
// else a hash of both (a CNI container may have several interfaces).
std::string veth_name(std::string_view container_id, std::string_view ifname);

}  // namespace gocker::net
