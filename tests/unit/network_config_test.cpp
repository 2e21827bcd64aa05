// `spec --network`'s config edits and bundle files (spec/network_config.hpp).
#include <gtest/gtest.h>

#include "spec/config_io.hpp"
#include "spec/network_config.hpp"

namespace gocker::spec {
namespace {

bool has_netns(const Config& c) {
    for (const auto& ns : c.linux->namespaces)
        if (ns.type == "network") return ns.path.empty();
    return false;
}

TEST(NetworkConfig, BridgeWritesNamespaceHooksAnnotationsAndBundleFileMounts) {
    Config c = default_config();
    ASSERT_TRUE(apply_network(c, {"bridge", {"8080:80/tcp", "53:53/udp"}, "/opt/gocker-net"}));
    EXPECT_TRUE(has_netns(c));
    ASSERT_TRUE(c.hooks);
    ASSERT_EQ(c.hooks->create_runtime.size(), 1u);
    EXPECT_EQ(c.hooks->create_runtime[0].path, "/opt/gocker-net");
    EXPECT_EQ(c.hooks->create_runtime[0].args, (std::vector<std::string>{"gocker-net", "createRuntime"}));
    EXPECT_EQ(c.hooks->poststop[0].args, (std::vector<std::string>{"gocker-net", "poststop"}));
    EXPECT_EQ(c.annotations["gocker.net.mode"], "bridge");
    EXPECT_EQ(c.annotations["gocker.net.ports"], "8080:80/tcp,53:53/udp");
    int binds = 0;
    for (const auto& m : c.mounts)
        if ((m.destination == "/etc/hosts" && m.source == "hosts") ||
            (m.destination == "/etc/resolv.conf" && m.source == "resolv.conf"))
            ++binds;
    EXPECT_EQ(binds, 2);
    EXPECT_TRUE(validate_config(c, "config.json")) << validate_config(c, "config.json").error().message();
}

TEST(NetworkConfig, HostDropsTheNamespaceAndNoneHasNoFiles) {
    Config c = default_config();
    ASSERT_TRUE(apply_network(c, {"host", {}, ""}));
    for (const auto& ns : c.linux->namespaces) EXPECT_NE(ns.type, "network");
    EXPECT_FALSE(c.hooks);
    Config n = default_config();
    ASSERT_TRUE(apply_network(n, {"none", {}, "/x/gocker-net"}));
    EXPECT_TRUE(has_netns(n));
    EXPECT_EQ(n.annotations["gocker.net.mode"], "none");
    EXPECT_EQ(n.mounts.size(), default_config().mounts.size());
    EXPECT_FALSE(network_writes_bundle_files("none"));
}

TEST(NetworkConfig, RefusesUnknownModesAndPortsOutsideBridgeAndVeth) {
    Config c = default_config();
    EXPECT_EQ(apply_network(c, {"nat", {}, "/x"}).error().message(),
              "--network: unknown mode \"nat\" (expected none, host, veth or bridge)");
    EXPECT_EQ(apply_network(c, {"none", {"80:80/tcp"}, "/x"}).error().message(),
              "-p: published ports need --network bridge or veth (the mode is none)");
    EXPECT_EQ(apply_network(c, {"host", {"80:80/tcp"}, "/x"}).error().message(),
              "-p: published ports need --network bridge or veth (the mode is host)");
    ASSERT_TRUE(apply_network(c, {"veth", {"80:80/tcp"}, "/x"}));
    EXPECT_EQ(c.annotations["gocker.net.ports"], "80:80/tcp");
}

TEST(NetworkConfig, ResolvConfDropsLoopbackAndIpv6Nameservers) {
    EXPECT_EQ(container_resolv_conf("# generated\nnameserver 127.0.0.53\nnameserver ::1\nnameserver 192.0.2.53\n"
                                    "search example.org\noptions edns0 trust-ad\n"),
              "nameserver 192.0.2.53\nsearch example.org\noptions edns0 trust-ad\n");
    EXPECT_EQ(container_resolv_conf("nameserver 127.0.0.53\nsearch lan\n"),
              "nameserver 8.8.8.8\nnameserver 8.8.4.4\nsearch lan\n");
    EXPECT_EQ(container_resolv_conf(""), "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
    EXPECT_NE(container_hosts().find("127.0.0.1\tlocalhost\n"), std::string::npos);
}

}  // namespace
}  // namespace gocker::spec
