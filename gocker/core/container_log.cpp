#include "container_log.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <deque>
#include <thread>

#include <rapidjson/document.h>

#include "common/json_writer.hpp"
#include "container/state_store.hpp"

namespace gocker::core {
namespace {

constexpr size_t kMaxLine = 16 * 1024;

void write_all(int fd, std::string_view s) {
    while (!s.empty()) {
        ssize_t w = ::write(fd, s.data(), s.size());
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return;
        s.remove_prefix(static_cast<size_t>(w));
    }
}

}  // namespace

std::string log_entry_json(std::string_view time, std::string_view stream, std::string_view text) {
    return json::compact([&](auto& w) {
        w.StartObject();
        json::member(w, "time", time);
        json::member(w, "stream", stream);
        json::member(w, "log", text);
        w.EndObject();
    });
}

Status LogWriter::open() {
    fd_.reset(::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd_) return sys_error([&] { return "open log " + path_; });
    struct stat st {};
    size_ = ::fstat(fd_.get(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
    return ok_status();
}

void LogWriter::record(const std::string& stream, std::string_view line) {
    if (!fd_) return;
    std::string rec = log_entry_json(now_rfc3339_nano(), stream, line) + "\n";
    if (max_ > 0 && size_ > 0 && size_ + rec.size() > max_) {
        std::string old = path_ + ".1";
        if (::rename(path_.c_str(), old.c_str()) == 0) {
            UniqueFd fresh(::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600));
            if (fresh) {
                fd_ = std::move(fresh);
                size_ = 0;
            }
        }
    }
    write_all(fd_.get(), rec);
    size_ += rec.size();
}

void LogWriter::write(const std::string& stream, std::string_view data) {
    std::string& partial = stream == "stderr" ? partial_err_ : partial_out_;
    partial.append(data);
    size_t start = 0;
    while (true) {
        size_t nl = partial.find('\n', start);
        if (nl == std::string::npos) {
            if (partial.size() - start < kMaxLine) break;
            nl = start + kMaxLine - 1;
        }
        record(stream, std::string_view(partial).substr(start, nl + 1 - start));
        start = nl + 1;
    }
    partial.erase(0, start);
}

void LogWriter::flush() {
    if (!partial_out_.empty()) record("stdout", partial_out_);
    if (!partial_err_.empty()) record("stderr", partial_err_);
    partial_out_.clear();
    partial_err_.clear();
}

bool parse_log_line(std::string_view line, LogEntry& e) {
    rapidjson::Document d;
    d.Parse(line.data(), line.size());
    if (d.HasParseError() || !d.IsObject()) return false;
    auto get = [&](const char* k) -> std::string {
        auto it = d.FindMember(k);
        return it != d.MemberEnd() && it->value.IsString()
                   ? std::string(it->value.GetString(), it->value.GetStringLength())
                   : "";
    };
    e.time = get("time");
    e.stream = get("stream");
    e.text = get("log");
    return !e.stream.empty();
}

namespace {

void print_entry(const LogEntry& e, bool timestamps) {
    int fd = e.stream == "stderr" ? 2 : 1;
    write_all(fd, timestamps ? e.time + " " + e.text : e.text);
}

// Reads what is new in `fd`, keeping an incomplete last line in `rest`.
void read_entries(int fd, std::string& rest, const std::function<void(const LogEntry&)>& each) {
    char buf[65536];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
        if (n <= 0) continue;
        rest.append(buf, static_cast<size_t>(n));
        size_t start = 0, nl;
        while ((nl = rest.find('\n', start)) != std::string::npos) {
            LogEntry e;
            if (parse_log_line(std::string_view(rest).substr(start, nl - start), e)) each(e);
            start = nl + 1;
        }
        rest.erase(0, start);
    }
}

ino_t inode_of(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

}  // namespace

Status print_log(const std::string& dir, const LogReadOptions& opts, const std::function<bool()>& still_running) {
    return read_log(dir, opts, still_running, [&](const LogEntry& e) {
        print_entry(e, opts.timestamps);
        return true;
    });
}

Status read_log(const std::string& dir, const LogReadOptions& opts, const std::function<bool()>& still_running,
                const std::function<bool(const LogEntry&)>& emit) {
    std::string path = dir + "/container.log";
    std::deque<LogEntry> kept;
    auto keep = [&](const LogEntry& e) {
        kept.push_back(e);
        if (opts.tail >= 0 && kept.size() > static_cast<size_t>(opts.tail)) kept.pop_front();
    };
    std::string rest;
    {
        UniqueFd old(::open((path + ".1").c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
        if (old) read_entries(old.get(), rest, keep);
        rest.clear();
    }
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd && errno != ENOENT) return sys_error([&] { return "open log " + path; });
    if (fd) read_entries(fd.get(), rest, keep);
    bool wanted = true;
    for (const auto& e : kept)
        if (wanted) wanted = emit(e);
    if (!opts.follow || !wanted) return ok_status();
    auto pass = [&](const LogEntry& e) {
        if (wanted) wanted = emit(e);
    };
    while (wanted) {
        bool running = still_running();  // asked before the last read, so nothing written after is lost
        if (fd) read_entries(fd.get(), rest, pass);
        struct stat st {};
        ino_t now = inode_of(path);
        if (now != 0 && (!fd || (::fstat(fd.get(), &st) == 0 && st.st_ino != now))) {
            // Rotated (or created): what the old file still had was read above; go on with the new one.
            if (fd) read_entries(fd.get(), rest, pass);
            fd.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
            rest.clear();
            continue;
        }
        if (!running) return ok_status();
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return ok_status();
}

}  // namespace gocker::core
