#include "common/log.hpp"

#include <fcntl.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>

#include "common/json_writer.hpp"

namespace gocker::log {
namespace {

Options g_opts;
int g_fd = -1;  // log file, opened O_APPEND|O_CLOEXEC on configure

const char* level_name(Level l) {
    switch (l) {
        case Level::debug: return "debug";
        case Level::info: return "info";
        case Level::warning: return "warning";
        case Level::error: return "error";
    }
    return "info";
}

std::string now_rfc3339() {
    struct timeval tv;
    gettimeofday(&tv, nullptr);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    char buf[64];
    size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, sizeof buf - n, ".%06ldZ", static_cast<long>(tv.tv_usec));
    return buf;
}

void write_all(int fd, const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
        ssize_t w = ::write(fd, s.data() + off, s.size() - off);
        if (w < 0) {
            if (errno == EINTR) continue;
            return;
        }
        off += static_cast<size_t>(w);
    }
}

// runc's --log-format json line: {"level":...,"msg":...,"time":...}
std::string json_line(Level level, std::string_view msg) {
    return json::compact([&](auto& w) {
               w.StartObject();
               json::member(w, "level", level_name(level));
               json::member(w, "msg", msg);
               json::member(w, "time", now_rfc3339());
               w.EndObject();
           }) +
           "\n";
}

std::string format_line(Level level, std::string_view msg) {
    if (g_opts.format == Format::json) return json_line(level, msg);
    return now_rfc3339() + " " + level_name(level) + ": " + std::string(msg) + "\n";
}

}  // namespace

bool configure(const Options& opts) {
    g_opts = opts;
    if (g_fd >= 0) ::close(g_fd);
    g_fd = -1;
    if (opts.file.empty()) return true;
    g_fd = ::open(opts.file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    return g_fd >= 0;
}

bool debug_enabled() { return g_opts.debug; }

void write(Level level, std::string_view msg) {
    if (g_fd >= 0) {
        write_all(g_fd, format_line(level, msg));
    } else if (level != Level::error) {
        // No log file: debug/info/warning go to stderr as text.
        write_all(2, std::string(level_name(level)) + ": " + std::string(msg) + "\n");
    }
}

void error(std::string_view msg) {
    if (g_fd >= 0) write_all(g_fd, format_line(Level::error, msg));
    write_all(2, std::string(msg) + "\n");
}

}  // namespace gocker::log
