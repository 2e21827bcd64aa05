// gocker-net as a CNI plugin (CNI spec 1.1.0), driven as a container manager drives one.
#include <rapidjson/document.h>

#include <thread>

#include "net/net_fixture.hpp"
#include "net/socket_probe.hpp"

namespace gocker::test {
namespace {

rapidjson::Document parse(const std::string& json) {
    rapidjson::Document d;
    d.Parse(json.c_str());
    return d;
}

TEST_F(CniTest, VersionListsTheSupportedVersions) {
    RunResult r = cni("VERSION", "", R"({"cniVersion":"1.1.0"})", "", "");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "{\"cniVersion\":\"1.1.0\",\"supportedVersions\":[\"0.4.0\",\"1.0.0\",\"1.1.0\"]}\n");
}

TEST_F(CniTest, AddResultFor1xNamesInterfacesAddressAndRoute) {
    RunResult r = cni("ADD", "c1", config("1.1.0"));
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    auto d = parse(r.out);
    ASSERT_TRUE(d.IsObject()) << r.out;
    EXPECT_STREQ(d["cniVersion"].GetString(), "1.1.0");
    ASSERT_EQ(d["interfaces"].Size(), 3u) << r.out;
    EXPECT_STREQ(d["interfaces"][0]["name"].GetString(), "gkcni0");
    EXPECT_STREQ(d["interfaces"][2]["name"].GetString(), "eth0");
    EXPECT_EQ(d["interfaces"][2]["sandbox"].GetString(), container("c1").netns_path());
    std::string mac = d["interfaces"][2]["mac"].GetString();
    EXPECT_TRUE(contains(ip_in("c1", "-o link show dev eth0"), "link/ether " + mac)) << mac;
    ASSERT_EQ(d["ips"].Size(), 1u);
    EXPECT_STREQ(d["ips"][0]["address"].GetString(), "10.10.0.2/24");
    EXPECT_STREQ(d["ips"][0]["gateway"].GetString(), "10.10.0.1");
    EXPECT_EQ(d["ips"][0]["interface"].GetInt(), 2);
    EXPECT_FALSE(d["ips"][0].HasMember("version")) << "1.x results have no ips[].version";
    EXPECT_STREQ(d["routes"][0]["dst"].GetString(), "0.0.0.0/0");
    EXPECT_TRUE(d["dns"].IsObject());
    EXPECT_TRUE(contains(ip_in("c1", "-4 -o addr show dev eth0"), "inet 10.10.0.2/24"));
    EXPECT_TRUE(contains(ip_in("c1", "route show default"), "default via 10.10.0.1 dev eth0"));
    EXPECT_EQ(nft_containers(), "10.10.0.2");
}

TEST_F(CniTest, AddResultFor040SaysIpVersionAndHonoursIfname) {
    RunResult r = cni("ADD", "c1", config("0.4.0"), "-", "net1");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    auto d = parse(r.out);
    EXPECT_STREQ(d["cniVersion"].GetString(), "0.4.0");
    EXPECT_STREQ(d["ips"][0]["version"].GetString(), "4");
    EXPECT_STREQ(d["interfaces"][2]["name"].GetString(), "net1");
    EXPECT_TRUE(contains(ip_in("c1", "-4 -o addr show dev net1"), "inet 10.10.0.2/24"));
}

TEST_F(CniTest, ErrorsCarryTheSpecsCodes) {
    RunResult r = cni("ADD", "c1", config("0.3.1"));
    EXPECT_EQ(r.exit_code, 1);
    auto d = parse(r.out);
    ASSERT_TRUE(d.IsObject()) << r.out;
    EXPECT_EQ(d["code"].GetInt(), 1);
    EXPECT_STREQ(d["msg"].GetString(), "incompatible CNI version");
    EXPECT_TRUE(contains(d["details"].GetString(), "0.3.1"));

    r = cni("ADD", "c1", config(), "");  // no CNI_NETNS
    EXPECT_EQ(parse(r.out)["code"].GetInt(), 4) << r.out;
    r = cni("ADD", "c1", "{not json");
    EXPECT_EQ(parse(r.out)["code"].GetInt(), 6) << r.out;
    r = cni("ADD", "c1", config("1.0.0", R"("gateway":"10.99.0.1")"));
    EXPECT_EQ(parse(r.out)["code"].GetInt(), 7) << r.out;
    r = cni("ADD", "c1", config("1.0.0", R"("ipam":{"type":"host-local"})"));
    EXPECT_EQ(parse(r.out)["code"].GetInt(), 2) << r.out;
    r = cni("ADD", "c1", config(), "/nonexistent/netns");
    EXPECT_EQ(parse(r.out)["code"].GetInt(), 3) << r.out;
    EXPECT_EQ(lease_count(), 0u);
}

TEST_F(CniTest, CheckPassesThenFindsAMissingAddress) {
    RunResult add = cni("ADD", "c1", config());
    ASSERT_EQ(add.exit_code, 0) << add.out;
    std::string with_prev = config("1.0.0", "\"prevResult\":" + add.out);
    RunResult r = cni("CHECK", "c1", with_prev);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(r.out, "");

    r = cni("CHECK", "c1", config());  // no prevResult
    EXPECT_EQ(parse(r.out)["code"].GetInt(), 7) << r.out;

    run_cmd({"nsenter", "--net=" + container("c1").netns_path(), "ip", "addr", "flush", "dev", "eth0"});
    r = cni("CHECK", "c1", with_prev);
    EXPECT_EQ(r.exit_code, 1);
    auto d = parse(r.out);
    EXPECT_EQ(d["code"].GetInt(), 101) << r.out;
    EXPECT_TRUE(contains(d["msg"].GetString(), "interface \"eth0\" does not hold 10.10.0.2/24")) << r.out;
}

TEST_F(CniTest, DelTwiceAndDelWithTheNamespaceGoneFreeEverything) {
    ASSERT_EQ(cni("ADD", "c1", config()).exit_code, 0);
    ASSERT_EQ(cni("ADD", "c2", config()).exit_code, 0);
    RunResult r = cni("DEL", "c1", config());
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(cni("DEL", "c1", config()).exit_code, 0);
    EXPECT_EQ(nft_containers(), "10.10.0.3");

    std::string ns = container("c2").netns_path();
    containers_["c2"]->stop();  // the namespace is gone, and the manager lost its cached result
    r = cni("DEL", "c2", config(), ns);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    r = cni("DEL", "c2", config(), "");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(lease_count(), 0u);
    EXPECT_EQ(nft_containers(), "");
    EXPECT_EQ(gk_links(), "");
}

TEST_F(CniTest, PortMappingsArePublishedUntilDel) {
    std::string pm = R"("runtimeConfig":{"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}]})";
    RunResult r = cni("ADD", "web", config("1.1.0", pm));
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    auto d = parse(r.out);
    ASSERT_TRUE(d.IsObject() && d.HasMember("ips")) << r.out;
    EXPECT_STREQ(d["ips"][0]["address"].GetString(), "10.10.0.2/24");
    EXPECT_TRUE(contains(admin("ls").out, "8080:80/tcp")) << admin("ls").out;

    ASSERT_EQ(run_cmd({"ip", "link", "set", "lo", "up"}).exit_code, 0);  // the "host" namespace's own
    int srv = serve(container("web").netns_path(), SOCK_STREAM, 80);
    ASSERT_GE(srv, 0);
    // From the host, on 127.0.0.1 (masqueraded to the gateway) and on the gateway address.
    EXPECT_EQ(tcp_via("", "127.0.0.1", 8080, srv), "10.10.0.1");
    EXPECT_EQ(tcp_via("", "10.10.0.1", 8080, srv), "10.10.0.1");
    // The host port is taken: a second container asking for it is refused, naming the owner.
    r = cni("ADD", "other", config("1.1.0", pm));
    EXPECT_NE(r.exit_code, 0);
    auto e = parse(r.out);
    ASSERT_TRUE(e.IsObject() && e.HasMember("msg")) << r.out;
    EXPECT_TRUE(contains(e["msg"].GetString(), "already published by container \"web\"")) << r.out;
    EXPECT_EQ(admin("check").out, "ok\n");
    // check names a map element no lease publishes, and a lease's port missing from the map.
    ASSERT_EQ(nft_run("add element ip gocker ports { udp . 9999 : 10.10.0.9 . 99 }"), "ok");
    ASSERT_EQ(nft_run("delete element ip gocker ports { tcp . 8080 : 10.10.0.2 . 80 }"), "ok");
    std::string check = admin("check").out;
    EXPECT_TRUE(
        contains(check, "warning: nftables map ip gocker ports udp . 9999 : 10.10.0.9 . 99: no lease publishes it"))
        << check;
    EXPECT_TRUE(contains(check,
                         "(container web): published port missing from nftables map ip gocker ports tcp . 8080 : "
                         "10.10.0.2 . 80"))
        << check;
    ASSERT_EQ(nft_run("delete element ip gocker ports { udp . 9999 : 10.10.0.9 . 99 }"), "ok");
    ASSERT_EQ(nft_run("add element ip gocker ports { tcp . 8080 : 10.10.0.2 . 80 }"), "ok");
    EXPECT_EQ(admin("check").out, "ok\n");

    r = cni("DEL", "web", config("1.1.0", pm));
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(tcp_via("", "127.0.0.1", 8080, srv), "error: connect: Connection refused");
    EXPECT_FALSE(contains(nft_run("list map ip gocker ports"), "8080")) << nft_run("list map ip gocker ports");
    ::close(srv);
}

