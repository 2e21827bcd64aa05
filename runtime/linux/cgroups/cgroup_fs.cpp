#include "linux/cgroups/cgroup_fs.hpp"

#include "common/file_io.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "common/fault_point.hpp"
#include "common/fd.hpp"

namespace gocker::cgroups {

Status write_cgroup_file(const std::string& path, const std::string& value) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd) return sys_error([&] { return "open " + path; });
    return write_cgroup_fd(fd.get(), path, value);
}

Status write_cgroup_fd(int fd, const std::string& path, const std::string& value) {
    ssize_t n;
    do n = ::write(fd, value.data(), value.size());
    while (n < 0 && errno == EINTR);
    if (n < 0) return sys_error([&] { return "write \"" + value + "\" to " + path; });
    return {};
}

Result<std::string> read_cgroup_file(const std::string& path) { return read_whole_file(path); }

bool path_exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

Status make_cgroup_dirs(const std::string& root, const std::string& rel, std::vector<std::string>& created,
                        int journal_fd, size_t kept_len) {
    std::string dir = root;
    size_t i = 0;
    while (i < rel.size()) {
        size_t j = rel.find('/', i);
        if (j == std::string::npos) j = rel.size();
        if (j > i) {
            dir += "/" + rel.substr(i, j - i);
            if (::mkdir(dir.c_str(), 0755) < 0) {
                if (errno != EEXIST) return sys_error([&] { return "create cgroup " + dir; });
            } else if (j > kept_len) {  // the shared parent's levels are made once and kept
                created.push_back(dir);
                std::string line = dir + "\n";
                if (journal_fd >= 0 &&
                    ::write(journal_fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
                    int err = errno;
                    ::rmdir(dir.c_str());
                    created.pop_back();
                    return Error("record the cgroup " + dir + " in the container's state", err);
                }
            }
            GK_FAULT_POINT("create.cgroup-mkdir");  // each level of each hierarchy: the walk picks the Nth
        }
        i = j + 1;
    }
    return {};
}

void remove_journaled_cgroups(const std::string& path) {
    auto text = read_whole_file(path);
    if (!text) return;
    std::vector<std::string> dirs;
    for (size_t at = 0; at < text->size();) {
        size_t nl = text->find('\n', at);
        if (nl == std::string::npos) break;  // a line cut by a kill: its mkdir may not have happened
        if (nl > at && (*text)[at] == '/') dirs.push_back(text->substr(at, nl - at));
        at = nl + 1;
    }
    for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) (void)::rmdir(it->c_str());
}

// The cgroups directly below `dir` (its subdirectories), as full paths.
static Result<std::vector<std::string>> child_cgroups(const std::string& dir) {
    DIR* d = ::opendir(dir.c_str());
    if (!d) return sys_error([&] { return "open cgroup " + dir; });
    std::vector<std::string> children;
    while (struct dirent* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (e->d_type == DT_DIR && name != "." && name != "..") children.push_back(dir + "/" + name);
    }
    ::closedir(d);
    return children;
}

static Status rmdir_retry(const std::string& dir, int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return {};
        if (errno != EBUSY || std::chrono::steady_clock::now() >= deadline)
            return sys_error([&] { return "remove cgroup " + dir; });
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

Status remove_cgroup_tree(const std::string& dir, int timeout_ms) {
    // Nearly always a leaf: one rmdir. Only when it is busy are child cgroups looked for.
    if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return {};
    if (errno != EBUSY && errno != ENOTEMPTY) return sys_error([&] { return "remove cgroup " + dir; });
    auto children = child_cgroups(dir);
    if (children) {
        for (const auto& c : *children) GK_TRY(remove_cgroup_tree(c, timeout_ms));
    } else if (children.error().sys_errno() == ENOENT) {
        return {};
    }
    return rmdir_retry(dir, timeout_ms);
}

Result<std::vector<pid_t>> read_procs_recursive(const std::string& dir) {
    std::vector<pid_t> out;
    std::string text = GK_TRY(read_cgroup_file(dir + "/cgroup.procs"));
    const char* p = text.c_str();
    while (*p) {
        char* end;
        long v = std::strtol(p, &end, 10);
        if (end == p) {
            ++p;
            continue;
        }
        if (v > 0) out.push_back(static_cast<pid_t>(v));
        p = end;
    }
    if (auto children = child_cgroups(dir)) {
        for (const auto& c : *children) {
            auto more = read_procs_recursive(c);
            if (more) out.insert(out.end(), more->begin(), more->end());
        }
    }
    return out;
}

bool flat_keyed_value(const std::string& text, const std::string& key, uint64_t& out) {
    size_t at = 0;
    while (at < text.size()) {
        size_t nl = text.find('\n', at);
        if (nl == std::string::npos) nl = text.size();
        if (text.compare(at, key.size(), key) == 0 && at + key.size() < nl && text[at + key.size()] == ' ') {
            out = std::strtoull(text.c_str() + at + key.size() + 1, nullptr, 10);
            return true;
        }
        at = nl + 1;
    }
    return false;
}

}  // namespace gocker::cgroups
