// gocker-net's CNI network configuration parser (hooks/net/cni_config): pure, no system calls.
#include <gtest/gtest.h>

#include "net/cni_config.hpp"

namespace gocker::net {
namespace {

CniEnv add_env(const std::string& args = "") {
    CniEnv env;
    env.command = "ADD";
    env.args = args;
    return env;
}

TEST(NetCniConfig, PortMappingsBecomeAttachmentPorts) {
    CniConfig cfg;
    auto e = parse_cni_config(R"({"cniVersion":"1.0.0","name":"n","type":"gocker-net",
        "capabilities":{"portMappings":true},
        "runtimeConfig":{"portMappings":[
          {"hostPort":8080,"containerPort":80,"protocol":"tcp"},
          {"hostPort":5353,"containerPort":53,"protocol":"UDP","hostIP":"127.0.0.1"},
          {"hostPort":9090,"containerPort":90},
          {"hostPort":9091,"containerPort":91,"hostIP":"::1"}]}})",
                              add_env(), cfg);
    ASSERT_FALSE(e) << e->msg;
    ASSERT_EQ(cfg.port_mappings.size(), 3u);  // the IPv6 one is not published
    EXPECT_EQ(cfg.port_mappings[0], (PortMapping{std::nullopt, 8080, 80, PortProtocol::tcp}));
    EXPECT_EQ(cfg.port_mappings[1], (PortMapping{Ipv4{0x7f000001}, 5353, 53, PortProtocol::udp}));
    EXPECT_EQ(cfg.port_mappings[2], (PortMapping{std::nullopt, 9090, 90, PortProtocol::tcp}));
}

TEST(NetCniConfig, BadPortMappingIsNamed) {
    CniConfig cfg;
    auto e = parse_cni_config(R"({"cniVersion":"1.0.0","name":"n",
        "runtimeConfig":{"portMappings":[{"hostPort":70000,"containerPort":80}]}})",
                              add_env(), cfg);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code, kCniInvalidConfig);
    EXPECT_EQ(e->msg, "runtimeConfig.portMappings[0].hostPort: expected a port number 1-65535");
    e = parse_cni_config(R"({"cniVersion":"1.0.0","name":"n",
        "runtimeConfig":{"portMappings":[{"hostPort":80,"containerPort":80,"protocol":"sctp"}]}})",
                         add_env(), cfg);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code, kCniUnsupportedField);
}

TEST(NetCniConfig, NetworkFieldsAndRequestedAddress) {
    CniConfig cfg;
    auto e = parse_cni_config(R"({"cniVersion":"0.4.0","name":"lab","mode":"veth","bridge":"br-lab",
        "subnet":"10.5.0.0/16","dataDir":"/tmp/x"})",
                              add_env("FOO=bar;IP=10.5.3.4"), cfg);
    ASSERT_FALSE(e) << e->msg;
    EXPECT_EQ(cfg.network.name, "lab");
    EXPECT_EQ(cfg.network.mode, NetworkMode::veth);
    EXPECT_EQ(cfg.network.bridge, "br-lab");
    EXPECT_EQ(to_string(cfg.network.subnet), "10.5.0.0/16");
    EXPECT_EQ(to_string(cfg.network.gateway), "10.5.0.1");
    EXPECT_EQ(cfg.data_dir, "/tmp/x");
    ASSERT_TRUE(cfg.requested);
    EXPECT_EQ(to_string(*cfg.requested), "10.5.3.4");

    CniConfig two;
    e = parse_cni_config(R"({"cniVersion":"1.0.0","name":"n","runtimeConfig":{"ips":["10.0.0.5/24","10.0.0.6/24"]}})",
                         add_env(), two);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code, kCniUnsupportedField);
}

TEST(NetCniConfig, EnvironmentIsCheckedPerCommand) {
    CniEnv env;
    auto e = read_cni_env({{"CNI_COMMAND", "ADD"}, {"CNI_CONTAINERID", "c1"}, {"CNI_IFNAME", "eth0"}}, env);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code, kCniInvalidEnv);
    EXPECT_EQ(e->msg, "CNI_NETNS is required for ADD");
    EXPECT_FALSE(read_cni_env({{"CNI_COMMAND", "DEL"}, {"CNI_CONTAINERID", "c1"}, {"CNI_IFNAME", "eth0"}}, env));
    EXPECT_FALSE(read_cni_env({{"CNI_COMMAND", "GC"}}, env));
    e = read_cni_env({{"CNI_COMMAND", "DEL"}, {"CNI_CONTAINERID", "-bad"}, {"CNI_IFNAME", "eth0"}}, env);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code, kCniInvalidEnv);
    e = read_cni_env({{"CNI_COMMAND", "DEL"}, {"CNI_CONTAINERID", "c"}, {"CNI_IFNAME", "a/b"}}, env);
    ASSERT_TRUE(e);
    e = read_cni_env({{"CNI_COMMAND", "FROB"}}, env);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code, kCniInvalidEnv);
}

TEST(NetCniConfig, VersionComparison) {
    EXPECT_TRUE(cni_version_at_least("1.1.0", "1.0.0"));
    EXPECT_TRUE(cni_version_at_least("1.0.0", "1.0.0"));
    EXPECT_FALSE(cni_version_at_least("0.4.0", "1.0.0"));
    EXPECT_TRUE(cni_version_at_least("0.10.0", "0.4.0"));
}

}  // namespace
}  // namespace gocker::net
