#include "container/exec_fifo.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <optional>
#include <string>

#include "common/fd.hpp"
#include "common/log.hpp"

namespace gocker {
namespace {

constexpr size_t kMaxText = 64 * 1024;  // an init error is one line; more is someone else's
constexpr int kTickMs = 100;            // how often a silent FIFO makes us look at the init
constexpr const char* kIgnored = "start: ignoring text in the exec fifo that the container init did not write";

// Whether `pid` has a descriptor on `file`; nullopt when its descriptors cannot be read.
std::optional<bool> holds(pid_t pid, const FileId& file) {
    std::string p = "/proc/" + std::to_string(pid) + "/fd";
    DIR* d = ::opendir(p.c_str());
    if (!d) return std::nullopt;
    bool found = false;
    while (struct dirent* e = ::readdir(d)) {
        if (e->d_name[0] == '.') continue;
        struct stat st;
        if (::fstatat(::dirfd(d), e->d_name, &st, 0) == 0 && FileId{st.st_dev, st.st_ino} == file) {
            found = true;
            break;
        }
    }
    ::closedir(d);
    return found;
}

}  // namespace

std::optional<FileId> exe_of(pid_t pid) {
    struct stat st;
    std::string p = "/proc/" + std::to_string(pid) + "/exe";
    if (::stat(p.c_str(), &st) < 0) return std::nullopt;  // exiting (no mm any more) or gone
    return FileId{st.st_dev, st.st_ino};
}

Status wait_for_exec(int fifo, int pidfd, pid_t pid, const std::optional<FileId>& runtime_exe) {
    const Error exited("the container init exited before it could start the program", 0);
    // Only a silent FIFO needs to know which file it is (the usual start reads to end-of-file).
    std::optional<FileId> fifo_id;
    auto execed = [&] {
        if (!fifo_id) {
            struct stat fst;
            if (::fstat(fifo, &fst) < 0) return false;
            fifo_id = FileId{fst.st_dev, fst.st_ino};
        }
        auto exe = exe_of(pid);
        auto held = holds(pid, *fifo_id);
        return runtime_exe && exe && *exe != *runtime_exe && held && !*held;
    };
    auto init_exited = [&](int timeout_ms) {
        struct pollfd p = {pidfd, POLLIN, 0};
        while (::poll(&p, 1, timeout_ms) < 0)
            if (errno != EINTR) return false;
        return (p.revents & POLLIN) != 0;
    };

    std::string text;
    bool marker = false, eof = false;
    auto next_look = std::chrono::steady_clock::now() + std::chrono::milliseconds(kTickMs);
    while (!eof) {
        struct pollfd fds[2] = {{fifo, POLLIN, 0}, {pidfd, POLLIN, 0}};
        int r = ::poll(fds, 2, kTickMs);
        if (r < 0) {
            if (errno == EINTR) continue;
            return sys_error("wait for the container init");
        }
        if (fds[0].revents) {
            char buf[4096];
            for (;;) {
                ssize_t n = ::read(fifo, buf, sizeof buf);
                if (n < 0 && errno == EINTR) continue;
                if (n < 0) break;  // EAGAIN: a writer is still there
                if (n == 0) {
                    eof = true;
                    break;
                }
                size_t off = marker ? 0 : 1;
                marker = true;
                if (text.size() < kMaxText) text.append(buf + off, static_cast<size_t>(n) - off);
            }
        }
        if (eof) break;
        if (fds[1].revents & POLLIN) {
            // Exited while a writer other than the init keeps the FIFO open: a failure.
            if (!text.empty()) return Error(text, 0);
            return exited;
        }
        // Nothing to read for a while: an init that runs its program already while the FIFO
        // stays open (someone else holds it) has started all the same.
        if (std::chrono::steady_clock::now() >= next_look) {
            if (execed()) {
                if (!text.empty()) log::warning(kIgnored);
                return {};
            }
            next_look = std::chrono::steady_clock::now() + std::chrono::milliseconds(kTickMs);
        }
    }
    if (!marker) return exited;
    if (text.empty()) return {};
    // Text and end-of-file: an init that failed writes its reason and exits; anything else
    // was written by someone else and does not change that the program runs.
    // (An init that exits does so within moments of closing the FIFO: after a few seconds it
    // can only have execed its own binary again, e.g. /proc/self/exe.)
    for (int i = 0; i < 30; ++i) {
        if (init_exited(kTickMs)) return Error(text, 0);
        if (execed()) break;
    }
    log::warning(kIgnored);
    return {};
}

}  // namespace gocker
