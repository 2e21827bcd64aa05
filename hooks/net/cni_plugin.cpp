#include "net/cni_plugin.hpp"

#include <fcntl.h>
#include <rapidjson/document.h>

#include "common/fd.hpp"
#include "common/json_writer.hpp"
#include "net/bridge_network.hpp"
#include "net/cni_config.hpp"
#include "net/netlink.hpp"
#include "net/nft_table.hpp"

namespace gocker::net {

namespace {

using rapidjson::Document;
using rapidjson::Value;

std::string to_json(const Value& v) {
    return json::compact([&](auto& w) { v.Accept(w); }) + "\n";
}

std::string error_json(const std::string& version, const CniError& e) {
    Document d(rapidjson::kObjectType);
    auto& al = d.GetAllocator();
    d.AddMember("cniVersion", Value(version.c_str(), al), al);
    d.AddMember("code", e.code, al);
    d.AddMember("msg", Value(e.msg.c_str(), al), al);
    if (!e.details.empty()) d.AddMember("details", Value(e.details.c_str(), al), al);
    return to_json(d);
}

CniError failed(const std::string& what, const Error& e) { return CniError{kCniFailed, what + ": " + e.message(), ""}; }

// The result of ADD: prevResult (when chained after another plugin) plus this attachment's
// interfaces, address and default route. 0.4.0 results say "version":"4" for each address.
std::string add_result(const CniConfig& cfg, const CniEnv& env, const Lease& lease, const std::string& container_mac) {
    Document d(rapidjson::kObjectType);
    auto& al = d.GetAllocator();
    if (cfg.prev_result) d.Parse(cfg.prev_result->c_str());
    if (!d.IsObject()) d.SetObject();
    d.RemoveMember("cniVersion");
    d.AddMember("cniVersion", Value(cfg.cni_version.c_str(), al), al);
    for (const char* k : {"interfaces", "ips", "routes"})
        if (!d.HasMember(k) || !d[k].IsArray()) {
            d.RemoveMember(k);
            d.AddMember(Value(k, al), Value(rapidjson::kArrayType), al);
        }
    if (!d.HasMember("dns")) d.AddMember("dns", Value(rapidjson::kObjectType), al);
    if (cfg.network.mode == NetworkMode::none) return to_json(d);

    auto host = Netlink::connect();
    auto iface = [&](const std::string& name, const std::string& mac, const std::string& sandbox) {
        Value v(rapidjson::kObjectType);
        v.AddMember("name", Value(name.c_str(), al), al);
        if (!mac.empty()) v.AddMember("mac", Value(mac.c_str(), al), al);
        if (!sandbox.empty()) v.AddMember("sandbox", Value(sandbox.c_str(), al), al);
        d["interfaces"].PushBack(v, al);
    };
    auto host_mac = [&](const std::string& name) {
        auto info = host ? host->link_info(name) : Result<Netlink::LinkInfo>(Error("no netlink"));
        return info ? info->mac : std::string();
    };
    if (cfg.network.mode == NetworkMode::bridge) iface(cfg.network.bridge, host_mac(cfg.network.bridge), "");
    iface(lease.veth, host_mac(lease.veth), "");
    int index = static_cast<int>(d["interfaces"].Size());
    iface(env.ifname, container_mac, env.netns);

    Value ip(rapidjson::kObjectType);
    if (!cni_version_at_least(cfg.cni_version, "1.0.0")) ip.AddMember("version", "4", al);
    std::string address = to_string(lease.address) + "/" + std::to_string(cfg.network.subnet.prefix);
    ip.AddMember("interface", index, al);
    ip.AddMember("address", Value(address.c_str(), al), al);
    ip.AddMember("gateway", Value(to_string(cfg.network.gateway).c_str(), al), al);
    d["ips"].PushBack(ip, al);
    Value route(rapidjson::kObjectType);
    route.AddMember("dst", "0.0.0.0/0", al);
    route.AddMember("gw", Value(to_string(cfg.network.gateway).c_str(), al), al);
    d["routes"].PushBack(route, al);
    return to_json(d);
}

struct Netns {
    UniqueFd fd;
    std::optional<CniError> error;
};

Netns open_netns(const std::string& path) {
    Netns n;
    n.fd = UniqueFd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!n.fd) n.error = CniError{kCniUnknownContainer, "open CNI_NETNS " + path + ": " + std::strerror(errno), ""};
    return n;
}

std::optional<Lease> find_lease(const CniConfig& cfg, const CniEnv& env, std::optional<CniError>& err) {
    auto store = LeaseStore::open(cfg.data_dir, cfg.network, /*create=*/false);
    if (!store) {
        err = failed("read the leases of network \"" + cfg.network.name + "\"", store.error());
        return std::nullopt;
    }
    auto leases = store->leases();
    if (!leases) {
        err = failed("read the leases of network \"" + cfg.network.name + "\"", leases.error());
        return std::nullopt;
    }
    for (auto& l : *leases)
        if (l.container == env.container_id && l.ifname == env.ifname) return l;
    return std::nullopt;
}

std::optional<CniError> cmd_add(const CniConfig& cfg, const CniEnv& env, std::string& out) {
    Netns ns = open_netns(env.netns);
    if (ns.error) return ns.error;
    Attachment a;
    a.container = env.container_id;
    a.netns_fd = ns.fd.get();
    a.ports = cfg.port_mappings;
    a.ifname = env.ifname;
    a.address = cfg.requested;
    auto lease = attach(cfg.data_dir, cfg.network, a);
    if (!lease) return failed("ADD " + env.container_id + " " + env.ifname, lease.error());
    std::string mac;
    if (cfg.network.mode != NetworkMode::none)
        if (auto inside = Netlink::connect_in(ns.fd.get()))
            if (auto info = inside->link_info(env.ifname)) mac = info->mac;
    out = add_result(cfg, env, *lease, mac);
    return std::nullopt;
}

std::optional<CniError> cmd_check(const CniConfig& cfg, const CniEnv& env) {
    std::string what = "CHECK " + env.container_id + " " + env.ifname;
    if (!cfg.prev_result) return CniError{kCniInvalidConfig, what + ": prevResult is required", ""};
    Netns ns = open_netns(env.netns);
    if (ns.error) return ns.error;
    auto mismatch = [&](const std::string& why) { return CniError{kCniCheckMismatch, what + ": " + why, ""}; };
    auto inside = Netlink::connect_in(ns.fd.get());
    if (!inside) return failed(what, inside.error());
    if (cfg.network.mode == NetworkMode::none) {
        auto lo = inside->link_info("lo");
        if (!lo || !lo->up) return mismatch("lo is not up in the container");
        return std::nullopt;
    }
    std::optional<CniError> err;
    auto lease = find_lease(cfg, env, err);
    if (err) return err;
    if (!lease) return mismatch("no lease on network \"" + cfg.network.name + "\"");
    std::string address = to_string(lease->address) + "/" + std::to_string(cfg.network.subnet.prefix);
    if (!lease->active) return mismatch("lease " + address + " is still pending");
    if (cfg.prev_result->find("\"" + address + "\"") == std::string::npos)
        return mismatch("prevResult does not hold the leased address " + address);
    auto info = inside->link_info(env.ifname);
    if (!info) return failed(what, info.error());
    if (info->ifindex == 0) return mismatch("no interface \"" + env.ifname + "\" in the container");
    if (!info->up) return mismatch("interface \"" + env.ifname + "\" is down");
    auto addrs = inside->addresses(env.ifname);
    if (!addrs) return failed(what, addrs.error());
    bool has = false;
    for (const auto& a : *addrs) has = has || a == address;
    if (!has) return mismatch("interface \"" + env.ifname + "\" does not hold " + address);
    auto host = Netlink::connect();
    if (!host) return failed(what, host.error());
    auto veth = host->link_info(lease->veth);
    if (!veth) return failed(what, veth.error());
    if (veth->ifindex == 0) return mismatch("host veth \"" + lease->veth + "\" is gone");
    if (cfg.network.mode == NetworkMode::bridge) {
        auto bridge = host->link_info(cfg.network.bridge);
        if (!bridge) return failed(what, bridge.error());
        if (bridge->ifindex == 0 || veth->master != bridge->ifindex)
            return mismatch("host veth \"" + lease->veth + "\" is not on bridge \"" + cfg.network.bridge + "\"");
    }
    auto nft = NftTable::open();
    auto elems = nft ? nft->container_elements() : Result<std::vector<Ipv4>>(nft.error());
    if (!elems) return failed(what, elems.error());
    bool masq = false;
    for (auto e : *elems) masq = masq || e == lease->address;
    if (!masq) return mismatch(to_string(lease->address) + " is not in nftables set ip gocker containers");
    return std::nullopt;
}

std::optional<CniError> cmd_status(const CniConfig& cfg) {
    auto unavailable = [&](const std::string& why) {
        return CniError{kCniNotAvailable, "network \"" + cfg.network.name + "\" cannot take containers: " + why, ""};
    };
    if (auto nft = NftTable::open(); !nft) return unavailable(nft.error().message());
    if (auto nl = Netlink::connect(); !nl) return unavailable(nl.error().message());
    if (cfg.network.mode == NetworkMode::none) return std::nullopt;
    auto store = LeaseStore::open(cfg.data_dir, cfg.network, /*create=*/false);
    if (!store) return unavailable(store.error().message());
    auto leases = store->leases();
    if (!leases) return unavailable(leases.error().message());
    std::vector<Lease> live;
    for (auto& l : *leases) {
        auto stale = lease_is_stale(l);
        if (!stale || !*stale) live.push_back(l);
    }
    if (auto free = pick_free_address(cfg.network, live); !free) return unavailable(free.error().message());
    return std::nullopt;
}

std::optional<CniError> cmd_gc(const CniConfig& cfg) {
    if (cfg.network.mode == NetworkMode::none) return std::nullopt;
    auto keep = [&](const Lease& l) {
        for (const auto& v : cfg.valid_attachments)
            if (v.container_id == l.container && v.ifname == l.ifname) return true;
        return false;
    };
    auto freed = reclaim(cfg.data_dir, cfg.network, keep);
    if (!freed) return failed("GC network \"" + cfg.network.name + "\"", freed.error());
    return std::nullopt;
}

std::string version_json() {
    return json::compact([](auto& w) {
               w.StartObject();
               json::member(w, "cniVersion", kCniLatest);
               json::key(w, "supportedVersions");
               w.StartArray();
               for (const char* v : kCniSupportedVersions) json::write(w, v);
               w.EndArray();
               w.EndObject();
           }) +
           "\n";
}

}  // namespace

