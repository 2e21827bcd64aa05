// process.terminal: the pty is created inside the container (so its devpts instance is the
// container's), its master travels to the caller over --console-socket in runc's format (the
// payload is the name "/dev/ptmx", the fd rides in one SCM_RIGHTS control message), and the
// slave becomes the init's controlling terminal and stdio.
#include "linux/terminal.hpp"

#include <fcntl.h>
#include <linux/mount.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace gocker {

namespace {

// runc's RecvFile reads the name into a buffer of this size; longer payloads are never sent.
constexpr size_t kMaxNameLen = 4096;

// /dev/ptmx and /dev/pts/ptmx are both character device 5:2. Anything else at /dev/ptmx is a
// trap laid by the (untrusted) image.
bool is_ptmx(int fd) {
    struct stat st {};
    return fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == 5 && minor(st.st_rdev) == 2;
}

Result<UniqueFd> open_slave(int master) {
    UniqueFd slave(ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (slave) return slave;
    if (errno != EINVAL && errno != ENOTTY) return sys_error("open the pty slave (TIOCGPTPEER)");
    // Kernels before 4.13: go by name, which is only safe because devpts is already ours.
    char name[64];
    if (ptsname_r(master, name, sizeof(name)) != 0) return sys_error("ptsname of /dev/ptmx");
    slave.reset(open(name, O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!slave) return sys_error([&] { return "open pty slave " + std::string(name); });
    return slave;
}

// Bind the slave over /dev/console (the empty file the rootfs step made) by file descriptor,
// so a symlink planted at /dev/console cannot redirect the mount onto another path.
Status bind_console(int slave) {
    UniqueFd target(open("/dev/console", O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!target) {
        if (errno == ENOENT) return ok_status();  // no /dev/console in this rootfs: nothing to do
        return sys_error("open /dev/console");
    }
    struct stat st {};
    if (fstat(target.get(), &st) != 0) return sys_error("stat /dev/console");
    if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode))
        return Error("bind the pty on /dev/console: not a regular file or device (a symlink?)", ELOOP);
    UniqueFd tree(
        static_cast<int>(syscall(SYS_open_tree, slave, "", AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)));
    if (!tree) return sys_error("bind the pty on /dev/console: open_tree of the pty slave");
    if (syscall(SYS_move_mount, tree.get(), "", target.get(), "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) !=
        0)
        return sys_error("bind the pty on /dev/console: move_mount");
    return ok_status();
}

}  // namespace

Result<UniqueFd> connect_console_socket(const std::string& path) {
    return connect_unix_socket(path, "connect to console socket \"" + path + "\"");
}

Result<UniqueFd> connect_unix_socket(const std::string& path, const std::string& what) {
    struct sockaddr_un addr {};
    addr.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof(addr.sun_path)) return Error(what, ENAMETOOLONG);
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    UniqueFd sock(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!sock) return sys_error(what);
    if (connect(sock.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) return sys_error(what);
    return sock;
}

Status send_fd(int sock, int fd, const std::string& name) {
    // A stream socket drops a message without payload bytes, so an empty name still sends one.
    const std::string payload = name.empty() ? std::string(1, '\0') : name;
    if (payload.size() > kMaxNameLen) return Error("send fd: name too long", ENAMETOOLONG);
    struct iovec iov {
        const_cast<char*>(payload.data()), payload.size()
    };
    alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    struct msghdr msg {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    struct cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
    ssize_t n;
    do n = sendmsg(sock, &msg, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0) return sys_error([&] { return "send fd \"" + name + "\" over the socket"; });
    // The fd travels with the first byte; a short write only shortens the name.
    return ok_status();
}

Result<UniqueFd> recv_fd(int sock, std::string* name) {
    std::string buf(kMaxNameLen, '\0');
    struct iovec iov {
        buf.data(), buf.size()
    };
    // Room for a few fds: a misbehaving peer that sends several must not leak them into us.
    alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int) * 8)] = {};
    struct msghdr msg {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    ssize_t n;
    do n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0) return sys_error("receive fd over the socket");
    if (n == 0) return Error("receive fd over the socket: peer closed the connection", ECONNRESET);
    UniqueFd received;
    for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        const size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < count; ++i) {
            int fd;
            std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
            if (!received) received.reset(fd);
            else close(fd);
        }
    }
    if (msg.msg_flags & MSG_CTRUNC) return Error("receive fd over the socket: control message truncated", EMSGSIZE);
    if (!received) return Error("receive fd over the socket: the message carried no fd", EBADMSG);
    if (name) {
        buf.resize(static_cast<size_t>(n));
        while (!buf.empty() && buf.back() == '\0') buf.pop_back();
        *name = std::move(buf);
    }
    return received;
}

Status setup_console(int socket_fd, const std::optional<spec::ConsoleSize>& size) {
    UniqueFd sock(socket_fd);  // ours now: closed on every path, as the header promises
    UniqueFd master(open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!master) return sys_error("open /dev/ptmx");
    if (!is_ptmx(master.get())) return Error("open /dev/ptmx: not the pty multiplexer (5:2)", EPERM);
    if (unlockpt(master.get()) != 0) return sys_error("unlockpt /dev/ptmx");
    UniqueFd slave = GK_TRY(open_slave(master.get()));
    if (size) {
        struct winsize ws {};
        ws.ws_row = static_cast<unsigned short>(size->height);
        ws.ws_col = static_cast<unsigned short>(size->width);
        if (ioctl(master.get(), TIOCSWINSZ, &ws) != 0) return sys_error("set process.consoleSize");
    }
    GK_TRY(bind_console(slave.get()));
    GK_TRY_CTX(send_fd(sock.get(), master.get(), "/dev/ptmx"), "send the pty master to --console-socket");
    master.reset();
    sock.reset();
    // The init may already lead a session (a caller that did setsid itself); that is fine.
    if (setsid() < 0 && !(errno == EPERM && getsid(0) == getpid())) return sys_error("setsid for the console");
    if (ioctl(slave.get(), TIOCSCTTY, 0) != 0) return sys_error("make the pty the controlling terminal");
    for (int target = 0; target <= 2; ++target) {
        if (slave.get() == target) {
            fcntl(target, F_SETFD, 0);  // dup2 onto itself would keep O_CLOEXEC
            continue;
        }
        if (dup2(slave.get(), target) < 0)
            return sys_error([&] { return "dup2 the pty slave to fd " + std::to_string(target); });
    }
    if (slave.get() <= 2) slave.release();
    return ok_status();
}

}  // namespace gocker
