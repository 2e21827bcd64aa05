// What the gocker tests (gocker_test.cpp, gui_api_test.cpp) set up alike: they run as root with
// the busybox rootfs (else the test is skipped), each with a temporary directory holding gocker's
// state root (<tmp>/state, GOCKER_ROOT) and the runtime's (<tmp>/runtime, GOCKER_RUNTIME_ROOT), and
// a cgroup parent of its own (GOCKER_CGROUP_PARENT), removed by remove_cgroup_parent().
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "security/host_cgroups.hpp"
#include "support/temp_dir.hpp"

namespace gocker::test {

class GockerEnvTest : public ::testing::Test {
protected:
    // `name` names the temporary directory (/tmp/gocker-<name>.XXXXXX) and the cgroup parent.
    explicit GockerEnvTest(const std::string& name) : tmp_dir_("gocker-" + name), name_(name) {}

    // A subclass that does more calls this first, and stops when IsSkipped() or HasFatalFailure().
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "needs root";
        if (::access((rootfs_ + "/bin/sh").c_str(), X_OK) != 0)
            GTEST_SKIP() << "no busybox rootfs at " << rootfs_ << " (make rootfs)";
        ASSERT_TRUE(tmp_dir_.ok()) << "mkdtemp in /tmp failed";
        tmp_ = tmp_dir_.path();
        ::chmod(tmp_.c_str(), 0711);  // the container's root (host uid 1000) walks down to its rootfs
        root_ = tmp_ + "/state";
        parent_ = unique_cgroup_parent(name_.c_str());
        ::setenv("GOCKER_ROOT", root_.c_str(), 1);
        ::setenv("GOCKER_RUNTIME_ROOT", (tmp_ + "/runtime").c_str(), 1);
        ::setenv("GOCKER_CGROUP_PARENT", parent_.c_str(), 1);
    }
    // Once the test's containers are gone (each subclass removes them its own way).
    void remove_cgroup_parent() {
        for (const auto& m : cgroup_mounts()) rmdir_cgroup_tree(m + parent_);
    }
    // The containers gocker has a directory for in its state root.
    size_t containers_on_disk() const {
        namespace fs = std::filesystem;
        size_t n = 0;
        if (fs::exists(root_ + "/containers"))
            for (auto& e : fs::directory_iterator(root_ + "/containers")) n += e.is_directory() ? 1 : 0;
        return n;
    }

    TempDir tmp_dir_;
    std::string tmp_, root_, parent_;  // tmp_ is "" when SetUp stopped early
    const std::string rootfs_ = GOCKER_ROOTFS;

private:
    std::string name_;
};

}  // namespace gocker::test
