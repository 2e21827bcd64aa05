// The compiled-program cache: keyed by every field of the profile, a hit only on an exact key,
// and a cached program that loads and works like a freshly compiled one.
#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "linux/seccomp_cache.hpp"
#include "support/temp_dir.hpp"

namespace gocker {
namespace {

namespace fs = std::filesystem;

spec::Seccomp profile(uint32_t err) {
    spec::Seccomp p;
    p.default_action = "SCMP_ACT_ALLOW";
    p.architectures = {"SCMP_ARCH_X86_64"};
    spec::SeccompSyscall s;
    s.names = {"getppid"};
    s.action = "SCMP_ACT_ERRNO";
    s.errno_ret = err;
    p.syscalls = {s};
    return p;
}

class SeccompCache : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(tmp_dir_.ok()) << "mkdtemp in /tmp failed"; }
    test::TempDir tmp_dir_{"gocker-sccache"};
    std::string dir_ = tmp_dir_.path();
};

TEST_F(SeccompCache, KeyCoversEveryField) {
    spec::Seccomp a = profile(42), b = profile(42);
    EXPECT_EQ(seccomp_cache_key(a), seccomp_cache_key(b));
    b.syscalls[0].errno_ret = 43;
    EXPECT_NE(seccomp_cache_key(a), seccomp_cache_key(b));
    b = a;
    b.architectures.push_back("SCMP_ARCH_X86");
    EXPECT_NE(seccomp_cache_key(a), seccomp_cache_key(b));
    b = a;
    spec::SeccompArg arg;
    arg.op = "SCMP_CMP_EQ";
    b.syscalls[0].args = {arg};
    EXPECT_NE(seccomp_cache_key(a), seccomp_cache_key(b));
    b = a;
    b.flags = {"SECCOMP_FILTER_FLAG_LOG"};
    EXPECT_NE(seccomp_cache_key(a), seccomp_cache_key(b));
    // Field boundaries are explicit: moving a character between names changes the key.
    b = a;
    a.syscalls[0].names = {"ab", "c"};
    b.syscalls[0].names = {"a", "bc"};
    EXPECT_NE(seccomp_cache_key(a), seccomp_cache_key(b));
}

TEST_F(SeccompCache, SecondCompileIsACacheHitWithTheSameProgram) {
    auto first = seccomp_program(profile(42), dir_);
    ASSERT_TRUE(first) << first.error().message();
    EXPECT_FALSE(first->from_cache);
    ASSERT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
    auto second = seccomp_program(profile(42), dir_);
    ASSERT_TRUE(second) << second.error().message();
    EXPECT_TRUE(second->from_cache);
    EXPECT_EQ(first->bpf, second->bpf);
    auto other = seccomp_program(profile(43), dir_);
    ASSERT_TRUE(other);
    EXPECT_FALSE(other->from_cache);
    EXPECT_NE(other->bpf, first->bpf);
}

TEST_F(SeccompCache, FileWithAnotherKeyIsAMiss) {
    auto first = seccomp_program(profile(42), dir_);
    ASSERT_TRUE(first);
    std::string file = fs::directory_iterator(dir_)->path();
    // Same file name, different key text (what a hash collision would look like).
    std::ofstream(file, std::ios::trunc | std::ios::binary) << "some other profile" << '\0' << std::string(8, 'x');
    auto again = seccomp_program(profile(42), dir_);
    ASSERT_TRUE(again);
    EXPECT_FALSE(again->from_cache);
    EXPECT_EQ(again->bpf, first->bpf);
}

TEST_F(SeccompCache, CachedProgramLoadsAndReturnsTheErrno) {
    ASSERT_TRUE(seccomp_program(profile(42), dir_));
    auto cached = seccomp_program(profile(42), dir_);
    ASSERT_TRUE(cached && cached->from_cache);
    pid_t pid = ::fork();
    if (pid == 0) {
        ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        if (!load_seccomp_program(*cached)) _exit(200);
        long r = ::syscall(SYS_getppid);
        _exit(r < 0 ? errno : 0);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 42);
}

TEST_F(SeccompCache, EmptyDirDisablesTheCache) {
    auto p = seccomp_program(profile(42), "");
    ASSERT_TRUE(p);
    EXPECT_FALSE(p->from_cache);
    EXPECT_FALSE(p->bpf.empty());
}

}  // namespace
}  // namespace gocker
