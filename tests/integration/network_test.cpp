// gocker-net as the bundle's createRuntime/poststop hook of a real container. The whole test
// (TearDown included) runs in a network namespace of its own that plays the host.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cstring>
#include <filesystem>

#include "integration/bundle_fixture.hpp"
#include "net/private_netns.hpp"

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
    // The poststop hook gave everything back; the bridge stays for the next container.
    EXPECT_EQ(host_links(), " lo\n gocker0\n");
    EXPECT_EQ(run_cmd({"ls", netroot + "/gocker"}).out, "network.json\n");
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
