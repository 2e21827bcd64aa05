#include "net/lease_store.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <rapidjson/document.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "common/json_writer.hpp"
#include "common/file_io.hpp"
#include "linux/proc_info.hpp"

namespace gocker::net {

namespace {

bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'; }

Status valid_name(const std::string& s, size_t max, const char* what) {
    bool ok = !s.empty() && s.size() <= max && s != "." && s != "..";
    for (char c : s) ok = ok && is_name_char(c);
    if (!ok)
        return Error(std::string("invalid ") + what + " \"" + s + "\": use 1 to " + std::to_string(max) +
                     " letters, digits, '-', '_' or '.'");
    return {};
}

std::string network_to_json(const NetworkConfig& c) {
    return json::compact([&](auto& w) {
               w.StartObject();
               json::member(w, "bridge", c.bridge);
               json::member(w, "subnet", to_string(c.subnet));
               json::member(w, "gateway", to_string(c.gateway));
               if (c.mode != NetworkMode::bridge) json::member(w, "mode", to_string(c.mode));
               w.EndObject();
           }) +
           "\n";
}

Result<NetworkConfig> parse_network(const std::string& name, const std::string& json, const std::string& origin) {
    rapidjson::Document d;
    d.Parse(json.data(), json.size());
    auto str = [&](const char* k) -> const char* {
        return d.IsObject() && d.HasMember(k) && d[k].IsString() ? d[k].GetString() : nullptr;
    };
    if (d.HasParseError() || !str("bridge") || !str("subnet") || !str("gateway"))
        return Error("read " + origin + ": not a gocker-net network");
    NetworkConfig c;
    c.name = name;
    c.bridge = str("bridge");
    c.subnet = GK_TRY_CTX(parse_subnet(str("subnet")), "read " + origin);
    c.gateway = GK_TRY_CTX(parse_ipv4(str("gateway")), "read " + origin);
    if (str("mode")) c.mode = GK_TRY_CTX(parse_mode(str("mode")), "read " + origin);
    return c;
}

Status mkdir_p(const std::string& path) {
    if (::mkdir(path.c_str(), 0700) == 0 || errno == EEXIST) return {};
    if (errno != ENOENT) return sys_error([&] { return "create directory " + path; });
    size_t slash = path.find_last_of('/');
    if (slash == 0 || slash == std::string::npos) return sys_error([&] { return "create directory " + path; });
    GK_TRY(mkdir_p(path.substr(0, slash)));
    if (::mkdir(path.c_str(), 0700) == 0 || errno == EEXIST) return {};
    return sys_error([&] { return "create directory " + path; });
}

}  // namespace

Result<NetworkMode> parse_mode(std::string_view text) {
    if (text == "bridge") return NetworkMode::bridge;
    if (text == "veth") return NetworkMode::veth;
    if (text == "none") return NetworkMode::none;
    return Error("invalid network mode \"" + std::string(text) + "\": expected bridge, veth or none");
}

const char* to_string(NetworkMode m) {
    switch (m) {
        case NetworkMode::veth: return "veth";
        case NetworkMode::none: return "none";
        default: return "bridge";
    }
}

Result<std::vector<NetworkConfig>> recorded_networks(const std::string& root) {
    std::vector<NetworkConfig> out;
    DIR* d = ::opendir(root.c_str());
    if (!d) {
        if (errno == ENOENT) return out;
        return sys_error([&] { return "open directory " + root; });
    }
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) names.emplace_back(e->d_name);
    ::closedir(d);
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
        std::string file = root + "/" + name + "/network.json";
        auto text = read_whole_file(file);
        if (!text) continue;  // "lock", ".", "..", or not a network
        out.push_back(GK_TRY(parse_network(name, *text, file)));
    }
    return out;
}

Status validate_network(const NetworkConfig& cfg) {
    GK_TRY(valid_name(cfg.name, 64, "network name"));
    GK_TRY(valid_name(cfg.bridge, 15, "bridge name"));
    if (!cfg.subnet.contains(cfg.gateway) || cfg.gateway.value == cfg.subnet.base.value ||
        cfg.gateway.value > cfg.subnet.last_host().value)
        return Error("gateway " + to_string(cfg.gateway) + " is not a host address of subnet " + to_string(cfg.subnet));
    return {};
}

