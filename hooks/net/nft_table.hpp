// gocker-net's one nftables table (libnftables: no `nft` or `iptables` program is run).
//
//   table ip gocker {
//     set subnets    { type ipv4_addr; flags interval; }   the networks' subnets
//     set containers { type ipv4_addr; }                   addresses of attached containers
//     chain postrouting { type nat hook postrouting priority srcnat; policy accept;
//       ip saddr @containers ip daddr != @subnets masquerade }
//   }
//
// The table and its rule are made once; a container is added and removed as one set element,
// each change one atomic transaction, so no rule is ever re-read or rewritten per container.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "net/ipv4.hpp"

struct nft_ctx;

namespace gocker::net {

inline constexpr const char* kNftTable = "gocker";

class NftTable {
public:
    static Result<NftTable> open();
    // Creates the table, its sets and its rule when the table is missing, and adds the subnet.
    Status ensure(const Subnet& subnet) const;
    Status add_container(Ipv4 address) const;
    // Removes the container's element; an element (or table) that is not there is fine.
    Status remove_container(Ipv4 address) const;

    // The addresses in the containers set (empty when the table is missing).
    Result<std::vector<Ipv4>> container_elements() const;
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
