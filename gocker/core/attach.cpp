#include "attach.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace gocker::core {

Status send_frame(int fd, Frame type, std::string_view data) {
    std::string msg(5, '\0');
    msg[0] = static_cast<char>(type);
    uint32_t n = static_cast<uint32_t>(data.size());
    for (int i = 0; i < 4; ++i) msg[1 + i] = static_cast<char>((n >> (8 * i)) & 0xff);
    msg.append(data);
    size_t off = 0;
    while (off < msg.size()) {
        ssize_t w = ::send(fd, msg.data() + off, msg.size() - off, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return sys_error("write to the attach socket");
        off += static_cast<size_t>(w);
    }
    return ok_status();
}

std::optional<std::pair<Frame, std::string>> FrameReader::next() {
    if (buf_.size() < 5) return std::nullopt;
    uint32_t n = 0;
    for (int i = 0; i < 4; ++i) n |= uint32_t(static_cast<unsigned char>(buf_[1 + i])) << (8 * i);
    if (buf_.size() < 5 + size_t(n)) return std::nullopt;
    auto out = std::make_pair(static_cast<Frame>(buf_[0]), buf_.substr(5, n));
    buf_.erase(0, 5 + size_t(n));
    return out;
}

}  // namespace gocker::core
