// Fault injection for gocker-net's crash-safety tests: net_fault_point("add.veth") after a step of
// attach(). In gocker-net as shipped it does nothing. The test-only build `gocker-net-faults`
// (and gocker-net itself when configured with -DGOCKER_FAULT_POINTS=ON) links
// hooks/net/fault/fault_point_on.cpp instead, which SIGKILLs the process when the environment
// variable GOCKER_NET_FAULT names that step, leaving whatever the step made behind as a crash
// would. Local to gocker-net until the runtime has a fault-point facility of its own.
//
// Steps of attach(), in order: add.lease (pending lease written), add.bridge, add.veth (pair
// made, host end up), add.container (address, lo, route inside), add.forwarding, add.nft.
#pragma once

namespace gocker::net {

void net_fault_point(const char* step);

}  // namespace gocker::net
