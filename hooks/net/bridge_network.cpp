#include "net/bridge_network.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <utility>
#include <vector>

#include "common/fd.hpp"
#include "linux/sysctl.hpp"
#include "net/netlink.hpp"
#include "net/nft_table.hpp"

namespace gocker::net {

namespace {

constexpr const char* kContainerIf = "eth0";

std::string q(const std::string& s) { return "\"" + s + "\""; }

// Removes the container's part of the network: its veth (the kernel removes the peer with it),
// its nftables element and its lease. Each may already be gone.
Status release(const LeaseStore& store, const Netlink& host, const NftTable& nft, const Lease& l) {
    GK_TRY(host.delete_link(l.veth));
    GK_TRY(nft.remove_container(l.address, l.ports));
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
        else
            live.push_back(std::move(l));
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

Status set_up_bridge(const Netlink& host, const NetworkConfig& cfg, Rollback& rb) {
    if (GK_TRY(host.ensure_bridge(cfg.bridge))) rb.bridge_created();
    GK_TRY(host.add_address(cfg.bridge, cfg.gateway, cfg.subnet.prefix, /*may_exist=*/true));
    // The host's own connections to a published port on 127.0.0.1 leave through the bridge with
    // a loopback source until masqueraded; only this bridge of the namespace gocker-net runs in
    // allows it (nft_table.hpp drops what a container would send to 127.0.0.0/8 through it).
    // (Written directly: a '.' in a link name would split a dotted sysctl key.)
    std::string localnet = "/proc/sys/net/ipv4/conf/" + cfg.bridge + "/route_localnet";
    UniqueFd fd(::open(localnet.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd || ::write(fd.get(), "1", 1) != 1) return sys_error("write " + localnet);
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
                                     " is already published by container " + q(l.container) + " (" +
                                     to_string(held) + " to " + to_string(l.address) + ")");
    return {};
}

Status set_up_container(const Netlink& inside, const NetworkConfig& cfg, Ipv4 address) {
    GK_TRY(inside.add_address(kContainerIf, address, cfg.subnet.prefix, /*may_exist=*/false));
    GK_TRY(inside.set_up(kContainerIf));
    GK_TRY(inside.set_up("lo"));
    return inside.add_default_route(kContainerIf, cfg.gateway);
}

}  // namespace

Result<Lease> attach(const std::string& root, const NetworkConfig& cfg, const Attachment& a) {
    auto store = GK_TRY(LeaseStore::open(root, cfg, /*create=*/true));
    auto host = GK_TRY(Netlink::connect());
    auto nft = GK_TRY(NftTable::open());
    auto live = GK_TRY(live_leases(store, host, nft));
    for (const auto& l : live)
        if (l.container == a.container)
            return Error("container " + q(a.container) + " already has address " + to_string(l.address) +
                         " on network " + q(cfg.name));
    GK_TRY(check_host_ports(a.ports, live, a.ports.empty() ? std::vector<Lease>{} : GK_TRY(store.other_networks_leases())));

    Lease lease;
    lease.address = GK_TRY(pick_free_address(cfg, live));
    lease.container = a.container;
    lease.owner_pid = ::getpid();
    lease.owner_start = process_start_time(lease.owner_pid).value_or(0);
    lease.veth = veth_name(a.container);
    lease.ports = a.ports;
    GK_TRY_CTX(store.put(lease), "record lease " + to_string(lease.address));
    Rollback rb(store, host, nft, lease, cfg);

    GK_TRY_CTX(set_up_bridge(host, cfg, rb), "set up bridge " + q(cfg.bridge));
    auto inside = GK_TRY(Netlink::connect_in(a.netns_fd));
    GK_TRY(host.add_veth(lease.veth, kContainerIf, a.netns_fd));
    GK_TRY(host.set_master(lease.veth, cfg.bridge));
    GK_TRY(host.set_hairpin(lease.veth));
    GK_TRY(host.set_up(lease.veth));
    GK_TRY_CTX(set_up_container(inside, cfg, lease.address), "in the container");
    GK_TRY_CTX(apply_sysctls({{"net.ipv4.ip_forward", "1"}}), "turn forwarding on");
    GK_TRY(nft.ensure(cfg.subnet));
    GK_TRY(nft.add_container(lease.address, lease.ports));

    lease.active = true;
    GK_TRY_CTX(store.put(lease), "activate lease " + to_string(lease.address));
    rb.dismiss();
    return lease;
}

Status detach(const std::string& root, const NetworkConfig& cfg, const std::string& container) {
    auto store = GK_TRY(LeaseStore::open(root, cfg, /*create=*/false));
    auto host = GK_TRY(Netlink::connect());
    auto nft = GK_TRY(NftTable::open());
    for (const auto& l : GK_TRY(store.leases()))
        if (l.container == container)
            GK_TRY_CTX(release(store, host, nft, l), "release " + to_string(l.address) + " of container " + q(container));
    // Without a lease (lost state), the veth name is still known from the id.
    GK_TRY(host.delete_link(veth_name(container)));
    return {};
}

}  // namespace gocker::net
