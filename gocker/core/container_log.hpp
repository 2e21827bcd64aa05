// The container's log: one JSON object per line,
//   {"time":"2026-12-03T17:50:51.123456789Z","stream":"stdout","log":"hello\n"}
// one record per line of output (a line longer than 16 KiB is split, a last line without a
// newline is written when the stream ends). When the file passes its size limit it becomes
// container.log.1 (replacing the previous one) and a new container.log starts.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/fd.hpp"
#include "common/result.hpp"

namespace gocker::core {

class LogWriter {
public:
    LogWriter(std::string path, uint64_t max_size) : path_(std::move(path)), max_(max_size) {}
    Status open();
    // Data read from a stream ("stdout" or "stderr"); whole lines become records.
    void write(const std::string& stream, std::string_view data);
    // Writes what is left of a partial line of each stream.
    void flush();

private:
    void record(const std::string& stream, std::string_view line);
    std::string path_;
    uint64_t max_;
    uint64_t size_ = 0;
    UniqueFd fd_;
    std::string partial_out_, partial_err_;
};

struct LogEntry {
    std::string time, stream, text;
};
// One record of the log, without the newline: {"time":...,"stream":...,"log":...} (docker's
// json-file shape); `gocker gui` streams the same lines.
std::string log_entry_json(std::string_view time, std::string_view stream, std::string_view text);
// Parses one line of the log; false when it is not a record.
bool parse_log_line(std::string_view line, LogEntry& e);

struct LogReadOptions {
    bool follow = false;
    long tail = -1;  // -1: all
    bool timestamps = false;
};
// Prints the log of the container in `dir` (container.log.1, then container.log): stdout records
// to stdout, stderr ones to stderr. With follow, waits for more until `still_running()` says no
// and everything written has been read.
Status print_log(const std::string& dir, const LogReadOptions& opts, const std::function<bool()>& still_running);
// The same walk, handing each record to `emit` (print_log prints them; the web console streams
// them). `emit` returns false to stop early (the reader went away).
Status read_log(const std::string& dir, const LogReadOptions& opts, const std::function<bool()>& still_running,
                const std::function<bool(const LogEntry&)>& emit);

}  // namespace gocker::core
