// The net part of the fault walk: every fault point of a gocker-net built with
// -DGOCKER_FAULT_POINTS=ON (`gocker-net --list-fault-points`) x {fail, kill}, in a network
// namespace of the test's own. Nothing may be left at the end of each: no veth on the "host", no
// interface in the container, no lease, no nftables element. Prints one row per point and mode.
//  - net.add.*: reached by a CNI ADD. After an injected failure the ADD must have undone itself
//    (nothing left before any DEL) and report the failure, and a DEL must then succeed; after a
//    SIGKILL, `gocker-net gc` must free what it left.
//  - net.del.* (net.del.sync.*: with GOCKER_NET_SYNC_DEL=1): reached by the DEL of a container
//    that a clean ADD attached. The failed DEL must report the failure and a second DEL must
//    then succeed; after a SIGKILL, `gocker-net gc` and then a second DEL must succeed.
//  - net.del.async.*: reached in the detached deleter a DEL hands the veth and the lease to (the
//    DEL itself succeeds). Failed or killed there, the deleter must leave its lease (releasing,
//    its owner dead): that `gocker-net gc` frees ("deleter dead").
// A point that is not reached fails the walk.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
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
    // The leases of the test's network.
    std::vector<net::Lease> leases() {
        std::vector<net::Lease> out;
        std::error_code ec;
        for (auto& f : fs::directory_iterator(root_ + "/cnitest", ec)) {
            auto address = net::parse_ipv4(f.path().filename().string());
            auto text = read_whole_file(f.path().string());
            if (!address || !text) continue;
            if (auto l = net::parse_lease(*text, *address, f.path().string())) out.push_back(*l);
        }
        return out;
    }

    // A fault at an ADD point; returns the outcome, appends to `left` what was left on the way.
    std::string walk_add(const std::string& point, const std::string& mode, const std::string& id, std::string& left) {
        RunResult r = cni("ADD", id, config(), "-", "eth0", GOCKER_NET_BINARY, {"GOCKER_FAULT=" + point + ":" + mode});
        if (mode == "fail") {
            EXPECT_EQ(r.exit_code, 1) << "the fault point was not reached: " << r.out << r.err;
            EXPECT_TRUE(contains(r.out, "fault point " + point + ": injected failure")) << r.out;
            if (std::string now = left_of(id); !now.empty()) left = "after the failed ADD:" + now;
            RunResult del = cni("DEL", id, config());
            EXPECT_EQ(del.exit_code, 0) << del.out << del.err;
            return r.exit_code == 1 ? "err" : "exit " + std::to_string(r.exit_code);
        }
        EXPECT_EQ(r.exit_code, 128 + SIGKILL) << "the fault point was not reached: " << r.out << r.err;
        EXPECT_EQ(lease_count(), 1u) << "the killed ADD left no pending lease";
        RunResult gc = admin("gc");
        EXPECT_EQ(gc.exit_code, 0) << gc.err;
        EXPECT_TRUE(contains(gc.out, "freed 10.10.0.2 of container " + id + " (eth0, writer dead)")) << gc.out;
        return r.exit_code == 128 + SIGKILL ? "killed" : "exit " + std::to_string(r.exit_code);
    }

    // A fault at a DEL point (in DEL itself, or in its detached deleter) of an attached container.
    std::string walk_del(const std::string& point, const std::string& mode, const std::string& id) {
        RunResult add = cni("ADD", id, config());
        EXPECT_EQ(add.exit_code, 0) << add.out << add.err;
        std::vector<std::string> env{"GOCKER_FAULT=" + point + ":" + mode};
        bool sync = point.starts_with("net.del.sync."), in_deleter = point.starts_with("net.del.async.");
        if (sync) env.push_back("GOCKER_NET_SYNC_DEL=1");
        RunResult r = cni("DEL", id, config(), "-", "eth0", GOCKER_NET_BINARY, env);  // settles: the deleter is done
        std::string outcome;
        if (in_deleter) {
            EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
            // Reached: the deleter stopped there, leaving its lease releasing with its owner dead.
            auto now = leases();
            bool reached = now.size() == 1 && now[0].releasing;
            EXPECT_TRUE(reached) << "the deleter did not stop at " << point << " (" << now.size() << " leases)";
            outcome = reached ? "deleter " + std::string(mode == "fail" ? "err" : "killed") : "not reached";
            RunResult gc = admin("gc");
            EXPECT_EQ(gc.exit_code, 0) << gc.err;
            EXPECT_TRUE(contains(gc.out, "freed 10.10.0.2 of container " + id + " (eth0, deleter dead)")) << gc.out;
        } else if (mode == "fail") {
            EXPECT_EQ(r.exit_code, 1) << "the fault point was not reached: " << r.out << r.err;
            EXPECT_TRUE(contains(r.out, "fault point " + point + ": injected failure")) << r.out;
            outcome = r.exit_code == 1 ? "err" : "exit " + std::to_string(r.exit_code);
            RunResult del = cni("DEL", id, config());
            EXPECT_EQ(del.exit_code, 0) << del.out << del.err;
        } else {
            EXPECT_EQ(r.exit_code, 128 + SIGKILL) << "the fault point was not reached: " << r.out << r.err;
            outcome = r.exit_code == 128 + SIGKILL ? "killed" : "exit " + std::to_string(r.exit_code);
            RunResult gc = admin("gc");
            EXPECT_EQ(gc.exit_code, 0) << gc.err;
            settle();
            RunResult del = cni("DEL", id, config());
            EXPECT_EQ(del.exit_code, 0) << del.out << del.err;
        }
        return outcome;
    }
};