TEST_F(CniTest, PortMappingsWorkInVethModeAndAreRefusedInModeNone) {
    std::string pm = R"("runtimeConfig":{"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}]})";
    RunResult r = cni("ADD", "web", config("1.1.0", R"("mode":"veth",)" + pm, "pair", "10.0.0.0/24"));
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    ASSERT_EQ(run_cmd({"ip", "link", "set", "lo", "up"}).exit_code, 0);
    int srv = serve(container("web").netns_path(), SOCK_STREAM, 80);
    ASSERT_GE(srv, 0);
    EXPECT_EQ(tcp_via("", "127.0.0.1", 8080, srv), "10.0.0.1");
    EXPECT_EQ(tcp_via("", "10.0.0.1", 8080, srv), "10.0.0.1");
    EXPECT_EQ(cni("DEL", "web", config("1.1.0", R"("mode":"veth",)" + pm, "pair", "10.0.0.0/24")).exit_code, 0);
    EXPECT_EQ(tcp_via("", "127.0.0.1", 8080, srv), "error: connect: Connection refused");
    ::close(srv);

    r = cni("ADD", "c2", config("1.1.0", R"("mode":"none",)" + pm, "nothing"));
    EXPECT_NE(r.exit_code, 0);
    EXPECT_TRUE(contains(r.out, "is of mode none")) << r.out;
}

