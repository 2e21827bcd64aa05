#include "linux/devices.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <utility>

#include "common/fd.hpp"
#include "common/log.hpp"
#include "linux/mount_plan.hpp"
#include "linux/safe_path.hpp"

namespace gocker::devices {
namespace {

spec::Device char_dev(const char* path, int64_t major, int64_t minor) {
    spec::Device d;
    d.type = "c";
    d.path = path;
    d.major = major;
    d.minor = minor;
    d.file_mode = 0666;
    d.uid = 0;
    d.gid = 0;
    return d;
}

Result<mode_t> node_type(const spec::Device& d) {
    if (d.type == "c" || d.type == "u") return static_cast<mode_t>(S_IFCHR);
    if (d.type == "b") return static_cast<mode_t>(S_IFBLK);
    if (d.type == "p") return static_cast<mode_t>(S_IFIFO);
    return Error("create device " + d.path + ": unknown type \"" + d.type + "\" (want c, b, u or p)");
}

std::pair<std::string, std::string> split_parent(const std::string& path) {
    std::string clean = clean_container_path(path);
    size_t slash = clean.rfind('/');
    return {slash == 0 ? "/" : clean.substr(0, slash), clean.substr(slash + 1)};
}

// Removes whatever the image has at dir/name unless keep(st) says it is already right.
template <class Keep>
Status clear_entry(int dir_fd, const std::string& name, const std::string& shown, Keep keep, bool* kept) {
    *kept = false;
    struct stat st {};
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) return ok_status();
        return sys_error([&] { return "stat " + shown; });
    }
    if (keep(st)) {
        *kept = true;
        return ok_status();
    }
    if (::unlinkat(dir_fd, name.c_str(), S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) != 0)
        return sys_error([&] { return "remove " + shown + " from the image to make the device"; });
    return ok_status();
}

