#include "spec/network_config.hpp"

#include <algorithm>

namespace gocker::spec {

namespace {

constexpr const char* kModes[] = {"none", "host", "veth", "bridge"};

void add_hook(std::vector<Hook>& list, const std::string& path, const char* phase) {
    list.push_back(Hook{path, {"gocker-net", phase}, {}, std::nullopt});
}

void bind_bundle_file(Config& cfg, const char* name, const std::string& destination) {
    std::erase_if(cfg.mounts, [&](const Mount& m) { return m.destination == destination; });
    cfg.mounts.push_back(Mount{destination, name, "bind", {"rbind", "ro"}, {}, {}});
}

}  // namespace

bool network_writes_bundle_files(std::string_view mode) { return mode == "bridge" || mode == "veth" || mode == "host"; }

Status apply_network(Config& cfg, const NetworkChoice& choice) {
    if (std::find(std::begin(kModes), std::end(kModes), choice.mode) == std::end(kModes))
        return Error("--network: unknown mode \"" + choice.mode + "\" (expected none, host, veth or bridge)");
    if (!choice.ports.empty() && choice.mode != "bridge" && choice.mode != "veth")
        return Error("-p: published ports need --network bridge or veth (the mode is " + choice.mode + ")");
    if (!cfg.linux) cfg.linux.emplace();
    auto& nss = cfg.linux->namespaces;
    std::erase_if(nss, [](const Namespace& ns) { return ns.type == "network"; });
    if (choice.mode == "host") {
        bind_bundle_file(cfg, "hosts", "/etc/hosts");
        bind_bundle_file(cfg, "resolv.conf", "/etc/resolv.conf");
        return {};
    }
    nss.push_back(Namespace{"network", ""});
    if (!cfg.hooks) cfg.hooks.emplace();
    add_hook(cfg.hooks->create_runtime, choice.hook_path, "createRuntime");
    add_hook(cfg.hooks->poststop, choice.hook_path, "poststop");
    cfg.annotations["gocker.net.mode"] = choice.mode;
    if (!choice.ports.empty()) {
        std::string list;
        for (const auto& p : choice.ports) list += (list.empty() ? "" : ",") + p;
        cfg.annotations["gocker.net.ports"] = list;
    }
    if (network_writes_bundle_files(choice.mode)) {
        bind_bundle_file(cfg, "hosts", "/etc/hosts");
        bind_bundle_file(cfg, "resolv.conf", "/etc/resolv.conf");
    }
    return {};
}

std::string container_resolv_conf(std::string_view host) {
    std::string kept, servers;
    while (!host.empty()) {
        size_t nl = host.find('\n');
        std::string_view line = host.substr(0, nl);
        host = nl == std::string_view::npos ? std::string_view{} : host.substr(nl + 1);
        size_t start = line.find_first_not_of(" \t");
        if (start == std::string_view::npos) continue;
        line = line.substr(start);
        size_t end = line.find_first_of(" \t");
        std::string_view key = line.substr(0, end);
        std::string_view value = end == std::string_view::npos ? std::string_view{} : line.substr(end);
        value = value.substr(std::min(value.size(), value.find_first_not_of(" \t")));
        value = value.substr(0, value.find_first_of(" \t#;"));
        if (key == "nameserver") {
            if (value.empty() || value.starts_with("127.") || value.find(':') != std::string_view::npos) continue;
            (servers += line) += '\n';
        } else if (key == "search" || key == "domain" || key == "options") {
            (kept += line) += '\n';
        }
    }
    if (servers.empty()) servers = "nameserver 8.8.8.8\nnameserver 8.8.4.4\n";
    return servers + kept;
}

std::string container_hosts() { return "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"; }

}  // namespace gocker::spec
