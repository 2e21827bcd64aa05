// CVE-2024-21626 and CVE-2016-9962 class: a descriptor of the runtime leaking into the container,
// and a working directory outside the container's root.
//
// - A host directory fd the runtime inherited (not passed with --preserve-fds) must not be
//   reachable from the container: exec_process marks every fd above 2 close-on-exec
//   (close_range), so /proc/self/fd/N does not exist in the container.
// - process.cwd = /proc/self/fd/N (the 2024 attack) must be refused: the fd is not there, and
//   enter_cwd() proves the cwd is inside the root after the pivot.
// - The init's own descriptors (state dir, FIFO, sync socket) must not be reachable through
//   /proc/<init>/fd from another container before the init execs (2016 attack): the init is
//   non-dumpable until execve.
#include <fcntl.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "integration/bundle_fixture.hpp"

namespace gocker {
namespace {

using test::contains;
using test::RunResult;

class LeakedFd : public test::BundleTest {
protected:
    void SetUp() override {
        BundleTest::SetUp();
        host_dir_ = tmp() + "/host-secret-dir";
        std::filesystem::create_directories(host_dir_);
        test::write_text(host_dir_ + "/secret", "HOST-SECRET-CONTENT\n");
        // fd 9 in this process, without close-on-exec: the runtime inherits it.
        int fd = ::open(host_dir_.c_str(), O_RDONLY | O_DIRECTORY);
        ASSERT_GE(fd, 0);
        ASSERT_EQ(::dup2(fd, kLeaked), kLeaked);
        if (fd != kLeaked) ::close(fd);
    }
    void TearDown() override {
        ::close(kLeaked);
        BundleTest::TearDown();
    }
    static constexpr int kLeaked = 9;
    std::string host_dir_;
};

TEST_F(LeakedFd, InheritedHostDirectoryFdIsNotInTheContainer) {
    RunResult r = run_script("leak-fd",
                             "ls /proc/self/fd/; cat /proc/self/fd/9/secret 2>/dev/null || echo no-secret;"
                             "cat /proc/1/fd/9/secret 2>/dev/null || echo no-secret-via-init");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_FALSE(contains(r.out, "HOST-SECRET-CONTENT")) << r.out;
    EXPECT_TRUE(contains(r.out, "no-secret\n")) << r.out;
    EXPECT_TRUE(contains(r.out, "no-secret-via-init")) << r.out;
}

TEST_F(LeakedFd, CwdThroughALeakedFdIsRefused) {
    for (const char* cwd : {"/proc/self/fd/9", "/proc/1/fd/9", "/proc/self/cwd/../../.."}) {
        cfg().process->cwd = cwd;
        std::string id = std::string("leak-cwd-") + std::to_string(cwd[7] == 'e' ? 1 : cwd[6] == '1' ? 2 : 3);
        RunResult r =
            run_script(id, "pwd; ls; cat secret 2>/dev/null; cat ../host-secret-dir/secret 2>/dev/null; true");
        EXPECT_FALSE(contains(r.out, "HOST-SECRET-CONTENT")) << cwd << ": " << r.out;
        EXPECT_FALSE(contains(r.out, "host-secret-dir")) << cwd << ": " << r.out;
        // Refused because of the cwd (not for another reason), or, for a path that resolves
        // inside the root, run there.
        if (r.exit_code != 0) {
            EXPECT_TRUE(contains(r.err, std::string("cwd (\"") + cwd + "\")")) << cwd << ": " << r.err;
        } else {
            EXPECT_EQ(r.out.substr(0, 2), "/\n") << cwd << ": " << r.out;
        }
        if (std::string(cwd).find("/fd/") != std::string::npos) {
            EXPECT_NE(r.exit_code, 0) << cwd << " (fd 9 is a host directory)";
        }
        gocker({"delete", "--force", id});
    }
}

TEST_F(LeakedFd, PreservedFdIsTheOnlyOneKept) {
    // --preserve-fds 7 keeps fds 3..9: the leaked fd 9 is then deliberately passed (what the
    // user asked for), and nothing above it exists.
    cfg().process->args = {"sh", "-c", "ls /proc/self/fd/ | tr '\\n' ' '"};
    write_config_for("leak-preserve");
    RunResult r = gocker({"run", "--preserve-fds", "7", "--bundle", bundle(), "leak-preserve"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(r.out, " 9 ")) << r.out;
    EXPECT_FALSE(contains(r.out, " 10 ")) << r.out;
    EXPECT_FALSE(contains(r.out, " 11 ")) << r.out;
}

TEST_F(LeakedFd, InitFdsAreNotReachableFromAnotherContainerBeforeExec) {
    RunResult c = create("leak-victim");
    ASSERT_EQ(c.exit_code, 0) << c.err;
    int pid = pid_of("leak-victim");
    ASSERT_GT(pid, 0);
    auto& ns = cfg().linux->namespaces;
    ns.erase(std::remove_if(ns.begin(), ns.end(), [](const spec::Namespace& n) { return n.type == "pid"; }), ns.end());
    std::string p = std::to_string(pid);
    // Root may list the fd numbers (the directory is root's); following one is what leaks.
    RunResult r =
        run_script("leak-attacker", "n=0; for f in /proc/" + p +
                                        "/fd/*; do n=$((n+1));"
                                        "  readlink $f >/dev/null 2>&1 && echo fd-followed; done; echo fds=$n;"
                                        "ls /proc/" +
                                        p +
                                        "/cwd/ >/dev/null 2>&1 && echo cwd-followed;"
                                        "cat /proc/" +
                                        p + "/environ >/dev/null 2>&1 && echo environ-read || echo environ-refused");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_FALSE(contains(r.out, "fds=0")) << "the attack found no fds to try: " << r.out;
    EXPECT_FALSE(contains(r.out, "fd-followed")) << r.out;
    EXPECT_FALSE(contains(r.out, "cwd-followed")) << r.out;
    EXPECT_TRUE(contains(r.out, "environ-refused")) << r.out;
}

}  // namespace
}  // namespace gocker
