// Tests for runtime/linux/terminal.cpp. setup_console() runs in a forked child that first
// enters its own mount namespace with / made rslave, so the /dev/console bind never reaches
// the host's mount table.
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "linux/terminal.hpp"
#include "support/temp_dir.hpp"

namespace gocker {
namespace {

TEST(SendRecvFd, RoundTripKeepsTheFileAndTheName) {
    int sv[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    UniqueFd a(sv[0]), b(sv[1]);
    UniqueFd file(open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
    ASSERT_TRUE(file);
    auto st = send_fd(a.get(), file.get(), "/dev/ptmx");
    ASSERT_TRUE(st.ok()) << st.error().message();
    std::string name;
    auto got = recv_fd(b.get(), &name);
    ASSERT_TRUE(got.ok()) << got.error().message();
    EXPECT_EQ(name, "/dev/ptmx");
    EXPECT_NE(got->get(), file.get());
    struct stat s1 {
    }, s2{};
    ASSERT_EQ(fstat(file.get(), &s1), 0);
    ASSERT_EQ(fstat(got->get(), &s2), 0);
    EXPECT_EQ(s1.st_ino, s2.st_ino);
    EXPECT_EQ(s1.st_dev, s2.st_dev);
    EXPECT_TRUE(fcntl(got->get(), F_GETFD) & FD_CLOEXEC);  // received fds never leak into execs
}

TEST(SendRecvFd, MessageWithoutFdIsAnError) {
    int sv[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    UniqueFd a(sv[0]), b(sv[1]);
    ASSERT_EQ(write(a.get(), "x", 1), 1);
    auto got = recv_fd(b.get());
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.error().message(), "receive fd over the socket: the message carried no fd: bad message");
    a.reset();
    got = recv_fd(b.get());
    ASSERT_FALSE(got.ok());
    EXPECT_NE(got.error().message().find("peer closed"), std::string::npos);
}

TEST(ConsoleSocket, ConnectsToAListeningSocketAndReportsAMissingOne) {
    test::TempDir dir("gocker-term");
    ASSERT_TRUE(dir.ok());
    const std::string& dir_tmpl = dir.path();
    const std::string path = dir_tmpl + "/console.sock";
    UniqueFd listener(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    struct sockaddr_un addr {};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path.c_str());
    ASSERT_EQ(bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    ASSERT_EQ(listen(listener.get(), 1), 0);
    auto sock = connect_console_socket(path);
    EXPECT_TRUE(sock.ok()) << sock.error().message();
    auto missing = connect_console_socket(dir_tmpl + "/nope.sock");
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().message(),
              "connect to console socket \"" + dir_tmpl + "/nope.sock\": no such file or directory");
}

TEST(SetupConsole, SendsAMasterThatCarriesTheChildsOutput) {
    int sv[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    UniqueFd parent_end(sv[0]);
    const pid_t pid = fork();
    if (pid == 0) {
        parent_end.reset();
        // Private mount namespace: the /dev/console bind stays in here.
        if (unshare(CLONE_NEWNS) != 0 || mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) != 0) _exit(80);
        auto st = setup_console(sv[1], spec::ConsoleSize{25, 80});
        if (!st) {
            // stderr is still the test's: say why before failing.
            fprintf(stderr, "setup_console: %s\n", st.error().message().c_str());
            _exit(81);
        }
        // stdout is now the pty; /dev/console (when present) must be the same pty.
        struct stat out {
        }, console{};
        fstat(1, &out);
        const bool console_ok = stat("/dev/console", &console) != 0 || console.st_rdev == out.st_rdev;
        const bool ctty = tcgetpgrp(0) == getpgrp();
        printf("hello from the container console=%d ctty=%d\n", console_ok, ctty);
        fflush(stdout);
        _exit(0);
    }
    close(sv[1]);
    std::string name;
    auto master = recv_fd(parent_end.get(), &name);
    ASSERT_TRUE(master.ok()) << master.error().message();
    EXPECT_EQ(name, "/dev/ptmx");
    struct winsize ws {};
    ASSERT_EQ(ioctl(master->get(), TIOCGWINSZ, &ws), 0);
    EXPECT_EQ(ws.ws_row, 25);
    EXPECT_EQ(ws.ws_col, 80);
    std::string output;
    char buf[256];
    while (output.find('\n') == std::string::npos) {
        struct pollfd p {
            master->get(), POLLIN, 0
        };
        if (poll(&p, 1, 5000) <= 0) break;
        const ssize_t n = read(master->get(), buf, sizeof(buf));
        if (n <= 0) break;  // EIO once the child is gone and the slave closed
        output.append(buf, static_cast<size_t>(n));
    }
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status)) << status;
    ASSERT_EQ(WEXITSTATUS(status), 0);
    EXPECT_EQ(output, "hello from the container console=1 ctty=1\r\n");  // the tty adds the \r
}

}  // namespace
}  // namespace gocker
