// gocker-net's admin commands, for the networks recorded under a lease store root:
//   ls     each network and its leases: container, interface, address, state, host veth, ports
//   gc     frees every stale lease (dead writer, or veth gone) with its veth and nftables elements
//   check  warns about what would keep containers off the network: another firewall's forward
//          chain with policy drop, forwarding off, a bridge or nftables table (set or port maps)
//          that disagrees with the leases. Returns the number of warnings.
#pragma once

#include <string>

#include "common/result.hpp"

namespace gocker::net {

Status admin_ls(const std::string& root, std::string& out);
Status admin_gc(const std::string& root, std::string& out);
Result<int> admin_check(const std::string& root, std::string& out);

}  // namespace gocker::net