TEST_F(CniTest, StatusSaysWhetherAddCanWork) {
    std::string small = config("1.1.0", "", "small", "10.11.0.0/30");  // room for one container
    RunResult r = cni("STATUS", "", small, "", "");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    ASSERT_EQ(cni("ADD", "c1", small).exit_code, 0);
    r = cni("STATUS", "", small, "", "");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(parse(r.out)["code"].GetInt(), 50) << r.out;
    r = cni("STATUS", "", config("1.0.0"), "", "");
    EXPECT_EQ(parse(r.out)["code"].GetInt(), 1) << r.out;
}

TEST_F(CniTest, GcFreesWhatValidAttachmentsDoNotName) {
    for (const char* id : {"c1", "c2", "c3"}) ASSERT_EQ(cni("ADD", id, config("1.1.0")).exit_code, 0);
    std::string veth2 = ip("-o link show master gkcni0 | sed -n 2p | cut -d' ' -f2 | cut -d@ -f1");
    RunResult r = cni("GC", "",
                      config("1.1.0", R"("cni.dev/valid-attachments":[{"containerID":"c1","ifname":"eth0"},)"
                                      R"({"containerID":"c3","ifname":"eth0"}])"),
                      "", "");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(nft_containers(), "10.10.0.2 10.10.0.4");
    EXPECT_EQ(lease_count(), 2u);
    EXPECT_FALSE(std::filesystem::exists(root_ + "/cnitest/10.10.0.3"));
    EXPECT_EQ(ip_in("c2", "-o link show dev eth0"), "");
    EXPECT_TRUE(contains(ip_in("c3", "-4 -o addr show dev eth0"), "10.10.0.4/24"));
}

