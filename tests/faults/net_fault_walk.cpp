// The net part of the fault walk: every fault point of a gocker-net built with
// -DGOCKER_FAULT_POINTS=ON (`gocker-net --list-fault-points`) x {fail, kill}, reached by a CNI
// ADD in a network namespace of the test's own. After an injected failure the ADD must have
// undone itself (nothing left before any DEL) and report the failure, and a DEL must then
// succeed; after a SIGKILL, `gocker-net gc` must free what it left. Either way nothing may be
// left: no veth on the "host", no interface in the container, no lease, no nftables element.
// A point that the ADD does not reach fails the walk. Prints one row per point and mode.
#include <signal.h>

#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "net/net_fixture.hpp"

namespace gocker::test {
namespace {

class NetFaultWalk : public CniTest {
protected:
    // What is left of container `id`'s ADD, "" for nothing.
    std::string left_of(const std::string& id) {
        std::string left;
        if (size_t n = lease_count()) left += " " + std::to_string(n) + " lease(s)";
        if (std::string links = gk_links(); !links.empty()) left += " veth " + links;
        if (std::string elems = nft_containers(); !elems.empty()) left += " nft element " + elems;
        if (!ip_in(id, "-o link show dev eth0").empty()) left += " eth0 in the container";
        return left;
    }
};

TEST_F(NetFaultWalk, EveryPointFailedOrKilledLeavesNothing) {
    std::vector<std::string> points;
    std::istringstream listed(run_cmd({GOCKER_NET_BINARY, "--list-fault-points"}).out);
    for (std::string p; listed >> p;) points.push_back(p);
    ASSERT_FALSE(points.empty()) << GOCKER_NET_BINARY
                                 << " lists no fault points: build it with -DGOCKER_FAULT_POINTS=ON";

    int n = 0, bad = 0;
    std::printf("%-24s %-5s %-8s %s\n", "point", "mode", "outcome", "after");
    for (const auto& point : points) {
        for (std::string mode : {"fail", "kill"}) {
            SCOPED_TRACE(point + ":" + mode);
            std::string id = "fw" + std::to_string(++n);
            RunResult r =
                cni("ADD", id, config(), "-", "eth0", GOCKER_NET_BINARY, {"GOCKER_FAULT=" + point + ":" + mode});
            std::string outcome, left;
            if (mode == "fail") {
                outcome = r.exit_code == 1 ? "err" : "exit " + std::to_string(r.exit_code);
                EXPECT_EQ(r.exit_code, 1) << "the fault point was not reached: " << r.out << r.err;
                EXPECT_TRUE(contains(r.out, "fault point " + point + ": injected failure")) << r.out;
                if (std::string now = left_of(id); !now.empty()) left = "after the failed ADD:" + now;
                RunResult del = cni("DEL", id, config());
                EXPECT_EQ(del.exit_code, 0) << del.out << del.err;
            } else {
                outcome = r.exit_code == 128 + SIGKILL ? "killed" : "exit " + std::to_string(r.exit_code);
                EXPECT_EQ(r.exit_code, 128 + SIGKILL) << "the fault point was not reached: " << r.out << r.err;
                EXPECT_EQ(lease_count(), 1u) << "the killed ADD left no pending lease";
                RunResult gc = admin("gc");
                EXPECT_EQ(gc.exit_code, 0) << gc.err;
                EXPECT_TRUE(contains(gc.out, "freed 10.10.0.2 of container " + id + " (eth0, writer dead)")) << gc.out;
            }
            if (std::string now = left_of(id); !now.empty())
                left += (left.empty() ? "" : "; ") + std::string("at the end:") + now;
            EXPECT_EQ(left, "");
            bad += !left.empty();
            std::printf("%-24s %-5s %-8s %s\n", point.c_str(), mode.c_str(), outcome.c_str(),
                        left.empty() ? "clean" : ("LEFT:" + left).c_str());
            containers_.erase(id);
        }
    }
    std::printf("net fault walk: %zu points x 2 modes, %d left something\n", points.size(), bad);

    // The next ADD also cleans up after a killed one, without gc.
    ASSERT_EQ(cni("ADD", "crash", config(), "-", "eth0", GOCKER_NET_BINARY, {"GOCKER_FAULT=" + points.back() + ":kill"})
                  .exit_code,
              128 + SIGKILL);
    RunResult r = cni("ADD", "next", config());
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_TRUE(contains(r.out, "\"10.10.0.2/24\"")) << r.out;
    EXPECT_EQ(nft_containers(), "10.10.0.2");
    EXPECT_EQ(lease_count(), 1u);
}

}  // namespace
}  // namespace gocker::test
