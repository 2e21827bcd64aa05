// The state store's guarantees about who can see and change a container's state: a new
// directory is locked before it is visible, the root and files are private, and a root someone
// else owns or can write is refused.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/time.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "container/state_store.hpp"
#include "support/temp_dir.hpp"

namespace gocker {
namespace {

class StateStoreTest : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(tmp_dir_.ok()) << "mkdtemp in /tmp failed"; }
    static mode_t mode_of(const std::string& p) {
        struct stat st;
        return ::stat(p.c_str(), &st) == 0 ? (st.st_mode & 07777) : 07777;
    }
    test::TempDir tmp_dir_{"gocker-state-unit"};
    std::string tmp_ = tmp_dir_.path();
};

TEST_F(StateStoreTest, NewDirectoryIsLockedOnceVisibleAndPrivate) {
    StateStore store(tmp_ + "/run/state");
    auto lock = store.create_dir("c1");
    ASSERT_TRUE(lock) << lock.error().message();
    EXPECT_EQ(mode_of(tmp_ + "/run/state"), 0700u);
    EXPECT_EQ(mode_of(tmp_ + "/run"), 0711u);  // a parent made on the way
    EXPECT_EQ(mode_of(store.dir("c1")), 0700u);
    int other = ::open(store.dir("c1").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ASSERT_GE(other, 0);
    EXPECT_EQ(::flock(other, LOCK_EX | LOCK_NB), -1);  // held by the creator already
    EXPECT_EQ(errno, EWOULDBLOCK);
    ::close(other);
    ASSERT_TRUE(store.write_file(*lock, "config.json", "{}"));
    EXPECT_EQ(mode_of(store.dir("c1") + "/config.json"), 0600u);
    // Nothing else is left in the root (no temporary name), and the id cannot be made twice.
    auto ids = store.list();
    ASSERT_TRUE(ids);
    EXPECT_EQ(*ids, std::vector<std::string>{"c1"});
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(store.root()), {}), 1);
    auto again = store.create_dir("c1");
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().message(), "container \"c1\" already exists");
}

