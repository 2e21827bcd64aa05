// Links, addresses and routes over rtnetlink (libnl-route-3): no `ip` program is run.
//
// A Netlink is one rtnetlink socket. A socket stays bound to the network namespace it was made
// in, so connect_in() enters the container's namespace only for the socket() call and every later
// request on that socket acts there while the process stays in its own namespace.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "net/ipv4.hpp"

struct nl_sock;

namespace gocker::net {

class Netlink {
public:
    static Result<Netlink> connect();
    static Result<Netlink> connect_in(int netns_fd);

    // The link's index, or 0 when there is no such link.
    Result<int> ifindex(const std::string& name) const;
    // Creates the bridge when missing (true when this call made it); an existing link of that
    // name that is not a bridge is an error.
    Result<bool> ensure_bridge(const std::string& name) const;
    // A veth pair: `host_name` here, `peer_name` created directly in the namespace `peer_netns_fd`.
    Status add_veth(const std::string& host_name, const std::string& peer_name, int peer_netns_fd) const;
    Status set_master(const std::string& name, const std::string& master) const;
    // Lets the bridge send a frame back out of the port it came in by (a container reaching its
    // own published port: the host routes the DNATed packet back to the port it came from).
    Status set_hairpin(const std::string& name) const;
    Status set_up(const std::string& name) const;
    // `address`/`prefix` on the link; with `may_exist`, an address already there is fine.
    Status add_address(const std::string& name, Ipv4 address, int prefix, bool may_exist) const;
    Status add_default_route(const std::string& name, Ipv4 gateway) const;
    // Deletes the link; a missing one is fine (returns false).
    Result<bool> delete_link(const std::string& name) const;
    // Deletes the link of that index (`name` only for the error): not whatever holds the name by
    // then. Indexes are not reused until the 31-bit counter wraps.
    Result<bool> delete_link(const std::string& name, int ifindex) const;

    // A point-to-point address: `local` on the link, `peer` reached through it (a /32 route).
    Status add_peer_address(const std::string& name, Ipv4 local, Ipv4 peer) const;
    // What `ip link show NAME` says; ifindex 0 when there is no such link.
    struct LinkInfo {
        int ifindex = 0;
        int master = 0;  // ifindex of the bridge it is on, 0 if none
        bool up = false;
        std::string type;  // "bridge", "veth", ... ("" when unknown)
        std::string mac;   // "aa:bb:cc:dd:ee:ff"
    };
    Result<LinkInfo> link_info(const std::string& name) const;
    // The IPv4 addresses of a link as "a.b.c.d/prefix".
    Result<std::vector<std::string>> addresses(const std::string& name) const;
    // The names of all links.
    Result<std::vector<std::string>> link_names() const;

private:
    struct SockDeleter {
        void operator()(nl_sock* s) const;
    };
    explicit Netlink(nl_sock* s) : sock_(s) {}
    Result<int> require_ifindex(const std::string& name) const;
    std::unique_ptr<nl_sock, SockDeleter> sock_;
};

}  // namespace gocker::net
