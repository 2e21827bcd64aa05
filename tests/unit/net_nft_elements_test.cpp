// gocker-net's nftables elements as the kernel stores them (hooks/net/nft_table): what ADD and DEL
// send over nfnetlink. Pure: bytes only. (tests/net checks them against a real kernel, through
// `gocker-net check` and traffic to published ports.)
#include <gtest/gtest.h>

#include <linux/netfilter/nf_tables.h>

#include "net/nft_table.hpp"

namespace gocker::net {
namespace {

using Bytes = std::vector<uint8_t>;

TEST(NetNftElements, AddressAloneWithoutPorts) {
    auto e = container_nft_elements(*parse_ipv4("10.0.0.2"), {});
    ASSERT_EQ(e.size(), 1u);
    EXPECT_EQ(e[0].set, "containers");
    EXPECT_EQ(e[0].key, (Bytes{10, 0, 0, 2}));
    EXPECT_TRUE(e[0].data.empty());
    EXPECT_EQ(e[0].flags, 0u);
}

TEST(NetNftElements, PortsAreConcatenationsOfFourByteRegisters) {
    auto ports = *parse_port_mappings("8080:80,192.0.2.1:5353:53/udp");
    auto e = container_nft_elements(*parse_ipv4("10.0.0.3"), ports);
    ASSERT_EQ(e.size(), 3u);
    // ports: inet_proto . inet_service : ipv4_addr . inet_service
    EXPECT_EQ(e[1].set, "ports");
    EXPECT_EQ(e[1].key, (Bytes{6, 0, 0, 0, 0x1f, 0x90, 0, 0}));
    EXPECT_EQ(e[1].data, (Bytes{10, 0, 0, 3, 0, 80, 0, 0}));
    // hostports: ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service
    EXPECT_EQ(e[2].set, "hostports");
    EXPECT_EQ(e[2].key, (Bytes{192, 0, 2, 1, 17, 0, 0, 0, 0x14, 0xe9, 0, 0}));
    EXPECT_EQ(e[2].data, (Bytes{10, 0, 0, 3, 0, 53, 0, 0}));
}

TEST(NetNftElements, SubnetIsAnIntervalClosedByTheAddressAfterIt) {
    auto e = subnet_elements(*parse_subnet("10.1.0.0/29"));
    ASSERT_EQ(e.size(), 2u);
    EXPECT_EQ(e[0].set, "subnets");
    EXPECT_EQ(e[0].key, (Bytes{10, 1, 0, 0}));
    EXPECT_EQ(e[0].flags, 0u);
    EXPECT_EQ(e[1].key, (Bytes{10, 1, 0, 8}));
    EXPECT_EQ(e[1].flags, static_cast<uint32_t>(NFT_SET_ELEM_INTERVAL_END));
    // A subnet that ends at 255.255.255.255 has no address after it: the interval stays open.
    auto last = subnet_elements(*parse_subnet("255.0.0.0/8"));
    ASSERT_EQ(last.size(), 1u);
    EXPECT_EQ(last[0].key, (Bytes{255, 0, 0, 0}));
}

}  // namespace
}  // namespace gocker::net
