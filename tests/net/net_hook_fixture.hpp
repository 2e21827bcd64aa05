// The fixture of gocker-net's tests: the built program driven as a runtime drives it (the
// state JSON on stdin), in a network namespace of the test's own that plays the host; each
// "container" is a process in another fresh network namespace. What the hook made is checked
// with iproute2 (`ip`, `nsenter`), sockets and libnftables, not with gocker-net's code.
#pragma once

#include <gtest/gtest.h>
#include <nftables/libnftables.h>
#include <stdlib.h>

#include <cctype>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "common/file_io.hpp"
#include "integration/run_util.hpp"
#include "net/private_netns.hpp"
#include "spec/config_io.hpp"

namespace gocker::test {

namespace fs = std::filesystem;

inline bool contains(const std::string& hay, const std::string& needle) {
    return hay.find(needle) != std::string::npos;
}

// `nft list ...` through libnftables (the nft program is not installed).
inline std::string nft_list(const std::string& what) {
    std::unique_ptr<nft_ctx, void (*)(nft_ctx*)> ctx(nft_ctx_new(NFT_CTX_DEFAULT), nft_ctx_free);
    nft_ctx_buffer_output(ctx.get());
    nft_ctx_buffer_error(ctx.get());
    if (nft_run_cmd_from_buffer(ctx.get(), ("list " + what).c_str()) != 0) return "";
    return nft_ctx_get_output_buffer(ctx.get());
}

// Whether the gocker table's "containers" set holds `address` (a whole element, not a prefix of one).
inline bool nft_has_container(const std::string& address) {
    std::string out = nft_list("set ip gocker containers"), token;
    for (char c : out + " ") {
        if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
            token += c;
        } else {
            if (token == address) return true;
            token.clear();
        }
    }
    return false;
}

class NetHook : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(host_.ok()) << "unshare(CLONE_NEWNET) failed: these tests need root";
        char tmpl[] = "/tmp/gocker-net-test.XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        tmp_ = tmpl;
        root_ = tmp_ + "/netroot";
        write_bundle(tmp_ + "/bundle", "");
    }
    void TearDown() override {
        containers_.clear();
        std::error_code ec;
        fs::remove_all(tmp_, ec);
    }

    // A bundle whose config.json has a network namespace (`netns_path` empty: a new one).
    void write_bundle(const std::string& dir, const std::string& netns_path) {
        fs::create_directories(dir);
        auto cfg = spec::default_config();
        for (auto& ns : cfg.linux->namespaces)
            if (ns.type == "network") ns.path = netns_path;
        ASSERT_TRUE(write_file_atomic(dir + "/config.json", spec::config_to_json(cfg)));
    }

    NetnsProcess& container(const std::string& id) {
        auto& c = containers_[id];
        if (!c) c = std::make_unique<NetnsProcess>();
        EXPECT_GT(c->pid(), 0) << "container process " << id;
        return *c;
    }

    RunResult hook(const std::string& phase, const std::string& id, const std::string& annotations = "{}",
                   const std::string& bundle = "") {
        int pid = phase == "createRuntime" ? container(id).pid() : 0;
        std::string state = R"({"ociVersion":"1.3.0","id":")" + id + R"(","status":")" +
                            (phase == "createRuntime" ? "creating" : "stopped") + R"(","pid":)" + std::to_string(pid) +
                            R"(,"bundle":")" + (bundle.empty() ? tmp_ + "/bundle" : bundle) + R"(","annotations":)" +
                            annotations + "}";
        return run_cmd({GOCKER_NET_BINARY, "--root", root_, phase}, state, 20000);
    }

    // `ip ARGS` here ("host"), or inside a container's namespace.
    static std::string ip(const std::string& args) { return run_cmd({"sh", "-c", "ip " + args}).out; }
    std::string ip_in(const std::string& id, const std::string& args) {
        return run_cmd({"sh", "-c", "nsenter --net=" + container(id).netns_path() + " ip " + args}).out;
    }
    std::string lease(const std::string& network, const std::string& address) {
        auto text = read_whole_file(root_ + "/" + network + "/" + address);
        return text ? *text : "";
    }
    size_t lease_count(const std::string& network) {
        size_t n = 0;
        std::error_code ec;
        for (auto& e : fs::directory_iterator(root_ + "/" + network, ec)) n += e.path().filename() != "network.json";
        return n;
    }
    PrivateNetns host_;
    std::string tmp_, root_;
    std::map<std::string, std::unique_ptr<NetnsProcess>> containers_;
};

inline std::string veth_in_lease(const std::string& lease_json) {
    size_t p = lease_json.find("\"veth\":\"");
    if (p == std::string::npos) return "";
    p += 8;
    return lease_json.substr(p, lease_json.find('"', p) - p);
}

}  // namespace gocker::test
