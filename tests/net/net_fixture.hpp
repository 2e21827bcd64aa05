// The fixtures of gocker-net's tests: the built program driven as a runtime drives its OCI hook
// (NetHook: the state JSON on stdin) or as a container manager drives a CNI plugin (CniTest:
// CNI_* variables, the network configuration on stdin, the result on stdout), each test in a
// network namespace of its own playing the host, each "container" a process in a further fresh
// namespace. What gocker-net made is checked with iproute2 (`ip`, `nsenter`), sockets and
// libnftables, not with gocker-net's code.
#pragma once

#include <gtest/gtest.h>
#include <nftables/libnftables.h>

#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "common/file_io.hpp"
#include "integration/run_util.hpp"
#include "linux/proc_info.hpp"
#include "net/lease.hpp"
#include "net/private_netns.hpp"
#include "spec/config_io.hpp"
#include "support/temp_dir.hpp"

namespace gocker::test {

namespace fs = std::filesystem;

inline bool contains(const std::string& hay, const std::string& needle) {
    return hay.find(needle) != std::string::npos;
}

// `nft CMD` through libnftables (the nft program is not installed): its output, "ok" when it
// printed nothing, "" on error.
inline std::string nft_run(const std::string& cmd) {
    std::unique_ptr<nft_ctx, void (*)(nft_ctx*)> ctx(nft_ctx_new(NFT_CTX_DEFAULT), nft_ctx_free);
    nft_ctx_buffer_output(ctx.get());
    nft_ctx_buffer_error(ctx.get());
    if (nft_run_cmd_from_buffer(ctx.get(), cmd.c_str()) != 0) return "";
    std::string out = nft_ctx_get_output_buffer(ctx.get());
    return out.empty() ? "ok" : out;
}

// The addresses in gocker's "containers" set, space-separated ("" when none).
inline std::string nft_containers() {
    std::string out = nft_run("list set ip gocker containers"), token, all;
    size_t p = out.find("elements");
    if (p == std::string::npos) return "";
    for (char c : out.substr(p) + " ") {
        if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
            token += c;
        } else {
            if (!token.empty()) all += (all.empty() ? "" : " ") + token;
            token.clear();
        }
    }
    return all;
}

// Whether the "containers" set holds `address` (a whole element, not a prefix of one).
inline bool nft_has_container(const std::string& address) {
    std::istringstream each(nft_containers());
    for (std::string a; each >> a;)
        if (a == address) return true;
    return false;
}

// The lease name inside a lease file's JSON ("veth":"...").
inline std::string veth_in_lease(const std::string& lease_json) {
    size_t p = lease_json.find("\"veth\":\"");
    if (p == std::string::npos) return "";
    p += 8;
    return lease_json.substr(p, lease_json.find('"', p) - p);
}

// What both faces share: the "host" namespace, the test's directory and lease store, the
// "containers", and what to look at.
class NetTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(host_.ok()) << "unshare(CLONE_NEWNET) failed: these tests need root";
        ASSERT_TRUE(tmp_dir_.ok()) << "mkdtemp in /tmp failed";
        tmp_ = tmp_dir_.path();
        root_ = tmp_ + "/netroot";
    }
    void TearDown() override { containers_.clear(); }

    NetnsProcess& container(const std::string& id) {
        auto& c = containers_[id];
        if (!c) c = std::make_unique<NetnsProcess>();
        EXPECT_GT(c->pid(), 0) << "container process " << id;
        return *c;
    }

    // `ip ARGS` here ("host"), or inside a container's namespace.
    static std::string ip(const std::string& args) { return run_cmd({"sh", "-c", "ip " + args}).out; }
    std::string ip_in(const std::string& id, const std::string& args) {
        return run_cmd({"sh", "-c", "nsenter --net=" + container(id).netns_path() + " ip " + args}).out;
    }
    // gocker-net's veths on this "host" (gk + 9 hex digits).
    static std::string gk_links() {
        return ip("-o link show type veth | grep -o ' gk[0-9a-f]\\{9\\}' | tr -d ' ' | sort");
    }
    std::string lease(const std::string& network, const std::string& address) {
        auto text = read_whole_file(root_ + "/" + network + "/" + address);
        return text ? *text : "";
    }
    // The lease files of a network (network.json excluded).
    size_t lease_count(const std::string& network) {
        size_t n = 0;
        std::error_code ec;
        for (auto& e : std::filesystem::directory_iterator(root_ + "/" + network, ec))
            n += e.path().filename() != "network.json";
        return n;
    }
    // The leases under the test's root that a live detached deleter is releasing (DEL marks the
    // lease "releasing", hands the veth and the lease to that process and returns).
    std::vector<net::Lease> releasing() {
        std::vector<net::Lease> out;
        std::error_code ec;
        for (auto& net : fs::directory_iterator(root_, ec)) {
            std::error_code ec2;
            for (auto& f : fs::directory_iterator(net.path(), ec2)) {
                auto address = net::parse_ipv4(f.path().filename().string());
                auto text = read_whole_file(f.path().string());
                if (!address || !text) continue;
                auto l = net::parse_lease(*text, *address, f.path().string());
                if (!l || !l->releasing) continue;
                auto st = read_proc_stat(l->owner_pid);
                if (st && st->state != 'Z' && st->start_time == l->owner_start) out.push_back(*l);
            }
        }
        return out;
    }
    // Waits (up to 10 s) until no DEL's deleter is at work any more.
    void settle() {
        for (int i = 0; i < 1000 && !releasing().empty(); ++i) ::usleep(10000);
        EXPECT_TRUE(releasing().empty()) << "a DEL's detached deleter did not finish within 10 s";
    }
    // Whether the helpers below settle() after each DEL/poststop (the checks that follow see
    // what DEL leaves once its deleter is done).
    bool settle_after_del_ = true;

    // `gocker-net --root <root> COMMAND` (ls, gc, check).
    RunResult admin(const std::string& command, const std::string& binary = GOCKER_NET_BINARY) {
        return run_cmd({binary, "--root", root_, command});
    }

    PrivateNetns host_;
    TempDir tmp_dir_{"gocker-net-test"};
    std::string tmp_, root_;
    std::map<std::string, std::unique_ptr<NetnsProcess>> containers_;
};

