// The CVE-2019-5736 defence's building blocks: which images of the runtime binary count as
// protected, and that both protected images really refuse writes. The images are made of a
// scratch file (not of the running test binary, which the kernel keeps from writers anyway).
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "linux/hygiene.hpp"

namespace gocker {
namespace {

class Hygiene : public ::testing::Test {
protected:
    void SetUp() override {
        UniqueFd fd(::mkstemp(path_));
        ASSERT_TRUE(fd);
        ASSERT_EQ(::write(fd.get(), "#!/bin/true\n", 12), 12);
    }
    void TearDown() override { ::unlink(path_); }

    // Reopening a descriptor for writing through its /proc/self/fd magic link, as the attack does.
    static UniqueFd reopen_for_write(int fd) {
        return UniqueFd(::open(("/proc/self/fd/" + std::to_string(fd)).c_str(), O_WRONLY | O_CLOEXEC));
    }
    std::string contents() {
        char buf[64] = {};
        UniqueFd fd(::open(path_, O_RDONLY | O_CLOEXEC));
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        return std::string(buf, n > 0 ? static_cast<size_t>(n) : 0);
    }

    char path_[32] = "/tmp/gocker-hygiene-XXXXXX";
};

TEST_F(Hygiene, AnOrdinaryWritableFileIsNotProtected) {
    UniqueFd fd(::open(path_, O_RDONLY | O_CLOEXEC));
    EXPECT_EQ(classify_runtime_binary(fd.get()), RuntimeBinary::writable);
    EXPECT_TRUE(reopen_for_write(fd.get()));  // the test's own control: the attack works here
}

TEST_F(Hygiene, SealedMemfdCopyIsProtectedAndRefusesWrites) {
    auto copy = sealed_memfd_copy_of(path_);
    ASSERT_TRUE(copy) << copy.error().message();
    EXPECT_EQ(classify_runtime_binary(copy->get()), RuntimeBinary::sealed_memfd);
    EXPECT_EQ(::lseek(copy->get(), 0, SEEK_END), 12);  // the whole file
    UniqueFd w = reopen_for_write(copy->get());
    if (w) {
        EXPECT_LT(::write(w.get(), "x", 1), 0) << "a write went through the sealed copy";
    }
    // The copy itself is what must be unchanged (the original was never at risk here).
    char buf[64] = {};
    ssize_t n = ::pread(copy->get(), buf, sizeof buf, 0);
    EXPECT_EQ(std::string(buf, n > 0 ? static_cast<size_t>(n) : 0), "#!/bin/true\n");
}

TEST_F(Hygiene, ReadOnlyViewIsProtectedAndRefusesWrites) {
    auto view = read_only_view_of(path_);
    if (!view) GTEST_SKIP() << "no detached mounts here: " << view.error().message();
    EXPECT_EQ(classify_runtime_binary(view->get()), RuntimeBinary::read_only_mount);
    errno = 0;
    UniqueFd w = reopen_for_write(view->get());
    EXPECT_FALSE(w) << "the read-only view was opened for writing";
    EXPECT_EQ(errno, EROFS);
    EXPECT_EQ(::truncate(("/proc/self/fd/" + std::to_string(view->get())).c_str(), 0), -1);
    EXPECT_EQ(contents(), "#!/bin/true\n");
    // It is the same file, not a copy.
    struct stat a {
    }, b{};
    ASSERT_EQ(::fstat(view->get(), &a), 0);
    ASSERT_EQ(::stat(path_, &b), 0);
    EXPECT_EQ(a.st_ino, b.st_ino);
}

}  // namespace
}  // namespace gocker
