#include "net/bridge_network.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <utility>
#include <vector>

#include "common/fault_point.hpp"
#include "common/fd.hpp"
#include "common/trace.hpp"
#include "linux/sysctl.hpp"
#include "net/netlink.hpp"
#include "net/nft_table.hpp"

namespace gocker::net {

namespace {

std::string q(const std::string& s) { return "\"" + s + "\""; }

// Removes the container's part of the network: its veth (the kernel removes the peer with it),
// its nftables element and its lease. Each may already be gone (`veth_gone`: deleted by the caller).
Status release(const LeaseStore& store, const Netlink& host, const NftTable& nft, const Lease& l,
               bool veth_gone = false) {
    if (!veth_gone) GK_TRY(host.delete_link(l.veth));
    trace::mark("delete veth");
    GK_TRY(nft.remove_container(l.address, l.ports));
    trace::mark("remove nftables elements");
    return store.remove(l.address);
}

// A pending lease whose writer is gone, or an active one whose host veth is gone (the kernel
// removes a veth when the container's network namespace dies).
Result<bool> stale(const Netlink& host, const Lease& l) {
    if (!l.active) {
        auto start = process_start_time(l.owner_pid);
        return !start || *start != l.owner_start;
    }
    return GK_TRY(host.ifindex(l.veth)) == 0;
}

// Reclaims stale leases; returns the live ones.
Result<std::vector<Lease>> live_leases(const LeaseStore& store, const Netlink& host, const NftTable& nft) {
    std::vector<Lease> live;
    for (auto& l : GK_TRY(store.leases())) {
        if (GK_TRY(stale(host, l)))
            GK_TRY_CTX(release(store, host, nft, l),
                       "reclaim stale lease " + to_string(l.address) + " of container " + q(l.container));
        else live.push_back(std::move(l));
    }
    return live;
}

// Undoes a half-made attachment unless dismissed.
class Rollback {
public:
    Rollback(const LeaseStore& store, const Netlink& host, const NftTable& nft, const Lease& l,
             const NetworkConfig& cfg)
        : store_(store), host_(host), nft_(nft), lease_(l), cfg_(cfg) {}
    Rollback(const Rollback&) = delete;
    Rollback& operator=(const Rollback&) = delete;
    ~Rollback() {
        if (done_) return;
        (void)release(store_, host_, nft_, lease_);
        if (created_bridge_) {
            auto rest = store_.leases();
            if (rest && rest->empty()) (void)host_.delete_link(cfg_.bridge);
        }
    }
    void bridge_created() { created_bridge_ = true; }
    void dismiss() { done_ = true; }

private:
    const LeaseStore& store_;
    const Netlink& host_;
    const NftTable& nft_;
    const Lease& lease_;
    const NetworkConfig& cfg_;
    bool created_bridge_ = false;
    bool done_ = false;
};

// route_localnet on the host side of the link (bridge, or veth in veth mode).
// (Written directly: a '.' in a link name would split a dotted sysctl key.)
Status allow_route_localnet(const std::string& link) {
    std::string localnet = "/proc/sys/net/ipv4/conf/" + link + "/route_localnet";
    UniqueFd fd(::open(localnet.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd || ::write(fd.get(), "1", 1) != 1) return sys_error([&] { return "write " + localnet; });
    return {};
}

Status set_up_bridge(const Netlink& host, const NetworkConfig& cfg, Rollback& rb) {
    if (GK_TRY(host.ensure_bridge(cfg.bridge))) rb.bridge_created();
    GK_TRY(host.add_address(cfg.bridge, cfg.gateway, cfg.subnet.prefix, /*may_exist=*/true));
    // The host's own connections to a published port on 127.0.0.1 leave through the bridge with
    // a loopback source until masqueraded; only this bridge of the namespace gocker-net runs in
    // allows it (nft_table.hpp drops what a container would send to 127.0.0.0/8 through it).
    GK_TRY(allow_route_localnet(cfg.bridge));
    return host.set_up(cfg.bridge);
}

// A host port already taken by a live container (of any network) is refused before anything
// is made, naming the owner.
Status check_host_ports(const std::vector<PortMapping>& wanted, const std::vector<Lease>& live,
                        const std::vector<Lease>& elsewhere) {
    for (const auto& m : wanted)
        for (const auto* group : {&live, &elsewhere})
            for (const auto& l : *group)
                for (const auto& held : l.ports)
                    if (same_host_port(m, held))
                        return Error("publish " + to_string(m) + ": host port " + host_side(held) +
                                     " is already published by container " + q(l.container) + " (" + to_string(held) +
                                     " to " + to_string(l.address) + ")");
    return {};
}

Status set_up_container(const Netlink& inside, const NetworkConfig& cfg, Ipv4 address, const std::string& ifname) {
    GK_TRY(inside.add_address(ifname, address, cfg.subnet.prefix, /*may_exist=*/false));
    GK_TRY(inside.set_up(ifname));
    GK_TRY(inside.set_up("lo"));
    return inside.add_default_route(ifname, cfg.gateway);
}

// The address asked for, when it is free and a host address of the subnet other than the gateway.
Result<Ipv4> requested_address(const NetworkConfig& cfg, Ipv4 want, const std::vector<Lease>& live) {
    std::string what = "use requested address " + to_string(want);
    if (!cfg.subnet.contains(want) || want < cfg.subnet.first_host() || want > cfg.subnet.last_host())
        return Error(what + ": not a host address of subnet " + to_string(cfg.subnet) + " of network " + q(cfg.name));
    if (want == cfg.gateway) return Error(what + ": it is the gateway of network " + q(cfg.name));
    for (const auto& l : live)
        if (l.address == want) return Error(what + ": leased to container " + q(l.container), EADDRINUSE);
    return want;
}

}  // namespace

// The fault points (common/fault_point.hpp; tests/faults/ walks them) follow each step that makes
// something: net.add.lease (pending lease written), net.add.bridge, net.add.veth (pair made, host
// end up), net.add.container (address, lo, route inside), net.add.forwarding, net.add.nft.
Result<Lease> attach(const std::string& root, const NetworkConfig& cfg, const Attachment& a) {
    if (cfg.mode == NetworkMode::none) {
        if (!a.ports.empty())
            return Error("publish " + to_string(a.ports.front()) + ": network " + q(cfg.name) +
                         " is of mode none (no address to publish to)");
        GK_TRY_CTX(GK_TRY(Netlink::connect_in(a.netns_fd)).set_up("lo"), "in the container");
        return Lease{};
    }
    auto store = GK_TRY(LeaseStore::open(root, cfg, /*create=*/true));
    trace::mark("lock lease store");
    auto host = GK_TRY(Netlink::connect());
    trace::mark("rtnetlink socket");
    auto nft = GK_TRY(NftTable::open());
    trace::mark("nftables context");
    auto live = GK_TRY(live_leases(store, host, nft));
    trace::mark("read leases");
    for (const auto& l : live)
        if (l.container == a.container && l.ifname == a.ifname)
            return Error("container " + q(a.container) + " already has address " + to_string(l.address) +
                         " on network " + q(cfg.name));
    GK_TRY(check_host_ports(a.ports, live,
                            a.ports.empty() ? std::vector<Lease>{} : GK_TRY(store.other_networks_leases())));

    Lease lease;
    lease.address = a.address ? GK_TRY(requested_address(cfg, *a.address, live)) : GK_TRY(pick_free_address(cfg, live));
    lease.container = a.container;
    lease.owner_pid = ::getpid();
    lease.owner_start = process_start_time(lease.owner_pid).value_or(0);
    lease.veth = veth_name(a.container, a.ifname);
    lease.ifname = a.ifname;
    lease.ports = a.ports;
    GK_TRY_CTX(store.put(lease), "record lease " + to_string(lease.address));
    trace::mark("write pending lease");
    Rollback rb(store, host, nft, lease, cfg);
    GK_FAULT_POINT("net.add.lease");

    bool bridged = cfg.mode == NetworkMode::bridge;
    if (bridged) GK_TRY_CTX(set_up_bridge(host, cfg, rb), "set up bridge " + q(cfg.bridge));
    trace::mark("bridge");
    GK_FAULT_POINT("net.add.bridge");
    auto inside = GK_TRY(Netlink::connect_in(a.netns_fd));
    trace::mark("socket in the container");
    GK_TRY(host.add_veth(lease.veth, a.ifname, a.netns_fd));
    trace::mark("create veth");
    if (bridged) {
        GK_TRY(host.set_master(lease.veth, cfg.bridge));
        GK_TRY(host.set_hairpin(lease.veth));  // a container reaches its own published port
    } else {
        GK_TRY(host.add_peer_address(lease.veth, cfg.gateway, lease.address));  // veth mode: the pair is the link
        GK_TRY(allow_route_localnet(lease.veth));
    }
    GK_TRY(host.set_up(lease.veth));
    trace::mark("veth on the bridge, up");
    GK_FAULT_POINT("net.add.veth");
    GK_TRY_CTX(set_up_container(inside, cfg, lease.address, a.ifname), "in the container");
    trace::mark("container side");
    GK_FAULT_POINT("net.add.container");
    GK_TRY_CTX(apply_sysctls({{"net.ipv4.ip_forward", "1"}}), "turn forwarding on");
    trace::mark("forwarding");
    GK_FAULT_POINT("net.add.forwarding");
    GK_TRY(nft.ensure(cfg.subnet));
    trace::mark("nftables table");
    GK_TRY(nft.add_container(cfg.subnet, lease.address, lease.ports));
    trace::mark("nftables elements");
    GK_FAULT_POINT("net.add.nft");

    lease.active = true;
    GK_TRY_CTX(store.put(lease), "activate lease " + to_string(lease.address));
    trace::mark("activate lease");
    rb.dismiss();
    return lease;
}

Status detach(const std::string& root, const NetworkConfig& cfg, const std::string& container,
              const std::string& ifname) {
    if (cfg.mode == NetworkMode::none) return {};  // nothing was made outside the container's namespace
    GK_TRY(validate_network(cfg));
    auto host = GK_TRY(Netlink::connect());
    trace::mark("rtnetlink socket");
    // The veth first, before taking the lease store's lock: deleting a link waits for RCU grace
    // periods (tens of ms), and other containers' ADDs and DELs need not queue behind that. Its
    // name comes from the id (a lease names the same one; without a lease, lost state, it is
    // still known). A crash right after leaves an active lease whose veth is gone: stale, so the
    // next ADD or gc frees it.
    GK_TRY(host.delete_link(veth_name(container, ifname)));
    trace::mark("delete veth");
    auto store = GK_TRY(LeaseStore::open(root, cfg, /*create=*/false));
    trace::mark("lock lease store");
    auto nft = GK_TRY(NftTable::open());
    for (const auto& l : GK_TRY(store.leases()))
        if (l.container == container && l.ifname == ifname)
            GK_TRY_CTX(release(store, host, nft, l, /*veth_gone=*/l.veth == veth_name(container, ifname)),
                       "release " + to_string(l.address) + " of container " + q(container));
    trace::mark("release");
    return {};
}

Result<bool> lease_is_stale(const Lease& l) {
    auto host = GK_TRY(Netlink::connect());
    return stale(host, l);
}

Result<std::vector<Lease>> reclaim(const std::string& root, const NetworkConfig& cfg,
                                   const std::function<bool(const Lease&)>& keep) {
    auto store = GK_TRY(LeaseStore::open(root, cfg, /*create=*/false));
    auto host = GK_TRY(Netlink::connect());
    auto nft = GK_TRY(NftTable::open());
    std::vector<Lease> freed;
    for (auto& l : GK_TRY(store.leases())) {
        if (!GK_TRY(stale(host, l)) && keep(l)) continue;
        GK_TRY_CTX(release(store, host, nft, l), "release " + to_string(l.address) + " of container " + q(l.container));
        freed.push_back(std::move(l));
    }
    return freed;
}

}  // namespace gocker::net
