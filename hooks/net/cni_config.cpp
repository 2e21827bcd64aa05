#include "net/cni_config.hpp"

#include <rapidjson/document.h>

#include <cctype>
#include <cstdlib>

#include "common/json_writer.hpp"
#include "net/oci_hook.hpp"

namespace gocker::net {

namespace {

CniError invalid_env(std::string msg) { return CniError{kCniInvalidEnv, std::move(msg), ""}; }
CniError invalid_config(std::string msg) { return CniError{kCniInvalidConfig, std::move(msg), ""}; }

bool valid_container_id(const std::string& id) {
    if (id.empty() || !std::isalnum(static_cast<unsigned char>(id[0]))) return false;
    for (char c : id)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-') return false;
    return true;
}

bool valid_ifname(const std::string& n) {
    if (n.empty() || n.size() > 15 || n == "." || n == "..") return false;
    for (char c : n)
        if (c == '/' || c == ':' || std::isspace(static_cast<unsigned char>(c))) return false;
    return true;
}

std::vector<int> version_parts(const std::string& v) {
    std::vector<int> out;
    size_t p = 0;
    while (p <= v.size()) {
        size_t dot = v.find('.', p);
        out.push_back(std::atoi(v.substr(p, dot - p).c_str()));
        if (dot == std::string::npos) break;
        p = dot + 1;
    }
    out.resize(3, 0);
    return out;
}

// "10.0.0.5" or "10.0.0.5/24" (the prefix, when given, must be the subnet's).
std::optional<CniError> parse_requested(const std::string& text, const NetworkConfig& net, const std::string& field,
                                        std::optional<Ipv4>& out) {
    if (text.find(':') != std::string::npos)
        return CniError{kCniUnsupportedField, field + ": \"" + text + "\": gocker-net gives IPv4 addresses only", ""};
    size_t slash = text.find('/');
    auto a = parse_ipv4(text.substr(0, slash));
    if (!a) return invalid_config(field + ": " + a.error().message());
    if (!net.subnet.contains(*a) ||
        (slash != std::string::npos && text.substr(slash + 1) != std::to_string(net.subnet.prefix)))
        return invalid_config(field + ": \"" + text + "\" is not in subnet " + to_string(net.subnet));
    if (out && *out != *a) return CniError{kCniUnsupportedField, field + ": more than one IPv4 address asked for", ""};
    out = *a;
    return std::nullopt;
}

std::optional<CniError> parse_ips(const rapidjson::Value& v, const NetworkConfig& net, const std::string& field,
                                  std::optional<Ipv4>& out) {
    if (!v.IsArray()) return invalid_config(field + ": expected an array of addresses");
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
        std::string f = field + "[" + std::to_string(i) + "]";
        if (!v[i].IsString()) return invalid_config(f + ": expected a string");
        if (auto e = parse_requested(v[i].GetString(), net, f, out)) return e;
    }
    return std::nullopt;
}

std::optional<CniError> parse_port_mappings(const rapidjson::Value& v, std::vector<PortMapping>& out) {
    const std::string field = "runtimeConfig.portMappings";
    if (!v.IsArray()) return invalid_config(field + ": expected an array");
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
        std::string f = field + "[" + std::to_string(i) + "]";
        const auto& m = v[i];
        if (!m.IsObject()) return invalid_config(f + ": expected an object");
        PortMapping pm;
        for (const char* key : {"hostPort", "containerPort"}) {
            if (!m.HasMember(key) || !m[key].IsInt() || m[key].GetInt() < 1 || m[key].GetInt() > 65535)
                return invalid_config(f + "." + key + ": expected a port number 1-65535");
        }
        pm.host_port = static_cast<uint16_t>(m["hostPort"].GetInt());
        pm.container_port = static_cast<uint16_t>(m["containerPort"].GetInt());
        if (m.HasMember("protocol")) {
            std::string proto = m["protocol"].IsString() ? m["protocol"].GetString() : "?";
            for (auto& c : proto) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (proto == "udp") pm.protocol = PortProtocol::udp;
            else if (proto != "tcp" && proto != "")
                return CniError{kCniUnsupportedField, f + ".protocol: \"" + proto + "\": expected tcp or udp", ""};
        }
        if (m.HasMember("hostIP") && m["hostIP"].IsString() && *m["hostIP"].GetString()) {
            std::string ip = m["hostIP"].GetString();
            if (ip.find(':') != std::string::npos) continue;  // an IPv6 mapping: gocker-net publishes IPv4 only
            auto a = parse_ipv4(ip);
            if (!a) return invalid_config(f + ".hostIP: " + a.error().message());
            pm.host_ip = *a;
        }
        out.push_back(pm);
    }
    return std::nullopt;
}

const rapidjson::Value* member(const rapidjson::Value& o, const char* key) {
    if (!o.IsObject()) return nullptr;
    auto it = o.FindMember(key);
    return it == o.MemberEnd() ? nullptr : &it->value;
}

}  // namespace

bool cni_version_at_least(const std::string& a, const std::string& b) { return version_parts(a) >= version_parts(b); }

