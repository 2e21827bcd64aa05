#include "run_options.hpp"

#include <cerrno>
#include <charconv>

namespace gocker::core {
namespace {

Error bad(std::string_view flag, std::string_view value, std::string_view why) {
    return Error(std::string(flag) + " " + std::string(value) + ": " + std::string(why), 0);
}

template <class T>
bool parse_number(std::string_view s, T& out) {
    if (s.empty()) return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    size_t start = 0;
    while (true) {
        size_t i = s.find(sep, start);
        out.push_back(s.substr(start, i == std::string_view::npos ? std::string_view::npos : i - start));
        if (i == std::string_view::npos) break;
        start = i + 1;
    }
    return out;
}

}  // namespace

const char* network_mode_name(NetworkMode m) {
    switch (m) {
        case NetworkMode::none: return "none";
        case NetworkMode::host: return "host";
        case NetworkMode::bridge: return "bridge";
        case NetworkMode::unset: break;
    }
    return "";
}

std::string PortPublish::text() const {
    std::string s = host_ip.empty() ? "" : host_ip + ":";
    return s + std::to_string(host_port) + ":" + std::to_string(container_port) + "/" + protocol;
}

Result<std::vector<spec::IdMapping>> parse_userns(std::string_view text) {
    std::vector<spec::IdMapping> maps;
    for (auto part : split(text, ',')) {
        auto f = split(part, ':');
        spec::IdMapping m;
        if (f.size() != 3 || !parse_number(f[0], m.container_id) || !parse_number(f[1], m.host_id) ||
            !parse_number(f[2], m.size))
            return bad("--userns", text, "expected CTR:HOST:SIZE[,CTR:HOST:SIZE...], e.g. 0:1000:65536");
        if (m.size == 0) return bad("--userns", text, "a map of size 0 maps nothing");
        if (uint64_t(m.container_id) + m.size > (1ull << 32) || uint64_t(m.host_id) + m.size > (1ull << 32))
            return bad("--userns", text, "the map goes past the last id (4294967295)");
        maps.push_back(m);
    }
    for (size_t i = 0; i < maps.size(); ++i)
        for (size_t j = i + 1; j < maps.size(); ++j) {
            const auto &a = maps[i], &b = maps[j];
            if (a.container_id < b.container_id + b.size && b.container_id < a.container_id + a.size)
                return bad("--userns", text, "two maps overlap inside the container");
        }
    return maps;
}

Result<Volume> parse_volume(std::string_view text) {
    auto f = split(text, ':');
    if (f.size() < 2 || f.size() > 3 || f[0].empty() || f[1].empty())
        return bad("--volume", text, "expected SRC:DST[:ro]");
    Volume v{std::string(f[0]), std::string(f[1]), false};
    if (v.source[0] != '/') return bad("--volume", text, "the host path must be absolute");
    if (v.destination[0] != '/') return bad("--volume", text, "the container path must be absolute");
    if (f.size() == 3) {
        if (f[2] == "ro") v.readonly = true;
        else if (f[2] != "rw") return bad("--volume", text, "unknown mode \"" + std::string(f[2]) + "\" (ro or rw)");
    }
    return v;
}

Result<PortPublish> parse_publish(std::string_view text) {
    PortPublish p;
    std::string_view rest = text;
    if (auto slash = rest.rfind('/'); slash != std::string_view::npos) {
        p.protocol = std::string(rest.substr(slash + 1));
        if (p.protocol != "tcp" && p.protocol != "udp")
            return bad("--publish", text, "unknown protocol \"" + p.protocol + "\" (tcp or udp)");
        rest = rest.substr(0, slash);
    }
    auto f = split(rest, ':');
    if (f.size() == 3) p.host_ip = std::string(f[0]);
    else if (f.size() != 2) return bad("--publish", text, "expected [HOSTIP:]HOST:CTR[/tcp|udp]");
    std::string_view host = f[f.size() - 2], ctr = f[f.size() - 1];
    if (!parse_number(host, p.host_port) || p.host_port == 0)
        return bad("--publish", text, "host port \"" + std::string(host) + "\" is not a port number (1-65535)");
    if (!parse_number(ctr, p.container_port) || p.container_port == 0)
        return bad("--publish", text, "container port \"" + std::string(ctr) + "\" is not a port number (1-65535)");
    if (f.size() == 3) {
        auto octets = split(p.host_ip, '.');
        unsigned o;
        bool ok = octets.size() == 4;
        for (auto s : octets) ok = ok && s.size() <= 3 && parse_number(s, o) && o <= 255;
        if (!ok) return bad("--publish", text, "host address \"" + p.host_ip + "\" is not an IPv4 address");
    }
    return p;
}

Result<NetworkMode> parse_network(std::string_view text) {
    if (text == "none") return NetworkMode::none;
    if (text == "host") return NetworkMode::host;
    if (text == "bridge") return NetworkMode::bridge;
    return bad("--network", text, "unknown network (bridge, none or host)");
}

Result<std::pair<uint32_t, std::optional<uint32_t>>> parse_user(std::string_view text) {
    auto f = split(text, ':');
    uint32_t uid = 0, gid = 0;
    if (f.size() > 2 || !parse_number(f[0], uid) || (f.size() == 2 && !parse_number(f[1], gid)))
        return bad("--user", text, "expected UID[:GID] as numbers");
    return std::pair<uint32_t, std::optional<uint32_t>>{uid,
                                                        f.size() == 2 ? std::optional<uint32_t>(gid) : std::nullopt};
}

Result<std::optional<std::string>> parse_env(std::string_view text, const char* (*lookup)(const char*)) {
    size_t eq = text.find('=');
    std::string key(text.substr(0, eq));
    if (key.empty() || key.find_first_of(" \t\n") != std::string::npos)
        return bad("--env", text, "expected K=V with a variable name");
    if (eq != std::string_view::npos) return std::optional<std::string>(std::string(text));
    const char* v = lookup ? lookup(key.c_str()) : nullptr;
    if (!v) return std::optional<std::string>();
    return std::optional<std::string>(key + "=" + v);
}

Status validate_name(std::string_view name) {
    auto ok_char = [](char c, bool first) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               (!first && (c == '_' || c == '.' || c == '-'));
    };
    bool ok = !name.empty() && name.size() <= 64;
    for (size_t i = 0; ok && i < name.size(); ++i) ok = ok_char(name[i], i == 0);
    if (!ok) return bad("--name", name, "expected [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 64 characters");
    return ok_status();
}

}  // namespace gocker::core