TEST_F(CniTest, IpsCapabilityGivesTheRequestedAddress) {
    RunResult r = cni("ADD", "c1", config("1.0.0", R"("runtimeConfig":{"ips":["10.10.0.9/24"]})"));
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_STREQ(parse(r.out)["ips"][0]["address"].GetString(), "10.10.0.9/24");
    EXPECT_TRUE(contains(ip_in("c1", "-4 -o addr show dev eth0"), "10.10.0.9/24"));
    r = cni("ADD", "c2", config("1.0.0", R"("runtimeConfig":{"ips":["10.10.0.9"]})"));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(contains(r.out, "use requested address 10.10.0.9: leased to container \\\"c1\\\"")) << r.out;
    r = cni("ADD", "c2", config("1.0.0", R"("runtimeConfig":{"ips":["10.99.0.9/24"]})"));
    EXPECT_EQ(parse(r.out)["code"].GetInt(), 7) << r.out;
    EXPECT_EQ(lease_count(), 1u);
    EXPECT_EQ(ip_in("c2", "-o link show dev eth0"), "");
}

TEST_F(CniTest, ExhaustedSlash29PoolIsAnErrorThatLeavesNothing) {
    std::string small = config("1.0.0", "", "small", "10.12.0.0/29");
    for (int i = 1; i <= 5; ++i) ASSERT_EQ(cni("ADD", "c" + std::to_string(i), small).exit_code, 0) << i;
    std::string links = gk_links();
    RunResult r = cni("ADD", "c6", small);
    EXPECT_EQ(r.exit_code, 1);
    auto d = parse(r.out);
    EXPECT_EQ(d["code"].GetInt(), 100);
    EXPECT_STREQ(d["msg"].GetString(),
                 "ADD c6 eth0: no free address in subnet 10.12.0.0/29 of network \"small\" "
                 "(5 leased, 1 gateway)");
    EXPECT_EQ(lease_count("small"), 5u);
    EXPECT_EQ(gk_links(), links);
}

// A chain as a manager runs it: gocker-net, then the reference `tuning` plugin with prevResult.
TEST_F(CniTest, ChainsWithTheReferenceTuningPlugin) {
    const std::string tuning = "/usr/lib/cni/tuning";
    if (::access(tuning.c_str(), X_OK) != 0)
        GTEST_SKIP() << tuning << " is missing: install containernetworking-plugins (scripts/install-deps)";
    RunResult add = cni("ADD", "c1", config());
    ASSERT_EQ(add.exit_code, 0) << add.out;
    std::string tcfg = R"({"cniVersion":"1.0.0","name":"cnitest","type":"tuning","mtu":1400,"dataDir":")" + tmp_ +
                       R"(/tuning","prevResult":)" + add.out + "}";
    RunResult r = cni("ADD", "c1", tcfg, "-", "eth0", tuning);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    auto d = parse(r.out);
    ASSERT_TRUE(d.IsObject()) << r.out;
    EXPECT_STREQ(d["ips"][0]["address"].GetString(), "10.10.0.2/24") << r.out;
    EXPECT_TRUE(contains(ip_in("c1", "-o link show dev eth0"), "mtu 1400"));
    EXPECT_EQ(cni("CHECK", "c1", config("1.0.0", "\"prevResult\":" + r.out)).exit_code, 0);
    EXPECT_EQ(cni("DEL", "c1", tcfg, "-", "eth0", tuning).exit_code, 0);
    EXPECT_EQ(cni("DEL", "c1", config()).exit_code, 0);
    EXPECT_EQ(lease_count(), 0u);
}

}  // namespace
}  // namespace gocker::test
