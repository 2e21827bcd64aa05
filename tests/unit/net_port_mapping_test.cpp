// gocker-net's published-port parser (hooks/net/port_mapping.hpp) and the hosts-file edit.
#include <gtest/gtest.h>

#include "net/container_files.hpp"
#include "net/port_mapping.hpp"

namespace gocker::net {
namespace {

TEST(NetPortMapping, ParsesEveryFormAndPrintsItBack) {
    auto m = parse_port_mapping("8080:80");
    ASSERT_TRUE(m) << m.error().message();
    EXPECT_FALSE(m->host_ip);
    EXPECT_EQ(m->host_port, 8080);
    EXPECT_EQ(m->container_port, 80);
    EXPECT_EQ(m->protocol, PortProtocol::tcp);
    EXPECT_EQ(to_string(*m), "8080:80/tcp");

    m = parse_port_mapping("192.0.2.1:53:5353/udp");
    ASSERT_TRUE(m);
    ASSERT_TRUE(m->host_ip);
    EXPECT_EQ(to_string(*m->host_ip), "192.0.2.1");
    EXPECT_EQ(m->protocol, PortProtocol::udp);
    EXPECT_EQ(to_string(*m), "192.0.2.1:53:5353/udp");
    EXPECT_EQ(host_side(*m), "192.0.2.1:53/udp");
    EXPECT_EQ(*parse_port_mapping(to_string(*m)), *m);

    m = parse_port_mapping("0.0.0.0:1:65535/tcp");  // 0.0.0.0 is every address
    ASSERT_TRUE(m);
    EXPECT_FALSE(m->host_ip);
    EXPECT_EQ(to_string(*m), "1:65535/tcp");
}

TEST(NetPortMapping, RefusalsSayWhichPartIsWrong) {
    const std::pair<const char*, const char*> cases[] = {
        {"80", "invalid published port \"80\": expected [HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp|/udp]"},
        {"8080:80/sctp", "invalid published port \"8080:80/sctp\": protocol \"sctp\" is not tcp or udp"},
        {"8080:0", "invalid published port \"8080:0\": container port \"0\" is not a port number (1 to 65535)"},
        {"65536:80", "invalid published port \"65536:80\": host port \"65536\" is not a port number (1 to 65535)"},
        {":80", "invalid published port \":80\": host port \"\" is not a port number (1 to 65535)"},
        {"08080:80", "invalid published port \"08080:80\": host port \"08080\" is not a port number (1 to 65535)"},
        {"web:8080:80", "invalid published port \"web:8080:80\": host address \"web\" is not an IPv4 address"},
        {"::1:8080:80", "invalid published port \"::1:8080:80\": host address \"::1\" is not an IPv4 address"},
    };
    for (const auto& [text, message] : cases) {
        auto r = parse_port_mapping(text);
        ASSERT_FALSE(r) << text;
        EXPECT_EQ(r.error().message(), message);
    }
}

TEST(NetPortMapping, ListsRefuseTwoClaimsOnOneHostPort) {
    auto l = parse_port_mappings("8080:80,5353:53/udp,192.0.2.1:9090:90");
    ASSERT_TRUE(l);
    ASSERT_EQ(l->size(), 3u);
    EXPECT_EQ(to_string((*l)[1]), "5353:53/udp");
    EXPECT_TRUE(parse_port_mappings("")->empty());
    EXPECT_TRUE(parse_port_mappings("8080:80,8080:80/udp"));  // another protocol, another port
    EXPECT_TRUE(parse_port_mappings("192.0.2.1:80:80,192.0.2.2:80:80"));
    auto r = parse_port_mappings("192.0.2.1:8080:80,8080:81");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message(),
              "published ports \"192.0.2.1:8080:80/tcp\" and \"8080:81/tcp\" both take host port "
              "0.0.0.0:8080/tcp");
    EXPECT_FALSE(parse_port_mappings("8080:80,"));
}

TEST(NetHostsFile, TheAddressLineReplacesTheOldOneAndOnlyBundleFilesAreNamed) {
    Ipv4 a{0x0a000003};
    EXPECT_EQ(hosts_with_address("127.0.0.1\tlocalhost\n10.0.0.2\tweb\t# gocker-net\n", a, "web"),
              "127.0.0.1\tlocalhost\n10.0.0.3\tweb\t# gocker-net\n");
    EXPECT_EQ(hosts_with_address("127.0.0.1\tlocalhost", a, ""), "127.0.0.1\tlocalhost\n");
    spec::Config cfg;
    EXPECT_EQ(bundle_hosts_file(cfg, "/b"), "");
    cfg.mounts.push_back({"/etc/hosts", "hosts", "bind", {"rbind", "ro"}, {}, {}});
    EXPECT_EQ(bundle_hosts_file(cfg, "/b"), "hosts");
    cfg.mounts.back().source = "/b/hosts";
    EXPECT_EQ(bundle_hosts_file(cfg, "/b"), "hosts");
    for (const char* outside : {"/etc/hosts", "../hosts", "sub/hosts", "/b/../etc/hosts", ".."}) {
        cfg.mounts.back().source = outside;
        EXPECT_EQ(bundle_hosts_file(cfg, "/b"), "") << outside;
    }
}

}  // namespace
}  // namespace gocker::net
