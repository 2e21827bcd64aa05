#include "network.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "common/file_io.hpp"
#include "net/lease.hpp"
#include "runtime_cli.hpp"

namespace gocker::core {

std::string find_network_hook() {
    std::string p = self_dir() + "/gocker-net";
    return ::access(p.c_str(), X_OK) == 0 ? p : "";
}

Result<NetworkPlan> plan_network(const RunOptions& opts) {
    NetworkPlan plan;
    std::string hook = find_network_hook();
    plan.mode = opts.network;
    if (plan.mode == NetworkMode::unset) {
        plan.mode = hook.empty() ? NetworkMode::none : NetworkMode::bridge;
        if (hook.empty()) plan.note = "no gocker-net next to gocker: the container gets --network none (loopback only)";
    }
    if (plan.mode == NetworkMode::bridge) {
        if (hook.empty())
            return Error("--network bridge: needs gocker-net, the network hook, next to gocker (" + self_dir() +
                             "/gocker-net): not available; use --network none or host",
                         0);
        plan.hook = hook;
    }
    if (!opts.ports.empty() && plan.mode != NetworkMode::bridge) {
        if (hook.empty())
            return Error("--publish " + opts.ports.front().text() +
                             ": needs gocker-net (the bridge network) next to gocker: not available",
                         0);
        return Error(
            "--publish " + opts.ports.front().text() + ": needs --network bridge, not " + network_mode_name(plan.mode),
            0);
    }
    return plan;
}

void apply_network(spec::Config& cfg, const NetworkPlan& plan, const RunOptions& opts) {
    auto& ns = cfg.linux->namespaces;
    if (plan.mode == NetworkMode::host)
        ns.erase(std::remove_if(ns.begin(), ns.end(), [](const spec::Namespace& n) { return n.type == "network"; }),
                 ns.end());
    else if (!cfg.linux->find_namespace("network")) ns.push_back({"network", ""});
    cfg.annotations["gocker.net.mode"] = network_mode_name(plan.mode);
    if (plan.mode != NetworkMode::bridge) return;
    std::string ports;
    for (const auto& p : opts.ports) ports += (ports.empty() ? "" : ",") + p.text();
    if (!ports.empty()) cfg.annotations["gocker.net.ports"] = ports;
    if (!cfg.hooks) cfg.hooks.emplace();
    cfg.hooks->create_runtime.push_back({plan.hook, {"gocker-net", "createRuntime"}, {}, {}});
    cfg.hooks->poststop.push_back({plan.hook, {"gocker-net", "poststop"}, {}, {}});
}

std::string bridge_address(const std::string& id) {
    const std::string dir = "/run/gocker/net/gocker";
    DIR* d = ::opendir(dir.c_str());
    if (!d) return "";
    std::string found;
    while (struct dirent* e = ::readdir(d)) {
        auto address = net::parse_ipv4(e->d_name);  // a lease file is named by its address
        if (!address) continue;
        std::string path = dir + "/" + e->d_name;
        auto text = read_whole_file(path, O_NOFOLLOW);
        if (!text) continue;
        auto lease = net::parse_lease(*text, *address, path);
        if (lease && lease->container == id && !lease->releasing) {  // not a deleted one's, being freed
            found = e->d_name;
            break;
        }
    }
    ::closedir(d);
    return found;
}

}  // namespace gocker::core
