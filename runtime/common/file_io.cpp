#include "common/file_io.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <ctime>

#include "common/fd.hpp"

namespace gocker {

Result<std::string> read_whole_fd(int fd, const std::string& path) {
    std::string out;
    char buf[16384];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            return sys_error([&] { return "read " + path; });
        }
        if (n == 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    return out;
}

Result<std::string> read_whole_file(const std::string& path, int open_flags) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | open_flags));
    if (!fd) return sys_error([&] { return "open " + path; });
    return read_whole_fd(fd.get(), path);
}

static Status write_all_fd(int fd, std::string_view data, const std::string& what) {
    size_t off = 0;
    while (off < data.size()) {
        ssize_t w = ::write(fd, data.data() + off, data.size() - off);
        if (w < 0) {
            if (errno == EINTR) continue;
            return sys_error([&] { return "write " + what; });
        }
        off += static_cast<size_t>(w);
    }
    return {};
}

Status check_private(const std::string& what, const struct stat& st, mode_t kind) {
    const char* refuse = ": refusing to trust it";  // errno 0: the reason is all in the text
    if ((st.st_mode & S_IFMT) != kind)
        return Error(what + ": not a " + (kind == S_IFDIR ? "directory" : "regular file") + refuse, 0);
    if (st.st_uid != ::geteuid())
        return Error(what + ": owned by uid " + std::to_string(st.st_uid) + ", not by the runtime's uid " +
                         std::to_string(::geteuid()) + refuse,
                     0);
    if (st.st_mode & (S_IWGRP | S_IWOTH)) {
        char mode[8];
        snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        return Error(what + ": writable by other users (mode " + mode + ")" + refuse, 0);
    }
    return {};
}

// A name nobody can guess beside `path`: a planted file or symlink there could otherwise be
// written through (the temp file is opened O_EXCL|O_NOFOLLOW, so one would only be refused).
static std::string temp_name(const std::string& path) {
    uint64_t r = 0;
    if (::getrandom(&r, sizeof r, 0) != static_cast<ssize_t>(sizeof r))
        r = static_cast<uint64_t>(::getpid()) ^ static_cast<uint64_t>(::time(nullptr)) << 20;
    char suffix[32];
    snprintf(suffix, sizeof suffix, ".tmp.%016llx", static_cast<unsigned long long>(r));
    return path + suffix;
}

Status write_file_atomic(const std::string& path, std::string_view data, int mode, int open_flags) {
    std::string tmp = temp_name(path);
    {
        UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | open_flags, mode));
        if (!fd) return sys_error([&] { return "create " + tmp; });
        Status st = write_all_fd(fd.get(), data, tmp);
        if (!st) {
            ::unlink(tmp.c_str());
            return st;
        }
    }
    if (::rename(tmp.c_str(), path.c_str()) < 0) {
        Error e = sys_error([&] { return "rename " + tmp + " to " + path; });
        ::unlink(tmp.c_str());
        return e;
    }
    return {};
}

}  // namespace gocker
