// gocker-net's address arithmetic, subnet parsing, lease JSON and veth names (hooks/net).
#include <gtest/gtest.h>

#include <set>

#include "net/ipv4.hpp"
#include "net/lease_store.hpp"

namespace gocker::net {
namespace {

TEST(NetIpv4, ParsesAndPrintsAddresses) {
    auto a = parse_ipv4("10.0.0.1");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->value, 0x0a000001u);
    EXPECT_EQ(to_string(*a), "10.0.0.1");
    EXPECT_EQ(to_string(Ipv4{0xffffffff}), "255.255.255.255");
    for (const char* bad : {"", "10.0.0", "10.0.0.1.2", "10.0.0.256", "10..0.1", "10.0.0.01", "10.0.0.1 ", "a.b.c.d"}) {
        auto r = parse_ipv4(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().message(), "invalid IPv4 address \"" + std::string(bad) + "\"");
    }
}

TEST(NetIpv4, SubnetsHaveHostRangesAndRefuseHostBits) {
    auto s = parse_subnet("10.1.0.0/29");
    ASSERT_TRUE(s);
    EXPECT_EQ(to_string(s->first_host()), "10.1.0.1");
    EXPECT_EQ(to_string(s->last_host()), "10.1.0.6");
    EXPECT_TRUE(s->contains(*parse_ipv4("10.1.0.7")));
    EXPECT_FALSE(s->contains(*parse_ipv4("10.1.0.8")));
    EXPECT_EQ(parse_subnet("10.0.0.1/24").error().message(),
              "invalid subnet \"10.0.0.1/24\": host bits set (did you mean \"10.0.0.0/24\"?)");
    EXPECT_EQ(parse_subnet("10.0.0.0/31").error().message(),
              "invalid subnet \"10.0.0.0/31\": the prefix length must be 8 to 30");
    EXPECT_EQ(parse_subnet("10.0.0.0").error().message(), "invalid subnet \"10.0.0.0\": expected ADDRESS/PREFIX");
}

TEST(NetIpv4, VethNamesFitIfnamsizAndDiffer) {
    std::set<std::string> names;
    for (int i = 0; i < 2000; ++i) {
        std::string n = veth_name("c" + std::to_string(i));
        ASSERT_EQ(n.size(), 11u);
        ASSERT_EQ(n.substr(0, 2), "gk");
        names.insert(n.substr(0, 6));  // even the first four hex digits spread out
    }
    EXPECT_GT(names.size(), 1900u);
    EXPECT_EQ(veth_name("same"), veth_name("same"));
}

TEST(NetLease, RoundTripsAndRefusesForeignFiles) {
    Lease l{Ipv4{0x0a000002},
            "c\"1",
            true,
            false,
            42,
            777,
            "gk0123456789",
            "net1",
            {*parse_port_mapping("8080:80"), *parse_port_mapping("192.0.2.1:53:53/udp")}};
    auto back = parse_lease(lease_to_json(l), l.address, "x");
    ASSERT_TRUE(back);
    EXPECT_EQ(back->container, "c\"1");
    EXPECT_TRUE(back->active);
    EXPECT_EQ(back->owner_pid, 42);
    EXPECT_EQ(back->owner_start, 777u);
    EXPECT_EQ(back->ports, l.ports);
    EXPECT_EQ(back->veth, "gk0123456789");
    EXPECT_EQ(back->ifname, "net1");
    EXPECT_EQ(
        parse_lease(R"({"container":"c","state":"maybe","ownerPid":1,"ownerStart":1,"veth":"v"})", l.address, "/run/x")
            .error()
            .message(),
        "read lease /run/x: not a gocker-net lease");
    Lease r = l;  // DEL handed the veth and the lease to a detached deleter
    r.active = false;
    r.releasing = true;
    r.veth_index = 12;
    back = parse_lease(lease_to_json(r), r.address, "x");
    ASSERT_TRUE(back);
    EXPECT_TRUE(back->releasing);
    EXPECT_FALSE(back->active);
    EXPECT_EQ(back->veth_index, 12);
    EXPECT_EQ(l.veth_index, 0);
    EXPECT_EQ(lease_to_json(l).find("vethIndex"), std::string::npos);
    EXPECT_NE(lease_to_json(r).find("\"state\":\"releasing\""), std::string::npos);
}

TEST(NetLease, PicksTheLowestFreeAddressAndNamesAnExhaustedPool) {
    NetworkConfig cfg;
    cfg.name = "small";
    cfg.subnet = *parse_subnet("10.1.0.0/30");
    cfg.gateway = cfg.subnet.first_host();
    std::vector<Lease> leases;
    auto a = pick_free_address(cfg, leases);
    ASSERT_TRUE(a);
    EXPECT_EQ(to_string(*a), "10.1.0.2");
    leases.push_back(Lease{*a, "c1", true, false, 0, 0, "v", "eth0", {}});
    EXPECT_EQ(pick_free_address(cfg, leases).error().message(),
              "no free address in subnet 10.1.0.0/30 of network \"small\" (1 leased, 1 gateway)");
}

TEST(NetLease, NetworkNamesAndGatewayAreChecked) {
    NetworkConfig cfg;
    EXPECT_TRUE(validate_network(cfg));
    cfg.name = "../etc";
    EXPECT_FALSE(validate_network(cfg));
    cfg.name = "ok";
    cfg.bridge = "a-bridge-name-too-long";
    EXPECT_FALSE(validate_network(cfg));
    cfg.bridge = "br0";
    cfg.gateway = *parse_ipv4("10.0.1.1");
    EXPECT_EQ(validate_network(cfg).error().message(), "gateway 10.0.1.1 is not a host address of subnet 10.0.0.0/24");
}

}  // namespace
}  // namespace gocker::net