std::optional<uint64_t> process_start_time(int pid) {
    if (pid <= 0) return std::nullopt;
    auto st = read_proc_stat(pid);
    if (!st || st->state == 'Z' || st->state == 'X') return std::nullopt;  // dead, not yet reaped: gone
    return st->start_time;
}

Result<Ipv4> pick_free_address(const NetworkConfig& cfg, const std::vector<Lease>& leases) {
    for (uint32_t a = cfg.subnet.first_host().value; a <= cfg.subnet.last_host().value; ++a) {
        if (a == cfg.gateway.value) continue;
        bool taken = false;
        for (const auto& l : leases) taken = taken || l.address.value == a;
        if (!taken) return Ipv4{a};
    }
    return Error("no free address in subnet " + to_string(cfg.subnet) + " of network \"" + cfg.name + "\" (" +
                 std::to_string(leases.size()) + " leased, 1 gateway)");
}

Result<LeaseStore> LeaseStore::open(const std::string& root, const NetworkConfig& cfg, bool create) {
    GK_TRY(validate_network(cfg));
    GK_TRY(mkdir_p(root));
    std::string lock_path = root + "/lock";
    UniqueFd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!lock) return sys_error([&] { return "open lock " + lock_path; });
    while (::flock(lock.get(), LOCK_EX) < 0)
        if (errno != EINTR) return sys_error([&] { return "lock " + lock_path; });

    std::string dir = root + "/" + cfg.name;
    std::string net_file = dir + "/network.json";
    struct stat st {};
    bool exists = ::stat(dir.c_str(), &st) == 0;
    if (!exists && !create) return LeaseStore(std::move(lock), dir, false);
    if (!exists && ::mkdir(dir.c_str(), 0700) < 0) return sys_error([&] { return "create directory " + dir; });
    auto recorded = read_whole_file(net_file);
    if (recorded) {
        if (create && *recorded != network_to_json(cfg))
            return Error("network \"" + cfg.name + "\" is already set up differently (" + net_file + ": " +
                         recorded->substr(0, recorded->size() - 1) + ")");
    } else if (recorded.error().sys_errno() != ENOENT) {
        return std::move(recorded).error();
    } else if (create) {
        GK_TRY(write_file_atomic(net_file, network_to_json(cfg), 0600));
    }
    return LeaseStore(std::move(lock), dir, true);
}

namespace {

Result<std::vector<Lease>> read_leases(const std::string& dir) {
    std::vector<Lease> out;
    DIR* d = ::opendir(dir.c_str());
    if (!d) return sys_error([&] { return "open directory " + dir; });
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) names.emplace_back(e->d_name);
    ::closedir(d);
    for (const auto& name : names) {
        std::string path = dir + "/" + name;
        if (name.find(".tmp.") != std::string::npos) {
            ::unlink(path.c_str());  // a write that died before its rename (we hold the lock)
            continue;
        }
        auto address = parse_ipv4(name);
        if (!address) continue;
        std::string text = GK_TRY(read_whole_file(path));
        out.push_back(GK_TRY(parse_lease(text, *address, path)));
    }
    return out;
}

}  // namespace

Result<std::vector<Lease>> LeaseStore::leases() const {
    if (!exists_) return std::vector<Lease>{};
    return read_leases(dir_);
}

Result<std::vector<Lease>> LeaseStore::other_networks_leases() const {
    std::vector<Lease> out;
    std::string root = dir_.substr(0, dir_.rfind('/'));
    DIR* d = ::opendir(root.c_str());
    if (!d) return sys_error([&] { return "open directory " + root; });
    std::vector<std::string> dirs;
    while (dirent* e = ::readdir(d))
        if (e->d_type == DT_DIR && e->d_name[0] != '.' && root + "/" + e->d_name != dir_)
            dirs.push_back(root + "/" + e->d_name);
    ::closedir(d);
    for (const auto& dir : dirs)
        for (auto& l : GK_TRY(read_leases(dir))) out.push_back(std::move(l));
    return out;
}

Status LeaseStore::put(const Lease& l) const {
    return write_file_atomic(dir_ + "/" + to_string(l.address), lease_to_json(l), 0600);
}

Status LeaseStore::remove(Ipv4 address) const {
    std::string path = dir_ + "/" + to_string(address);
    if (::unlink(path.c_str()) < 0 && errno != ENOENT) return sys_error([&] { return "remove lease " + path; });
    return {};
}

}  // namespace gocker::net
