// Logging for the runtime's own messages (not the container's output).
//
// Errors always reach stderr as one line. With --log FILE they are also written there, as
// text or as JSON lines {"level":"error","msg":"...","time":"..."} (--log-format json), which
// is where containerd, docker and podman read a failed call's reason. Debug lines appear only
// with --debug.
#pragma once

#include <string>
#include <string_view>

namespace gocker::log {

enum class Level { debug = 0, info = 1, warning = 2, error = 3 };
enum class Format { text, json };

struct Options {
    std::string file;  // empty: no log file
    Format format = Format::text;
    bool debug = false;
};

// Opens (creating it) the log file when one is given; false, with errno set, when it cannot.
bool configure(const Options& opts);
bool debug_enabled();

void write(Level level, std::string_view msg);
inline void debug(std::string_view msg) {
    if (debug_enabled()) write(Level::debug, msg);
}
inline void info(std::string_view msg) { write(Level::info, msg); }
inline void warning(std::string_view msg) { write(Level::warning, msg); }
// Writes to the log file (when set) and prints the line on stderr.
void error(std::string_view msg);

}  // namespace gocker::log
