// A throw-away bundle + --root per test for the confinement and attack tests.
//
// The config is the typed spec::Config of `gocker-runtime spec` (terminal off), edited in C++
// and written before each run. root.path is the shared busybox rootfs, read-only, unless the
// test asks for its own writable copy (use_rootfs_copy()) to plant attack files in it. TearDown
// deletes (--force) every container the test named and removes the temp directory, so the host
// is left as it was even when an assertion fails half-way. Each container's cgroup is
// <cgroup_parent_>/<id>, a parent of this test alone (never the shared /gocker), which TearDown
// removes from every hierarchy.
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/file_io.hpp"
#include "integration/run_util.hpp"
#include "security/host_cgroups.hpp"
#include "spec/config_io.hpp"

namespace gocker::test {

inline std::string slurp(const std::string& path) {
    auto text = read_whole_file(path);
    return text ? *text : "";
}

inline void spit(const std::string& path, const std::string& text, mode_t mode = 0644) {
    { std::ofstream(path, std::ios::binary | std::ios::trunc) << text; }
    ::chmod(path.c_str(), mode);
}

inline bool contains(const std::string& hay, const std::string& needle) {
    return hay.find(needle) != std::string::npos;
}

class ContainerTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/gocker-h8-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        tmp_ = tmpl;
        root_ = tmp_ + "/state";
        bundle_ = tmp_ + "/bundle";
        std::filesystem::create_directories(bundle_);
        cfg_ = spec::default_config();
        cfg_.root->path = GOCKER_ROOTFS;
        cfg_.root->readonly = true;
        cfg_.process->terminal = false;
        cgroup_parent_ = unique_cgroup_parent("sec");
    }

    void TearDown() override {
        for (const auto& id : ids_) run_cmd({binary_, "--root", root_, "delete", "--force", id}, "", 10000);
        for (const auto& m : cgroup_mounts())
            if (is_dir(m + cgroup_parent_)) rmdir_cgroup_tree(m + cgroup_parent_);
        std::error_code ec;
        std::filesystem::remove_all(tmp_, ec);
    }

    // A private, writable copy of the busybox rootfs at <bundle>/rootfs.
    std::string use_rootfs_copy() {
        std::string dst = bundle_ + "/rootfs";
        RunResult r = run_cmd({"cp", "-a", GOCKER_ROOTFS, dst});
        EXPECT_EQ(r.exit_code, 0) << r.err;
        cfg_.root->path = "rootfs";
        cfg_.root->readonly = false;
        return dst;
    }

    void write_config() { spit(bundle_ + "/config.json", spec::config_to_json(cfg_)); }
    // The config of container `id`: its cgroup under this test's parent unless the test chose one.
    void write_config_for(const std::string& id) {
        bool chosen = cfg_.linux && cfg_.linux->cgroups_path;
        if (!chosen && cfg_.linux) cfg_.linux->cgroups_path = cgroup_parent_ + "/" + id;
        write_config();
        if (!chosen && cfg_.linux) cfg_.linux->cgroups_path.reset();
    }

    // Adds a bind mount of host `source` at `destination` to the config.
    void add_bind(const std::string& source, const std::string& destination, std::vector<std::string> options) {
        spec::Mount m;
        m.destination = destination;
        m.source = source;
        m.type = "bind";
        m.options = std::move(options);
        cfg_.mounts.push_back(std::move(m));
    }

    RunResult gocker(std::vector<std::string> args, int timeout_ms = 30000) {
        args.insert(args.begin(), {binary_, "--root", root_});
        if (own_uts_and_net_) args = in_own_uts_and_net(std::move(args));
        return run_cmd(args, "", timeout_ms);
    }

    // `run` in the foreground: the container's stdout/stderr and exit code.
    RunResult run_script(const std::string& id, const std::string& script) {
        cfg_.process->args = {"sh", "-c", script};
        return run_container(id);
    }
    RunResult run_container(const std::string& id) {
        write_config_for(id);
        ids_.insert(id);
        return gocker({"run", "--bundle", bundle_, id});
    }
    RunResult create(const std::string& id) {
        write_config_for(id);
        ids_.insert(id);
        return gocker({"create", "--bundle", bundle_, id});
    }
    int container_pid(const std::string& id) {
        RunResult r = gocker({"state", id});
        auto pos = r.out.find("\"pid\"");
        if (pos == std::string::npos) return -1;
        pos = r.out.find(':', pos);
        return std::atoi(r.out.c_str() + pos + 1);
    }

    // Every command of the test runs a copy of the runtime in the test's own directory (`decoy_`),
    // so an attack that reaches the binary changes only that copy; `original_` is its content.
    void run_from_decoy_copy() {
        std::filesystem::create_directories(tmp_ + "/decoy");
        decoy_ = tmp_ + "/decoy/gocker-runtime";
        std::filesystem::copy_file(GOCKER_BINARY, decoy_);
        ::chmod(decoy_.c_str(), 0755);
        original_ = test::slurp(decoy_);
        ASSERT_FALSE(original_.empty());
        binary_ = decoy_;
    }

    spec::Config cfg_;
    std::string tmp_, root_, bundle_, cgroup_parent_;
    std::string decoy_, original_;  // run_from_decoy_copy()
    bool own_uts_and_net_ = false;  // run the runtime in a UTS+net namespace of the test's own
    std::string binary_ = GOCKER_BINARY;
    std::set<std::string> ids_;
};

}  // namespace gocker::test
