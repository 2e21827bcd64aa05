#include "net/netlink.hpp"

#include <fcntl.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>
#include <sched.h>
#include <sys/socket.h>

#include <arpa/inet.h>

#include <cstring>

#include "common/fd.hpp"

namespace gocker::net {

namespace {

// libnl reports its own codes; the user reads the errno text ("no such device").
int nl_to_errno(int nlerr) {
    switch (nlerr < 0 ? -nlerr : nlerr) {
        case NLE_EXIST: return EEXIST;
        case NLE_NODEV:
        case NLE_OBJ_NOTFOUND: return ENODEV;
        case NLE_PERM: return EPERM;
        case NLE_NOACCESS: return EACCES;
        case NLE_INVAL: return EINVAL;
        case NLE_NOMEM: return ENOMEM;
        case NLE_BUSY: return EBUSY;
        case NLE_RANGE: return ERANGE;
        case NLE_AGAIN: return EAGAIN;
        case NLE_OPNOTSUPP: return EOPNOTSUPP;
        case NLE_AF_NOSUPPORT: return EAFNOSUPPORT;
        case NLE_NOADDR: return EADDRNOTAVAIL;
        case NLE_MSGSIZE: return EMSGSIZE;
        default: return 0;
    }
}

Error nl_error(std::string what, int nlerr) {
    int e = nl_to_errno(nlerr);
    if (e == 0) what += std::string(": ") + nl_geterror(nlerr);
    return Error(std::move(what), e);
}

template <class T, void (*Free)(T*)>
struct Owned {
    T* p = nullptr;
    Owned() = default;
    explicit Owned(T* x) : p(x) {}
    Owned(const Owned&) = delete;
    Owned& operator=(const Owned&) = delete;
    Owned(Owned&& o) noexcept : p(o.p) { o.p = nullptr; }
    ~Owned() {
        if (p) Free(p);
    }
};
using Link = Owned<rtnl_link, rtnl_link_put>;
using Addr = Owned<rtnl_addr, rtnl_addr_put>;
using Route = Owned<rtnl_route, rtnl_route_put>;
using NlAddr = Owned<nl_addr, nl_addr_put>;

std::string q(const std::string& s) { return "\"" + s + "\""; }

NlAddr make_addr(Ipv4 a, int prefix) {
    uint32_t be = htonl(a.value);
    NlAddr out(nl_addr_build(AF_INET, &be, sizeof be));
    if (out.p) nl_addr_set_prefixlen(out.p, prefix);
    return out;
}

}  // namespace

void Netlink::SockDeleter::operator()(nl_sock* s) const { nl_socket_free(s); }

Result<Netlink> Netlink::connect() {
    nl_sock* s = nl_socket_alloc();
    if (!s) return Error("open rtnetlink socket", ENOMEM);
    Netlink nl(s);
    if (int err = nl_connect(s, NETLINK_ROUTE); err < 0) return nl_error("open rtnetlink socket", err);
    return nl;
}

Result<Netlink> Netlink::connect_in(int netns_fd) {
    UniqueFd self(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
    if (!self) return sys_error("open /proc/thread-self/ns/net");
    if (::setns(netns_fd, CLONE_NEWNET) < 0) return sys_error("enter the container's network namespace");
    auto nl = connect();
    if (::setns(self.get(), CLONE_NEWNET) < 0) {
        // Staying in the container's namespace would set the host side up in the wrong place.
        std::perror("gocker-net: return to the host network namespace");
        std::abort();
    }
    return nl;
}

Result<int> Netlink::ifindex(const std::string& name) const {
    rtnl_link* raw = nullptr;
    int err = rtnl_link_get_kernel(sock_.get(), 0, name.c_str(), &raw);
    Link link(raw);
    if (err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV) return 0;
    if (err < 0) return nl_error("look up link " + q(name), err);
    return rtnl_link_get_ifindex(link.p);
}

Result<int> Netlink::require_ifindex(const std::string& name) const {
    int idx = GK_TRY(ifindex(name));
    if (idx == 0) return Error("link " + q(name), ENODEV);
    return idx;
}

Result<bool> Netlink::ensure_bridge(const std::string& name) const {
    // Not rtnl_link_bridge_add(): without NLM_F_EXCL an existing link of another kind "succeeds".
    Link bridge(rtnl_link_bridge_alloc());
    if (!bridge.p) return Error("create bridge " + q(name), ENOMEM);
    rtnl_link_set_name(bridge.p, name.c_str());
    int err = rtnl_link_add(sock_.get(), bridge.p, NLM_F_CREATE | NLM_F_EXCL);
    if (err == 0) return true;
    if (err != -NLE_EXIST) return nl_error("create bridge " + q(name), err);
    rtnl_link* raw = nullptr;
    err = rtnl_link_get_kernel(sock_.get(), 0, name.c_str(), &raw);
    Link link(raw);
    if (err < 0) return nl_error("look up bridge " + q(name), err);
    const char* type = rtnl_link_get_type(link.p);
    if (!type || std::strcmp(type, "bridge") != 0)
        return Error("use bridge " + q(name) + ": a link of that name exists and is not a bridge (" +
                     (type ? type : "no type") + ")");
    return false;
}

Status Netlink::add_veth(const std::string& host_name, const std::string& peer_name, int peer_netns_fd) const {
    Link link(rtnl_link_veth_alloc());
    if (!link.p) return Error("create veth " + q(host_name), ENOMEM);
    rtnl_link* peer = rtnl_link_veth_get_peer(link.p);
    rtnl_link_set_name(link.p, host_name.c_str());
    rtnl_link_set_name(peer, peer_name.c_str());
    rtnl_link_set_ns_fd(peer, peer_netns_fd);
    // One queue each way from the start: a veth is made with one per CPU and then cut down to
    // one, and cutting the real number of queues waits for an RCU grace period.
    for (rtnl_link* end : {link.p, peer}) {
        rtnl_link_set_num_tx_queues(end, 1);
        rtnl_link_set_num_rx_queues(end, 1);
    }
    int err = rtnl_link_add(sock_.get(), link.p, NLM_F_CREATE | NLM_F_EXCL);
    rtnl_link_put(peer);  // get_peer took a reference
    if (err < 0)
        return nl_error("create veth " + q(host_name) + " with peer " + q(peer_name) + " in the container", err);
    return {};
}

Status Netlink::set_master(const std::string& name, const std::string& master) const {
    int master_idx = GK_TRY_CTX(require_ifindex(master), "attach veth " + q(name) + " to bridge " + q(master));
    int idx = GK_TRY_CTX(require_ifindex(name), "attach veth " + q(name) + " to bridge " + q(master));
    int err = rtnl_link_enslave_ifindex(sock_.get(), master_idx, idx);
    if (err < 0) return nl_error("attach veth " + q(name) + " to bridge " + q(master), err);
    return {};
}

Status Netlink::set_hairpin(const std::string& name) const {
    std::string what = "turn hairpin mode on for bridge port " + q(name);
    int idx = GK_TRY_CTX(require_ifindex(name), what);
    Link change(rtnl_link_alloc());
    if (!change.p) return Error(what, ENOMEM);
    rtnl_link_set_ifindex(change.p, idx);
    rtnl_link_set_family(change.p, AF_BRIDGE);
    int err = rtnl_link_bridge_set_flags(change.p, RTNL_BRIDGE_HAIRPIN_MODE);
    if (err >= 0) err = rtnl_link_change(sock_.get(), change.p, change.p, 0);
    if (err < 0) return nl_error(what, err);
    return {};
}

Status Netlink::set_up(const std::string& name) const {
    rtnl_link* raw = nullptr;
    int err = rtnl_link_get_kernel(sock_.get(), 0, name.c_str(), &raw);
    Link link(raw);
    if (err < 0) return nl_error("set link " + q(name) + " up", err);
    Link change(rtnl_link_alloc());
    if (!change.p) return Error("set link " + q(name) + " up", ENOMEM);
    rtnl_link_set_flags(change.p, IFF_UP);
    err = rtnl_link_change(sock_.get(), link.p, change.p, 0);
    if (err < 0) return nl_error("set link " + q(name) + " up", err);
    return {};
}

Status Netlink::add_address(const std::string& name, Ipv4 address, int prefix, bool may_exist) const {
    std::string what = "add address " + to_string(address) + "/" + std::to_string(prefix) + " to " + q(name);
    int idx = GK_TRY_CTX(require_ifindex(name), what);
    Addr addr(rtnl_addr_alloc());
    NlAddr local = make_addr(address, prefix);
    if (!addr.p || !local.p) return Error(what, ENOMEM);
    rtnl_addr_set_ifindex(addr.p, idx);
    rtnl_addr_set_family(addr.p, AF_INET);
    if (int err = rtnl_addr_set_local(addr.p, local.p); err < 0) return nl_error(what, err);
    int err = rtnl_addr_add(sock_.get(), addr.p, NLM_F_CREATE | NLM_F_EXCL);
    if (err == -NLE_EXIST && may_exist) return {};
    if (err < 0) return nl_error(what, err);
    return {};
}

Status Netlink::add_default_route(const std::string& name, Ipv4 gateway) const {
    std::string what = "add default route via " + to_string(gateway) + " dev " + q(name);
    int idx = GK_TRY_CTX(require_ifindex(name), what);
    Route route(rtnl_route_alloc());
    NlAddr dst = make_addr(Ipv4{0}, 0);
    NlAddr gw = make_addr(gateway, 32);
    rtnl_nexthop* nh = rtnl_route_nh_alloc();
    if (!route.p || !dst.p || !gw.p || !nh) {
        if (nh) rtnl_route_nh_free(nh);
        return Error(what, ENOMEM);
    }
    rtnl_route_set_family(route.p, AF_INET);
    rtnl_route_set_dst(route.p, dst.p);
    rtnl_route_nh_set_ifindex(nh, idx);
    rtnl_route_nh_set_gateway(nh, gw.p);
    rtnl_route_add_nexthop(route.p, nh);  // the route owns nh now
    int err = rtnl_route_add(sock_.get(), route.p, NLM_F_CREATE | NLM_F_EXCL);
    if (err < 0) return nl_error(what, err);
    return {};
}

Result<bool> Netlink::delete_link(const std::string& name) const {
    Link link(rtnl_link_alloc());
    if (!link.p) return Error("delete link " + q(name), ENOMEM);
    rtnl_link_set_name(link.p, name.c_str());
    int err = rtnl_link_delete(sock_.get(), link.p);
    if (err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV) return false;
    if (err < 0) return nl_error("delete link " + q(name), err);
    return true;
}

Result<bool> Netlink::delete_link(const std::string& name, int ifindex) const {
    std::string what = "delete link " + q(name) + " (index " + std::to_string(ifindex) + ")";
    Link link(rtnl_link_alloc());
    if (!link.p) return Error(what, ENOMEM);
    rtnl_link_set_ifindex(link.p, ifindex);
    int err = rtnl_link_delete(sock_.get(), link.p);
    if (err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV) return false;
    if (err < 0) return nl_error(what, err);
    return true;
}

Status Netlink::add_peer_address(const std::string& name, Ipv4 local, Ipv4 peer) const {
    std::string what = "add address " + to_string(local) + " peer " + to_string(peer) + " to " + q(name);
    int idx = GK_TRY_CTX(require_ifindex(name), what);
    Addr addr(rtnl_addr_alloc());
    NlAddr l = make_addr(local, 32);
    NlAddr p = make_addr(peer, 32);
    if (!addr.p || !l.p || !p.p) return Error(what, ENOMEM);
    rtnl_addr_set_ifindex(addr.p, idx);
    rtnl_addr_set_family(addr.p, AF_INET);
    if (int err = rtnl_addr_set_local(addr.p, l.p); err < 0) return nl_error(what, err);
    if (int err = rtnl_addr_set_peer(addr.p, p.p); err < 0) return nl_error(what, err);
    if (int err = rtnl_addr_add(sock_.get(), addr.p, NLM_F_CREATE | NLM_F_EXCL); err < 0) return nl_error(what, err);
    return {};
}

Result<Netlink::LinkInfo> Netlink::link_info(const std::string& name) const {
    rtnl_link* raw = nullptr;
    int err = rtnl_link_get_kernel(sock_.get(), 0, name.c_str(), &raw);
    Link link(raw);
    LinkInfo info;
    if (err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV) return info;
    if (err < 0) return nl_error("look up link " + q(name), err);
    info.ifindex = rtnl_link_get_ifindex(link.p);
    info.master = rtnl_link_get_master(link.p);
    info.up = (rtnl_link_get_flags(link.p) & IFF_UP) != 0;
    if (const char* type = rtnl_link_get_type(link.p)) info.type = type;
    if (nl_addr* mac = rtnl_link_get_addr(link.p)) {
        char buf[64];
        info.mac = nl_addr2str(mac, buf, sizeof buf);
    }
    return info;
}

namespace {

template <class F>
Status each_in_cache(nl_sock* sock, int (*alloc)(nl_sock*, nl_cache**), const std::string& what, F f) {
    nl_cache* cache = nullptr;
    if (int err = alloc(sock, &cache); err < 0) return nl_error(what, err);
    for (nl_object* o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) f(o);
    nl_cache_free(cache);
    return {};
}

int alloc_addr_cache(nl_sock* s, nl_cache** c) { return rtnl_addr_alloc_cache(s, c); }
int alloc_link_cache(nl_sock* s, nl_cache** c) { return rtnl_link_alloc_cache(s, AF_UNSPEC, c); }

}  // namespace

Result<std::vector<std::string>> Netlink::addresses(const std::string& name) const {
    std::string what = "list the addresses of " + q(name);
    int idx = GK_TRY_CTX(require_ifindex(name), what);
    std::vector<std::string> out;
    GK_TRY(each_in_cache(sock_.get(), alloc_addr_cache, what, [&](nl_object* o) {
        auto* a = reinterpret_cast<rtnl_addr*>(o);
        if (rtnl_addr_get_ifindex(a) != idx || rtnl_addr_get_family(a) != AF_INET) return;
        nl_addr* local = rtnl_addr_get_local(a);
        if (!local || nl_addr_get_len(local) != 4) return;
        char text[INET_ADDRSTRLEN] = "";
        ::inet_ntop(AF_INET, nl_addr_get_binary_addr(local), text, sizeof text);
        out.push_back(std::string(text) + "/" + std::to_string(rtnl_addr_get_prefixlen(a)));
    }));
    return out;
}

Result<std::vector<std::string>> Netlink::link_names() const {
    std::vector<std::string> out;
    GK_TRY(each_in_cache(sock_.get(), alloc_link_cache, "list links", [&](nl_object* o) {
        if (const char* n = rtnl_link_get_name(reinterpret_cast<rtnl_link*>(o))) out.emplace_back(n);
    }));
    return out;
}

}  // namespace gocker::net
