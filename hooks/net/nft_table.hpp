// gocker-net's one nftables table (libnftables: no `nft` or `iptables` program is run).
//
//   table ip gocker {
//     set subnets    { type ipv4_addr; flags interval; }   the networks' subnets
//     set containers { type ipv4_addr; }                   addresses of attached containers
//     map ports      { type inet_proto . inet_service : ipv4_addr . inet_service; }
//                                                          published on every host address
//     map hostports  { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }
//                                                          published on one host address
//     chain prerouting  { nat, dstnat:  to a local address: dnat through hostports, then ports }
//     chain output      { nat, -100:    the same for the host's own connections }
//     chain postrouting { nat, srcnat:
//       ip saddr @containers ip daddr != @subnets masquerade            egress
//       ct status dnat ip saddr @containers ip daddr @containers masquerade
//                                         a container to a published port (hairpin included)
//       ip saddr 127.0.0.0/8 ip daddr @containers masquerade          the host's 127.0.0.1 }
//     chain input { filter: iif != lo ip daddr 127.0.0.0/8 ct status & dnat == 0 drop }
//   }
//
// The host reaching a published port on 127.0.0.1 needs route_localnet on the bridge (set by
// bridge_network); the input rule keeps a container from using it to reach the host's
// loopback services directly (CVE-2020-8558). Container to published port is masqueraded so
// that the reply comes back through the host (without br_netfilter the bridge would deliver it
// straight, un-NATed). The table and its rules are made once (libnftables); a container is
// added and removed as set and map elements, all of one container in one atomic transaction:
// one batch of libnftnl's messages over a libmnl socket (nfnetlink.hpp), so no rule, no cache
// and no text is read, parsed or rewritten per container.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "net/ipv4.hpp"
#include "net/nfnetlink.hpp"
#include "net/port_mapping.hpp"

struct nft_ctx;

namespace gocker::net {

inline constexpr const char* kNftTable = "gocker";

// A container's published ports as map elements: "ports tcp . 8080 : 10.0.0.2 . 80",
// "hostports 192.0.2.1 . udp . 53 : 10.0.0.2 . 53" (map name, then the element). Pure.
std::vector<std::string> port_elements(Ipv4 address, const std::vector<PortMapping>& ports);
// The same as the kernel stores them (containers, then ports/hostports), for nfnetlink: what
// remove_container deletes. Pure.
std::vector<NftElement> container_nft_elements(Ipv4 address, const std::vector<PortMapping>& ports);
// The subnet's interval in the subnets set: its first address, and the one after its last
// flagged as the interval's end (none when the subnet ends at 255.255.255.255). Pure.
std::vector<NftElement> subnet_elements(const Subnet& subnet);
// What add_container adds: the subnet's interval, then container_nft_elements. Pure.
std::vector<NftElement> added_elements(const Subnet& subnet, Ipv4 address, const std::vector<PortMapping>& ports);

class NftTable {
public:
    // Opens nothing yet: the nfnetlink socket and the libnftables context are made when first needed.
    static Result<NftTable> open();
    // Creates the table, its sets, maps and rules when missing (libnftables, with the subnet).
    Status ensure(const Subnet& subnet) const;
    // The subnet (when not there yet), the container's address and its published ports, in one
    // transaction.
    Status add_container(const Subnet& subnet, Ipv4 address, const std::vector<PortMapping>& ports) const;
    // Removes the container's elements; any that is not there (or no table) is fine.
    Status remove_container(Ipv4 address, const std::vector<PortMapping>& ports) const;

    // The addresses in the containers set (empty when the table is missing).
    Result<std::vector<Ipv4>> container_elements() const;
    // The elements of the ports and hostports maps, as port_elements() writes them.
    Result<std::vector<std::string>> port_map_elements() const;
    // `nft list ruleset` (every table of every family, ours too).
    Result<std::string> ruleset() const;

private:
    struct CtxDeleter {
        void operator()(nft_ctx* c) const;
    };
    NftTable() = default;
    Result<const NfNetlink*> netlink() const;
    // Runs one batch through libnftables; the error carries `what` and nftables' first error line.
    Status run(const std::string& commands, const std::string& what) const;
    mutable std::unique_ptr<nft_ctx, CtxDeleter> ctx_;
    mutable std::unique_ptr<NfNetlink> nl_;
};

}  // namespace gocker::net
