#include "linux/safe_path.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <climits>
#include <unistd.h>

#include <vector>

namespace gocker::safe_path {
namespace {

constexpr int kMaxSymlinks = 40;  // the kernel's own limit (MAXSYMLINKS)

std::vector<std::string> split(const std::string& path) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i <= path.size()) {
        size_t j = path.find('/', i);
        if (j == std::string::npos) j = path.size();
        std::string comp = path.substr(i, j - i);
        if (!comp.empty() && comp != ".") out.push_back(std::move(comp));
        i = j + 1;
    }
    return out;
}

std::string join(const std::vector<std::string>& comps, size_t n) {
    std::string out;
    for (size_t i = 0; i < n; ++i) out += (i ? "/" : "") + comps[i];
    return out.empty() ? "." : out;
}

int raw_openat2(int dirfd, const std::string& path, int flags) {
    open_how how{};
    how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    return static_cast<int>(::syscall(SYS_openat2, dirfd, path.c_str(), &how, sizeof how));
}

}  // namespace

std::string fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

Result<UniqueFd> open_in_root(int root_fd, const std::string& path, int flags) {
    std::vector<std::string> comps = split(path);
    std::string rel = join(comps, comps.size());
    int fd = raw_openat2(root_fd, rel, flags);
    if (fd < 0) return sys_error([&] { return "open " + path + " inside the root filesystem"; });
    return UniqueFd(fd);
}

Result<UniqueFd> create_in_root(int root_fd, const std::string& path, Kind kind, mode_t mode) {
    std::vector<std::string> comps = split(path);
    if (!comps.empty()) {
        // Fast path: the whole path usually exists (the image's /proc, /dev, /sys...). One
        // openat2 of the full path is exactly the last step of the walk below.
        int fd = raw_openat2(root_fd, join(comps, comps.size()), O_PATH | (kind == Kind::file ? 0 : O_DIRECTORY));
        if (fd >= 0) return UniqueFd(fd);
        if (errno != ENOENT) return sys_error([&] { return "open " + path + " inside the root filesystem"; });
    }
    int symlinks = 0;
    UniqueFd parent;
    size_t i = 0;
    if (comps.size() > 1) {
        // Next most common: only the last component is missing (a mount point on a fresh tmpfs).
        // Start the walk at its parent, as the walk would after resolving every prefix.
        parent.reset(raw_openat2(root_fd, join(comps, comps.size() - 1), O_PATH | O_DIRECTORY));
        if (parent) i = comps.size() - 1;
    }
    if (!parent) parent.reset(raw_openat2(root_fd, ".", O_PATH | O_DIRECTORY));
    if (!parent) return sys_error("open the root filesystem");
    bool full_path_missing = !comps.empty();  // the fast path just found it missing
    while (i < comps.size()) {
        const bool last = i + 1 == comps.size();
        const int want = O_PATH | ((last && kind == Kind::file) ? 0 : O_DIRECTORY);
        // Resolve the whole prefix from the root each time, so that symlinks met on the way are
        // interpreted relative to the container's "/" rather than the host's.
        int fd;
        if (last && full_path_missing) {
            fd = -1;
            errno = ENOENT;
        } else {
            fd = raw_openat2(root_fd, join(comps, i + 1), want);
        }
        full_path_missing = false;
        if (fd >= 0) {
            parent.reset(fd);
            ++i;
            continue;
        }
        if (errno != ENOENT) return sys_error([&] { return "open " + path + " inside the root filesystem"; });

        struct stat st {};
        if (::fstatat(parent.get(), comps[i].c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
            if (!S_ISLNK(st.st_mode)) {
                errno = ENOENT;
                return sys_error([&] { return "open " + path + " inside the root filesystem"; });
            }
            // A dangling symlink: continue with its target, still inside the root.
            if (++symlinks > kMaxSymlinks) {
                errno = ELOOP;
                return sys_error([&] { return "resolve " + path + " inside the root filesystem"; });
            }
            std::string target(PATH_MAX, '\0');
            ssize_t n = ::readlinkat(parent.get(), comps[i].c_str(), target.data(), target.size());
            if (n < 0)
                return sys_error([&] { return "read symlink " + join(comps, i + 1) + " inside the root filesystem"; });
            target.resize(static_cast<size_t>(n));
            std::vector<std::string> next =
                target.front() == '/' ? std::vector<std::string>{}
                                      : std::vector<std::string>(comps.begin(), comps.begin() + static_cast<long>(i));
            for (auto& c : split(target)) next.push_back(std::move(c));
            for (size_t k = i + 1; k < comps.size(); ++k) next.push_back(comps[k]);
            comps = std::move(next);
            parent.reset(raw_openat2(root_fd, ".", O_PATH | O_DIRECTORY));
            if (!parent) return sys_error("open the root filesystem");
            i = 0;
            continue;
        }
        if (errno != ENOENT)
            return sys_error([&] { return "stat " + join(comps, i + 1) + " inside the root filesystem"; });

        // parent is the directory holding comps[i] (an O_PATH fd resolved in the root); create
        // the component there. mkdirat/openat(O_EXCL) never follow a symlink at the last step.
        int rc;
        if (last && kind == Kind::file) {
            UniqueFd f(::openat(parent.get(), comps[i].c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
                                mode & 0777));
            rc = f ? 0 : -1;
        } else {
            rc = ::mkdirat(parent.get(), comps[i].c_str(), mode);
        }
        if (rc != 0 && errno != EEXIST)
            return sys_error([&] { return "create " + path + " inside the root filesystem"; });
        // Loop: the next round opens what we made (or what raced us) through openat2 again.
    }
    if (comps.empty()) return UniqueFd(raw_openat2(root_fd, ".", O_PATH | O_DIRECTORY));
    return parent;
}

}  // namespace gocker::safe_path