TEST_F(NetFaultWalk, EveryPointFailedOrKilledLeavesNothing) {
    std::vector<std::string> points;
    std::istringstream listed(run_cmd({GOCKER_NET_BINARY, "--list-fault-points"}).out);
    for (std::string p; listed >> p;) points.push_back(p);
    ASSERT_FALSE(points.empty()) << GOCKER_NET_BINARY
                                 << " lists no fault points: build it with -DGOCKER_FAULT_POINTS=ON";

    int n = 0, bad = 0;
    std::string last_add;
    std::printf("%-24s %-5s %-14s %s\n", "point", "mode", "outcome", "after");
    for (const auto& point : points) {
        bool del = point.starts_with("net.del.");
        if (!del) last_add = point;
        for (std::string mode : {"fail", "kill"}) {
            SCOPED_TRACE(point + ":" + mode);
            std::string id = "fw" + std::to_string(++n), left;
            std::string outcome = del ? walk_del(point, mode, id) : walk_add(point, mode, id, left);
            settle();
            if (std::string now = left_of(id); !now.empty())
                left += (left.empty() ? "" : "; ") + std::string("at the end:") + now;
            EXPECT_EQ(left, "");
            bad += !left.empty();
            std::printf("%-24s %-5s %-14s %s\n", point.c_str(), mode.c_str(), outcome.c_str(),
                        left.empty() ? "clean" : ("LEFT:" + left).c_str());
            containers_.erase(id);
        }
    }
    std::printf("net fault walk: %zu points x 2 modes, %d left something\n", points.size(), bad);

    // The next ADD also cleans up after a killed one, without gc.
    ASSERT_FALSE(last_add.empty());
    ASSERT_EQ(
        cni("ADD", "crash", config(), "-", "eth0", GOCKER_NET_BINARY, {"GOCKER_FAULT=" + last_add + ":kill"}).exit_code,
        128 + SIGKILL);
    RunResult r = cni("ADD", "next", config());
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_TRUE(contains(r.out, "\"10.10.0.2/24\"")) << r.out;
    EXPECT_EQ(nft_containers(), "10.10.0.2");
    EXPECT_EQ(lease_count(), 1u);
}

