#include "linux/copy_up.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "common/fd.hpp"
#include "common/log.hpp"

namespace gocker {
namespace {

// Each level holds three descriptors; an image nested deeper than this is refused, not copied
// until the runtime runs out of descriptors.
constexpr int kMaxDepth = 128;

std::string child(const std::string& dir, const char* name) {
    return dir == "/" ? "/" + std::string(name) : dir + "/" + name;
}

Error copy_error(const std::string& what, const std::string& shown, int err) {
    return Error("tmpcopyup: " + what + " " + shown, err);
}

// Owner first (a chown clears the setuid and setgid bits), then the mode, then the times. In a
// user namespace an owner the namespace does not map cannot be given: that one is left as root
// of the namespace, as the image showed it as the overflow id anyway.
Status copy_owner_mode_times(int dst, const struct stat& st, const std::string& shown) {
    if (::fchown(dst, st.st_uid, st.st_gid) != 0) {
        if (errno != EINVAL && errno != EPERM) return copy_error("chown", shown, errno);
        log::debug("tmpcopyup: " + shown + ": owner " + std::to_string(st.st_uid) + ":" + std::to_string(st.st_gid) +
                   " cannot be set here (" + errno_text(errno) + "), kept as created");
    }
    if (::fchmod(dst, st.st_mode & 07777) != 0) return copy_error("chmod", shown, errno);
    const struct timespec times[2] = {st.st_atim, st.st_mtim};
    if (::futimens(dst, times) != 0) return copy_error("set the times of", shown, errno);
    return ok_status();
}

// Extended attributes that the tmpfs accepts (security.*, trusted.*, user.* on newer kernels);
// one it refuses is skipped with a debug line.
void copy_xattrs(int src, int dst, const std::string& shown) {
    ssize_t size = ::flistxattr(src, nullptr, 0);
    if (size <= 0) return;
    std::vector<char> names(static_cast<size_t>(size));
    size = ::flistxattr(src, names.data(), names.size());
    if (size <= 0) return;
    for (size_t at = 0; at < static_cast<size_t>(size); at += std::strlen(&names[at]) + 1) {
        const char* name = &names[at];
        ssize_t len = ::fgetxattr(src, name, nullptr, 0);
        if (len < 0) continue;
        std::vector<char> value(static_cast<size_t>(len) + 1);
        len = ::fgetxattr(src, name, value.data(), value.size());
        if (len < 0) continue;
        if (::fsetxattr(dst, name, value.data(), static_cast<size_t>(len), 0) != 0)
            log::debug("tmpcopyup: " + shown + ": xattr " + name + " not copied (" + errno_text(errno) + ")");
    }
}

Status copy_bytes(int in, int out, const std::string& shown) {
    for (;;) {
        ssize_t n = ::sendfile(out, in, nullptr, 1 << 30);
        if (n > 0) continue;
        if (n == 0) return ok_status();
        if (errno == EINTR) continue;
        if (errno != EINVAL && errno != ENOSYS) return copy_error("copy", shown, errno);
        break;  // this file cannot be sendfile'd: plain reads and writes
    }
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(in, buf, sizeof buf);
        if (n == 0) return ok_status();
        if (n < 0) {
            if (errno == EINTR) continue;
            return copy_error("read", shown, errno);
        }
        for (ssize_t done = 0; done < n;) {
            ssize_t w = ::write(out, buf + done, static_cast<size_t>(n - done));
            if (w < 0 && errno == EINTR) continue;
            if (w < 0) return copy_error("write", shown, errno);
            done += w;
        }
    }
}

Status copy_dir_content(int src, int dst, const std::string& shown, int depth);

Status copy_entry(int src_dir, int dst_dir, const char* name, const std::string& shown, int depth) {
    struct stat st {};
    if (::fstatat(src_dir, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return copy_error("stat", shown, errno);
    const mode_t type = st.st_mode & S_IFMT;
    if (type == S_IFDIR || type == S_IFREG) {
        const int flags = type == S_IFDIR ? O_RDONLY | O_DIRECTORY : O_RDONLY | O_NONBLOCK | O_NOCTTY;
        UniqueFd in(::openat(src_dir, name, flags | O_NOFOLLOW | O_CLOEXEC));
        if (!in) return copy_error("open", shown, errno);
        // What was opened must be what was looked at: the image may be changing under us.
        struct stat opened {};
        if (::fstat(in.get(), &opened) != 0) return copy_error("stat", shown, errno);
        if ((opened.st_mode & S_IFMT) != type || opened.st_ino != st.st_ino || opened.st_dev != st.st_dev)
            return copy_error("copy", shown + " (it changed while being copied)", EAGAIN);
        UniqueFd out;
        if (type == S_IFDIR) {
            if (depth >= kMaxDepth) return copy_error("copy", shown + " (nested deeper than 128 directories)", ELOOP);
            if (::mkdirat(dst_dir, name, 0700) != 0) return copy_error("mkdir", shown, errno);
            out.reset(::openat(dst_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!out) return copy_error("open", shown, errno);
            GK_TRY(copy_dir_content(in.get(), out.get(), shown, depth + 1));
        } else {
            out.reset(::openat(dst_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
            if (!out) return copy_error("create", shown, errno);
            GK_TRY(copy_bytes(in.get(), out.get(), shown));
        }
        copy_xattrs(in.get(), out.get(), shown);
        return copy_owner_mode_times(out.get(), opened, shown);
    }
    if (type == S_IFLNK) {
        std::vector<char> target(static_cast<size_t>(st.st_size) + 2);
        ssize_t len = ::readlinkat(src_dir, name, target.data(), target.size());
        if (len < 0) return copy_error("readlink", shown, errno);
        if (static_cast<size_t>(len) >= target.size() - 1)
            return copy_error("copy", shown + " (it changed while being copied)", EAGAIN);
        target[static_cast<size_t>(len)] = '\0';
        if (::symlinkat(target.data(), dst_dir, name) != 0) return copy_error("symlink", shown, errno);
    } else {
        // FIFOs and sockets; device nodes only where the kernel lets us make them.
        if (::mknodat(dst_dir, name, st.st_mode & (S_IFMT | 07777), st.st_rdev) != 0) {
            if (errno == EPERM && (type == S_IFCHR || type == S_IFBLK)) {
                log::debug("tmpcopyup: " + shown + ": device node not copied (" + errno_text(errno) + ")");
                return ok_status();
            }
            return copy_error("mknod", shown, errno);
        }
        if (::fchmodat(dst_dir, name, st.st_mode & 07777, 0) != 0) return copy_error("chmod", shown, errno);
    }
    // The new symlink or node is ours and is not followed (AT_SYMLINK_NOFOLLOW).
    if (::fchownat(dst_dir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) != 0 && errno != EINVAL && errno != EPERM)
        return copy_error("chown", shown, errno);
    const struct timespec times[2] = {st.st_atim, st.st_mtim};
    if (::utimensat(dst_dir, name, times, AT_SYMLINK_NOFOLLOW) != 0)
        return copy_error("set the times of", shown, errno);
    return ok_status();
}

Status copy_dir_content(int src, int dst, const std::string& shown, int depth) {
    // A description of its own for readdir, so that `src` stays usable for the *at() calls.
    int list_fd = ::openat(src, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (list_fd < 0) return copy_error("open", shown, errno);
    DIR* d = ::fdopendir(list_fd);
    if (!d) {
        int err = errno;
        ::close(list_fd);
        return copy_error("list", shown, err);
    }
    Status st = ok_status();
    errno = 0;
    while (struct dirent* e = ::readdir(d)) {
        if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
        st = copy_entry(src, dst, e->d_name, child(shown, e->d_name), depth);
        if (!st) break;
        errno = 0;
    }
    if (st && errno != 0) st = copy_error("list", shown, errno);
    ::closedir(d);
    return st;
}

}  // namespace

Status copy_up_tree(int src_dir, int dst_dir, const std::string& shown, bool top_attributes) {
    struct stat st {};
    if (::fstat(src_dir, &st) != 0) return copy_error("stat", shown, errno);
    GK_TRY(copy_dir_content(src_dir, dst_dir, shown, 0));
    if (!top_attributes) return ok_status();
    copy_xattrs(src_dir, dst_dir, shown);
    return copy_owner_mode_times(dst_dir, st, shown);
}

}  // namespace gocker