std::optional<CniError> read_cni_env(const std::map<std::string, std::string>& env, CniEnv& out) {
    auto get = [&](const char* k) {
        auto it = env.find(k);
        return it == env.end() ? std::string() : it->second;
    };
    out.command = get("CNI_COMMAND");
    out.container_id = get("CNI_CONTAINERID");
    out.netns = get("CNI_NETNS");
    out.ifname = get("CNI_IFNAME");
    out.args = get("CNI_ARGS");
    const std::string& c = out.command;
    if (c != "ADD" && c != "DEL" && c != "CHECK" && c != "VERSION" && c != "STATUS" && c != "GC")
        return invalid_env("CNI_COMMAND \"" + c + "\": expected ADD, DEL, CHECK, STATUS, GC or VERSION");
    if (c != "ADD" && c != "DEL" && c != "CHECK") return std::nullopt;
    if (out.container_id.empty()) return invalid_env("CNI_CONTAINERID is required for " + c);
    if (!valid_container_id(out.container_id))
        return invalid_env("CNI_CONTAINERID \"" + out.container_id +
                           "\": use letters, digits, '_', '.' and '-', beginning with a letter or digit");
    if (out.ifname.empty()) return invalid_env("CNI_IFNAME is required for " + c);
    if (!valid_ifname(out.ifname))
        return invalid_env("CNI_IFNAME \"" + out.ifname +
                           "\": not a valid interface name (1-15 characters, no '/', ':' or spaces)");
    if (c != "DEL" && out.netns.empty()) return invalid_env("CNI_NETNS is required for " + c);
    return std::nullopt;
}

std::optional<CniError> parse_cni_config(const std::string& json, const CniEnv& env, CniConfig& out) {
    rapidjson::Document d;
    d.Parse(json.data(), json.size());
    if (d.HasParseError() || !d.IsObject())
        return CniError{kCniDecodeFailure, "decode the network configuration on stdin: not a JSON object", ""};
    auto str = [&](const char* k) -> const char* {
        const auto* v = member(d, k);
        return v && v->IsString() ? v->GetString() : nullptr;
    };
    if (!str("cniVersion")) return invalid_config("cniVersion: required (a string)");
    out.cni_version = str("cniVersion");
    bool supported = false;
    for (const char* v : kCniSupportedVersions) supported = supported || out.cni_version == v;
    if (!supported)
        return CniError{kCniIncompatibleVersion, "incompatible CNI version",
                        "config asks for " + out.cni_version + "; gocker-net supports 0.4.0, 1.0.0, 1.1.0"};
    if (!str("name")) return invalid_config("name: required (a string)");

    NetworkConfig& net = out.network;
    net.name = str("name");
    if (str("mode")) {
        auto m = parse_mode(str("mode"));
        if (!m) return invalid_config("mode: " + m.error().message());
        net.mode = *m;
    }
    if (str("bridge")) net.bridge = str("bridge");
    if (str("subnet")) {
        auto s = parse_subnet(str("subnet"));
        if (!s) return invalid_config("subnet: " + s.error().message());
        net.subnet = *s;
        net.gateway = s->first_host();
    }
    if (str("gateway")) {
        auto g = parse_ipv4(str("gateway"));
        if (!g) return invalid_config("gateway: " + g.error().message());
        net.gateway = *g;
    }
    if (auto st = validate_network(net); !st) return invalid_config(st.error().message());
    out.data_dir = str("dataDir") ? str("dataDir") : kDefaultRoot;
    if (out.data_dir.empty() || out.data_dir[0] != '/') return invalid_config("dataDir: expected an absolute path");
    if (const auto* ipam = member(d, "ipam"); ipam && member(*ipam, "type"))
        return CniError{kCniUnsupportedField, "ipam: gocker-net assigns addresses itself (see \"subnet\")", ""};
    if (const auto* ipmasq = member(d, "ipMasq"); ipmasq && !(ipmasq->IsBool() && ipmasq->GetBool()))
        return CniError{kCniUnsupportedField, "ipMasq: gocker-net always masquerades its containers' traffic", ""};

    if (const auto* rc = member(d, "runtimeConfig")) {
        if (const auto* pm = member(*rc, "portMappings"))
            if (auto e = parse_port_mappings(*pm, out.port_mappings)) return e;
        if (const auto* ips = member(*rc, "ips"))
            if (auto e = parse_ips(*ips, net, "runtimeConfig.ips", out.requested)) return e;
    }
    if (const auto* args = member(d, "args"))
        if (const auto* cni = member(*args, "cni"))
            if (const auto* ips = member(*cni, "ips"))
                if (auto e = parse_ips(*ips, net, "args.cni.ips", out.requested)) return e;
    // CNI_ARGS "K1=V1;K2=V2": IP= is the old way to ask for an address (unknown keys are ignored).
    for (size_t p = 0; p < env.args.size();) {
        size_t semi = env.args.find(';', p);
        std::string kv = env.args.substr(p, semi == std::string::npos ? std::string::npos : semi - p);
        if (kv.rfind("IP=", 0) == 0)
            if (auto e = parse_requested(kv.substr(3), net, "CNI_ARGS IP", out.requested)) return e;
        if (semi == std::string::npos) break;
        p = semi + 1;
    }
    if (const auto* prev = member(d, "prevResult")) {
        if (!prev->IsObject()) return invalid_config("prevResult: expected an object");
        out.prev_result = json::compact([&](auto& w) { prev->Accept(w); });
    }
    if (const auto* valid = member(d, "cni.dev/valid-attachments")) {
        if (!valid->IsArray()) return invalid_config("cni.dev/valid-attachments: expected an array");
        for (const auto& a : valid->GetArray()) {
            const auto* id = member(a, "containerID");
            const auto* ifn = member(a, "ifname");
            if (!id || !id->IsString() || !ifn || !ifn->IsString())
                return invalid_config("cni.dev/valid-attachments: each entry needs containerID and ifname (strings)");
            out.valid_attachments.push_back({id->GetString(), ifn->GetString()});
        }
    }
    return std::nullopt;
}

}  // namespace gocker::net