// A create killed between making its ".new-<id>-<pid>" directory and renaming it leaves that
// directory: the next create or list removes it once nobody holds it locked and it is older than
// a few seconds, whatever the pid in its name (one from another PID namespace means nothing here:
// a dead pid does not make a fresh directory stale, a live one does not keep an old one).
TEST_F(StateStoreTest, TemporaryDirectoriesOfDeadCreatesAreRemoved) {
    StateStore store(tmp_ + "/state");
    ASSERT_EQ(::mkdir(store.root().c_str(), 0700), 0);
    pid_t dead = ::fork();
    if (dead == 0) _exit(0);
    ASSERT_EQ(::waitpid(dead, nullptr, 0), dead);
    const pid_t alive = ::getpid();
    auto tmpdir = [&](const std::string& id, pid_t pid, time_t age) {
        std::string p = store.root() + "/.new-" + id + "-" + std::to_string(pid);
        EXPECT_EQ(::mkdir(p.c_str(), 0700), 0) << p;
        struct timespec t[2];
        ::clock_gettime(CLOCK_REALTIME, &t[0]);
        t[0].tv_sec -= age;
        t[1] = t[0];
        EXPECT_EQ(::utimensat(AT_FDCWD, p.c_str(), t, 0), 0) << p;
        return p;
    };
    // Made just now by a create (maybe in another PID namespace) that has not locked it yet.
    std::string fresh = tmpdir("a", dead, 0);
    // Left a minute ago, by a create whose pid number is taken by a live process now.
    std::string old_live = tmpdir("b-c", alive, 60), old_dead = tmpdir("d", dead, 60);
    std::string held = tmpdir("e", dead, 60);
    int holder = ::open(held.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ASSERT_EQ(::flock(holder, LOCK_EX), 0);
    auto ids = store.list();
    ASSERT_TRUE(ids) << ids.error().message();
    EXPECT_TRUE(ids->empty());
    EXPECT_TRUE(std::filesystem::exists(fresh));
    EXPECT_FALSE(std::filesystem::exists(old_live));
    EXPECT_FALSE(std::filesystem::exists(old_dead));
    EXPECT_TRUE(std::filesystem::exists(held));
    // create does the same, once the lock is let go.
    ::close(holder);
    ASSERT_TRUE(store.create_dir("f"));
    EXPECT_FALSE(std::filesystem::exists(held));
    EXPECT_TRUE(std::filesystem::exists(fresh));
}

// A lock with a time limit (kill's) gives up, saying why, when another command keeps the lock;
// it leaves the caller's SIGALRM handler and timer as they were, and takes a free lock at once.
TEST_F(StateStoreTest, LockWithTimeLimitGivesUpOnAHeldLock) {
    StateStore store(tmp_ + "/state");
    auto first = store.create_dir("c1");
    ASSERT_TRUE(first) << first.error().message();
    struct sigaction mine = {}, before;
    mine.sa_handler = SIG_IGN;
    ASSERT_EQ(::sigaction(SIGALRM, &mine, &before), 0);
    struct itimerval timer = {{0, 0}, {100, 0}}, left;
    ASSERT_EQ(::setitimer(ITIMER_REAL, &timer, nullptr), 0);
    auto t0 = std::chrono::steady_clock::now();
    auto second = store.lock("c1", 1);
    auto waited = std::chrono::steady_clock::now() - t0;
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().message(),
              "another command on container \"c1\" has held its lock for 1 s (a create, start or delete still under "
              "way?)");
    EXPECT_GE(waited, std::chrono::milliseconds(900));
    EXPECT_LT(waited, std::chrono::seconds(4));
    struct sigaction now;
    ASSERT_EQ(::sigaction(SIGALRM, nullptr, &now), 0);
    EXPECT_EQ(now.sa_handler, SIG_IGN);
    ASSERT_EQ(::getitimer(ITIMER_REAL, &left), 0);
    EXPECT_GT(left.it_value.tv_sec, 90);  // the caller's timer still runs
    timer = {};
    ::setitimer(ITIMER_REAL, &timer, nullptr);
    ::sigaction(SIGALRM, &before, nullptr);
    *first = ContainerLock();
    auto third = store.lock("c1", 1);
    EXPECT_TRUE(third) << third.error().message();
}

TEST_F(StateStoreTest, RootWritableByOthersIsRefused) {
    std::string root = tmp_ + "/shared";
    ASSERT_EQ(::mkdir(root.c_str(), 0700), 0);
    ASSERT_EQ(::chmod(root.c_str(), 0777), 0);
    StateStore store(root);
    auto lock = store.create_dir("c1");
    ASSERT_FALSE(lock);
    EXPECT_EQ(lock.error().message(),
              "state root " + root + ": writable by other users (mode 0777): refusing to trust it");
    EXPECT_FALSE(store.list());
    EXPECT_FALSE(std::filesystem::exists(root + "/c1"));
}

TEST(CreatedTime, IsRfc3339InUtcWithNanoseconds) {
    const time_t before = ::time(nullptr);
    const std::string t = now_rfc3339_nano();
    // runc's shape: 2026-12-03T18:30:12.123456789Z
    ASSERT_EQ(t.size(), 30u) << t;
    struct tm tm {};
    const char* rest = ::strptime(t.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
    ASSERT_NE(rest, nullptr) << t;
    EXPECT_EQ(std::string(rest).size(), 11u) << t;
    EXPECT_EQ(rest[0], '.');
    EXPECT_EQ(t.back(), 'Z');
    const time_t parsed = ::timegm(&tm);
    EXPECT_GE(parsed, before);
    EXPECT_LE(parsed, ::time(nullptr));
}

}  // namespace
}  // namespace gocker
