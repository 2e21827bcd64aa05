// Finding 2 of issue 11: another local user must not read a container's state (its saved
// config holds process.env, secrets included) nor reach its exec FIFO; and whoever can reach the
// FIFO must not make `start` hang (holding the container lock) or report a forged result.
//
// The attacker is a child of the test that switched to nobody (65534); everything it aims at is
// under the test's temporary directory, made traversable (0711) for the attack.
#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <chrono>
#include <thread>

#include "integration/bundle_fixture.hpp"

namespace gocker {
namespace {

using test::contains;
using test::RunResult;

// errno of open(path, flags) as nobody, 0 when it opened.
int open_as_nobody(const std::string& path, int flags) {
    int pipefd[2];
    if (::pipe(pipefd) != 0) return -1;
    pid_t pid = ::fork();
    if (pid == 0) {
        ::close(pipefd[0]);
        int err = 0;
        if (::setgroups(0, nullptr) != 0 || ::setresgid(65534, 65534, 65534) != 0 ||
            ::setresuid(65534, 65534, 65534) != 0)
            err = -2;
        else if (int fd = ::open(path.c_str(), flags | O_NONBLOCK | O_CLOEXEC); fd < 0) err = errno;
        (void)!::write(pipefd[1], &err, sizeof err);
        ::_exit(0);
    }
    ::close(pipefd[1]);
    int err = -1;
    if (::read(pipefd[0], &err, sizeof err) != static_cast<ssize_t>(sizeof err)) err = -1;
    ::close(pipefd[0]);
    ::waitpid(pid, nullptr, 0);
    return err;
}

mode_t mode_of(const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 ? (st.st_mode & 07777) : 07777;
}

class StateAccess : public test::BundleTest {
protected:
    void SetUp() override {
        BundleTest::SetUp();
        ::chmod(tmp().c_str(), 0711);  // as /run is: others may traverse it
        out_ = tmp() + "/out";
        std::filesystem::create_directories(out_);
        add_bind(out_, "/out", {"rbind", "rw"});
    }
    std::string out_;
};

TEST_F(StateAccess, StateIsReadableAndTheFifoReachableOnlyByItsOwner) {
    cfg().process->env.push_back("DB_PASSWORD=hunter2");
    cfg().process->args = {"true"};
    ASSERT_EQ(create("c2").exit_code, 0);
    std::string dir = root() + "/c2";
    EXPECT_EQ(mode_of(root()), 0700u);
    EXPECT_EQ(mode_of(dir), 0700u);
    for (const char* f : {"config.json", "state.json", "cgroup.json"}) EXPECT_EQ(mode_of(dir + "/" + f), 0600u) << f;
    // The attack itself: nobody reads the secret, or opens the FIFO for writing.
    EXPECT_EQ(open_as_nobody(dir + "/config.json", O_RDONLY), EACCES);
    EXPECT_EQ(open_as_nobody(dir + "/state.json", O_RDONLY), EACCES);
    EXPECT_EQ(open_as_nobody(dir + "/exec.fifo", O_WRONLY), EACCES);
    EXPECT_EQ(open_as_nobody(root(), O_RDONLY | O_DIRECTORY), EACCES);
}

// A process (here root, the only one left who can reach the FIFO) waits in open() for writing,
// as the init does, so that `start` lets both in at once; then it writes text and keeps the
// FIFO open, or closes it.
class ForeignFifoWriter : public StateAccess {
protected:
    // Forks the intruder and returns once it waits in open() (its system call is openat).
    void start_intruder(const std::string& id, const std::string& text, bool hold) {
        std::string fifo = root() + "/" + id + "/exec.fifo", flag = out_ + "/intruder-in";
        intruder_ = ::fork();
        if (intruder_ == 0) {
            int fd = ::open(fifo.c_str(), O_WRONLY | O_CLOEXEC);
            if (fd < 0) ::_exit(1);
            (void)!::write(fd, text.data(), text.size());
            ::close(::open(flag.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
            if (hold) ::pause();
            ::_exit(0);
        }
        std::string syscall_file = "/proc/" + std::to_string(intruder_) + "/syscall";
        for (int i = 0; i < 500; ++i) {
            if (test::read_text(syscall_file).rfind(std::to_string(SYS_openat) + " ", 0) == 0) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        ADD_FAILURE() << "the intruder never waited in open()";
    }
    void TearDown() override {
        if (intruder_ > 0) {
            ::kill(intruder_, SIGKILL);
            ::waitpid(intruder_, nullptr, 0);
        }
        StateAccess::TearDown();
    }
    pid_t intruder_ = -1;
};

TEST_F(ForeignFifoWriter, StartDoesNotHangWhileSomeoneHoldsTheFifo) {
    cfg().process->args = {"sh", "-c", "echo started > /out/ran; sleep 1000"};
    ASSERT_EQ(create("held").exit_code, 0);
    start_intruder("held", "forged: the program could not start", true);
    RunResult r = gocker({"start", "held"}, "", 15000);
    EXPECT_EQ(r.exit_code, 0) << r.err;  // the old start waited for end-of-file forever (-1)
    EXPECT_FALSE(contains(r.err, "forged")) << r.err;
    EXPECT_TRUE(std::filesystem::exists(out_ + "/intruder-in")) << "the intruder never got in";
    EXPECT_TRUE(contains(gocker({"state", "held"}).out, "\"running\""));
    // The lock is free again: another command on the container does not wait.
    RunResult d = gocker({"delete", "--force", "held"}, "", 15000);
    EXPECT_EQ(d.exit_code, 0) << d.err;
}

TEST_F(ForeignFifoWriter, ForgedTextDoesNotTurnAStartIntoAFailure) {
    cfg().process->args = {"sh", "-c", "echo started > /out/ran; sleep 1000"};
    ASSERT_EQ(create("forged").exit_code, 0);
    start_intruder("forged", "forged: the program could not start", false);
    RunResult r = gocker({"start", "forged"}, "", 15000);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_FALSE(contains(r.err, "forged: the program")) << r.err;
    EXPECT_TRUE(std::filesystem::exists(out_ + "/intruder-in")) << "the intruder never got in";
    EXPECT_TRUE(contains(gocker({"state", "forged"}).out, "\"running\""));
}

// The init's own failure (after the FIFO is open) is still reported with its text.
TEST_F(ForeignFifoWriter, TheInitsOwnFailureIsStillReported) {
    spec::Hook h;
    h.path = "/bin/false";
    cfg().hooks.emplace();
    cfg().hooks->start_container.push_back(h);
    cfg().process->args = {"true"};
    ASSERT_EQ(create("fails").exit_code, 0);
    RunResult r = gocker({"start", "fails"}, "", 15000);
    EXPECT_NE(r.exit_code, 0);
    EXPECT_TRUE(contains(r.err, "startContainer hook /bin/false: exit status 1")) << r.err;
}

}  // namespace
}  // namespace gocker
