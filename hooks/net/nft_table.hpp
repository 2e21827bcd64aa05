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
// straight, un-NATed). The table and its rules are made once; a container is added and
// removed as set and map elements, all of one container in one atomic transaction, so no rule
// is ever re-read or rewritten per container.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "net/ipv4.hpp"
#include "net/port_mapping.hpp"

struct nft_ctx;

namespace gocker::net {

inline constexpr const char* kNftTable = "gocker";

// A container's published ports as map elements: "ports tcp . 8080 : 10.0.0.2 . 80",
// "hostports 192.0.2.1 . udp . 53 : 10.0.0.2 . 53" (map name, then the element). Pure.
std::vector<std::string> port_elements(Ipv4 address, const std::vector<PortMapping>& ports);

class NftTable {
public:
    static Result<NftTable> open();
    // Creates the table, its sets, maps and rules when missing, and adds the subnet.
    Status ensure(const Subnet& subnet) const;
    // The container's address and its published ports, in one transaction.
    Status add_container(Ipv4 address, const std::vector<PortMapping>& ports) const;
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
    explicit NftTable(nft_ctx* c) : ctx_(c) {}
    // Runs one batch; the error carries `what` and nftables' first error line.
    Status run(const std::string& commands, const std::string& what) const;
    std::unique_ptr<nft_ctx, CtxDeleter> ctx_;
};

}  // namespace gocker::net