int run_cni(const std::map<std::string, std::string>& env_vars, const std::string& stdin_json, std::string& out) {
    CniEnv env;
    std::string version = kCniLatest;
    auto finish = [&](const std::optional<CniError>& e) {
        if (!e) return 0;
        out = error_json(version, *e);
        return 1;
    };
    if (auto e = read_cni_env(env_vars, env)) return finish(e);
    if (env.command == "VERSION") {
        out = version_json();
        return 0;
    }
    CniConfig cfg;
    if (auto e = parse_cni_config(stdin_json, env, cfg)) return finish(e);
    version = cfg.cni_version;
    if ((env.command == "STATUS" || env.command == "GC") && !cni_version_at_least(cfg.cni_version, "1.1.0"))
        return finish(CniError{kCniIncompatibleVersion, "incompatible CNI version",
                               env.command + " needs cniVersion 1.1.0; the config says " + cfg.cni_version});
    if (env.command == "ADD") return finish(cmd_add(cfg, env, out));
    if (env.command == "CHECK") return finish(cmd_check(cfg, env));
    if (env.command == "STATUS") return finish(cmd_status(cfg));
    if (env.command == "GC") return finish(cmd_gc(cfg));
    auto st = detach(cfg.data_dir, cfg.network, env.container_id, env.ifname);  // DEL
    return finish(st ? std::nullopt
                     : std::optional<CniError>(failed("DEL " + env.container_id + " " + env.ifname, st.error())));
}

}  // namespace gocker::net
