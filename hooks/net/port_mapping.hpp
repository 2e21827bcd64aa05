// A published port: traffic to HOSTIP:HOSTPORT (any host address when host_ip is unset) is
// forwarded to the container's CONTAINERPORT. Written by users as
// `[HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp|/udp]`, by CNI callers as runtimeConfig.portMappings.
// Pure: no system calls (unit-tested); also linked into gocker-runtime for `spec -p`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
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

const char* to_string(PortProtocol p);

// `[HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp|/udp]`, ports 1..65535, HOSTIP an IPv4 address;
// errors quote the text and say which part is wrong.
Result<PortMapping> parse_port_mapping(std::string_view text);
// A comma-separated list (the `gocker.net.ports` annotation); empty text is no ports. Two
// entries that would take the same host port are refused here already.
Result<std::vector<PortMapping>> parse_port_mappings(std::string_view text);
// The canonical form parse_port_mapping() reads back: "8080:80/tcp", "192.0.2.1:53:53/udp".
std::string to_string(const PortMapping& m);

// Whether two mappings want the same host port: same protocol and port, and the same host
// address or either on every address.
bool same_host_port(const PortMapping& a, const PortMapping& b);
// "0.0.0.0:8080/tcp", "192.0.2.1:53/udp": the host side only, for messages.
std::string host_side(const PortMapping& m);

}  // namespace gocker::net