// DEL hands the veth's deletion to a detached process (held here at its first step, stopped):
// DEL returns at once, the process holds none of DEL's descriptors (its stdio is /dev/null; a
// runtime reading the hook's output is not held up) and is in a session of its own; the address
// stays leased while it works; an ADD of the same container and interface then finishes the
// deletion itself and gets another address; and the deleter, let go, deletes the link it was
// given (by index), not the new veth of the same name.
TEST_F(NetFaultWalk, DelHandsTheVethToADetachedDeleter) {
    settle_after_del_ = false;
    ASSERT_EQ(cni("ADD", "c1", config()).exit_code, 0);
    std::string veth = gk_links();
    ASSERT_EQ(veth.size(), 12u) << veth;  // one: gk + 9 hex digits, newline
    veth.pop_back();
    auto t0 = std::chrono::steady_clock::now();
    RunResult r = cni("DEL", "c1", config(), "-", "eth0", GOCKER_NET_BINARY, {"GOCKER_FAULT=net.del.async.start:stop"});
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_LT(ms, 5000) << "DEL waited for its deleter";
    EXPECT_EQ(nft_containers(), "");  // masquerade and ports go before DEL returns
    auto held = releasing();
    ASSERT_EQ(held.size(), 1u);
    int pid = held[0].owner_pid;
    for (int i = 0; i < 500 && read_proc_stat(pid) && read_proc_stat(pid)->state != 'T'; ++i) ::usleep(10000);
    ASSERT_TRUE(read_proc_stat(pid));
    EXPECT_EQ(read_proc_stat(pid)->state, 'T');
    EXPECT_EQ(to_string(held[0].address), "10.10.0.2");
    EXPECT_EQ(held[0].veth, veth);
    EXPECT_GT(held[0].veth_index, 0);
    EXPECT_TRUE(held[0].ports.empty());
    EXPECT_EQ(::getsid(pid), pid);
    std::string fds;
    for (auto& e : fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd"))
        fds += e.path().filename().string() + "=" + fs::read_symlink(e.path()).string() + " ";
    EXPECT_EQ(fds.size(), std::string("0=/dev/null 1=/dev/null 2=/dev/null ").size()) << fds;
    EXPECT_TRUE(contains(fds, "0=/dev/null") && contains(fds, "1=/dev/null") && contains(fds, "2=/dev/null")) << fds;
    EXPECT_EQ(gk_links(), veth + "\n");  // not deleted yet

    // DEL again while the deleter works: nothing more to do, success.
    RunResult again = cni("DEL", "c1", config());
    EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
    EXPECT_EQ(releasing().size(), 1u);

    // ADD of the same container and interface: the old veth's name is the new one's.
    RunResult add = cni("ADD", "c1", config());
    ASSERT_EQ(add.exit_code, 0) << add.out << add.err;
    EXPECT_TRUE(contains(add.out, "\"10.10.0.3/24\"")) << add.out;  // .2 stays leased until its deleter is done
    std::string index_before = ip("-o link show " + veth + " | cut -d: -f1");
    ASSERT_NE(index_before, "");
    EXPECT_NE(std::stoi(index_before), held[0].veth_index);

    ::kill(pid, SIGCONT);
    settle();
    EXPECT_EQ(lease_count(), 1u);
    EXPECT_TRUE(contains(lease("cnitest", "10.10.0.3"), "\"state\":\"active\""));
    EXPECT_EQ(ip("-o link show " + veth + " | cut -d: -f1"), index_before) << "the deleter deleted the new veth";
    EXPECT_TRUE(contains(ip_in("c1", "-o addr show dev eth0"), "10.10.0.3/24"));
    settle_after_del_ = true;
    ASSERT_EQ(cni("DEL", "c1", config()).exit_code, 0);
    EXPECT_EQ(left_of("c1"), "");
}

}  // namespace
}  // namespace gocker::test
