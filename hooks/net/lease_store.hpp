// IPAM: the address leases of gocker-net's networks, one file per leased address.
//
//   <root>/lock                  flock()ed by every gocker-net that reads or changes the state
//   <root>/<network>/network.json  the network's bridge, subnet and gateway (fixed at first use)
//   <root>/<network>/<address>   one lease: {"container","state","ownerPid","ownerStart","veth","ports"}
//
// <root> is /run/gocker/net by default (tmpfs: the leases go at reboot with the links they name).
// Every write is atomic (temp file + rename). A lease is written "pending" before anything is
// made for it and "active" when the container's network is complete, so that a crash at any
// step leaves a record the next gocker-net can clean up (see stale()).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/fd.hpp"
#include "common/result.hpp"
#include "net/ipv4.hpp"
#include "net/lease.hpp"
#include "net/port_mapping.hpp"

namespace gocker::net {

// bridge: containers on a shared bridge; veth: a point-to-point veth pair per container, the
// host end holding the gateway address; none: the container's own namespace with only lo, up.
enum class NetworkMode { bridge, veth, none };
Result<NetworkMode> parse_mode(std::string_view text);
const char* to_string(NetworkMode m);

struct NetworkConfig {
    NetworkMode mode = NetworkMode::bridge;
    std::string name = "gocker";
    std::string bridge = "gocker0";
    Subnet subnet{Ipv4{0x0a000000}, 24};  // 10.0.0.0/24
    Ipv4 gateway{0x0a000001};             // 10.0.0.1
    bool operator==(const NetworkConfig&) const = default;
};

// The network name becomes a directory name, the bridge a link name: both are checked here.
Status validate_network(const NetworkConfig& cfg);

// The start time of a live process, or nullopt when it does not exist or is a zombie.
std::optional<uint64_t> process_start_time(int pid);

// The lowest address of the subnet that is neither the gateway nor leased; an error naming the
// network and subnet when the pool is exhausted.
Result<Ipv4> pick_free_address(const NetworkConfig& cfg, const std::vector<Lease>& leases);

// The networks recorded under `root` (their network.json), sorted by name.
Result<std::vector<NetworkConfig>> recorded_networks(const std::string& root);

class LeaseStore {
public:
    // Takes <root>/lock (created, with <root>, when missing). With `create`, makes the network's
    // directory and records cfg in network.json, or checks that the recorded one is the same.
    // Without it, a network that was never used is not created (leases() is then empty).
    static Result<LeaseStore> open(const std::string& root, const NetworkConfig& cfg, bool create);

    Result<std::vector<Lease>> leases() const;
    // The leases of every other network under the same root (host ports are one namespace for
    // all of them), read under the same lock.
    Result<std::vector<Lease>> other_networks_leases() const;
    Status put(const Lease& l) const;
    Status remove(Ipv4 address) const;
    const std::string& dir() const { return dir_; }

private:
    LeaseStore(UniqueFd lock, std::string dir, bool exists)
        : lock_(std::move(lock)), dir_(std::move(dir)), exists_(exists) {}
    UniqueFd lock_;
    std::string dir_;
    bool exists_;
};

}  // namespace gocker::net
