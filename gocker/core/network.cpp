#include "network.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "common/file_io.hpp"
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
    const std::string needle = "\"container\":\"" + id + "\"";
    while (struct dirent* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (name.empty() || name[0] == '.' || name.find_first_not_of("0123456789.") != std::string::npos) continue;
        auto text = read_whole_file(dir + "/" + name, O_NOFOLLOW);
        std::string compact;
        if (text)
            for (char c : *text)
                if (c != ' ' && c != '\n') compact += c;
        if (compact.find(needle) != std::string::npos) {
            found = name;
            break;
        }
    }
    ::closedir(d);
    return found;
}

}  // namespace gocker::core
