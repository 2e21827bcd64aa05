#include "net/bridge_network.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <string_view>
#include <utility>
#include <vector>

#include "common/fault_point.hpp"
#include "common/fd.hpp"
#include "common/trace.hpp"
#include "linux/sysctl.hpp"
#include "net/detached_process.hpp"
#include "net/netlink.hpp"
#include "net/nft_table.hpp"

namespace gocker::net {

namespace {

std::string q(const std::string& s) { return "\"" + s + "\""; }

// Removes the container's part of the network: its veth (the kernel removes the peer with it),
// its nftables element and its lease. Each may already be gone (`veth_gone`: deleted by the caller).
Status release(const LeaseStore& store, const Netlink& host, const NftTable& nft, const Lease& l,
               bool veth_gone = false) {
    // A releasing lease's veth by its index: its name may be a newer container's veth by now.
    if (!veth_gone) GK_TRY(l.veth_index ? host.delete_link(l.veth, l.veth_index) : host.delete_link(l.veth));
    trace::mark("delete veth");
    GK_TRY(nft.remove_container(l.address, l.ports));
    trace::mark("remove nftables elements");
    return store.remove(l.address);
}

// A pending lease whose writer is gone, a releasing one whose deleter is gone, or an active one
// whose host veth is gone (the kernel removes a veth when the container's network namespace dies).
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

// DEL deletes the veth itself when GOCKER_NET_SYNC_DEL=1, and otherwise hands it to a detached
// deleter (hand_over()).
bool synchronous_del() {
    const char* v = std::getenv("GOCKER_NET_SYNC_DEL");
    return v && std::string_view(v) == "1";
}

// The detached deleter: deletes the veth (the kernel removes its peer with it; this waits for
// RCU grace periods), then, under the lock, the lease at `address` if it is still the releasing
// one it owns. Dying anywhere leaves a releasing lease whose owner is dead: stale, so the next
// ADD, DEL of the container, gc or CNI GC frees it.
int finish_release(const std::string& root, const NetworkConfig& cfg, const Lease& l) {
    auto run = [&]() -> Status {
        GK_FAULT_POINT("net.del.async.start");
        GK_TRY(GK_TRY(Netlink::connect()).delete_link(l.veth, l.veth_index));
        GK_FAULT_POINT("net.del.async.veth");
        auto store = GK_TRY(LeaseStore::open(root, cfg, /*create=*/false));
        for (const auto& now : GK_TRY(store.leases()))
            if (now.address == l.address && now.releasing && now.owner_pid == ::getpid())
                GK_TRY(store.remove(l.address));
        return {};
    };
    return run() ? 0 : 1;
}

// Hands the rest of `l`'s teardown (its veth, then the lease) to a detached deleter and marks the
// lease releasing, owned by it: the address stays taken until the veth is gone. Its elements and
// ports are removed already (the lease no longer lists the ports).
Status hand_over(const std::string& root, const LeaseStore& store, const Netlink& host, const NetworkConfig& cfg,
                 Lease& l) {
    l.veth_index = GK_TRY(host.ifindex(l.veth));
    if (l.veth_index == 0) return store.remove(l.address);  // the veth is gone already (its namespace died)
    pid_t deleter = GK_TRY(spawn_detached([&] { return finish_release(root, cfg, l); }));
    trace::mark("start the deleter");
    // Killed here: the deleter removes the veth but not the still-active lease, which is then
    // stale (its veth gone) and reclaimed as any other.
    GK_FAULT_POINT("net.del.handoff");
    l.active = false;
    l.releasing = true;
    l.owner_pid = deleter;
    l.owner_start = process_start_time(deleter).value_or(0);
    l.ports.clear();
    GK_TRY(store.put(l));
    trace::mark("mark lease releasing");
    return {};
}

// Deletes, by its index, the veth an earlier DEL of the same container and interface handed to a
// deleter that is not done yet (whichever of the two deletes it, the other finds it gone).
Status finish_earlier_teardown(const Netlink& host, const NetworkConfig& cfg, const Attachment& a,
                               const std::string& veth, int index) {
    GK_TRY_CTX(host.delete_link(veth, index),
               "finish the teardown of container " + q(a.container) + " on network " + q(cfg.name));
    trace::mark("finish an earlier teardown");
    return {};
}

// When the veth an attachment is to get still exists and a releasing lease names it (an earlier
// DEL of the same container and interface whose deleter is not done), deletes it (by index),
// outside the lease store's lock: 50 such ADDs at once then overlap their deletions' RCU waits
// instead of queueing behind the lock, as 50 DELs do. (attach() checks again under the lock.)
Status await_earlier_teardown(const std::string& root, const NetworkConfig& cfg, const Netlink& host,
                              const Attachment& a) {
    std::string veth = veth_name(a.container, a.ifname);
    int index = GK_TRY(host.ifindex(veth));
    if (index == 0) return {};  // the usual case: nothing to wait for, no lock taken
    {
        auto store = GK_TRY(LeaseStore::open(root, cfg, /*create=*/false));
        bool releasing = false;
        for (const auto& l : GK_TRY(store.leases()))
            releasing = releasing || (l.releasing && l.veth == veth && l.veth_index == index);
        if (!releasing) return {};  // someone else's link (attach() names the conflict) or lost state
    }
    return finish_earlier_teardown(host, cfg, a, veth, index);
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
    auto host = GK_TRY(Netlink::connect());
    trace::mark("rtnetlink socket");
    GK_TRY(await_earlier_teardown(root, cfg, host, a));
    auto store = GK_TRY(LeaseStore::open(root, cfg, /*create=*/true));
    trace::mark("lock lease store");
    auto nft = GK_TRY(NftTable::open());
    trace::mark("nftables context");
    auto live = GK_TRY(live_leases(store, host, nft));
    trace::mark("read leases");
    for (const auto& l : live) {
        if (l.container != a.container || l.ifname != a.ifname) continue;
        if (!l.releasing)
            return Error("container " + q(a.container) + " already has address " + to_string(l.address) +
                         " on network " + q(cfg.name));
        // An earlier DEL's deleter is still at work on the veth this one is to be named: finish
        // that deletion here. Its address stays leased until the deleter removes the lease, so
        // this gets another one.
        GK_TRY(finish_earlier_teardown(host, cfg, a, l.veth, l.veth_index));
    }
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

// The fault points of DEL (tests/faults/ walks them): with GOCKER_NET_SYNC_DEL=1,
// net.del.sync.veth (the veth deleted) and net.del.sync.nft (its elements and ports removed,
// the lease not yet); else net.del.nft (the container's elements and ports removed),
// net.del.handoff (the deleter started, the lease not yet marked releasing), and in the
// deleter net.del.async.start and net.del.async.veth (the veth deleted, the lease not yet
// removed).
Status detach(const std::string& root, const NetworkConfig& cfg, const std::string& container,
              const std::string& ifname) {
    if (cfg.mode == NetworkMode::none) return {};  // nothing was made outside the container's namespace
    GK_TRY(validate_network(cfg));
    auto host = GK_TRY(Netlink::connect());
    trace::mark("rtnetlink socket");
    // The veth's name comes from the id (a lease names the same one; without a lease, lost
    // state, it is still known).
    const std::string veth = veth_name(container, ifname);
    const bool sync = synchronous_del();
    if (sync) {
        // Before taking the lease store's lock: deleting a link waits for RCU grace periods
        // (tens of ms), and other containers' ADDs and DELs need not queue behind that. A
        // crash right after leaves an active lease whose veth is gone: stale, so the next ADD
        // or gc frees it.
        GK_TRY(host.delete_link(veth));
        trace::mark("delete veth");
        GK_FAULT_POINT("net.del.sync.veth");
    }
    bool veth_left = !sync;  // the veth still to delete here, when no lease hands it over
    {
        auto store = GK_TRY(LeaseStore::open(root, cfg, /*create=*/false));
        trace::mark("lock lease store");
        auto nft = GK_TRY(NftTable::open());
        for (auto& l : GK_TRY(store.leases())) {
            const bool own = l.container == container && l.ifname == ifname;
            auto what = [&] {
                return (own ? "release " : "reclaim stale lease ") + to_string(l.address) + " of container " +
                       q(l.container);
            };
            if (!own || l.releasing) {
                // As ADD does, the network's stale leases go too, with their ports (so that
                // `delete --force` of any container reclaims what a crash left); this
                // container's lease that an earlier DEL handed over is its deleter's, unless
                // that deleter died.
                if (GK_TRY(stale(host, l))) GK_TRY_CTX(release(store, host, nft, l), what());
                if (own) veth_left = false;
                continue;
            }
            if (sync || l.veth != veth) {  // (a lease naming another veth: deleted here too)
                if (l.veth != veth) GK_TRY_CTX(host.delete_link(l.veth), what());
                GK_TRY_CTX(nft.remove_container(l.address, l.ports), what());
                trace::mark("remove nftables elements");
                GK_FAULT_POINT("net.del.sync.nft");
                GK_TRY_CTX(store.remove(l.address), what());
                continue;
            }
            // Published ports and masquerade go now: the address must not reach the container
            // once DEL has returned, and a reclaim of this lease would remove them again anyway.
            GK_TRY_CTX(nft.remove_container(l.address, l.ports), what());
            trace::mark("remove nftables elements");
            GK_FAULT_POINT("net.del.nft");
            GK_TRY_CTX(hand_over(root, store, host, cfg, l), what());
            veth_left = false;
        }
        trace::mark("release");
    }
    // No lease names the veth (lost state): delete it here, the lock released.
    if (veth_left && GK_TRY(host.delete_link(veth))) trace::mark("delete veth");
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
        // A releasing lease's deleter is freeing it already, whatever `keep` says.
        if (!GK_TRY(stale(host, l)) && (l.releasing || keep(l))) continue;
        GK_TRY_CTX(release(store, host, nft, l), "release " + to_string(l.address) + " of container " + q(l.container));
        freed.push_back(std::move(l));
    }
    return freed;
}

}  // namespace gocker::net
