#include "net/oci_hook.hpp"

#include <fcntl.h>

#include "common/fd.hpp"
#include "common/trace.hpp"
#include "net/bridge_network.hpp"
#include "net/container_files.hpp"
#include "spec/config_io.hpp"
#include "spec/state.hpp"

namespace gocker::net {

namespace {

const std::string* annotation(const std::map<std::string, std::string>& a, const char* key) {
    auto it = a.find(key);
    return it == a.end() ? nullptr : &it->second;
}

// Whether config.json asks for a network namespace of the container's own.
bool has_own_netns(const spec::Config& cfg) {
    if (!cfg.linux) return false;
    for (const auto& ns : cfg.linux->namespaces)
        if (ns.type == "network") return ns.path.empty();
    return false;
}

}  // namespace

Result<NetworkConfig> network_from_annotations(const std::map<std::string, std::string>& annotations) {
    NetworkConfig cfg;
    if (auto* v = annotation(annotations, "gocker.net.mode"))
        cfg.mode = GK_TRY_CTX(parse_mode(*v), "annotation gocker.net.mode");
    if (cfg.mode == NetworkMode::veth) cfg.name = "gocker-veth";  // not the bridge network's state
    if (auto* v = annotation(annotations, "gocker.net.network")) cfg.name = *v;
    if (auto* v = annotation(annotations, "gocker.net.bridge")) cfg.bridge = *v;
    if (auto* v = annotation(annotations, "gocker.net.subnet")) {
        cfg.subnet = GK_TRY_CTX(parse_subnet(*v), "annotation gocker.net.subnet");
        cfg.gateway = cfg.subnet.first_host();
    }
    if (auto* v = annotation(annotations, "gocker.net.gateway"))
        cfg.gateway = GK_TRY_CTX(parse_ipv4(*v), "annotation gocker.net.gateway");
    GK_TRY_CTX(validate_network(cfg), "annotations gocker.net.*");
    return cfg;
}

Status run_oci_hook(std::string_view phase, const std::string& root, std::string_view state_json) {
    auto state = GK_TRY_CTX(spec::parse_state(state_json), "read the container state on stdin");
    NetworkConfig cfg = GK_TRY(network_from_annotations(state.annotations));
    trace::mark("read state");
    if (phase == "poststop") {
        GK_TRY_CTX(detach(root, cfg, state.id), "poststop " + state.id);
        return {};
    }
    if (phase != "createRuntime")
        return Error("unknown hook phase \"" + std::string(phase) + "\": expected createRuntime or poststop");
    std::string what = "createRuntime " + state.id;
    auto config = GK_TRY_CTX(spec::load_config(state.bundle + "/config.json"), what);
    trace::mark("read config.json");
    if (!has_own_netns(config)) return {};  // it has no network namespace of its own
    std::vector<PortMapping> ports;
    if (auto* v = annotation(state.annotations, "gocker.net.ports"))
        ports = GK_TRY_CTX(parse_port_mappings(*v), what + ": annotation gocker.net.ports");
    if (state.pid <= 0) return Error(what + ": the state has no pid");
    std::string ns_path = "/proc/" + std::to_string(state.pid) + "/ns/net";
    UniqueFd netns(::open(ns_path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!netns) return sys_error([&] { return what + ": open " + ns_path; });
    Attachment a;
    a.container = state.id;
    a.netns_fd = netns.get();
    a.ports = std::move(ports);
    Lease lease = GK_TRY_CTX(attach(root, cfg, a), what);
    if (cfg.mode == NetworkMode::none) return {};  // no address for the hosts file
    Status hosts = fill_bundle_hosts(config, state.bundle, lease.address);
    trace::mark("hosts file");
    if (!hosts) {
        (void)detach(root, cfg, state.id);  // a failed createRuntime leaves nothing behind
        return std::move(hosts).error().wrap(what);
    }
    return {};
}

}  // namespace gocker::net
