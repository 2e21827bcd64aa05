// gocker-net's crash safety, concurrency, admin commands (ls, gc, check) and the none/veth modes.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/time.h>

#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "net/net_fixture.hpp"
#include "spec/config_io.hpp"

namespace gocker::test {
namespace {

namespace fs = std::filesystem;

// A failure or a SIGKILL at each step of ADD is the net part of the fault walk
// (tests/faults/net_fault_walk.cpp), on a build with fault points; the shipped build has none.
TEST_F(CniTest, ShippedBinaryIgnoresTheFaultVariable) {
    RunResult r = cni("ADD", "c1", config(), "-", "eth0", GOCKER_NET_BINARY, {"GOCKER_FAULT=net.add.lease:kill"});
    EXPECT_EQ(r.exit_code, 0) << r.out;
}

TEST_F(CniTest, KilledNetnsHolderWithoutDelIsFreedByGc) {
    ASSERT_EQ(cni("ADD", "c1", config()).exit_code, 0);
    ASSERT_EQ(cni("ADD", "c2", config()).exit_code, 0);
    RunResult ls = admin("ls");
    EXPECT_TRUE(contains(ls.out, "network cnitest: mode bridge, subnet 10.10.0.0/24, gateway 10.10.0.1, bridge gkcni0"))
        << ls.out;
    EXPECT_TRUE(contains(ls.out, "c1 ")) << ls.out;
    EXPECT_TRUE(contains(ls.out, "10.10.0.2       active")) << ls.out;

    containers_["c1"]->stop();  // kill -9 of the namespace's only process: the kernel drops the veth
    for (int i = 0; i < 100 && contains(admin("ls").out, "10.10.0.2       active"); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_TRUE(contains(admin("ls").out, "10.10.0.2       stale")) << admin("ls").out;
    RunResult gc = admin("gc");
    EXPECT_EQ(gc.exit_code, 0) << gc.err;
    EXPECT_EQ(gc.out, "freed 10.10.0.2 of container c1 (eth0, veth gone) on network cnitest\n");
    EXPECT_EQ(nft_containers(), "10.10.0.3");
    EXPECT_EQ(lease_count(), 1u);
    EXPECT_EQ(admin("gc").out, "");
}

TEST_F(CniTest, FiftyConcurrentAddsGetDistinctAddressesAndFiftyDelsLeaveNothing) {
    constexpr int kN = 50;
    std::ofstream(tmp_ + "/cfg") << config();
    std::string adds, dels;
    for (int i = 0; i < kN; ++i) {
        std::string id = "p" + std::to_string(i);
        std::string env = "CNI_CONTAINERID=" + id + " CNI_IFNAME=eth0 CNI_NETNS=" + container(id).netns_path();
        adds += "CNI_COMMAND=ADD " + env + " " GOCKER_NET_BINARY " <" + tmp_ + "/cfg >" + tmp_ + "/out." + id + " & ";
        dels += "CNI_COMMAND=DEL " + env + " " GOCKER_NET_BINARY " <" + tmp_ + "/cfg || echo FAIL & ";
    }
    RunResult r = run_cmd({"sh", "-c", adds + "wait"}, "", 120000);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::set<std::string> addresses;
    for (int i = 0; i < kN; ++i) {
        auto out = read_whole_file(tmp_ + "/out.p" + std::to_string(i));
        ASSERT_TRUE(out && contains(*out, "\"address\":\"10.10.0.")) << i << ": " << (out ? *out : "");
        size_t p = out->find("\"address\":\"") + 11;
        addresses.insert(out->substr(p, out->find('"', p) - p));
    }
    EXPECT_EQ(addresses.size(), size_t{kN});
    EXPECT_EQ(lease_count(), size_t{kN});
    std::istringstream elems(nft_containers());
    EXPECT_EQ(std::distance(std::istream_iterator<std::string>(elems), std::istream_iterator<std::string>()), kN);

    r = run_cmd({"sh", "-c", dels + "wait"}, "", 120000);
    EXPECT_FALSE(contains(r.out, "FAIL")) << r.out << r.err;
    EXPECT_EQ(nft_containers(), "");  // gone before DEL returns; the veths and leases, once the deleters are done
    settle();
    EXPECT_EQ(lease_count(), 0u);
    EXPECT_EQ(gk_links(), "");
    EXPECT_EQ(nft_containers(), "");
}

TEST_F(CniTest, CheckWarnsAboutAForwardDropChainAndStrayState) {
    ASSERT_EQ(cni("ADD", "c1", config()).exit_code, 0);
    RunResult r = admin("check");
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(r.out, "ok\n");

    // As iptables-nft (Docker, ufw) leaves it: a FORWARD chain with policy drop.
    ASSERT_NE(nft_run("add table ip filter\n"
                      "add chain ip filter FORWARD { type filter hook forward priority filter; policy drop; }\n"),
              "");
    ASSERT_NE(nft_run("add element ip gocker containers { 10.10.0.77 }"), "");
    run_cmd({"ip", "link", "set", "gkcni0", "down"});
    ASSERT_EQ(run_cmd({"ip", "link", "add", "gkabcdef012", "type", "veth", "peer", "name", "x0"}).exit_code, 0);
    r = admin("check");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(contains(r.out,
                         "warning: nftables chain ip filter FORWARD (hook forward, policy drop) drops the "
                         "containers' forwarded traffic"))
        << r.out;
    EXPECT_TRUE(contains(r.out, "warning: nftables set ip gocker containers holds 10.10.0.77, which no lease names"))
        << r.out;
    EXPECT_TRUE(contains(r.out, "warning: network cnitest: bridge gkcni0 is down")) << r.out;
    EXPECT_TRUE(contains(r.out, "warning: veth gkabcdef012 looks like gocker-net's but no lease names it")) << r.out;

    // A rule that lets the bridge's traffic through answers the first warning.
    ASSERT_NE(nft_run("add rule ip filter FORWARD iifname \"gkcni0\" accept"), "");
    EXPECT_FALSE(contains(admin("check").out, "policy drop")) << admin("check").out;
}

TEST_F(CniTest, NoneModeOnlySetsLoUp) {
    std::string none = config("1.0.0", R"("mode":"none")", "nonet");
    RunResult r = cni("ADD", "c1", none);
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(r.out, "{\"cniVersion\":\"1.0.0\",\"interfaces\":[],\"ips\":[],\"routes\":[],\"dns\":{}}\n");
    EXPECT_TRUE(contains(ip_in("c1", "-o link show dev lo"), "UP"));
    EXPECT_EQ(ip_in("c1", "-o link | grep -v ': lo:'"), "");
    EXPECT_EQ(gk_links(), "");
    EXPECT_EQ(cni("DEL", "c1", none).exit_code, 0);
}

TEST_F(CniTest, VethModeIsAPointToPointPairWithMasquerade) {
    std::string veth = config("1.0.0", R"("mode":"veth")", "pair", "10.0.0.0/24");
    RunResult r = cni("ADD", "c1", veth);
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_TRUE(contains(ip_in("c1", "-4 -o addr show dev eth0"), "inet 10.0.0.2/24"));
    EXPECT_TRUE(contains(ip_in("c1", "route show default"), "default via 10.0.0.1 dev eth0"));
    std::string hostveth = gk_links();
    ASSERT_EQ(hostveth.size(), 12u) << hostveth;  // one "gk..." link and a newline
    hostveth.pop_back();
    EXPECT_TRUE(contains(ip("-4 -o addr show dev " + hostveth), "inet 10.0.0.1 peer 10.0.0.2/32")) << ip("addr");
    EXPECT_EQ(ip("-o link show type bridge"), "");
    EXPECT_EQ(nft_containers(), "10.0.0.2");

    // The host reaches the container over the pair.
    int srv = socket_in(container("c1").netns_path(), SOCK_STREAM);
    ASSERT_GE(srv, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(5001);
    ASSERT_EQ(::bind(srv, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ASSERT_EQ(::listen(srv, 1), 0);
    int cli = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    timeval tv{5, 0};
    ::setsockopt(cli, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    ::inet_pton(AF_INET, "10.0.0.2", &a.sin_addr);
    EXPECT_EQ(::connect(cli, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << std::strerror(errno);
    ::close(cli);
    ::close(srv);

    // A second container on the same veth network gets the next address and its own pair.
    ASSERT_EQ(cni("ADD", "c2", veth).exit_code, 0);
    EXPECT_TRUE(contains(ip_in("c2", "-4 -o addr show dev eth0"), "inet 10.0.0.3/24"));
    EXPECT_EQ(cni("DEL", "c1", veth).exit_code, 0);
    EXPECT_EQ(cni("DEL", "c2", veth).exit_code, 0);
    EXPECT_EQ(gk_links(), "");
    EXPECT_EQ(nft_containers(), "");
}

}  // namespace
}  // namespace gocker::test

namespace gocker::test {
namespace {

// The OCI hook face picks the mode from the annotation gocker.net.mode.
class HookModes : public CniTest {
protected:
    RunResult hook(const std::string& phase, const std::string& id, const std::string& mode) {
        std::string bundle = tmp_ + "/bundle";
        if (!fs::exists(bundle + "/config.json")) {
            fs::create_directories(bundle);
            EXPECT_TRUE(write_file_atomic(bundle + "/config.json", spec::config_to_json(spec::default_config())));
        }
        int pid = phase == "createRuntime" ? container(id).pid() : 0;
        std::string state = R"({"ociVersion":"1.3.0","id":")" + id + R"(","status":"creating","pid":)" +
                            std::to_string(pid) + R"(,"bundle":")" + bundle +
                            R"(","annotations":{"gocker.net.mode":")" + mode + R"("}})";
        return run_cmd({GOCKER_NET_BINARY, "--root", root_, phase}, state, 20000);
    }
};

TEST_F(HookModes, NoneAndVethChosenByAnnotation) {
    RunResult r = hook("createRuntime", "n1", "none");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(ip_in("n1", "-o link show dev lo"), "UP"));
    EXPECT_EQ(ip_in("n1", "-o link | grep -v ': lo:'"), "");
    EXPECT_EQ(hook("poststop", "n1", "none").exit_code, 0);

    r = hook("createRuntime", "v1", "veth");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(ip_in("v1", "-4 -o addr show dev eth0"), "inet 10.0.0.2/24"));
    EXPECT_TRUE(contains(ip("-4 -o addr"), "inet 10.0.0.1 peer 10.0.0.2/32")) << ip("addr");
    EXPECT_TRUE(fs::exists(root_ + "/gocker-veth/10.0.0.2"));
    EXPECT_EQ(hook("poststop", "v1", "veth").exit_code, 0);
    EXPECT_EQ(gk_links(), "");

    r = hook("createRuntime", "x1", "macvlan");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(
        r.err,
        "gocker-net: annotation gocker.net.mode: invalid network mode \"macvlan\": expected bridge, veth or none\n");
}

}  // namespace
}  // namespace gocker::test
