// gocker-net's OCI hook face in bridge mode, driven as a runtime drives it (net_fixture.hpp).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/time.h>

#include <chrono>
#include <thread>

#include "net/net_fixture.hpp"

namespace gocker::test {
namespace {

TEST_F(NetHook, ContainerGetsAddressAndDefaultRouteOnTheBridge) {
    RunResult r = hook("createRuntime", "c1");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "");

    EXPECT_TRUE(contains(ip_in("c1", "-4 -o addr show dev eth0"), "inet 10.0.0.2/24")) << ip_in("c1", "addr");
    EXPECT_TRUE(contains(ip_in("c1", "-o link show dev eth0"), "state UP"));
    EXPECT_TRUE(contains(ip_in("c1", "-o link show dev lo"), "UP"));
    EXPECT_TRUE(contains(ip_in("c1", "route show default"), "default via 10.0.0.1 dev eth0")) << ip_in("c1", "route");

    EXPECT_TRUE(contains(ip("-4 -o addr show dev gocker0"), "inet 10.0.0.1/24")) << ip("addr");
    std::string l = lease("gocker", "10.0.0.2");
    EXPECT_TRUE(contains(l, R"("container":"c1","state":"active")")) << l;
    std::string veth = veth_in_lease(l);
    ASSERT_EQ(veth.size(), 11u) << l;
    EXPECT_EQ(veth.substr(0, 2), "gk");
    EXPECT_TRUE(contains(ip("-o link show master gocker0"), veth + "@")) << ip("link");
    auto forward = read_whole_file("/proc/sys/net/ipv4/ip_forward");
    EXPECT_TRUE(forward && *forward == "1\n");
    EXPECT_TRUE(nft_has_container("10.0.0.2"));
    EXPECT_TRUE(contains(nft_run("list table ip gocker"), "ip saddr @containers ip daddr != @subnets masquerade"))
        << nft_run("list ruleset");
}

TEST_F(NetHook, TwoContainersReachEachOtherOverTheBridge) {
    ASSERT_EQ(hook("createRuntime", "c1").exit_code, 0);
    RunResult r = hook("createRuntime", "c2");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_TRUE(contains(ip_in("c2", "-4 -o addr show dev eth0"), "inet 10.0.0.3/24"));

    int srv = socket_in(container("c2").netns_path(), SOCK_STREAM);
    int cli = socket_in(container("c1").netns_path(), SOCK_STREAM);
    ASSERT_GE(srv, 0);
    ASSERT_GE(cli, 0);
    sockaddr_in any{};
    any.sin_family = AF_INET;
    any.sin_port = htons(5000);
    ASSERT_EQ(::bind(srv, reinterpret_cast<sockaddr*>(&any), sizeof any), 0);
    ASSERT_EQ(::listen(srv, 1), 0);
    timeval tv{5, 0};
    ::setsockopt(cli, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in to = any;
    ::inet_pton(AF_INET, "10.0.0.3", &to.sin_addr);
    EXPECT_EQ(::connect(cli, reinterpret_cast<sockaddr*>(&to), sizeof to), 0) << std::strerror(errno);
    sockaddr_in peer{};
    socklen_t len = sizeof peer;
    int conn = ::accept4(srv, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC);
    EXPECT_GE(conn, 0);
    char text[16] = "";
    ::inet_ntop(AF_INET, &peer.sin_addr, text, sizeof text);
    EXPECT_STREQ(text, "10.0.0.2");  // over the bridge: not masqueraded
    for (int fd : {conn, cli, srv})
        if (fd >= 0) ::close(fd);
}

TEST_F(NetHook, PoststopLeavesNoLinkElementOrLeaseAndRunsTwice) {
    ASSERT_EQ(hook("createRuntime", "c1").exit_code, 0);
    ASSERT_EQ(hook("createRuntime", "c2").exit_code, 0);
    std::string veth = veth_in_lease(lease("gocker", "10.0.0.2"));
    ASSERT_FALSE(veth.empty());

    RunResult r = hook("poststop", "c1");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_FALSE(contains(ip("-o link"), veth));
    EXPECT_EQ(ip_in("c1", "-o link show dev eth0"), "");
    EXPECT_FALSE(nft_has_container("10.0.0.2")) << nft_run("list set ip gocker containers");
    EXPECT_FALSE(fs::exists(root_ + "/gocker/10.0.0.2"));
    // c2 is untouched.
    EXPECT_TRUE(nft_has_container("10.0.0.3"));
    EXPECT_TRUE(contains(ip_in("c2", "-4 -o addr show dev eth0"), "10.0.0.3/24"));

    r = hook("poststop", "c1");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    r = hook("poststop", "never-attached");
    EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(NetHook, ExhaustedPoolIsACleanError) {
    const std::string ann =
        R"({"gocker.net.network":"small","gocker.net.bridge":"gk-small","gocker.net.subnet":"10.1.0.0/29"})";
    for (int i = 1; i <= 5; ++i) {
        RunResult r = hook("createRuntime", "c" + std::to_string(i), ann);
        ASSERT_EQ(r.exit_code, 0) << i << ": " << r.err;
    }
    std::string links_before = ip("-o link show | cut -d: -f2");
    RunResult r = hook("createRuntime", "c6", ann);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err,
              "gocker-net: createRuntime c6: no free address in subnet 10.1.0.0/29 of network \"small\" "
              "(5 leased, 1 gateway)\n");
    EXPECT_EQ(lease_count("small"), 5u);
    EXPECT_EQ(ip_in("c6", "-o link show dev eth0"), "");
    EXPECT_EQ(ip("-o link show | cut -d: -f2"), links_before);
}

TEST_F(NetHook, StaleActiveLeaseIsReclaimedWhenItsVethIsGone) {
    const std::string ann =
        R"({"gocker.net.network":"tiny","gocker.net.bridge":"gk-tiny","gocker.net.subnet":"10.2.0.0/30"})";
    ASSERT_EQ(hook("createRuntime", "dead", ann).exit_code, 0);  // a /30: room for one container
    std::string veth = veth_in_lease(lease("tiny", "10.2.0.2"));
    containers_["dead"]->stop();  // its namespace dies without a poststop; the kernel drops the veth
    for (int i = 0; i < 100 && contains(ip("-o link"), veth); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_FALSE(contains(ip("-o link"), veth));

    RunResult r = hook("createRuntime", "next", ann);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(lease("tiny", "10.2.0.2"), R"("container":"next","state":"active")"));
    EXPECT_TRUE(contains(ip_in("next", "-4 -o addr show dev eth0"), "10.2.0.2/30"));
}

TEST_F(NetHook, StalePendingLeaseIsReclaimedOnlyWhenItsOwnerIsDead) {
    const std::string ann = R"({"gocker.net.network":"p","gocker.net.subnet":"10.3.0.0/29"})";
    // First use records the network; then two pending leases appear as a crashed and a running ADD
    // would leave them: one by a dead process (with its veth left behind), one by a live one.
    ASSERT_EQ(hook("createRuntime", "first", ann).exit_code, 0);
    ASSERT_EQ(hook("poststop", "first", ann).exit_code, 0);
    pid_t dead = ::fork();
    if (dead == 0) ::_exit(0);
    ::waitpid(dead, nullptr, 0);
    ASSERT_EQ(run_cmd({"ip", "link", "add", "gkcrashed0", "type", "veth", "peer", "name", "gkcrashed1"}).exit_code, 0);
    ASSERT_TRUE(write_file_atomic(root_ + "/p/10.3.0.2", R"({"container":"crashed","state":"pending","ownerPid":)" +
                                                             std::to_string(dead) +
                                                             R"(,"ownerStart":1,"veth":"gkcrashed0"})"));
    RunResult r = run_cmd({"sh", "-c", "cut -d' ' -f22 /proc/" + std::to_string(::getpid()) + "/stat"});
    ASSERT_TRUE(write_file_atomic(root_ + "/p/10.3.0.3", R"({"container":"busy","state":"pending","ownerPid":)" +
                                                             std::to_string(::getpid()) + R"(,"ownerStart":)" + r.out +
                                                             R"(,"veth":"gkbusy"})"));

    r = hook("createRuntime", "c1", ann);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(lease("p", "10.3.0.2"), R"("container":"c1")"));    // the dead owner's address, reclaimed
    EXPECT_FALSE(contains(ip("-o link"), "gkcrashed"));                      // with the link it left
    EXPECT_TRUE(contains(lease("p", "10.3.0.3"), R"("container":"busy")"));  // a live owner's lease stays
}

TEST_F(NetHook, FailedSetupLeavesNothingBehind) {
    // The container already has an eth0: the veth cannot be made; the step and object are named.
    ASSERT_EQ(run_cmd({"nsenter", "--net=" + container("c1").netns_path(), "ip", "link", "add", "eth0", "type", "veth",
                       "peer", "name", "x0"})
                  .exit_code,
              0);
    RunResult r = hook("createRuntime", "c1");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(contains(r.err, "gocker-net: createRuntime c1: create veth \"gk")) << r.err;
    EXPECT_TRUE(contains(r.err, "with peer \"eth0\" in the container: file exists")) << r.err;
    EXPECT_EQ(lease_count("gocker"), 0u);
    EXPECT_EQ(ip("-o link | grep -v ': lo:'"), "");  // no veth, and the bridge this call made is gone
}

TEST_F(NetHook, ALinkInTheBridgesPlaceIsNamed) {
    ASSERT_EQ(run_cmd({"ip", "link", "add", "gocker0", "type", "veth", "peer", "name", "x0"}).exit_code, 0);
    RunResult r = hook("createRuntime", "c1");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err,
              "gocker-net: createRuntime c1: set up bridge \"gocker0\": use bridge \"gocker0\": a link of that "
              "name exists and is not a bridge (veth)\n");
    EXPECT_EQ(lease_count("gocker"), 0u);
}

TEST_F(NetHook, ContainerJoiningAnExistingNetnsIsLeftAlone) {
    write_bundle(tmp_ + "/joiner", container("owner").netns_path());
    RunResult r = hook("createRuntime", "joiner", "{}", tmp_ + "/joiner");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(ip("-o link | grep -v ': lo:'"), "");
    EXPECT_FALSE(fs::exists(root_ + "/gocker"));
    EXPECT_EQ(hook("poststop", "joiner", "{}", tmp_ + "/joiner").exit_code, 0);
}

TEST_F(NetHook, BadAnnotationIsNamed) {
    RunResult r = hook("createRuntime", "c1", R"({"gocker.net.subnet":"10.0.0.1/24"})");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err,
              "gocker-net: annotation gocker.net.subnet: invalid subnet \"10.0.0.1/24\": host bits set (did you "
              "mean \"10.0.0.0/24\"?)\n");
}

}  // namespace
}  // namespace gocker::test
