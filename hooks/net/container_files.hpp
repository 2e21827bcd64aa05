// The container's /etc/hosts, as the OCI hook fills it in.
//
// The hook cannot safely write into the container's root filesystem (a symlink there could
// point anywhere on the host). Instead, as podman does, the bundle's generator
// (`gocker-runtime spec --network`, bundles/make-bundle.sh) writes `hosts` and `resolv.conf`
// into the bundle directory and bind-mounts them at /etc/hosts and /etc/resolv.conf; at
// createRuntime the hook adds the container's address and hostname to that `hosts` file (in
// place: the bind mount holds the file, not the name). Only a file directly in the bundle
// directory, named by the bind mount of /etc/hosts, is ever written.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"
#include "net/ipv4.hpp"
#include "spec/config.hpp"

namespace gocker::net {

// `hosts` with gocker-net's line ("10.0.0.2\tweb\t# gocker-net") replacing any it wrote before;
// no line when `hostname` is empty. Pure.
std::string hosts_with_address(std::string_view hosts, Ipv4 address, const std::string& hostname);

// The bundle file bind-mounted at /etc/hosts (its name inside `bundle`), or "" when there is no
// such mount or its source is not directly in the bundle directory. Pure.
std::string bundle_hosts_file(const spec::Config& cfg, const std::string& bundle);

// Fills in the address in the bundle's hosts file named by bundle_hosts_file(); nothing when
// there is none. The file is opened without following symlinks and must be a regular file.
Status fill_bundle_hosts(const spec::Config& cfg, const std::string& bundle, Ipv4 address);

}  // namespace gocker::net
