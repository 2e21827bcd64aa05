// Finding 4 of issue 11: an existing --root, and the compiled seccomp programs cached in it, are
// trusted only when they are the runtime user's own and writable by no one else. The attack: a
// user who owns the root (or the cache) replaces the cached program of a profile that blocks
// mkdir with one that allows everything; the next container with that profile could mkdir.
//
// "Another user" is nobody (65534); every root and cache here is under the test's temp dir.
#include <gtest/gtest.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "integration/bundle_fixture.hpp"

namespace gocker {
namespace {

using test::contains;
using test::RunResult;

class RootTrust : public test::BundleTest {
protected:
    // A profile that lets everything but mkdir/mkdirat through.
    void block_mkdir() {
        spec::Seccomp s;
        s.default_action = "SCMP_ACT_ALLOW";
        spec::SeccompSyscall rule;
        rule.names = {"mkdir", "mkdirat"};
        rule.action = "SCMP_ACT_ERRNO";
        s.syscalls.push_back(rule);
        cfg().linux->seccomp = s;
    }
    // The one cached program, after a first container compiled it.
    std::string cached_file() {
        std::string dir = root() + "/.seccomp-cache";
        for (const auto& e : std::filesystem::directory_iterator(dir))
            if (e.path().extension() == ".bpf") return e.path();
        return {};
    }
    // The attacker's version of a cache file: same key, a program that allows every call.
    static std::string allow_all(const std::string& original) {
        std::string out = original.substr(0, original.find('\0') + 1);
        sock_filter ret_allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
        out.append(reinterpret_cast<const char*>(&ret_allow), sizeof ret_allow);
        return out;
    }
    RunResult try_mkdir(const std::string& id) { return run_script(id, "mkdir /dev/made && echo MKDIR-ALLOWED"); }
};

TEST_F(RootTrust, RootOwnedByAnotherUserIsRefused) {
    ASSERT_EQ(::mkdir(root().c_str(), 0700), 0);
    ASSERT_EQ(::chown(root().c_str(), 65534, 65534), 0);
    RunResult r = run_script("other-owner", "true");
    EXPECT_NE(r.exit_code, 0);
    EXPECT_TRUE(contains(r.err, "state root " + root() + ": owned by uid 65534")) << r.err;
    EXPECT_TRUE(contains(r.err, "refusing to trust it")) << r.err;
    // Other commands read the same records: they refuse as well.
    RunResult s = gocker({"list"});
    EXPECT_NE(s.exit_code, 0);
    EXPECT_TRUE(contains(s.err, "refusing to trust it")) << s.err;
}

TEST_F(RootTrust, RootWritableByOthersIsRefused) {
    ASSERT_EQ(::mkdir(root().c_str(), 0700), 0);
    ASSERT_EQ(::chmod(root().c_str(), 0777), 0);
    RunResult r = run_script("world-writable", "true");
    EXPECT_NE(r.exit_code, 0);
    EXPECT_TRUE(contains(r.err, "state root " + root() + ": writable by other users (mode 0777)")) << r.err;
}

TEST_F(RootTrust, ReplacedSeccompProgramInAForeignCacheIsNotLoaded) {
    block_mkdir();
    cfg().linux->seccomp->syscalls[0].errno_ret = 1;
    RunResult first = try_mkdir("cache-fill");
    ASSERT_EQ(first.exit_code, 1) << first.out << first.err;  // mkdir is refused: the profile works
    ASSERT_TRUE(contains(first.err, "Operation not permitted")) << first.err;
    std::string file = cached_file();
    ASSERT_FALSE(file.empty());
    // The other user owns the cache directory and replaces the program.
    std::string dir = root() + "/.seccomp-cache";
    std::string poisoned = allow_all(test::read_text(file));
    ASSERT_EQ(::chown(dir.c_str(), 65534, 65534), 0);
    ASSERT_EQ(::unlink(file.c_str()), 0);
    test::write_text(file, poisoned, 0600);
    ASSERT_EQ(::chown(file.c_str(), 65534, 65534), 0);
    RunResult r = try_mkdir("cache-dir-foreign");
    EXPECT_FALSE(contains(r.out, "MKDIR-ALLOWED")) << "the allow-everything program was loaded";
    EXPECT_NE(r.exit_code, 0);
    EXPECT_TRUE(contains(r.err, "seccomp cache " + dir + ": owned by uid 65534")) << r.err;
    // The directory is ours again, the file is still the other user's: refused, naming the file.
    ASSERT_EQ(::chown(dir.c_str(), 0, 0), 0);
    r = try_mkdir("cache-file-foreign");
    EXPECT_FALSE(contains(r.out, "MKDIR-ALLOWED")) << "the allow-everything program was loaded";
    EXPECT_TRUE(contains(r.err, "seccomp cache " + file + ": owned by uid 65534")) << r.err;
    // Ours but writable by others: refused too.
    ASSERT_EQ(::chown(file.c_str(), 0, 0), 0);
    ASSERT_EQ(::chmod(file.c_str(), 0666), 0);
    r = try_mkdir("cache-file-writable");
    EXPECT_FALSE(contains(r.out, "MKDIR-ALLOWED"));
    EXPECT_TRUE(contains(r.err, file + ": writable by other users")) << r.err;
}

}  // namespace
}  // namespace gocker
