// gocker-net's nftables elements as the kernel stores them (hooks/net/nft_table) and the batch
// ADD and DEL send over nfnetlink (hooks/net/nfnetlink, built by libnftnl): the messages are
// decoded here with the kernel's own netlink layout, independently of libnftnl, and every key,
// value and flag is checked byte for byte. Pure: bytes only. (tests/net checks them against a
// real kernel, through `gocker-net check` and traffic to published ports.)
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>

#include <cstring>
#include <functional>

#include "net/nft_table.hpp"

namespace gocker::net {
namespace {

using Bytes = std::vector<uint8_t>;

// One netlink message of a batch, decoded.
struct Message {
    uint16_t type = 0;
    uint16_t flags = 0;
    uint32_t seq = 0;
    uint8_t family = 0;
    uint16_t res_id = 0;
    std::string table, set;
    std::vector<NftElement> elements;
};

// Calls f(type, payload, length) for each attribute in [p, p + len); fails the test on a
// malformed one.
void for_each_attr(const uint8_t* p, size_t len, const std::function<void(uint16_t, const uint8_t*, size_t)>& f) {
    while (len >= NLA_HDRLEN) {
        nlattr a;
        std::memcpy(&a, p, sizeof a);
        ASSERT_GE(a.nla_len, NLA_HDRLEN);
        ASSERT_LE(a.nla_len, len);
        f(static_cast<uint16_t>(a.nla_type & NLA_TYPE_MASK), p + NLA_HDRLEN, a.nla_len - NLA_HDRLEN);
        size_t step = std::min<size_t>(NLA_ALIGN(a.nla_len), len);
        p += step;
        len -= step;
    }
    EXPECT_EQ(len, 0u) << "trailing bytes after the attributes";
}

// The value inside a NFTA_SET_ELEM_KEY or NFTA_SET_ELEM_DATA nest.
Bytes data_value(const uint8_t* p, size_t len) {
    Bytes out;
    for_each_attr(p, len, [&](uint16_t type, const uint8_t* v, size_t n) {
        EXPECT_EQ(type, NFTA_DATA_VALUE);
        out.assign(v, v + n);
    });
    return out;
}

std::vector<Message> decode(const Bytes& batch) {
    std::vector<Message> out;
    int len = static_cast<int>(batch.size());
    // NLMSG_NEXT walks a writable header; the copy keeps it aligned too.
    std::vector<nlmsghdr> aligned(batch.size() / sizeof(nlmsghdr) + 1);
    std::memcpy(aligned.data(), batch.data(), batch.size());
    for (auto* h = aligned.data(); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
        Message m;
        m.type = h->nlmsg_type;
        m.flags = h->nlmsg_flags;
        m.seq = h->nlmsg_seq;
        const auto* body = static_cast<const uint8_t*>(NLMSG_DATA(h));
        nfgenmsg g;
        std::memcpy(&g, body, sizeof g);
        EXPECT_EQ(g.version, NFNETLINK_V0);
        m.family = g.nfgen_family;
        m.res_id = ntohs(g.res_id);
        size_t attrs = NLMSG_ALIGN(sizeof g);
        for_each_attr(
            body + attrs, h->nlmsg_len - NLMSG_HDRLEN - attrs, [&](uint16_t type, const uint8_t* v, size_t n) {
                if (type == NFTA_SET_ELEM_LIST_TABLE)
                    m.table =
                        std::string(reinterpret_cast<const char*>(v), strnlen(reinterpret_cast<const char*>(v), n));
                if (type == NFTA_SET_ELEM_LIST_SET)
                    m.set = std::string(reinterpret_cast<const char*>(v), strnlen(reinterpret_cast<const char*>(v), n));
                if (type != NFTA_SET_ELEM_LIST_ELEMENTS) return;
                for_each_attr(v, n, [&](uint16_t, const uint8_t* ev, size_t en) {
                    NftElement e;
                    e.set = m.set;
                    for_each_attr(ev, en, [&](uint16_t t, const uint8_t* x, size_t xn) {
                        if (t == NFTA_SET_ELEM_KEY) e.key = data_value(x, xn);
                        if (t == NFTA_SET_ELEM_DATA) e.data = data_value(x, xn);
                        if (t == NFTA_SET_ELEM_FLAGS && xn == 4) {
                            uint32_t be;
                            std::memcpy(&be, x, 4);
                            e.flags = ntohl(be);
                        }
                    });
                    m.elements.push_back(e);
                });
            });
        out.push_back(std::move(m));
    }
    EXPECT_EQ(len, 0) << "trailing bytes after the messages";
    return out;
}

constexpr uint16_t nft(int msg) { return static_cast<uint16_t>((NFNL_SUBSYS_NFTABLES << 8) | msg); }

// Begin and end around the set messages, numbered from `seq`; each set message of family ip
// for table gocker, acknowledged, created when adding.
void expect_frame(const std::vector<Message>& m, bool add, uint32_t seq) {
    ASSERT_GE(m.size(), 2u);
    EXPECT_EQ(m.front().type, NFNL_MSG_BATCH_BEGIN);
    EXPECT_EQ(m.front().res_id, NFNL_SUBSYS_NFTABLES);
    EXPECT_EQ(m.back().type, NFNL_MSG_BATCH_END);
    for (size_t i = 0; i < m.size(); ++i) {
        EXPECT_EQ(m[i].seq, seq + i);
        if (i == 0 || i + 1 == m.size()) {
            EXPECT_EQ(m[i].flags, NLM_F_REQUEST);
            continue;
        }
        EXPECT_EQ(m[i].type, nft(add ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM));
        EXPECT_EQ(m[i].flags, NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE : 0));
        EXPECT_EQ(m[i].family, NFPROTO_IPV4);
        EXPECT_EQ(m[i].table, "gocker");
    }
}

TEST(NetNftElements, AddressAloneWithoutPorts) {
    auto batch = element_batch(kNftTable, /*add=*/false, container_nft_elements(*parse_ipv4("10.0.0.2"), {}), 5);
    ASSERT_TRUE(batch) << batch.error().message();
    auto m = decode(*batch);
    expect_frame(m, false, 5);
    ASSERT_EQ(m.size(), 3u);
    EXPECT_EQ(m[1].set, "containers");
    ASSERT_EQ(m[1].elements.size(), 1u);
    EXPECT_EQ(m[1].elements[0].key, (Bytes{10, 0, 0, 2}));
    EXPECT_TRUE(m[1].elements[0].data.empty());
    EXPECT_EQ(m[1].elements[0].flags, 0u);
}

TEST(NetNftElements, PortsAreConcatenationsOfFourByteRegisters) {
    auto ports = *parse_port_mappings("8080:80,192.0.2.1:5353:53/udp");
    auto address = *parse_ipv4("10.0.0.3");
    for (bool add : {true, false}) {
        auto elements =
            add ? added_elements(*parse_subnet("10.0.0.0/24"), address, ports) : container_nft_elements(address, ports);
        auto batch = element_batch(kNftTable, add, elements, 1);
        ASSERT_TRUE(batch) << batch.error().message();
        auto m = decode(*batch);
        expect_frame(m, add, 1);
        // ADD has the subnet's message first.
        size_t at = add ? 2 : 1;
        ASSERT_EQ(m.size(), at + 4);
        EXPECT_EQ(m[at].set, "containers");
        ASSERT_EQ(m[at].elements.size(), 1u);
        EXPECT_EQ(m[at].elements[0].key, (Bytes{10, 0, 0, 3}));
        // ports: inet_proto . inet_service : ipv4_addr . inet_service
        EXPECT_EQ(m[at + 1].set, "ports");
        ASSERT_EQ(m[at + 1].elements.size(), 1u);
        EXPECT_EQ(m[at + 1].elements[0].key, (Bytes{6, 0, 0, 0, 0x1f, 0x90, 0, 0}));
        EXPECT_EQ(m[at + 1].elements[0].data, (Bytes{10, 0, 0, 3, 0, 80, 0, 0}));
        // hostports: ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service
        EXPECT_EQ(m[at + 2].set, "hostports");
        ASSERT_EQ(m[at + 2].elements.size(), 1u);
        EXPECT_EQ(m[at + 2].elements[0].key, (Bytes{192, 0, 2, 1, 17, 0, 0, 0, 0x14, 0xe9, 0, 0}));
        EXPECT_EQ(m[at + 2].elements[0].data, (Bytes{10, 0, 0, 3, 0, 53, 0, 0}));
    }
}

TEST(NetNftElements, SubnetIsAnIntervalClosedByTheAddressAfterIt) {
    auto added = added_elements(*parse_subnet("10.1.0.0/29"), *parse_ipv4("10.1.0.2"), {});
    auto batch = element_batch(kNftTable, /*add=*/true, added, 9);
    ASSERT_TRUE(batch) << batch.error().message();
    auto m = decode(*batch);
    expect_frame(m, true, 9);
    ASSERT_EQ(m.size(), 4u);
    EXPECT_EQ(m[1].set, "subnets");
    ASSERT_EQ(m[1].elements.size(), 2u);
    EXPECT_EQ(m[1].elements[0].key, (Bytes{10, 1, 0, 0}));
    EXPECT_EQ(m[1].elements[0].flags, 0u);
    EXPECT_EQ(m[1].elements[1].key, (Bytes{10, 1, 0, 8}));
    EXPECT_EQ(m[1].elements[1].flags, static_cast<uint32_t>(NFT_SET_ELEM_INTERVAL_END));
    EXPECT_EQ(m[2].set, "containers");
    // A subnet that ends at 255.255.255.255 has no address after it: the interval stays open.
    auto last = subnet_elements(*parse_subnet("255.0.0.0/8"));
    ASSERT_EQ(last.size(), 1u);
    EXPECT_EQ(last[0].key, (Bytes{255, 0, 0, 0}));
}

TEST(NetNftElements, ManyPortsOfOneSetGoInOneMessage) {
    std::string spec;
    for (int p = 1000; p < 1200; ++p) spec += (spec.empty() ? "" : ",") + std::to_string(p) + ":80";
    auto ports = *parse_port_mappings(spec);
    auto batch = element_batch(kNftTable, /*add=*/true, container_nft_elements(*parse_ipv4("10.0.0.9"), ports), 1);
    ASSERT_TRUE(batch) << batch.error().message();
    auto m = decode(*batch);
    expect_frame(m, true, 1);
    ASSERT_EQ(m.size(), 4u);
    ASSERT_EQ(m[2].elements.size(), 200u);
    EXPECT_EQ(m[2].elements[199].key, (Bytes{6, 0, 0, 0, 1199 >> 8, 1199 & 0xff, 0, 0}));
}

TEST(NetNftElements, AKeyLongerThanARegisterSetIsRefused) {
    NftElement e{"containers", Bytes(65, 1), {}, 0};
    auto batch = element_batch(kNftTable, /*add=*/true, {e}, 1);
    ASSERT_FALSE(batch);
    EXPECT_NE(batch.error().message().find("nftables set ip gocker containers"), std::string::npos)
        << batch.error().message();
}

}  // namespace
}  // namespace gocker::net
