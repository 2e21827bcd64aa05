#include "net/ipv4.hpp"

#include <charconv>
#include <cstdio>

namespace gocker::net {

namespace {

uint32_t mask_of(int prefix) { return prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix); }

Result<unsigned> parse_decimal(std::string_view s, unsigned max, std::string_view what) {
    unsigned v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size() || v > max || (s.size() > 1 && s[0] == '0'))
        return Error(std::string(what));
    return v;
}

}  // namespace

Result<Ipv4> parse_ipv4(std::string_view text) {
    Error bad("invalid IPv4 address \"" + std::string(text) + "\"");
    uint32_t value = 0;
    std::string_view rest = text;
    for (int i = 0; i < 4; ++i) {
        size_t dot = rest.find('.');
        if ((i < 3) != (dot != std::string_view::npos)) return bad;
        auto octet = parse_decimal(rest.substr(0, dot), 255, "");
        if (!octet) return bad;
        value = value << 8 | *octet;
        rest = dot == std::string_view::npos ? std::string_view{} : rest.substr(dot + 1);
    }
    return Ipv4{value};
}

std::string to_string(Ipv4 a) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", a.value >> 24, (a.value >> 16) & 255, (a.value >> 8) & 255,
                  a.value & 255);
    return buf;
}

bool Subnet::contains(Ipv4 a) const { return (a.value & mask_of(prefix)) == base.value; }
Ipv4 Subnet::first_host() const { return Ipv4{base.value + 1}; }
Ipv4 Subnet::last_host() const { return Ipv4{(base.value | ~mask_of(prefix)) - 1}; }

Result<Subnet> parse_subnet(std::string_view text) {
    std::string quoted = "\"" + std::string(text) + "\"";
    size_t slash = text.find('/');
    if (slash == std::string_view::npos) return Error("invalid subnet " + quoted + ": expected ADDRESS/PREFIX");
    Ipv4 addr = GK_TRY_CTX(parse_ipv4(text.substr(0, slash)), "invalid subnet " + quoted);
    auto prefix = parse_decimal(text.substr(slash + 1), 32, "");
    if (!prefix || *prefix < 8 || *prefix > 30)
        return Error("invalid subnet " + quoted + ": the prefix length must be 8 to 30");
    Subnet s{addr, static_cast<int>(*prefix)};
    if ((addr.value & ~mask_of(s.prefix)) != 0)
        return Error("invalid subnet " + quoted + ": host bits set (did you mean \"" +
                     to_string(Ipv4{addr.value & mask_of(s.prefix)}) + "/" + std::to_string(s.prefix) + "\"?)");
    return s;
}

std::string to_string(const Subnet& s) { return to_string(s.base) + "/" + std::to_string(s.prefix); }

std::string veth_name(std::string_view container_id) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (unsigned char c : container_id) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    // FNV's high bits barely change with the last character ("c1", "c2"): mix them (murmur3's finaliser).
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    char buf[16];
    std::snprintf(buf, sizeof buf, "gk%09llx", static_cast<unsigned long long>(h >> 28));
    return buf;
}

std::string veth_name(std::string_view container_id, std::string_view ifname) {
    if (ifname == "eth0") return veth_name(container_id);
    return veth_name(std::string(container_id) + "/" + std::string(ifname));
}

}  // namespace gocker::net
