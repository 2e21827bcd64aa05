// gocker-net as the bundle's createRuntime/poststop hook of a real container. The whole test
// (TearDown included) runs in a network namespace of its own that plays the host.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "common/file_io.hpp"
#include "integration/bundle_fixture.hpp"
#include "net/private_netns.hpp"
#include "spec/config_io.hpp"

namespace gocker::test {
namespace {

namespace fs = std::filesystem;

class Network : public BundleTest {
protected:
    // Declared (so made) before SetUp and destroyed after TearDown's `delete --force`.
    PrivateNetns netns_;

    void add_net_hooks(const std::string& netroot) {
        for (const char* phase : {"createRuntime", "poststop"}) {
            config().append((std::string("/hooks/") + phase).c_str(),
                            R"({"path":)" + json_str(GOCKER_NET_BINARY) + R"(,"args":["gocker-net","--root",)" +
                                json_str(netroot) + "," + json_str(phase) + "]}");
        }
    }
    static std::string host_links() { return run_cmd({"sh", "-c", "ip -o link show | cut -d: -f2"}).out; }
};

TEST_F(Network, ContainerGetsItsAddressFromTheHookAndPoststopFreesEverything) {
    ASSERT_TRUE(netns_.ok());
    std::string netroot = tmp() + "/net", out = tmp() + "/out";
    fs::create_directories(out);
    add_net_hooks(netroot);
    config().append("/mounts", R"({"destination":"/run","type":"bind","source":)" + json_str(out) +
                                   R"(,"options":["rbind","rw"]})");
    // /proc/net is the reader's network namespace: the container's own here.
    program("cat /proc/net/route /proc/net/fib_trie > /run/net.txt");
    RunResult r = create("n1");
    ASSERT_EQ(r.exit_code, 0) << r.err;

    // From the host side over the bridge: the container's kernel refuses a closed port, which it
    // can do only if the SYN arrived (an unreachable address times out or fails otherwise).
    int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(s, 0);
    timeval tv{5, 0};
    ::setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(9);
    ::inet_pton(AF_INET, "10.0.0.2", &to.sin_addr);
    EXPECT_EQ(::connect(s, reinterpret_cast<sockaddr*>(&to), sizeof to), -1);
    EXPECT_EQ(errno, ECONNREFUSED) << std::strerror(errno);
    ::close(s);

    ASSERT_EQ(start("n1").exit_code, 0);
    ASSERT_TRUE(wait_status("n1", "stopped"));
    ASSERT_EQ(del("n1").exit_code, 0);
    std::string net = read_text(out + "/net.txt");
    EXPECT_NE(net.find("eth0\t00000000\t0100000A"), std::string::npos) << net;  // default via 10.0.0.1
    EXPECT_NE(net.find("|-- 10.0.0.2\n"), std::string::npos) << net;
    // The poststop hook gave everything back (the veth and the lease once the deleter it hands
    // them to is done); the bridge stays for the next container.
    for (int i = 0; i < 1000 && run_cmd({"ls", netroot + "/gocker"}).out != "network.json\n"; ++i) ::usleep(10000);
    EXPECT_EQ(host_links(), " lo\n gocker0\n");
    EXPECT_EQ(run_cmd({"ls", netroot + "/gocker"}).out, "network.json\n");
}

// issue #13: stale leases are reclaimed "on every ADD, by gc, by CNI GC and by delete --force". A
// container that died without its poststop (a process in a namespace of its own, attached by the
// hook with a published port, then killed: its namespace and veth go, its lease stays) after
// another was created: `delete --force` of that other one frees the stale lease and its port.
TEST_F(Network, DeleteForceReclaimsTheNetworksStaleLeasesWithTheirPorts) {
    ASSERT_TRUE(netns_.ok());
    std::string netroot = tmp() + "/net";
    add_net_hooks(netroot);
    program("sleep 100");
    ASSERT_EQ(create("n3").exit_code, 0);  // its createRuntime would have reclaimed a stale lease: made after it

    std::string ghost_bundle = tmp() + "/ghost";
    fs::create_directories(ghost_bundle);
    ASSERT_TRUE(write_file_atomic(ghost_bundle + "/config.json", spec::config_to_json(spec::default_config())));
    auto ghost = std::make_unique<NetnsProcess>();
    ASSERT_GT(ghost->pid(), 0);
    std::string state = R"({"ociVersion":"1.3.0","id":"ghost","status":"creating","pid":)" +
                        std::to_string(ghost->pid()) + R"(,"bundle":)" + json_str(ghost_bundle) +
                        R"(,"annotations":{"gocker.net.ports":"8080:80"}})";
    RunResult r = run_cmd({GOCKER_NET_BINARY, "--root", netroot, "createRuntime"}, state);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ghost.reset();  // SIGKILL: no poststop
    std::string ls;
    for (int i = 0; i < 1000; ++i, ::usleep(10000)) {
        ls = run_cmd({GOCKER_NET_BINARY, "--root", netroot, "ls"}).out;
        if (ls.find("stale") != std::string::npos) break;
    }
    ASSERT_NE(ls.find("stale"), std::string::npos) << ls;
    EXPECT_NE(ls.find("10.0.0.3"), std::string::npos) << ls;
    EXPECT_NE(ls.find("8080:80/tcp"), std::string::npos) << ls;

    ASSERT_EQ(del("n3", true).exit_code, 0);
    for (int i = 0; i < 1000 && run_cmd({"ls", netroot + "/gocker"}).out != "network.json\n"; ++i) ::usleep(10000);
    EXPECT_EQ(run_cmd({"ls", netroot + "/gocker"}).out, "network.json\n");
    // check also sees nftables elements and port mappings that no lease names: none is left.
    r = run_cmd({GOCKER_NET_BINARY, "--root", netroot, "check"});
    EXPECT_EQ(r.out, "ok\n") << r.err;
    EXPECT_EQ(host_links(), " lo\n gocker0\n");
}

TEST_F(Network, ContainerWithoutItsOwnNetnsIsLeftAlone) {
    ASSERT_TRUE(netns_.ok());
    add_net_hooks(tmp() + "/net");
    config().drop_namespace("network");
    program("true");
    RunResult r = run("n2");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(host_links(), " lo\n");
}

}  // namespace
}  // namespace gocker::test
