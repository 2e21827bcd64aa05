#include "net/port_mapping.hpp"

#include <charconv>

namespace gocker::net {

namespace {

Result<uint16_t> parse_port(std::string_view s, const std::string& quoted, const char* which) {
    unsigned v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size() || v == 0 || v > 65535 ||
        (s.size() > 1 && s[0] == '0'))
        return Error("invalid published port " + quoted + ": " + which + " \"" + std::string(s) +
                     "\" is not a port number (1 to 65535)");
    return static_cast<uint16_t>(v);
}

}  // namespace

const char* to_string(PortProtocol p) { return p == PortProtocol::udp ? "udp" : "tcp"; }

Result<PortMapping> parse_port_mapping(std::string_view text) {
    std::string quoted = "\"" + std::string(text) + "\"";
    PortMapping m;
    std::string_view rest = text;
    if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
        std::string_view proto = rest.substr(slash + 1);
        if (proto == "udp") m.protocol = PortProtocol::udp;
        else if (proto != "tcp")
            return Error("invalid published port " + quoted + ": protocol \"" + std::string(proto) +
                         "\" is not tcp or udp");
        rest = rest.substr(0, slash);
    }
    size_t last = rest.rfind(':');
    if (last == std::string_view::npos)
        return Error("invalid published port " + quoted + ": expected [HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp|/udp]");
    m.container_port = GK_TRY(parse_port(rest.substr(last + 1), quoted, "container port"));
    rest = rest.substr(0, last);
    if (size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
        auto ip = parse_ipv4(rest.substr(0, colon));
        if (!ip)
            return Error("invalid published port " + quoted + ": host address \"" + std::string(rest.substr(0, colon)) +
                         "\" is not an IPv4 address");
        if (ip->value != 0) m.host_ip = *ip;  // 0.0.0.0 is every address, as docker reads it
        rest = rest.substr(colon + 1);
    }
    m.host_port = GK_TRY(parse_port(rest, quoted, "host port"));
    return m;
}

Result<std::vector<PortMapping>> parse_port_mappings(std::string_view text) {
    std::vector<PortMapping> out;
    while (!text.empty()) {
        size_t comma = text.find(',');
        std::string_view item = text.substr(0, comma);
        PortMapping m = GK_TRY(parse_port_mapping(item));
        for (const auto& other : out)
            if (same_host_port(m, other))
                return Error("published ports \"" + to_string(other) + "\" and \"" + to_string(m) +
                             "\" both take host port " + host_side(m));
        out.push_back(m);
        if (comma == std::string_view::npos) break;
        text = text.substr(comma + 1);
        if (text.empty()) return Error("invalid published ports: a trailing ','");
    }
    return out;
}

std::string to_string(const PortMapping& m) {
    std::string s = m.host_ip ? to_string(*m.host_ip) + ":" : "";
    return s + std::to_string(m.host_port) + ":" + std::to_string(m.container_port) + "/" + to_string(m.protocol);
}

bool same_host_port(const PortMapping& a, const PortMapping& b) {
    return a.protocol == b.protocol && a.host_port == b.host_port &&
           (!a.host_ip || !b.host_ip || *a.host_ip == *b.host_ip);
}

std::string host_side(const PortMapping& m) {
    return (m.host_ip ? to_string(*m.host_ip) : std::string("0.0.0.0")) + ":" + std::to_string(m.host_port) + "/" +
           to_string(m.protocol);
}

}  // namespace gocker::net