// gocker-net as an OCI hook.
class NetHook : public NetTest {
protected:
    void SetUp() override {
        NetTest::SetUp();
        if (HasFatalFailure()) return;
        write_bundle(tmp_ + "/bundle", "");
    }

    // A bundle whose config.json has a network namespace (`netns_path` empty: a new one).
    void write_bundle(const std::string& dir, const std::string& netns_path) {
        std::filesystem::create_directories(dir);
        auto cfg = spec::default_config();
        for (auto& ns : cfg.linux->namespaces)
            if (ns.type == "network") ns.path = netns_path;
        ASSERT_TRUE(write_file_atomic(dir + "/config.json", spec::config_to_json(cfg)));
    }

    RunResult hook(const std::string& phase, const std::string& id, const std::string& annotations = "{}",
                   const std::string& bundle = "") {
        int pid = phase == "createRuntime" ? container(id).pid() : 0;
        std::string state = R"({"ociVersion":"1.3.0","id":")" + id + R"(","status":")" +
                            (phase == "createRuntime" ? "creating" : "stopped") + R"(","pid":)" + std::to_string(pid) +
                            R"(,"bundle":")" + (bundle.empty() ? tmp_ + "/bundle" : bundle) + R"(","annotations":)" +
                            annotations + "}";
        RunResult r = run_cmd({GOCKER_NET_BINARY, "--root", root_, phase}, state, 20000);
        if (phase == "poststop" && settle_after_del_) settle();
        return r;
    }
};

// gocker-net as a CNI plugin.
class CniTest : public NetTest {
protected:
    // A network configuration; `extra` is spliced in as more members ("" for none).
    std::string config(const std::string& version = "1.0.0", const std::string& extra = "",
                       const std::string& name = "cnitest", const std::string& subnet = "10.10.0.0/24") {
        return R"({"cniVersion":")" + version + R"(","name":")" + name + R"(","type":"gocker-net","bridge":"gkcni0",)" +
               R"("subnet":")" + subnet + R"(","dataDir":")" + root_ + "\"" + (extra.empty() ? "" : "," + extra) + "}";
    }

    // Runs `binary` as a CNI plugin. `netns` "" leaves CNI_NETNS unset; "-" means the container's.
    RunResult cni(const std::string& command, const std::string& id, const std::string& cfg,
                  const std::string& netns = "-", const std::string& ifname = "eth0",
                  const std::string& binary = GOCKER_NET_BINARY, const std::vector<std::string>& more_env = {}) {
        std::vector<std::string> argv{"env", "CNI_COMMAND=" + command, "CNI_PATH=/usr/lib/cni"};
        if (!id.empty()) argv.push_back("CNI_CONTAINERID=" + id);
        if (!ifname.empty()) argv.push_back("CNI_IFNAME=" + ifname);
        if (netns == "-") argv.push_back("CNI_NETNS=" + container(id).netns_path());
        else if (!netns.empty()) argv.push_back("CNI_NETNS=" + netns);
        for (const auto& e : more_env) argv.push_back(e);
        argv.push_back(binary);
        RunResult r = run_cmd(argv, cfg, 20000);
        if (command == "DEL" && settle_after_del_) settle();
        return r;
    }
    size_t lease_count(const std::string& network = "cnitest") { return NetTest::lease_count(network); }
};

}  // namespace gocker::test
