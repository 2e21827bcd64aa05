// A published port: traffic to HOSTIP:HOSTPORT (any host address when host_ip is unset) is
// forwarded to the container's CONTAINERPORT. Written by users as
// `[HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp|/udp]`, by CNI callers as runtimeConfig.portMappings.
#pragma once

#include <cstdint>
#include <optional>

#include "net/ipv4.hpp"

namespace gocker::net {

enum class PortProtocol { tcp, udp };

struct PortMapping {
    std::optional<Ipv4> host_ip;  // unset: every address of the host
    uint16_t host_port = 0;
    uint16_t container_port = 0;
    PortProtocol protocol = PortProtocol::tcp;
    bool operator==(const PortMapping&) const = default;
};

}  // namespace gocker::net
