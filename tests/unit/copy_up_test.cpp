// tmpcopyup's copy (copy_up.hpp) between two plain directories: content, modes, owners, times
// and symlinks kept, and nothing outside the source ever followed or touched.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/fd.hpp"
#include "common/file_io.hpp"
#include "linux/copy_up.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;

namespace gocker {
namespace {

class CopyUp : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(tmp_dir_.ok()) << "mkdtemp in /tmp failed";
        fs::create_directories(src());
        fs::create_directories(dst());
    }
    std::string src() const { return dir_ + "/image/run"; }
    std::string dst() const { return dir_ + "/tmpfs"; }
    std::string outside() const { return dir_ + "/outside"; }
    static void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }
    static struct stat lstat_of(const std::string& path) {
        struct stat st {};
        EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
        return st;
    }
    Status copy() {
        UniqueFd s(::open(src().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        UniqueFd d(::open(dst().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        return copy_up_tree(s.get(), d.get(), "/run");
    }

    test::TempDir tmp_dir_{"gocker-copyup"};
    std::string dir_ = tmp_dir_.path();
};

TEST_F(CopyUp, ContentOwnersModesTimesAndSymlinksAreKept) {
    fs::create_directories(src() + "/lock/sub");
    write(src() + "/lock/sub/pidfile", "42\n");
    write(src() + "/motd", std::string(200000, 'x'));
    ASSERT_EQ(::chmod(src().c_str(), 0710), 0);
    ASSERT_EQ(::chmod((src() + "/lock").c_str(), 01777), 0);
    ASSERT_EQ(::chmod((src() + "/motd").c_str(), 0640), 0);
    const bool root = ::geteuid() == 0;
    if (root) {
        ASSERT_EQ(::chown((src() + "/lock/sub/pidfile").c_str(), 123, 456), 0);
    }
    ASSERT_EQ(::symlink("../motd", (src() + "/lock/rel").c_str()), 0);
    ASSERT_EQ(::symlink("/etc/shadow", (src() + "/abs").c_str()), 0);
    ASSERT_EQ(::mkfifo((src() + "/fifo").c_str(), 0600), 0);
    ASSERT_EQ(::chmod((src() + "/fifo").c_str(), 0620), 0);
    const struct timespec old_times[2] = {{1000000000, 0}, {1000000000, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, (src() + "/motd").c_str(), old_times, 0), 0);

    Status st = copy();
    ASSERT_TRUE(st) << st.error().message();

    EXPECT_EQ(*read_whole_file(dst() + "/lock/sub/pidfile"), "42\n");
    EXPECT_EQ(read_whole_file(dst() + "/motd")->size(), 200000u);
    EXPECT_EQ(lstat_of(dst()).st_mode & 07777, 0710u);
    EXPECT_EQ(lstat_of(dst() + "/lock").st_mode & 07777, 01777u);
    EXPECT_EQ(lstat_of(dst() + "/motd").st_mode & 07777, 0640u);
    EXPECT_EQ(lstat_of(dst() + "/motd").st_mtim.tv_sec, 1000000000);
    if (root) {
        EXPECT_EQ(lstat_of(dst() + "/lock/sub/pidfile").st_uid, 123u);
        EXPECT_EQ(lstat_of(dst() + "/lock/sub/pidfile").st_gid, 456u);
    }
    EXPECT_TRUE(S_ISLNK(lstat_of(dst() + "/lock/rel").st_mode));
    EXPECT_EQ(fs::read_symlink(dst() + "/lock/rel"), "../motd");
    EXPECT_EQ(fs::read_symlink(dst() + "/abs"), "/etc/shadow");
    EXPECT_TRUE(S_ISFIFO(lstat_of(dst() + "/fifo").st_mode));
    EXPECT_EQ(lstat_of(dst() + "/fifo").st_mode & 07777, 0620u);
}

// A hostile image: symlinks to directories and files outside the source are copied as
// symlinks; what they point at is neither read into the copy nor changed.
TEST_F(CopyUp, SymlinksOutOfTheImageAreNeverFollowed) {
    fs::create_directories(outside());
    write(outside() + "/secret", "host secret\n");
    ASSERT_EQ(::chmod((outside() + "/secret").c_str(), 0600), 0);
    ASSERT_EQ(::symlink(outside().c_str(), (src() + "/dir").c_str()), 0);
    ASSERT_EQ(::symlink((outside() + "/secret").c_str(), (src() + "/file").c_str()), 0);
    const struct stat before = lstat_of(outside() + "/secret");

    Status st = copy();
    ASSERT_TRUE(st) << st.error().message();

    EXPECT_TRUE(S_ISLNK(lstat_of(dst() + "/dir").st_mode));
    EXPECT_TRUE(S_ISLNK(lstat_of(dst() + "/file").st_mode));
    EXPECT_FALSE(fs::exists(dst() + "/secret"));
    const struct stat after = lstat_of(outside() + "/secret");
    EXPECT_EQ(after.st_mode, before.st_mode);
    EXPECT_EQ(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
    EXPECT_EQ(after.st_uid, before.st_uid);
}

TEST_F(CopyUp, AFailureNamesThePathInTheContainer) {
    fs::create_directories(src() + "/a");
    fs::create_directories(dst() + "/a");  // already there: the copy cannot make it
    Status st = copy();
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().message(), "tmpcopyup: mkdir /run/a: file exists");
}

}  // namespace
}  // namespace gocker
