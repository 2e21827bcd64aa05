// The monitor's attach socket (ID/attach.sock): how a foreground `gocker run` sees the output of
// a container whose stdio the monitor owns, and feeds it stdin. A stream of frames, each
//   u8 type, u32 length (little endian), `length` bytes
// monitor -> client: stdout, stderr, exit (the exit code as decimal text, the last frame);
// client -> monitor: stdin, stdin_close, resize (rows and columns as "R C").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace gocker::core {

enum class Frame : uint8_t { stdin_data = 0, out = 1, err = 2, exit = 3, stdin_close = 4, resize = 5 };

// Writes one whole frame (blocking; EINTR retried).
Status send_frame(int fd, Frame type, std::string_view data);

// Collects bytes read from a socket and hands out whole frames.
class FrameReader {
public:
    void feed(const char* data, size_t n) { buf_.append(data, n); }
    // The next complete frame, if any.
    std::optional<std::pair<Frame, std::string>> next();

private:
    std::string buf_;
};

}  // namespace gocker::core
