#include "common/file_io.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "common/fd.hpp"

namespace gocker {

Result<std::string> read_whole_file(const std::string& path, int open_flags) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | open_flags));
    if (!fd) return sys_error("open " + path);
    std::string out;
    char buf[16384];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            return sys_error("read " + path);
        }
        if (n == 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    return out;
}

static Status write_all_fd(int fd, std::string_view data, const std::string& what) {
    size_t off = 0;
    while (off < data.size()) {
        ssize_t w = ::write(fd, data.data() + off, data.size() - off);
        if (w < 0) {
            if (errno == EINTR) continue;
            return sys_error("write " + what);
        }
        off += static_cast<size_t>(w);
    }
    return {};
}

Status write_file_atomic(const std::string& path, std::string_view data, int mode, int open_flags) {
    std::string tmp = path + ".tmp." + std::to_string(getpid());
    {
        UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | open_flags, mode));
        if (!fd) return sys_error("create " + tmp);
        Status st = write_all_fd(fd.get(), data, tmp);
        if (!st) {
            ::unlink(tmp.c_str());
            return st;
        }
    }
    if (::rename(tmp.c_str(), path.c_str()) < 0) {
        Error e = sys_error("rename " + tmp + " to " + path);
        ::unlink(tmp.c_str());
        return e;
    }
    return {};
}

}  // namespace gocker
