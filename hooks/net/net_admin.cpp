#include "net/net_admin.hpp"

#include <cstdio>
#include <set>
#include <sstream>

#include "common/file_io.hpp"
#include "net/bridge_network.hpp"
#include "net/netlink.hpp"
#include "net/nft_table.hpp"

namespace gocker::net {

namespace {

std::string describe(const NetworkConfig& n) {
    std::string s = "network " + n.name + ": mode " + to_string(n.mode) + ", subnet " + to_string(n.subnet) +
                    ", gateway " + to_string(n.gateway);
    if (n.mode == NetworkMode::bridge) s += ", bridge " + n.bridge;
    return s + "\n";
}

std::string row(const std::string& a, const std::string& b, const std::string& c, const std::string& d,
                const std::string& e, const std::string& f) {
    char buf[512];
    std::snprintf(buf, sizeof buf, "  %-24s %-8s %-15s %-8s %-11s %s", a.c_str(), b.c_str(), c.c_str(), d.c_str(),
                  e.c_str(), f.c_str());
    std::string line = buf;
    return line.substr(0, line.find_last_not_of(' ') + 1) + "\n";
}

std::string ports_text(const std::vector<PortMapping>& ports) {
    std::string s;
    for (const auto& m : ports) s += (s.empty() ? "" : ",") + to_string(m);
    return s;
}

// One forward-hook chain of another table whose policy is drop, from `nft list ruleset` text.
struct DropChain {
    std::string table, chain;
    bool mentions_us = false;  // a rule of it names one of our bridges, veths or subnets
};

std::vector<DropChain> forward_drop_chains(const std::string& ruleset, const std::vector<std::string>& ours) {
    std::vector<DropChain> out;
    std::istringstream in(ruleset);
    std::string line, table, chain;
    bool forward_drop = false, mentions = false;
    auto flush = [&] {
        if (forward_drop) out.push_back({table, chain, mentions});
        forward_drop = mentions = false;
        chain.clear();
    };
    while (std::getline(in, line)) {
        size_t p = line.find_first_not_of(" \t");
        if (p == std::string::npos) continue;
        std::string t = line.substr(p);
        if (t.rfind("table ", 0) == 0) {
            flush();
            table = t.substr(6, t.find(" {") - 6);
        } else if (t.rfind("chain ", 0) == 0) {
            flush();
            chain = t.substr(6, t.find(" {") - 6);
        } else if (!chain.empty()) {
            if (t.find("hook forward") != std::string::npos && t.find("policy drop") != std::string::npos)
                forward_drop = true;
            for (const auto& o : ours) mentions = mentions || t.find(o) != std::string::npos;
        }
    }
    flush();
    return out;
}

}  // namespace

Status admin_ls(const std::string& root, std::string& out) {
    for (const auto& net : GK_TRY(recorded_networks(root))) {
        out += describe(net);
        auto store = GK_TRY(LeaseStore::open(root, net, /*create=*/false));
        auto leases = GK_TRY(store.leases());
        if (leases.empty()) {
            out += "  (no leases)\n";
            continue;
        }
        out += row("CONTAINER", "IFNAME", "ADDRESS", "STATE", "VETH", "PORTS");
        for (const auto& l : leases) {
            std::string state = l.releasing ? "releasing" : l.active ? "active" : "pending";
            if (GK_TRY(lease_is_stale(l))) state = "stale";
            out += row(l.container, l.ifname, to_string(l.address), state, l.veth, ports_text(l.ports));
        }
    }
    return {};
}

Status admin_gc(const std::string& root, std::string& out) {
    for (const auto& net : GK_TRY(recorded_networks(root))) {
        auto freed = GK_TRY_CTX(reclaim(root, net, [](const Lease&) { return true; }), "gc network " + net.name);
        for (const auto& l : freed)
            out += "freed " + to_string(l.address) + " of container " + l.container + " (" + l.ifname + ", " +
                   (l.releasing ? "deleter dead"
                    : l.active  ? "veth gone"
                                : "writer dead") +
                   ") on network " + net.name + "\n";
    }
    return {};
}

Result<int> admin_check(const std::string& root, std::string& out) {
    int warnings = 0;
    auto warn = [&](const std::string& s) {
        out += "warning: " + s + "\n";
        ++warnings;
    };
    auto host = GK_TRY(Netlink::connect());
    auto nft = GK_TRY(NftTable::open());
    auto elements = GK_TRY(nft.container_elements());
    auto port_map = GK_TRY(nft.port_map_elements());
    std::set<std::string> published(port_map.begin(), port_map.end()), expected;
    std::set<Ipv4> leased;
    std::set<std::string> veths;
    std::vector<std::string> ours;
    bool any_active = false;
    for (const auto& net : GK_TRY(recorded_networks(root))) {
        if (net.mode == NetworkMode::bridge) ours.push_back("\"" + net.bridge + "\"");
        ours.push_back(to_string(net.subnet));
        auto store = GK_TRY(LeaseStore::open(root, net, /*create=*/false));
        auto leases = GK_TRY(store.leases());
        Netlink::LinkInfo bridge;
        if (net.mode == NetworkMode::bridge && !leases.empty()) {
            bridge = GK_TRY(host.link_info(net.bridge));
            std::string gw = to_string(net.gateway) + "/" + std::to_string(net.subnet.prefix);
            if (bridge.ifindex == 0) {
                warn("network " + net.name + ": bridge " + net.bridge + " is missing");
            } else if (bridge.type != "bridge") {
                warn("network " + net.name + ": link " + net.bridge + " is a " + bridge.type + ", not a bridge");
            } else {
                if (!bridge.up) warn("network " + net.name + ": bridge " + net.bridge + " is down");
                bool has_gw = false;
                for (const auto& a : GK_TRY(host.addresses(net.bridge))) has_gw = has_gw || a == gw;
                if (!has_gw)
                    warn("network " + net.name + ": bridge " + net.bridge + " lacks the gateway address " + gw);
            }
        }
        for (const auto& l : leases) {
            leased.insert(l.address);
            veths.insert(l.veth);
            for (const auto& e : port_elements(l.address, l.ports)) expected.insert(e);
            std::string who = "network " + net.name + ": " + to_string(l.address) + " (container " + l.container + ")";
            if (GK_TRY(lease_is_stale(l))) {
                warn(who + ": stale lease (run gocker-net gc)");
                continue;
            }
            if (!l.active) continue;  // being set up or torn down right now
            any_active = true;
            auto veth = GK_TRY(host.link_info(l.veth));
            if (net.mode == NetworkMode::bridge && bridge.ifindex != 0 && veth.master != bridge.ifindex)
                warn(who + ": veth " + l.veth + " is not on bridge " + net.bridge);
            if (!veth.up) warn(who + ": veth " + l.veth + " is down");
            bool in_set = false;
            for (auto e : elements) in_set = in_set || e == l.address;
            if (!in_set) warn(who + ": not in nftables set ip gocker containers (no masquerade)");
            for (const auto& e : port_elements(l.address, l.ports))
                if (!published.count(e)) warn(who + ": published port missing from nftables map ip gocker " + e);
        }
    }
    for (const auto& e : port_map)
        if (!expected.count(e)) warn("nftables map ip gocker " + e + ": no lease publishes it");
    for (auto e : elements)
        if (!leased.count(e))
            warn("nftables set ip gocker containers holds " + to_string(e) + ", which no lease names");
    for (const auto& name : GK_TRY(host.link_names()))
        if (name.size() == 11 && name.rfind("gk", 0) == 0 &&
            name.find_first_not_of("0123456789abcdef", 2) == std::string::npos && !veths.count(name) &&
            GK_TRY(host.link_info(name)).type == "veth")
            warn("veth " + name + " looks like gocker-net's but no lease names it");
    if (any_active) {
        auto fwd = read_whole_file("/proc/sys/net/ipv4/ip_forward");
        if (fwd && *fwd != "1\n") warn("net.ipv4.ip_forward is off: containers cannot reach beyond the host");
        for (const auto& c : forward_drop_chains(GK_TRY(nft.ruleset()), ours))
            if (!c.mentions_us)
                warn("nftables chain " + c.table + " " + c.chain +
                     " (hook forward, policy drop) drops the containers' forwarded traffic: no rule of it names "
                     "their bridge or subnet (iptables-nft's FORWARD chain, e.g. Docker's or ufw's, is such a chain)");
    }
    if (warnings == 0) out += "ok\n";
    return warnings;
}

}  // namespace gocker::net
