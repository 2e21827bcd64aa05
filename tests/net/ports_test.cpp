// Published ports, egress NAT and the container's hosts file, end to end: the test's namespace
// plays the host, one more plays the outside world behind an uplink veth (TEST-NET-1:
// host 192.0.2.1, outside 192.0.2.2), containers are processes in fresh namespaces.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/time.h>

#include <chrono>
#include <set>

#include "net/net_hook_fixture.hpp"

namespace gocker::test {
namespace {

constexpr const char* kHostUplink = "192.0.2.1";
constexpr const char* kOutside = "192.0.2.2";

void set_timeouts(int fd, int seconds) {
    timeval tv{seconds, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

sockaddr_in addr_of(const std::string& ip, int port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
    return a;
}

std::string ip_of(const sockaddr_in& a) {
    char text[16] = "";
    ::inet_ntop(AF_INET, &a.sin_addr, text, sizeof text);
    return text;
}

// A socket in `ns` ("" = the host, this process's namespace).
int sock(const std::string& ns, int type) {
    int s = ns.empty() ? ::socket(AF_INET, type | SOCK_CLOEXEC, 0) : socket_in(ns, type);
    if (s >= 0) set_timeouts(s, 3);
    return s;
}

// A server socket on `port` in `ns` (TCP: listening); -1 on failure.
int serve(const std::string& ns, int type, int port) {
    int s = sock(ns, type);
    int one = 1;
    ::setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in any = addr_of("0.0.0.0", port);
    if (s < 0 || ::bind(s, reinterpret_cast<sockaddr*>(&any), sizeof any) != 0 ||
        (type == SOCK_STREAM && ::listen(s, 64) != 0)) {
        if (s >= 0) ::close(s);
        return -1;
    }
    return s;
}

// Connects from `from_ns` to ip:port, is accepted by `server`, sends "ping" and gets "pong" back.
// Returns the client address the server saw, or "error: ..." when something did not go through.
std::string tcp_via(const std::string& from_ns, const std::string& ip, int port, int server) {
    int c = sock(from_ns, SOCK_STREAM);
    sockaddr_in to = addr_of(ip, port);
    if (c < 0) return "error: socket";
    std::string result;
    if (::connect(c, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
        result = std::string("error: connect: ") + std::strerror(errno);
    } else {
        sockaddr_in peer{};
        socklen_t len = sizeof peer;
        int conn = ::accept4(server, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC);
        char buf[8] = "";
        if (conn < 0) {
            result = "error: not accepted";
        } else {
            set_timeouts(conn, 3);
            bool ok = ::send(c, "ping", 4, MSG_NOSIGNAL) == 4 && ::recv(conn, buf, 4, MSG_WAITALL) == 4 &&
                      std::string(buf, 4) == "ping" && ::send(conn, "pong", 4, MSG_NOSIGNAL) == 4 &&
                      ::recv(c, buf, 4, MSG_WAITALL) == 4 && std::string(buf, 4) == "pong";
            result = ok ? ip_of(peer) : "error: no data";
            ::close(conn);
        }
    }
    ::close(c);
    return result;
}

// One datagram from `from_ns` to ip:port and its answer, which must come back from ip:port.
std::string udp_via(const std::string& from_ns, const std::string& ip, int port, int server) {
    int c = sock(from_ns, SOCK_DGRAM);
    sockaddr_in to = addr_of(ip, port);
    std::string result = "error: udp";
    char buf[8] = "";
    sockaddr_in peer{};
    socklen_t len = sizeof peer;
    if (c >= 0 && ::connect(c, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0 && ::send(c, "ping", 4, 0) == 4 &&
        ::recvfrom(server, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&peer), &len) == 4 &&
        ::sendto(server, "pong", 4, 0, reinterpret_cast<sockaddr*>(&peer), len) == 4 &&
        ::recv(c, buf, sizeof buf, 0) == 4 && std::string(buf, 4) == "pong")
        result = ip_of(peer);
    if (c >= 0) ::close(c);
    return result;
}

class Ports : public NetHook {
protected:
    void SetUp() override {
        NetHook::SetUp();
        ASSERT_GT(outside_.pid(), 0);
        std::string out = "nsenter --net=" + outside_.netns_path() + " ";
        for (const std::string& cmd : std::vector<std::string>{
                 "ip link set lo up", "ip link add up0 type veth peer name eth0 netns " + std::to_string(outside_.pid()),
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
        return nft_list("ruleset") + "\n--\n" + ip("-o link | cut -d: -f2") + "\n--\n" +
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
    EXPECT_EQ(r.err, "gocker-net: createRuntime late: publish 8080:81/tcp: host port 0.0.0.0:8080/tcp is already "
                     "published by container \"web\" (8080:80/tcp to 10.0.0.2)\n");
    EXPECT_EQ(snapshot(), before);
    EXPECT_EQ(ip_in("late", "-o link show dev eth0"), "");
    r = hook("createRuntime", "late", ports("192.0.2.1:8080:80"));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(contains(r.err, "is already published by container \"web\"")) << r.err;
    EXPECT_EQ(snapshot(), before);
    r = hook("createRuntime", "late", ports("8080:80,8080:81"));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, "gocker-net: createRuntime late: annotation gocker.net.ports: published ports \"8080:80/tcp\" "
                     "and \"8080:81/tcp\" both take host port 0.0.0.0:8080/tcp\n");
    EXPECT_EQ(snapshot(), before);
    // The same number over udp is another port.
    r = hook("createRuntime", "late", ports("8080:80/udp"));
    EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(Ports, PoststopAndReclaimTakeTheMappingsAway) {
    ASSERT_EQ(hook("createRuntime", "web", ports("8080:80")).exit_code, 0);
    ASSERT_EQ(hook("poststop", "web").exit_code, 0);
    EXPECT_FALSE(contains(nft_list("map ip gocker ports"), "8080")) << nft_list("map ip gocker ports");

    // A container that dies without poststop: the next ADD reclaims its lease and its port; the
    // container that gets its address does not inherit the mapping.
    ASSERT_EQ(hook("createRuntime", "dead", ports("8080:80")).exit_code, 0);
    containers_["dead"]->stop();
    for (int i = 0; i < 100 && lease_count("gocker") && contains(ip("-o link"), "master gocker0"); ++i)
        ::usleep(50000);
    RunResult r = hook("createRuntime", "next");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(lease("gocker", "10.0.0.2"), R"("container":"next")"));
    EXPECT_FALSE(contains(nft_list("map ip gocker ports"), "8080")) << nft_list("map ip gocker ports");
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
