// What `gocker run` was asked for, and the pure parsers of its flag values. Each parser's error
// is one line naming the flag and the value: `--volume data: expected SRC:DST[:ro]`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "spec/config.hpp"

namespace gocker::core {

struct Volume {
    std::string source;       // absolute host path
    std::string destination;  // absolute path in the container
    bool readonly = false;
};

struct PortPublish {
    std::string host_ip;  // empty: every address
    uint16_t host_port = 0;
    uint16_t container_port = 0;
    std::string protocol = "tcp";
    std::string text() const;  // [HOSTIP:]HOST:CTR/proto
};

enum class NetworkMode { unset, none, host, bridge };
const char* network_mode_name(NetworkMode m);

enum class Storage { overlay, copy };

struct RunOptions {
    bool detach = false;
    std::string name;
    std::string hostname = "gocker-container";
    std::vector<std::string> env;  // K=V (a bare K takes gocker's own value)
    std::string workdir;
    std::optional<std::string> user;  // UID[:GID]
    bool interactive = false;
    bool tty = false;
    std::vector<Volume> volumes;
    std::vector<PortPublish> ports;
    NetworkMode network = NetworkMode::unset;
    std::optional<std::string> cpu_limit;
    std::optional<std::string> memory_limit;
    std::string pids_limit = "20";                          // the seed's default
    std::vector<spec::IdMapping> userns{{0, 1000, 65536}};  // empty: no user namespace
    bool read_only = false;
    bool auto_remove = false;
    std::string runtime;  // empty: the default runtime
    Storage storage = Storage::overlay;
    uint64_t log_max_size = 10 * 1024 * 1024;
    std::string rootfs;             // absolute
    std::vector<std::string> args;  // empty: sh
};

// CTR:HOST:SIZE[,CTR:HOST:SIZE...], the same map for uids and gids.
Result<std::vector<spec::IdMapping>> parse_userns(std::string_view text);
// SRC:DST[:ro|rw]; SRC must be absolute (it is checked to exist when the container is made).
Result<Volume> parse_volume(std::string_view text);
// [HOSTIP:]HOST:CTR[/tcp|udp]
Result<PortPublish> parse_publish(std::string_view text);
Result<NetworkMode> parse_network(std::string_view text);
// UID[:GID], numbers.
Result<std::pair<uint32_t, std::optional<uint32_t>>> parse_user(std::string_view text);
// K=V, or K alone (then taken from `lookup`, dropped when unset there).
Result<std::optional<std::string>> parse_env(std::string_view text, const char* (*lookup)(const char*));
// A container name: [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 64 bytes.
Status validate_name(std::string_view name);

}  // namespace gocker::core