Status bind_host_node(int root_fd, const spec::Device& d) {
    UniqueFd target =
        GK_TRY_CTX(safe_path::create_in_root(root_fd, d.path, safe_path::Kind::file, 0600), "bind device " + d.path);
    // open_tree + move_mount attach the host node to exactly the file we opened, without
    // resolving the target path again.
    UniqueFd tree(::open_tree(AT_FDCWD, d.path.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
    if (!tree) return sys_error([&] { return "bind device " + d.path + " from the host"; });
    if (::move_mount(tree.get(), "", target.get(), "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
        return sys_error([&] { return "bind device " + d.path + " from the host"; });
    return ok_status();
}

Status make_node(int root_fd, const spec::Device& d) {
    mode_t type = GK_TRY(node_type(d));
    auto [dir, name] = split_parent(d.path);
    if (name.empty()) return Error("create device " + d.path + ": not a file path");
    UniqueFd dir_fd = GK_TRY_CTX(safe_path::create_in_root(root_fd, dir, safe_path::Kind::directory, 0755),
                                 "create device " + d.path);
    const dev_t rdev = type == S_IFIFO ? 0 : makedev(static_cast<unsigned>(d.major), static_cast<unsigned>(d.minor));
    // The type comes from d.type; file-type bits in fileMode (podman sends them) are dropped.
    const mode_t perm = d.file_mode.value_or(0666) & 07777;
    if (d.file_mode && (*d.file_mode & S_IFMT)) {
        char modes[96];
        std::snprintf(modes, sizeof modes, "0%o carries file-type bits; using 0%o", *d.file_mode, perm);
        log::debug("device " + d.path + ": fileMode " + modes);
    }
    bool kept = false;
    GK_TRY(clear_entry(
        dir_fd.get(), name, d.path,
        [&](const struct stat& st) { return (st.st_mode & S_IFMT) == type && st.st_rdev == rdev; }, &kept));
    if (!kept && ::mknodat(dir_fd.get(), name.c_str(), type | perm, rdev) != 0)
        return sys_error([&] { return "mknod " + d.path; });
    // mknod applied the umask; set the exact mode. The name now is our node, not a symlink.
    if (::fchmodat(dir_fd.get(), name.c_str(), perm, 0) != 0) return sys_error([&] { return "chmod " + d.path; });
    if (::fchownat(dir_fd.get(), name.c_str(), d.uid.value_or(0), d.gid.value_or(0), AT_SYMLINK_NOFOLLOW) != 0)
        return sys_error([&] { return "chown " + d.path; });
    return ok_status();
}

Status make_link(int dev_fd, const char* name, const char* target, bool replace) {
    const std::string shown = std::string("/dev/") + name;
    if (replace) {
        bool kept = false;
        GK_TRY(clear_entry(
            dev_fd, name, shown, [](const struct stat&) { return false; }, &kept));
    }
    if (::symlinkat(target, dev_fd, name) != 0) {
        if (errno == EEXIST) {
            log::debug("link " + shown + ": the image already has it, kept");
            return ok_status();
        }
        return sys_error([&] { return "symlink " + shown + " -> " + target; });
    }
    return ok_status();
}

}  // namespace

std::vector<spec::Device> default_devices() {
    return {char_dev("/dev/null", 1, 3),   char_dev("/dev/zero", 1, 5),    char_dev("/dev/full", 1, 7),
            char_dev("/dev/random", 1, 8), char_dev("/dev/urandom", 1, 9), char_dev("/dev/tty", 5, 0)};
}

std::vector<spec::Device> devices_to_create(const std::vector<spec::Device>& configured) {
    std::vector<spec::Device> out;
    for (auto& d : default_devices()) {
        bool overridden = false;
        for (const auto& c : configured)
            if (clean_container_path(c.path) == d.path) overridden = true;
        if (!overridden) out.push_back(std::move(d));
    }
    out.insert(out.end(), configured.begin(), configured.end());
    return out;
}

Status create_devices(int root_fd, const std::vector<spec::Device>& devs, bool bind_from_host) {
    if (bind_from_host && !devs.empty())
        log::debug("user namespace: " + std::to_string(devs.size()) +
                   " device node(s) bound from the host instead of mknod");
    for (const auto& d : devs) {
        if (bind_from_host) {
            GK_TRY(node_type(d));
            GK_TRY(bind_host_node(root_fd, d));
        } else {
            GK_TRY(make_node(root_fd, d));
        }
    }
    return ok_status();
}

Status create_dev_links(int root_fd, bool devpts_at_dev_pts, bool has_kcore) {
    UniqueFd dev =
        GK_TRY_CTX(safe_path::create_in_root(root_fd, "/dev", safe_path::Kind::directory, 0755), "create /dev links");
    GK_TRY(make_link(dev.get(), "fd", "/proc/self/fd", false));
    GK_TRY(make_link(dev.get(), "stdin", "/proc/self/fd/0", false));
    GK_TRY(make_link(dev.get(), "stdout", "/proc/self/fd/1", false));
    GK_TRY(make_link(dev.get(), "stderr", "/proc/self/fd/2", false));
    if (has_kcore) GK_TRY(make_link(dev.get(), "core", "/proc/kcore", false));
    // The image's /dev/ptmx (a node of the host's devpts instance) must not be used: replace it.
    if (devpts_at_dev_pts) GK_TRY(make_link(dev.get(), "ptmx", "pts/ptmx", true));
    return ok_status();
}

Status create_console_target(int root_fd) {
    UniqueFd dev =
        GK_TRY_CTX(safe_path::create_in_root(root_fd, "/dev", safe_path::Kind::directory, 0755), "create /dev/console");
    bool kept = false;
    GK_TRY(clear_entry(
        dev.get(), "console", "/dev/console", [](const struct stat& st) { return S_ISREG(st.st_mode); }, &kept));
    if (!kept) {
        UniqueFd f(::openat(dev.get(), "console", O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (!f) return sys_error("create /dev/console");
    }
    return ok_status();
}

}  // namespace gocker::devices
