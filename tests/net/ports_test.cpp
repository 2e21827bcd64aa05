// Published ports, egress NAT and the container's hosts file, end to end: the test's namespace
// plays the host, one more plays the outside world behind an uplink veth (TEST-NET-1:
// host 192.0.2.1, outside 192.0.2.2), containers are processes in fresh namespaces.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/time.h>

#include <chrono>
#include <set>

#include "net/net_fixture.hpp"
#include "net/socket_probe.hpp"

namespace gocker::test {
namespace {

constexpr const char* kHostUplink = "192.0.2.1";
constexpr const char* kOutside = "192.0.2.2";

class Ports : public NetHook {
protected:
    void SetUp() override {
        NetHook::SetUp();
        ASSERT_GT(outside_.pid(), 0);
        std::string out = "nsenter --net=" + outside_.netns_path() + " ";
        for (const std::string& cmd : std::vector<std::string>{
                 "ip link set lo up",
                 "ip link add up0 type veth peer name eth0 netns " + std::to_string(outside_.pid()),
                 "ip addr add 192.0.2.1/24 dev up0", "ip link set up0 up", out + "ip addr add 192.0.2.2/24 dev eth0",
                 out + "ip link set eth0 up", out + "ip link set lo up"}) {
            RunResult r = run_cmd({"sh", "-c", cmd});
            ASSERT_EQ(r.exit_code, 0) << cmd << ": " << r.err;
        }
    }
    std::string ns(const std::string& id) { return container(id).netns_path(); }
    std::string ports(const std::string& spec) { return R"({"gocker.net.ports":")" + spec + R"("})"; }
    // What a refused or finished call must leave as it was.
    std::string snapshot() {
        return nft_run("list ruleset") + "\n--\n" + ip("-o link | cut -d: -f2") + "\n--\n" +
               run_cmd({"sh", "-c", "cd " + root_ + " && for f in */*; do echo \"$f: $(cat $f)\"; done"}).out;
    }
    NetnsProcess outside_;
};

TEST_F(Ports, EgressIsMasqueradedToTheUplinkAddress) {
    ASSERT_EQ(hook("createRuntime", "c1").exit_code, 0);
    int srv = serve(outside_.netns_path(), SOCK_STREAM, 7000);
    ASSERT_GE(srv, 0);
    EXPECT_EQ(tcp_via(ns("c1"), kOutside, 7000, srv), kHostUplink);
    ::close(srv);
}

TEST_F(Ports, PublishedPortAnswersFromOutsideTheHostOtherContainersAndItself) {
    RunResult r = hook("createRuntime", "web", ports("8080:80,5353:53/udp"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_EQ(hook("createRuntime", "other").exit_code, 0);
    EXPECT_TRUE(contains(lease("gocker", "10.0.0.2"), R"("ports":["8080:80/tcp","5353:53/udp"])"))
        << lease("gocker", "10.0.0.2");
    int srv = serve(ns("web"), SOCK_STREAM, 80);
    ASSERT_GE(srv, 0);

    // From outside: DNAT only, the container sees the real client.
    EXPECT_EQ(tcp_via(outside_.netns_path(), kHostUplink, 8080, srv), kOutside);
    // From the host itself, on each of its addresses (127.0.0.1 is masqueraded to the gateway).
    EXPECT_EQ(tcp_via("", "127.0.0.1", 8080, srv), "10.0.0.1");
    EXPECT_EQ(tcp_via("", kHostUplink, 8080, srv), kHostUplink);
    EXPECT_EQ(tcp_via("", "10.0.0.1", 8080, srv), "10.0.0.1");
    // From another container, twice (no ICMP redirect may send the second one astray), and from
    // the container itself (hairpin): masqueraded, so that the answer comes back through the host.
    for (int i = 0; i < 2; ++i) {
        EXPECT_EQ(tcp_via(ns("other"), kHostUplink, 8080, srv), "10.0.0.1") << i;
        EXPECT_EQ(tcp_via(ns("other"), "10.0.0.1", 8080, srv), "10.0.0.1") << i;
        EXPECT_EQ(tcp_via(ns("web"), kHostUplink, 8080, srv), "10.0.0.1") << i;
    }
    // Another port of the host is not forwarded.
    EXPECT_EQ(tcp_via(outside_.netns_path(), kHostUplink, 8081, srv), "error: connect: Connection refused");
    ::close(srv);

    int udp = serve(ns("web"), SOCK_DGRAM, 53);
    ASSERT_GE(udp, 0);
    EXPECT_EQ(udp_via(outside_.netns_path(), kHostUplink, 5353, udp), kOutside);
    ::close(udp);
}

TEST_F(Ports, PortOnOneHostAddressAnswersOnlyThere) {
    ASSERT_EQ(hook("createRuntime", "web", ports("192.0.2.1:8080:80")).exit_code, 0);
    int srv = serve(ns("web"), SOCK_STREAM, 80);
    ASSERT_GE(srv, 0);
    EXPECT_EQ(tcp_via(outside_.netns_path(), kHostUplink, 8080, srv), kOutside);
    EXPECT_EQ(tcp_via("", "127.0.0.1", 8080, srv), "error: connect: Connection refused");
    ::close(srv);
}

TEST_F(Ports, ASecondPublishOfAHostPortIsRefusedWithNothingChanged) {
    ASSERT_EQ(hook("createRuntime", "web", ports("8080:80")).exit_code, 0);
    std::string before = snapshot();
    RunResult r = hook("createRuntime", "late", ports("9090:90,8080:81"));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err,
              "gocker-net: createRuntime late: publish 8080:81/tcp: host port 0.0.0.0:8080/tcp is already "
              "published by container \"web\" (8080:80/tcp to 10.0.0.2)\n");
    EXPECT_EQ(snapshot(), before);
    EXPECT_EQ(ip_in("late", "-o link show dev eth0"), "");
    r = hook("createRuntime", "late", ports("192.0.2.1:8080:80"));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(contains(r.err, "is already published by container \"web\"")) << r.err;
    EXPECT_EQ(snapshot(), before);
    r = hook("createRuntime", "late", ports("8080:80,8080:81"));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err,
              "gocker-net: createRuntime late: annotation gocker.net.ports: published ports \"8080:80/tcp\" "
              "and \"8080:81/tcp\" both take host port 0.0.0.0:8080/tcp\n");
    EXPECT_EQ(snapshot(), before);
    // The same number over udp is another port.
    r = hook("createRuntime", "late", ports("8080:80/udp"));
    EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(Ports, PoststopAndReclaimTakeTheMappingsAway) {
    ASSERT_EQ(hook("createRuntime", "web", ports("8080:80")).exit_code, 0);
    ASSERT_EQ(hook("poststop", "web").exit_code, 0);
    EXPECT_FALSE(contains(nft_run("list map ip gocker ports"), "8080")) << nft_run("list map ip gocker ports");

    // A container that dies without poststop: the next ADD reclaims its lease and its port; the
    // container that gets its address does not inherit the mapping.
    ASSERT_EQ(hook("createRuntime", "dead", ports("8080:80")).exit_code, 0);
    containers_["dead"]->stop();
    for (int i = 0; i < 100 && lease_count("gocker") && contains(ip("-o link"), "master gocker0"); ++i) ::usleep(50000);
    RunResult r = hook("createRuntime", "next");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(lease("gocker", "10.0.0.2"), R"("container":"next")"));
    EXPECT_FALSE(contains(nft_run("list map ip gocker ports"), "8080")) << nft_run("list map ip gocker ports");
    int srv = serve(ns("next"), SOCK_STREAM, 80);
    EXPECT_EQ(tcp_via(outside_.netns_path(), kHostUplink, 8080, srv), "error: connect: Connection refused");
    ::close(srv);
    r = hook("createRuntime", "again", ports("8080:80"));
    EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(Ports, TheBundlesHostsFileGetsTheAddressAndHostname) {
    auto cfg = spec::default_config();
    cfg.hostname = "web";
    cfg.mounts.push_back({"/etc/hosts", "hosts", "bind", {"rbind", "ro"}, {}, {}});
    ASSERT_TRUE(write_file_atomic(tmp_ + "/bundle/config.json", spec::config_to_json(cfg)));
    ASSERT_TRUE(write_file_atomic(tmp_ + "/bundle/hosts", "127.0.0.1\tlocalhost\n10.0.0.9\tweb\t# gocker-net\n"));
    RunResult r = hook("createRuntime", "c1");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(*read_whole_file(tmp_ + "/bundle/hosts"), "127.0.0.1\tlocalhost\n10.0.0.2\tweb\t# gocker-net\n");

    // A source outside the bundle directory is never written.
    cfg.mounts.back().source = "../outside-hosts";
    ASSERT_TRUE(write_file_atomic(tmp_ + "/bundle/config.json", spec::config_to_json(cfg)));
    ASSERT_TRUE(write_file_atomic(tmp_ + "/outside-hosts", "x\n"));
    ASSERT_EQ(hook("createRuntime", "c2").exit_code, 0);
    EXPECT_EQ(*read_whole_file(tmp_ + "/outside-hosts"), "x\n");
}

// GOCKER_NET_SCALE=N runs the same with N containers (default 50).
TEST_F(Ports, FiftyContainersWithFiftyWorkingPortsLeaveNothingWhenDeleted) {
    const char* env = std::getenv("GOCKER_NET_SCALE");
    int n = env ? std::atoi(env) : 50;
    ASSERT_TRUE(n > 0 && n < 250);
    ASSERT_EQ(hook("createRuntime", "first").exit_code, 0);
    ASSERT_EQ(hook("poststop", "first").exit_code, 0);
    std::string empty = snapshot();
    auto t0 = std::chrono::steady_clock::now();
    std::set<std::string> addresses;
    for (int i = 0; i < n; ++i) {
        std::string id = "c" + std::to_string(i);
        RunResult r = hook("createRuntime", id, ports(std::to_string(9000 + i) + ":80"));
        ASSERT_EQ(r.exit_code, 0) << id << ": " << r.err;
        addresses.insert(ip_in(id, "-4 -o addr show dev eth0"));
    }
    EXPECT_EQ(addresses.size(), static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
        int srv = serve(ns("c" + std::to_string(i)), SOCK_STREAM, 80);
        ASSERT_GE(srv, 0);
        EXPECT_EQ(tcp_via(outside_.netns_path(), kHostUplink, 9000 + i, srv), kOutside) << i;
        ::close(srv);
    }
    for (int i = 0; i < n; ++i) {
        RunResult r = hook("poststop", "c" + std::to_string(i));
        ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    EXPECT_EQ(snapshot(), empty);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    std::printf("%d containers: ADD, one connection each, DEL in %lld ms\n", n, static_cast<long long>(ms));
}

}  // namespace
}  // namespace gocker::test
