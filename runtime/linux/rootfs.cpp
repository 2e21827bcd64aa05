#include "linux/rootfs.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "common/fd.hpp"
#include "common/fault_point.hpp"
#include "common/log.hpp"
#include "linux/copy_up.hpp"
#include "linux/devices.hpp"
#include "linux/cgroups/host_cgroups.hpp"
#include "linux/mount_options.hpp"
#include "linux/mount_plan.hpp"
#include "linux/safe_path.hpp"
#include "linux/sysctl.hpp"

namespace gocker {
namespace {

using safe_path::fd_path;

std::string mount_what(const std::string& source, const std::string& dest) {
    return "mount \"" + source + "\" on " + dest;
}

Status set_propagation(const std::string& target, unsigned long flags, const std::string& what) {
    if (::mount(nullptr, target.c_str(), nullptr, flags, nullptr) != 0) return sys_error(what);
    return ok_status();
}

bool path_within(const std::string& path, const std::string& mount_point) {
    if (mount_point == "/") return true;
    return path == mount_point || path.rfind(mount_point + "/", 0) == 0;
}

// pivot_root refuses a new root whose parent mount is shared; runc makes that parent private.
Status make_rootfs_parent_private(const std::string& rootfs) {
    const std::vector<MountInfo> mounts = read_mountinfo();  // this namespace's, as it is now
    if (mounts.empty()) return sys_error("read /proc/self/mountinfo");
    const MountInfo* best = nullptr;
    for (const auto& m : mounts)
        if (path_within(rootfs, m.mount_point) && (!best || m.mount_point.size() >= best->mount_point.size()))
            best = &m;
    if (!best || !best->shared) return ok_status();
    return set_propagation(best->mount_point, MS_PRIVATE,
                           "make " + best->mount_point + " private (the parent mount of the rootfs)");
}

// The mount now at `dest` inside the root, checked to be a new mount: if a symlink swap had
// moved the mount elsewhere, the destination would not be a mount root.
Result<UniqueFd> reopen_mounted(int root_fd, const MountOp& op, const struct stat& before) {
    const std::string what = mount_what(op.source, op.destination);
    UniqueFd fd = GK_TRY_CTX(safe_path::open_in_root(root_fd, op.destination, O_PATH), what);
    struct statx stx {};
    if (::statx(fd.get(), "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_INO, &stx) != 0) return sys_error(what);
    bool mount_root = (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
    bool same_object = makedev(stx.stx_dev_major, stx.stx_dev_minor) == before.st_dev && stx.stx_ino == before.st_ino;
    bool must_change = op.kind != MountKind::bind && !(op.flags & MS_REMOUNT);
    if (!mount_root || (must_change && same_object))
        return Error(what + ": the mount did not land on the destination inside the root filesystem");
    return fd;
}

Status remount_bind(int mnt_fd, unsigned long flags, bool in_user_ns, const std::string& what) {
    struct statvfs sv {};
    if (::fstatvfs(mnt_fd, &sv) != 0) return sys_error(what);
    const unsigned long locked = mountopt::locked_flags_from_statvfs(sv.f_flag) & ~MS_RDONLY;
    // In a user namespace the flags the source mount carries are locked and must be repeated.
    unsigned long want = flags | (in_user_ns ? locked : 0);
    if (::mount(nullptr, fd_path(mnt_fd).c_str(), nullptr, want, nullptr) == 0) return ok_status();
    if (errno != EPERM || (want | locked) == want) return sys_error([&] { return what + ": remount"; });
    if (::mount(nullptr, fd_path(mnt_fd).c_str(), nullptr, want | locked, nullptr) != 0)
        return sys_error([&] { return what + ": remount"; });
    log::debug(what + ": the kernel locked flags of the source mount (" + std::to_string(locked & ~want) +
               "), kept on the bind remount");
    return ok_status();
}

Status finish_mount(int mnt_fd, const MountOp& op, const RootfsSpec& spec) {
    const std::string what = mount_what(op.source, op.destination);
    if (op.kind == MountKind::bind && op.remount_flags)
        GK_TRY(remount_bind(mnt_fd, op.remount_flags, spec.in_user_ns, what));
    if (op.rec_attr_set || op.rec_attr_clr) {
        struct mount_attr attr {};
        attr.attr_set = op.rec_attr_set;
        attr.attr_clr = op.rec_attr_clr;
        if (::mount_setattr(mnt_fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) != 0)
            return sys_error([&] { return what + ": set recursive mount attributes"; });
    }
    for (unsigned long p : op.propagation) GK_TRY(set_propagation(fd_path(mnt_fd), p, what + ": set propagation"));
    return ok_status();
}

Status copy_up_into(int mounted, int image_dir, const MountOp& op, bool image_had_dir) {
    UniqueFd top(::openat(mounted, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!top) return sys_error("tmpcopyup: open the new tmpfs");
    GK_TRY(copy_up_tree(image_dir, top.get(), op.destination, image_had_dir));
    log::debug("tmpcopyup: " + op.destination + ": the image's content copied into the tmpfs");
    if (!(op.flags & MS_RDONLY)) return ok_status();
    struct mount_attr attr {};
    attr.attr_set = MOUNT_ATTR_RDONLY;
    if (::mount_setattr(mounted, "", AT_EMPTY_PATH, &attr, sizeof attr) != 0)
        return sys_error("tmpcopyup: make read-only");
    return ok_status();
}

bool is_dir(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// cgroup v1/hybrid host: a tmpfs with one bind per hierarchy of the init's own cgroup (or, in
// a new cgroup namespace, a fresh mount of each hierarchy), plus runc's co-mount links
// (cpu -> cpu,cpuacct).
Status mount_cgroup_v1(int root_fd, int dest_fd, const MountOp& op, const RootfsSpec& spec) {
    const std::string what = mount_what(op.source, op.destination);
    const bool ro = op.flags & MS_RDONLY;
    const unsigned long base = MS_NOSUID | MS_NODEV | MS_NOEXEC;
    if (::mount("tmpfs", fd_path(dest_fd).c_str(), "tmpfs", base, "mode=755") != 0) return sys_error(what);
    const struct stat unused {};
    MountOp tmpfs_op = op;
    tmpfs_op.kind = MountKind::bind;  // only "is a mount root" is checked
    UniqueFd top = GK_TRY(reopen_mounted(root_fd, tmpfs_op, unused));
    const auto* cgns = spec.cfg->linux ? spec.cfg->linux->find_namespace("cgroup") : nullptr;
    const bool new_cgroupns = cgns && cgns->path.empty();

    std::ifstream in("/proc/self/cgroup");
    if (!in) return sys_error([&] { return what + ": read /proc/self/cgroup"; });
    std::string line;
    while (std::getline(in, line)) {
        size_t a = line.find(':'), b = line.find(':', a + 1);
        if (a == std::string::npos || b == std::string::npos) continue;
        std::string ctrls = line.substr(a + 1, b - a - 1), path = line.substr(b + 1);
        std::string dir = ctrls.empty() ? "unified" : ctrls.rfind("name=", 0) == 0 ? ctrls.substr(5) : ctrls;
        std::string host = "/sys/fs/cgroup/" + dir;
        if (!is_dir(host)) {
            log::debug(what + ": no host hierarchy at " + host + ", skipped");
            continue;
        }
        std::string sub = clean_container_path(op.destination + "/" + dir);
        UniqueFd sub_fd = GK_TRY_CTX(safe_path::create_in_root(root_fd, sub, safe_path::Kind::directory), what);
        int rc;
        if (new_cgroupns) {
            std::string data = ctrls.empty() ? "" : ctrls.rfind("name=", 0) == 0 ? "none," + ctrls : ctrls;
            rc = ::mount("cgroup", fd_path(sub_fd.get()).c_str(), ctrls.empty() ? "cgroup2" : "cgroup",
                         base | (ro ? MS_RDONLY : 0), data.c_str());
        } else {
            std::string src = host + path;
            if (!is_dir(src)) {
                log::debug(what + ": " + src + " not visible, binding " + host + " instead");
                src = host;
            }
            rc = ::mount(src.c_str(), fd_path(sub_fd.get()).c_str(), nullptr, MS_BIND | MS_REC, nullptr);
            if (rc == 0 && ro) {
                UniqueFd m = GK_TRY_CTX(safe_path::open_in_root(root_fd, sub, O_PATH), what);
                GK_TRY(
                    remount_bind(m.get(), MS_BIND | MS_REMOUNT | MS_RDONLY | base, spec.in_user_ns, what + "/" + dir));
            }
        }
        if (rc != 0) return sys_error([&] { return what + ": mount the " + dir + " hierarchy"; });
        if (ctrls.find(',') != std::string::npos) {
            std::istringstream split(ctrls);
            std::string ctrl;
            while (std::getline(split, ctrl, ','))
                if (ctrl != dir && ::symlinkat(dir.c_str(), top.get(), ctrl.c_str()) != 0 && errno != EEXIST)
                    return sys_error([&] { return what + ": link " + ctrl + " -> " + dir; });
        }
    }
    if (ro) {
        struct mount_attr attr {};
        attr.attr_set = MOUNT_ATTR_RDONLY;
        if (::mount_setattr(top.get(), "", AT_EMPTY_PATH, &attr, sizeof attr) != 0)
            return sys_error([&] { return what + ": make read-only"; });
    }
    return ok_status();
}

Status mount_cgroup(int root_fd, int dest_fd, const MountOp& op, const RootfsSpec& spec) {
    const std::string what = mount_what(op.source, op.destination);
    struct statfs sfs {};
    if (::statfs("/sys/fs/cgroup", &sfs) != 0) return sys_error([&] { return what + ": statfs /sys/fs/cgroup"; });
    if (sfs.f_type != CGROUP2_SUPER_MAGIC) return mount_cgroup_v1(root_fd, dest_fd, op, spec);
    if (::mount("cgroup2", fd_path(dest_fd).c_str(), "cgroup2", op.flags, op.data.c_str()) == 0) return ok_status();
    if (errno != EPERM) return sys_error(what);
    // Without its own cgroup namespace a user namespace cannot mount cgroup2: bind the host's view.
    log::debug(what + ": cgroup2 refused (no cgroup namespace), binding /sys/fs/cgroup read-only instead");
    if (::mount("/sys/fs/cgroup", fd_path(dest_fd).c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
        return sys_error(what);
    UniqueFd m = GK_TRY_CTX(safe_path::open_in_root(root_fd, op.destination, O_PATH), what);
    return remount_bind(m.get(), MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, spec.in_user_ns,
                        what);
}

Status apply_mount(int root_fd, const MountOp& op, const RootfsSpec& spec) {
    const std::string what = mount_what(op.source, op.destination);
    safe_path::Kind kind = safe_path::Kind::directory;
    if (op.kind == MountKind::bind) {
        struct stat src {};
        if (::stat(op.source.c_str(), &src) != 0) return sys_error(what);
        if (!S_ISDIR(src.st_mode)) kind = safe_path::Kind::file;
    }
    // tmpcopyup gives the tmpfs the image directory's owner and mode only when the image has that
    // directory (runc): for copy-up mounts, look it up first and create it only when missing.
    UniqueFd dest;
    bool image_had_dir = false;
    if (op.copy_up) {
        if (auto found = safe_path::open_in_root(root_fd, op.destination, O_PATH | O_DIRECTORY | O_CLOEXEC)) {
            dest = std::move(*found);
            image_had_dir = true;
        }
    }
    if (!dest) dest = GK_TRY_CTX(safe_path::create_in_root(root_fd, op.destination, kind), what);
    struct stat before {};
    if (::fstat(dest.get(), &before) != 0) return sys_error(what);

    if (op.kind == MountKind::cgroup) {
        if (spec.before_cgroup_mount) GK_TRY(spec.before_cgroup_mount());
        return mount_cgroup(root_fd, dest.get(), op, spec);
    }
    const char* fstype = op.kind == MountKind::bind ? nullptr : op.fstype.c_str();
    const char* data = op.data.empty() ? nullptr : op.data.c_str();
    // tmpcopyup: the image's directory stays reachable through this fd once the tmpfs covers it;
    // the tmpfs is mounted writable and made read-only (if asked) once the copy is in.
    UniqueFd image_dir;
    if (op.copy_up) {
        image_dir.reset(::openat(dest.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!image_dir) return sys_error([&] { return what + ": tmpcopyup: open the image's directory"; });
    }
    const unsigned long flags = op.copy_up ? op.flags & ~MS_RDONLY : op.flags;
    if (::mount(op.source.c_str(), fd_path(dest.get()).c_str(), fstype, flags, data) != 0) return sys_error(what);
    UniqueFd mounted = GK_TRY(reopen_mounted(root_fd, op, before));
    if (op.copy_up) GK_TRY_CTX(copy_up_into(mounted.get(), image_dir.get(), op, image_had_dir), what);
    return finish_mount(mounted.get(), op, spec);
}

Status prepare_dev(int root_fd, const RootfsSpec& spec) {
    const spec::Config& cfg = *spec.cfg;
    if (needs_dev_setup(cfg)) {
        static const std::vector<spec::Device> none;
        const auto& configured = cfg.linux ? cfg.linux->devices : none;
        GK_TRY(devices::create_devices(root_fd, devices::devices_to_create(configured), spec.in_user_ns));
        GK_TRY(devices::create_dev_links(root_fd, has_devpts_at_dev_pts(cfg), ::access("/proc/kcore", F_OK) == 0));
    } else {
        log::debug("/dev is a bind mount: no device nodes or links created");
    }
    if (cfg.process && cfg.process->terminal) GK_TRY(devices::create_console_target(root_fd));
    return ok_status();
}

Status pivot_into(const std::string& rootfs) {
    UniqueFd old_root(::open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC));
    if (!old_root) return sys_error("pivot_root: open /");
    UniqueFd new_root(::open(rootfs.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC));
    if (!new_root) return sys_error([&] { return "pivot_root: open " + rootfs; });
    if (::fchdir(new_root.get()) != 0) return sys_error([&] { return "pivot_root: chdir " + rootfs; });
    // pivot_root(".", "."): the old root ends up stacked under the new one, then is detached;
    // no directory for it is needed inside the image.
    if (::syscall(SYS_pivot_root, ".", ".") != 0) return sys_error([&] { return "pivot_root " + rootfs; });
    if (::fchdir(old_root.get()) != 0) return sys_error("pivot_root: chdir to the old root");
    // Keep the unmount of the old root from propagating to the host.
    GK_TRY(set_propagation(".", MS_SLAVE | MS_REC, "pivot_root: make the old root rslave"));
    if (::umount2(".", MNT_DETACH) != 0) return sys_error("pivot_root: unmount the old root");
    if (::chdir("/") != 0) return sys_error("pivot_root: chdir /");
    return ok_status();
}

Status move_into(const std::string& rootfs) {
    if (::chdir(rootfs.c_str()) != 0) return sys_error([&] { return "chdir " + rootfs; });
    if (::mount(rootfs.c_str(), "/", nullptr, MS_MOVE, nullptr) != 0)
        return sys_error([&] { return "move " + rootfs + " to /"; });
    if (::chroot(".") != 0) return sys_error([&] { return "chroot " + rootfs; });
    if (::chdir("/") != 0) return sys_error("chdir /");
    return ok_status();
}

// `null`: the container's /dev/null, opened and checked by the first masked file and reused.
Status mask_path(int root_fd, const std::string& path, UniqueFd& null) {
    const std::string what = "mask " + path;
    auto opened = safe_path::open_in_root(root_fd, path, O_PATH);
    if (!opened) {
        if (opened.error().sys_errno() == ENOENT) {
            log::debug(what + ": not in the container, skipped");
            return ok_status();
        }
        return std::move(opened).error().wrap("mask path");
    }
    struct stat st {};
    if (::fstat(opened->get(), &st) != 0) return sys_error(what);
    UniqueFd mnt;
    if (S_ISDIR(st.st_mode)) {
        UniqueFd fs(::fsopen("tmpfs", FSOPEN_CLOEXEC));
        if (!fs || ::fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0)
            return sys_error([&] { return what + ": tmpfs"; });
        mnt.reset(::fsmount(fs.get(), FSMOUNT_CLOEXEC,
                            MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC));
        if (!mnt) return sys_error([&] { return what + ": tmpfs"; });
    } else {
        // Only the real null device may cover a file: the image could have swapped /dev/null.
        if (!null) {
            UniqueFd dev_null = GK_TRY_CTX(safe_path::open_in_root(root_fd, "/dev/null", O_PATH | O_NOFOLLOW), what);
            struct stat ns {};
            if (::fstat(dev_null.get(), &ns) != 0) return sys_error([&] { return what + ": stat /dev/null"; });
            if (!S_ISCHR(ns.st_mode) || major(ns.st_rdev) != 1 || minor(ns.st_rdev) != 3)
                return Error(what + ": /dev/null in the container is not the 1:3 character device");
            null = std::move(dev_null);
        }
        mnt.reset(::open_tree(null.get(), "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH));
        if (!mnt) return sys_error([&] { return what + ": bind /dev/null"; });
    }
    if (::move_mount(mnt.get(), "", opened->get(), "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
        return sys_error(what);
    return ok_status();
}

// A read-only recursive copy of the subtree is made detached, then attached on the path: the
// path is never visible read-write in between, and mount_setattr keeps every other (locked) flag.
Status readonly_path(int root_fd, const std::string& path) {
    const std::string what = "make " + path + " read-only";
    auto opened = safe_path::open_in_root(root_fd, path, O_PATH);
    if (!opened) {
        if (opened.error().sys_errno() == ENOENT) {
            log::debug(what + ": not in the container, skipped");
            return ok_status();
        }
        return std::move(opened).error().wrap("readonly path");
    }
    UniqueFd tree(::open_tree(opened->get(), "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE));
    if (!tree) return sys_error([&] { return what + ": bind"; });
    struct mount_attr attr {};
    attr.attr_set = MOUNT_ATTR_RDONLY;
    if (::mount_setattr(tree.get(), "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) != 0) return sys_error(what);
    if (::move_mount(tree.get(), "", opened->get(), "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
        return sys_error([&] { return what + ": attach"; });
    return ok_status();
}

Status remount_root_readonly() {
    struct statvfs sv {};
    if (::statvfs("/", &sv) != 0) return sys_error("remount / read-only");
    unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY | mountopt::locked_flags_from_statvfs(sv.f_flag);
    if (::mount(nullptr, "/", nullptr, flags, nullptr) != 0) return sys_error("remount / read-only");
    return ok_status();
}

}  // namespace

Status prepare_rootfs(const RootfsSpec& spec) {
    if (!spec.cfg) return Error("prepare the root filesystem: no configuration");
    const spec::Config& cfg = *spec.cfg;
    if (spec.new_mount_ns) {
        const std::string prop_value = cfg.linux ? cfg.linux->rootfs_propagation : "";
        const unsigned long prop = GK_TRY(mountopt::parse_propagation(prop_value, "linux.rootfsPropagation"));
        // Nothing mounted from here on may reach the host's mount namespace.
        GK_TRY(set_propagation("/", MS_SLAVE | MS_REC, "make / rslave"));
        // An unbindable "/" would refuse the bind of the rootfs below: that one is applied only at
        // the end, after pivot_root (enter_rootfs), as for every other value.
        if (prop & MS_UNBINDABLE)
            log::debug("linux.rootfsPropagation \"" + prop_value + "\": applied after the root filesystem is bound");
        else if (prop) GK_TRY(set_propagation("/", prop, "set / to linux.rootfsPropagation \"" + prop_value + "\""));
        // After the rslave above no mount is shared, unless rootfsPropagation made "/" (or all) shared.
        if (prop & MS_SHARED) GK_TRY(make_rootfs_parent_private(spec.rootfs));
    }
    // A new mount namespace pivots into this mount; a joined one gets it too, so that
    // root.readonly, maskedPaths and readonlyPaths touch only the container's tree.
    if ((spec.new_mount_ns || spec.joined_mount_ns) &&
        ::mount(spec.rootfs.c_str(), spec.rootfs.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
        return sys_error([&] { return "bind the root filesystem " + spec.rootfs + " on itself"; });
    GK_FAULT_POINT("create.init.rootfs-bind");
    if (!spec.new_mount_ns && !cfg.mounts.empty()) {
        // A mount namespace joined by path, or the runtime's own: it is not the container's
        // alone, so its propagation is left as it is and the mounts are made in it under the
        // rootfs, where they stay after the container is gone (runc and crun do the same).
        log::debug("mounts: made in a mount namespace the container shares (" +
                   std::string(spec.joined_mount_ns ? "joined by path" : "the runtime's own") +
                   "); they outlive the container");
    }

    UniqueFd root(::open(spec.rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) return sys_error([&] { return "open the root filesystem " + spec.rootfs; });

    PlanContext ctx;
    ctx.bundle = spec.bundle;
    ctx.in_user_ns = spec.in_user_ns;
    const auto* net = cfg.linux ? cfg.linux->find_namespace("network") : nullptr;
    ctx.new_net_ns = net && net->path.empty();
    auto plan = GK_TRY(build_mount_plan(cfg, ctx));
    for (const auto& op : plan) {
        if (op.sysfs_fallback)
            log::debug("mount sysfs on " + op.destination +
                       ": user namespace without a network namespace, binding /sys");
        GK_TRY(apply_mount(root.get(), op, spec));
        GK_FAULT_POINT("create.init.mount");  // once per mount: the walk picks the Nth
    }
    GK_TRY(prepare_dev(root.get(), spec));
    GK_FAULT_POINT("create.init.dev");
    return ok_status();
}

Status enter_rootfs(const RootfsSpec& spec) {
    if (!spec.cfg) return Error("enter the root filesystem: no configuration");
    const spec::Config& cfg = *spec.cfg;
    const spec::Linux* lx = cfg.linux ? &*cfg.linux : nullptr;
    if (!spec.new_mount_ns) {
        // The runtime's own mount namespace: nothing may be mounted over paths there (runc
        // refuses the same).
        if (!spec.joined_mount_ns && lx && (!lx->masked_paths.empty() || !lx->readonly_paths.empty()))
            return Error("linux.maskedPaths: cannot restrict paths without a mount namespace of the container's own");
        // chroot, not pivot_root: pivot_root would move the root of every other process of a
        // shared namespace into the container's rootfs (crun does the same).
        if (::chroot(spec.rootfs.c_str()) != 0) return sys_error([&] { return "chroot " + spec.rootfs; });
        if (::chdir("/") != 0) return sys_error("chdir /");
        if (!spec.joined_mount_ns) {
            // "/" is then a mount of the runtime's namespace (the rootfs has none of its own).
            if (cfg.root && cfg.root->readonly)
                log::warning("root.readonly: ignored, the container has no mount namespace of its own");
            return ok_status();
        }
    } else {
        GK_TRY(spec.no_pivot ? move_into(spec.rootfs) : pivot_into(spec.rootfs));
        GK_FAULT_POINT("create.init.pivot-root");
    }

    UniqueFd root(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) return sys_error("open the new root");
    if (lx) {
        GK_TRY(apply_sysctls(lx->sysctl));
        UniqueFd null;
        for (const auto& p : lx->masked_paths) GK_TRY(mask_path(root.get(), p, null));
        for (const auto& p : lx->readonly_paths) GK_TRY(readonly_path(root.get(), p));
        GK_FAULT_POINT("create.init.masked-paths");
    }
    if (cfg.root && cfg.root->readonly) GK_TRY(remount_root_readonly());
    if (lx && !lx->rootfs_propagation.empty()) {
        unsigned long prop = GK_TRY(mountopt::parse_propagation(lx->rootfs_propagation, "linux.rootfsPropagation"));
        GK_TRY(set_propagation("/", prop, "set / to linux.rootfsPropagation \"" + lx->rootfs_propagation + "\""));
    }
    return ok_status();
}

}  // namespace gocker
