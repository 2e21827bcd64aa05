// Test fixture for gocker-net's CNI face and admin commands: the built program driven as a
// container manager drives a CNI plugin (CNI_* variables, the network configuration on stdin,
// the result on stdout), each test in a network namespace of its own playing the host, each
// "container" a process in a further fresh namespace. Checked with `ip`, `nsenter`, libnftables.
#pragma once

#include <gtest/gtest.h>
#include <nftables/libnftables.h>
#include <rapidjson/document.h>
#include <stdlib.h>

#include <cctype>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "common/file_io.hpp"
#include "integration/run_util.hpp"
#include "net/private_netns.hpp"

namespace gocker::test {

inline bool contains(const std::string& hay, const std::string& needle) {
    return hay.find(needle) != std::string::npos;
}

// `nft ARGS` through libnftables (the nft program is not installed); "" on error.
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

class CniTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(host_.ok()) << "unshare(CLONE_NEWNET) failed: these tests need root";
        char tmpl[] = "/tmp/gocker-cni-test.XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        tmp_ = tmpl;
        root_ = tmp_ + "/netroot";
    }
    void TearDown() override {
        containers_.clear();
        std::error_code ec;
        std::filesystem::remove_all(tmp_, ec);
    }

    // A network configuration; `extra` is spliced in as more members ("" for none).
    std::string config(const std::string& version = "1.0.0", const std::string& extra = "",
                       const std::string& name = "cnitest", const std::string& subnet = "10.10.0.0/24") {
        return R"({"cniVersion":")" + version + R"(","name":")" + name + R"(","type":"gocker-net","bridge":"gkcni0",)" +
               R"("subnet":")" + subnet + R"(","dataDir":")" + root_ + "\"" + (extra.empty() ? "" : "," + extra) + "}";
    }

    NetnsProcess& container(const std::string& id) {
        auto& c = containers_[id];
        if (!c) c = std::make_unique<NetnsProcess>();
        EXPECT_GT(c->pid(), 0) << "container process " << id;
        return *c;
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
        return run_cmd(argv, cfg, 20000);
    }
    RunResult admin(const std::string& command) { return run_cmd({GOCKER_NET_BINARY, "--root", root_, command}); }

    static std::string ip(const std::string& args) { return run_cmd({"sh", "-c", "ip " + args}).out; }
    std::string ip_in(const std::string& id, const std::string& args) {
        return run_cmd({"sh", "-c", "nsenter --net=" + container(id).netns_path() + " ip " + args}).out;
    }
    // The lease files of a network (network.json excluded).
    size_t lease_count(const std::string& network = "cnitest") {
        size_t n = 0;
        std::error_code ec;
        for (auto& e : std::filesystem::directory_iterator(root_ + "/" + network, ec))
            n += e.path().filename() != "network.json";
        return n;
    }
    // gocker-net's veths on this "host" (gk + 9 hex digits).
    static std::string gk_links() {
        return ip("-o link show type veth | grep -o ' gk[0-9a-f]\\{9\\}' | tr -d ' ' | sort");
    }

    PrivateNetns host_;
    std::string tmp_, root_;
    std::map<std::string, std::unique_ptr<NetnsProcess>> containers_;
};

}  // namespace gocker::test
