// Test helpers for gocker-net: network namespaces the test makes, so that nothing a test does
// reaches the machine's own network.
//
//   PrivateNetns host;          // this process now lives in a fresh network namespace ("host")
//   NetnsProcess c1;            // a child sleeping in another fresh one ("a container")
//   ...                         // both are gone (and this process back home) at scope exit
#pragma once

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace gocker::test {

// Moves the calling process into a new network namespace until destroyed. Tests that use it must
// run single-threaded (gtest does).
class PrivateNetns {
public:
    PrivateNetns() : home_(::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) {
        ok_ = home_ >= 0 && ::unshare(CLONE_NEWNET) == 0;
    }
    ~PrivateNetns() {
        // Going back must not fail: the rest of the test binary would run in the wrong namespace.
        if (home_ >= 0 && ok_ && ::setns(home_, CLONE_NEWNET) != 0) std::abort();
        if (home_ >= 0) ::close(home_);
    }
    PrivateNetns(const PrivateNetns&) = delete;
    PrivateNetns& operator=(const PrivateNetns&) = delete;
    bool ok() const { return ok_; }

private:
    int home_;
    bool ok_ = false;
};

// A child process that unshares its network namespace and sleeps until killed.
class NetnsProcess {
public:
    NetnsProcess() {
        int p[2];
        if (::pipe2(p, O_CLOEXEC) != 0) return;
        pid_ = ::fork();
        if (pid_ == 0) {
            char ok = ::unshare(CLONE_NEWNET) == 0 ? 1 : 0;
            (void)!::write(p[1], &ok, 1);
            for (;;) ::pause();
        }
        ::close(p[1]);
        char ok = 0;
        if (pid_ < 0 || ::read(p[0], &ok, 1) != 1 || !ok) stop();
        ::close(p[0]);
    }
    ~NetnsProcess() { stop(); }
    NetnsProcess(const NetnsProcess&) = delete;
    NetnsProcess& operator=(const NetnsProcess&) = delete;

    int pid() const { return pid_; }
    std::string netns_path() const { return "/proc/" + std::to_string(pid_) + "/ns/net"; }
    // Kills it: its network namespace dies with it (and the kernel removes its veths).
    void stop() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        pid_ = -1;
    }

private:
    int pid_ = -1;
};

// A socket made in another network namespace (it stays bound to that namespace); -1 on failure.
inline int socket_in(const std::string& netns_path, int type) {
    int home = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    int target = ::open(netns_path.c_str(), O_RDONLY | O_CLOEXEC);
    int s = -1;
    if (home >= 0 && target >= 0 && ::setns(target, CLONE_NEWNET) == 0) {
        s = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
        if (::setns(home, CLONE_NEWNET) != 0) std::abort();
    }
    if (home >= 0) ::close(home);
    if (target >= 0) ::close(target);
    return s;
}

}  // namespace gocker::test
