#include "rootfs_layer.hpp"

#include <ftw.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "runtime_cli.hpp"

namespace gocker::core {
namespace {

uint32_t map_id(const std::vector<spec::IdMapping>& maps, uint32_t id) {
    for (const auto& m : maps)
        if (id >= m.container_id && id - m.container_id < m.size) return m.host_id + (id - m.container_id);
    return 65534;  // unmapped: the overflow id, as the kernel shows it
}

// nftw has no user pointer; the copy's chown walk runs in one thread of a short-lived command.
const std::vector<spec::IdMapping>* g_shift_maps = nullptr;
int shift_one(const char* path, const struct stat* st, int, struct FTW*) {
    if (::lchown(path, map_id(*g_shift_maps, st->st_uid), map_id(*g_shift_maps, st->st_gid)) != 0) return errno;
    // chown clears setuid/setgid on files; put them back (never through a symlink).
    if (!S_ISLNK(st->st_mode) && (st->st_mode & (S_ISUID | S_ISGID)) && ::chmod(path, st->st_mode & 07777) != 0)
        return errno;
    return 0;
}

Status make_dir(const std::string& p, mode_t mode) {
    if (::mkdir(p.c_str(), mode) != 0 && errno != EEXIST) return sys_error([&] { return "make directory " + p; });
    return ok_status();
}

bool is_mount_point(const std::string& p) {
    struct stat a {
    }, b{};
    if (::lstat(p.c_str(), &a) != 0 || ::lstat((p + "/..").c_str(), &b) != 0) return false;
    return a.st_dev != b.st_dev || a.st_ino == b.st_ino;
}

// The container's root (host `uid`) must be able to walk down to its root filesystem.
Status check_reachable(const std::string& path, uint32_t uid) {
    for (size_t i = 1; i <= path.size(); ++i) {
        if (i < path.size() && path[i] != '/') continue;
        std::string prefix = path.substr(0, i);
        struct stat st {};
        if (::stat(prefix.c_str(), &st) != 0) return sys_error([&] { return "stat " + prefix; });
        bool ok = st.st_uid == uid ? (st.st_mode & S_IXUSR) : (st.st_mode & S_IXOTH);
        if (!ok)
            return Error("the container's root (host uid " + std::to_string(uid) +
                             ") cannot reach its root filesystem: " + prefix + " is not searchable by it (chmod o+x " +
                             prefix + ", or --no-userns)",
                         EACCES);
    }
    return ok_status();
}

}  // namespace

Result<RootfsLayer> make_rootfs_layer(const Store& store, const std::string& id, const std::string& rootfs,
                                      Storage wanted, const std::vector<spec::IdMapping>& userns) {
    std::string dir = store.dir(id);
    RootfsLayer layer;
    uint32_t root_uid = userns.empty() ? 0 : map_id(userns, 0);
    if (!userns.empty()) GK_TRY(check_reachable(dir, root_uid));
    if (wanted == Storage::overlay) {
        if (rootfs.find_first_of(",:\\") != std::string::npos || dir.find_first_of(",:\\") != std::string::npos) {
            layer.note = "overlay options cannot name a path holding ',', ':' or '\\'";
        } else {
            std::string upper = dir + "/upper", work = dir + "/work", merged = dir + "/merged";
            GK_TRY(make_dir(upper, 0755));
            GK_TRY(make_dir(work, 0700));
            GK_TRY(make_dir(merged, 0755));
            struct stat st {};
            if (::stat(rootfs.c_str(), &st) == 0 && ::chmod(upper.c_str(), st.st_mode & 07777) != 0)
                return sys_error([&] { return "chmod " + upper; });
            if (!userns.empty() && ::chown(upper.c_str(), root_uid, root_uid) != 0)
                return sys_error([&] { return "chown " + upper + " to the container's root"; });
            std::string opts = "lowerdir=" + rootfs + ",upperdir=" + upper + ",workdir=" + work;
            if (::mount("overlay", merged.c_str(), "overlay", 0, opts.c_str()) == 0) {
                layer.path = merged;
                layer.storage = "overlay";
                return layer;
            }
            layer.note = "overlayfs is not available here (mount on " + merged + ": " + errno_text(errno) + ")";
            ::rmdir(merged.c_str());
            std::filesystem::remove_all(work);
            ::rmdir(upper.c_str());
        }
    } else {
        layer.note = "--storage copy";
    }
    std::string copy = dir + "/rootfs";
    auto pid = GK_TRY(spawn({"/bin/cp", "-a", "--", rootfs, copy}, -1, -1, 2));
    int st = GK_TRY(wait_child(pid));
    if (exit_code_of(st) != 0) return Error("copy " + rootfs + " to " + copy + ": cp -a failed", 0);
    if (!userns.empty()) {
        g_shift_maps = &userns;
        int rc = ::nftw(copy.c_str(), shift_one, 64, FTW_PHYS);
        g_shift_maps = nullptr;
        if (rc != 0) return Error("chown the copy " + copy + " to the container's ids", rc > 0 ? rc : errno);
    }
    layer.path = copy;
    layer.storage = "copy";
    return layer;
}

Status remove_container_files(const Store& store, const std::string& id) {
    std::string dir = store.dir(id);
    std::string merged = dir + "/merged";
    if (::umount2(merged.c_str(), 0) != 0 && errno != EINVAL && errno != ENOENT) {
        if (errno != EBUSY || ::umount2(merged.c_str(), MNT_DETACH) != 0)
            return sys_error([&] { return "unmount the overlay " + merged; });
    }
    if (is_mount_point(merged)) return Error("remove " + dir + ": " + merged + " is still a mount point", EBUSY);
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    if (ec) return Error("remove " + dir + ": " + ec.message(), ec.value());
    return ok_status();
}

}  // namespace gocker::core
