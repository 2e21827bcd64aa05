// gocker-net's CNI face, part 1: what a container manager hands a CNI plugin (SPEC.md of
// containernetworking/cni 1.1.0): the CNI_* environment variables and the network configuration
// on stdin, parsed and checked. An error carries the spec's error code.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.hpp"
#include "net/lease_store.hpp"
#include "net/port_mapping.hpp"

namespace gocker::net {

// The spec's well-known error codes (1-99 are the spec's; 100+ are gocker-net's own).
enum CniCode : int {
    kCniIncompatibleVersion = 1,
    kCniUnsupportedField = 2,
    kCniUnknownContainer = 3,
    kCniInvalidEnv = 4,
    kCniIoFailure = 5,
    kCniDecodeFailure = 6,
    kCniInvalidConfig = 7,
    kCniTryAgainLater = 11,
    kCniNotAvailable = 50,
    kCniFailed = 100,         // gocker-net: ADD/DEL/GC could not be done (msg says which step)
    kCniCheckMismatch = 101,  // gocker-net: CHECK found the attachment not as ADD left it
};

struct CniError {
    int code = kCniFailed;
    std::string msg;
    std::string details;
};

inline constexpr const char* kCniSupportedVersions[] = {"0.4.0", "1.0.0", "1.1.0"};
inline constexpr const char* kCniLatest = "1.1.0";

// a >= b for dotted versions ("1.0.0" >= "0.4.0").
bool cni_version_at_least(const std::string& a, const std::string& b);

struct CniEnv {
    std::string command;       // CNI_COMMAND
    std::string container_id;  // CNI_CONTAINERID
    std::string netns;         // CNI_NETNS (may be empty for DEL)
    std::string ifname;        // CNI_IFNAME
    std::string args;          // CNI_ARGS
};

struct CniAttachmentId {
    std::string container_id;
    std::string ifname;
};

struct CniConfig {
    std::string cni_version;
    NetworkConfig network;
    std::string data_dir;                            // "dataDir": the lease store (default /run/gocker/net)
    std::vector<PortMapping> port_mappings;          // runtimeConfig.portMappings
    std::optional<Ipv4> requested;                   // runtimeConfig.ips / args.cni.ips / CNI_ARGS IP=
    std::optional<std::string> prev_result;          // "prevResult", as JSON text
    std::vector<CniAttachmentId> valid_attachments;  // GC: "cni.dev/valid-attachments"
};

// Reads CNI_* from `env` and checks what `command` needs; code 4 when something is missing or bad.
std::optional<CniError> read_cni_env(const std::map<std::string, std::string>& env, CniEnv& out);

// Parses the network configuration; `env` supplies CNI_ARGS. Code 1 (version), 6 (JSON), 7
// (invalid values) or 2 (a field gocker-net does not support).
std::optional<CniError> parse_cni_config(const std::string& json, const CniEnv& env, CniConfig& out);

}  // namespace gocker::net
