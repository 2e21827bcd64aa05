// prepare_rootfs/enter_rootfs for real. Every privileged test forks a child that first makes
// its own mount (and network) namespace, so all mounts die with the child and the host's
// namespaces are never touched; the child reports what it saw through a pipe.
#include "linux/rootfs.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "common/fd.hpp"
#include "common/file_io.hpp"
#include "linux/safe_path.hpp"
#include "linux/sysctl.hpp"
#include "support/spec_mount.hpp"
#include "support/temp_dir.hpp"

namespace gocker {
namespace {

namespace fs = std::filesystem;

using test::mnt;
using test::TempDir;

void write_file(const std::string& path, const std::string& content) { std::ofstream(path) << content; }

std::string read_file(const std::string& path) {
    auto text = read_whole_file(path);
    return text ? *text : "";
}

struct Checks {
    std::vector<std::string> failures;
    void expect(bool ok, const std::string& what) {
        if (!ok) failures.push_back(what + " (errno " + std::to_string(errno) + ")");
    }
};

// Runs `body` in a forked child inside new namespaces; returns the child's failures.
std::vector<std::string> run_in_child(int unshare_flags, const std::function<void(Checks&)>& body) {
    int fds[2];
    if (::pipe(fds) != 0) return {"pipe failed"};
    pid_t pid = ::fork();
    if (pid < 0) return {"fork failed"};
    if (pid == 0) {
        ::close(fds[0]);
        Checks c;
        if (::unshare(unshare_flags) != 0) {
            c.failures.push_back("unshare failed");
        } else if (::mount(nullptr, "/", nullptr, MS_SLAVE | MS_REC, nullptr) != 0) {
            c.failures.push_back("make / rslave failed");
        } else {
            body(c);
        }
        std::string out;
        for (const auto& f : c.failures) out += f + "\n";
        (void)!::write(fds[1], out.data(), out.size());
        ::_exit(c.failures.empty() ? 0 : 1);
    }
    ::close(fds[1]);
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    std::vector<std::string> failures;
    size_t i = 0;
    while (i < out.size()) {
        size_t j = out.find('\n', i);
        failures.push_back(out.substr(i, j - i));
        i = j + 1;
    }
    if (!WIFEXITED(status) || (WEXITSTATUS(status) != 0 && failures.empty()))
        failures.push_back("child died with status " + std::to_string(status));
    return failures;
}

bool is_mount_root(const std::string& path) {
    struct statx stx {};
    if (::statx(AT_FDCWD, path.c_str(), AT_SYMLINK_NOFOLLOW, STATX_INO, &stx) != 0) return false;
    return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
}

long fs_type(const std::string& path) {
    struct statfs s {};
    return ::statfs(path.c_str(), &s) == 0 ? static_cast<long>(s.f_type) : -1;
}

unsigned long vfs_flags(const std::string& path) {
    struct statvfs s {};
    return ::statvfs(path.c_str(), &s) == 0 ? s.f_flag : ~0UL;
}

bool is_chr(const std::string& path, unsigned maj, unsigned min, mode_t perm) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == maj &&
           minor(st.st_rdev) == min && (st.st_mode & 07777) == perm;
}

std::string link_of(const std::string& path) {
    char buf[256];
    ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

class RootfsTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "needs root (mount namespaces, mknod, pivot_root)";
        ASSERT_FALSE(tmp.path().empty());
        bundle = tmp.path() + "/bundle";
        rootfs = bundle + "/rootfs";
        decoy = tmp.path() + "/decoy";
        for (const char* d : {"proc", "sys", "dev", "etc", "tmp", "rodir", "maskdir"})
            fs::create_directories(rootfs + "/" + d);
        fs::create_directories(decoy);
        fs::create_directories(bundle + "/vol");
        fs::create_directories(tmp.path() + "/ro-src");
        write_file(decoy + "/marker", "host");
        write_file(rootfs + "/rodir/f", "x");
        write_file(rootfs + "/maskdir/secret", "s");
        write_file(rootfs + "/maskfile", "secret");
        write_file(bundle + "/vol/hello", "vol");
        write_file(bundle + "/volfile", "file-vol");
        write_file(tmp.path() + "/ro-src/data", "ro");
        write_file(tmp.path() + "/hostfile", "host file");
        // The image tries to send mounts to the host: an absolute symlink to a host directory
        // and a relative one climbing out with "..". Both lead, if followed on the host, into
        // this test's own directory (rootfs/../.. is tmp.path()), never to the host's "/".
        fs::create_directory_symlink(decoy, rootfs + "/evil");
        fs::create_directory_symlink("../..", rootfs + "/up");
    }

    spec::Config full_config() {
        spec::Config cfg;
        cfg.root = spec::Root{"rootfs", false};
        cfg.process = spec::Process{};
        cfg.process->terminal = true;
        cfg.mounts = {
            mnt("/proc", "proc", "proc", {}),
            mnt("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
            mnt("/dev/pts", "devpts", "devpts", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"}),
            mnt("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
            mnt("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
            mnt("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"}),
            mnt("/data/vol", "bind", "vol", {"rbind"}),
            mnt("/etc/volfile", "bind", "volfile", {"bind"}),
            mnt("/ro", "bind", tmp.path() + "/ro-src", {"rbind", "ro", "nosuid"}),
            mnt("/evil", "tmpfs", "tmpfs", {"size=1m"}),
            mnt("/up/escape", "tmpfs", "tmpfs", {"size=1m"}),
        };
        cfg.linux = spec::Linux{};
        spec::Device tun;
        tun.type = "c";
        tun.path = "/dev/net/tun";
        tun.major = 10;
        tun.minor = 200;
        tun.file_mode = 0600;
        cfg.linux->devices = {tun};
        cfg.linux->sysctl = {{"net.ipv4.ip_forward", "1"}};
        cfg.linux->masked_paths = {"/maskdir", "/maskfile", "/proc/kcore", "/does/not/exist"};
        cfg.linux->readonly_paths = {"/rodir", "/proc/sys", "/not/there"};
        return cfg;
    }

    RootfsSpec rootfs_spec(const spec::Config& cfg) {
        RootfsSpec s;
        s.cfg = &cfg;
        s.rootfs = rootfs;
        s.bundle = bundle;
        return s;
    }

    TempDir tmp;
    std::string bundle, rootfs, decoy;
};

TEST_F(RootfsTest, PrepareAndEnterBuildTheContainerView) {
    const spec::Config cfg = full_config();
    const RootfsSpec spec = rootfs_spec(cfg);
    const bool host_kcore = ::access("/proc/kcore", F_OK) == 0;
    const std::string tmp_path = tmp.path(), decoy_dir = decoy, root = rootfs;
    auto failures = run_in_child(CLONE_NEWNS | CLONE_NEWNET, [&](Checks& c) {
        auto st = prepare_rootfs(spec);
        c.expect(st.ok(), "prepare_rootfs: " + (st.ok() ? "" : st.error().message()));
        if (!st.ok()) return;
        // Seen from the runtime before the pivot: the symlinks did not reach the host.
        c.expect(!is_mount_root(decoy_dir), "the host decoy dir became a mount point");
        c.expect(read_file(decoy_dir + "/marker") == "host", "the host decoy lost its content");
        c.expect(fs_type(root + decoy_dir) == TMPFS_MAGIC, "/evil was not mounted inside the rootfs");
        c.expect(::access((tmp_path + "/escape").c_str(), F_OK) != 0, "/up/escape created outside the rootfs");
        c.expect(fs_type(root + "/escape") == TMPFS_MAGIC, "/up/escape was not mounted inside the rootfs");
        c.expect(::access((root + "/dev/console").c_str(), F_OK) == 0, "no /dev/console target");

        st = enter_rootfs(spec);
        c.expect(st.ok(), "enter_rootfs: " + (st.ok() ? "" : st.error().message()));
        if (!st.ok()) return;
        c.expect(::access((decoy_dir + "/marker").c_str(), F_OK) != 0, "host files visible after pivot_root");
        c.expect(fs_type("/proc") == PROC_SUPER_MAGIC, "/proc is not procfs");
        c.expect(fs_type("/dev") == TMPFS_MAGIC, "/dev is not tmpfs");
        c.expect(vfs_flags("/dev") & ST_NOSUID, "/dev is not nosuid");
        struct stat dst {};
        c.expect(::stat("/dev", &dst) == 0 && (dst.st_mode & 07777) == 0755, "/dev mode is not 0755");
        struct statvfs dsv {};
        c.expect(::statvfs("/dev", &dsv) == 0 && dsv.f_blocks * dsv.f_frsize == 65536UL * 1024,
                 "/dev size is not 64 MiB");
        c.expect(is_chr("/dev/null", 1, 3, 0666), "/dev/null is not 1:3 0666");
        c.expect(is_chr("/dev/zero", 1, 5, 0666), "/dev/zero");
        c.expect(is_chr("/dev/full", 1, 7, 0666), "/dev/full");
        c.expect(is_chr("/dev/random", 1, 8, 0666), "/dev/random");
        c.expect(is_chr("/dev/urandom", 1, 9, 0666), "/dev/urandom");
        c.expect(is_chr("/dev/tty", 5, 0, 0666), "/dev/tty");
        c.expect(is_chr("/dev/net/tun", 10, 200, 0600), "/dev/net/tun from linux.devices");
        c.expect(link_of("/dev/fd") == "/proc/self/fd", "/dev/fd link");
        c.expect(link_of("/dev/stdin") == "/proc/self/fd/0", "/dev/stdin link");
        c.expect(link_of("/dev/stdout") == "/proc/self/fd/1", "/dev/stdout link");
        c.expect(link_of("/dev/stderr") == "/proc/self/fd/2", "/dev/stderr link");
        c.expect(link_of("/dev/ptmx") == "pts/ptmx", "/dev/ptmx link");
        c.expect((link_of("/dev/core") == "/proc/kcore") == host_kcore, "/dev/core link");
        struct stat con {};
        c.expect(::lstat("/dev/console", &con) == 0 && S_ISREG(con.st_mode), "/dev/console is not a regular file");
        c.expect(fs_type("/dev/pts") == DEVPTS_SUPER_MAGIC, "/dev/pts is not devpts");
        c.expect(::access("/dev/pts/ptmx", F_OK) == 0, "/dev/pts/ptmx missing");
        c.expect(fs_type("/dev/mqueue") == 0x19800202, "/dev/mqueue is not mqueue");
        c.expect(fs_type("/sys") == SYSFS_MAGIC, "/sys is not sysfs");
        c.expect(vfs_flags("/sys") & ST_RDONLY, "/sys is not read-only");
        c.expect(fs_type("/sys/fs/cgroup") == TMPFS_MAGIC || fs_type("/sys/fs/cgroup") == CGROUP2_SUPER_MAGIC,
                 "/sys/fs/cgroup is neither the v1 tmpfs nor cgroup2");
        c.expect(vfs_flags("/sys/fs/cgroup") & ST_RDONLY, "/sys/fs/cgroup is not read-only");
        if (fs_type("/sys/fs/cgroup") == TMPFS_MAGIC) {
            // cgroup v1/hybrid host: each hierarchy of the init's cgroup is bound, read-only.
            int hierarchies = 0;
            for (const auto& e : fs::directory_iterator("/sys/fs/cgroup"))
                if (!e.is_symlink() && is_mount_root(e.path())) {
                    ++hierarchies;
                    c.expect(vfs_flags(e.path()) & ST_RDONLY, e.path().string() + " is not read-only");
                }
            c.expect(hierarchies > 0, "no cgroup hierarchy mounted under the /sys/fs/cgroup tmpfs");
        }
        c.expect(read_file("/data/vol/hello") == "vol", "bundle-relative dir volume");
        c.expect(read_file("/etc/volfile") == "file-vol", "bundle-relative file volume");
        c.expect(vfs_flags("/ro") & ST_RDONLY, "/ro bind is not read-only");
        c.expect(vfs_flags("/ro") & ST_NOSUID, "/ro bind is not nosuid");
        c.expect(read_file("/ro/data") == "ro", "/ro content");
        c.expect(::open("/ro/new", O_CREAT | O_WRONLY, 0600) < 0 && errno == EROFS, "/ro is writable");
        c.expect(fs_type(decoy_dir) == TMPFS_MAGIC, "/evil target inside the container is not the tmpfs");
        c.expect(::open("/maskfile", O_RDONLY) >= 0 && read_file("/maskfile").empty(), "/maskfile still readable");
        c.expect(is_chr("/maskfile", 1, 3, 0666), "/maskfile is not covered by /dev/null");
        DIR* d = ::opendir("/maskdir");
        int entries = 0;
        if (d) {
            while (dirent* e = ::readdir(d)) entries += std::string(e->d_name) != "." && std::string(e->d_name) != "..";
            ::closedir(d);
        }
        c.expect(d && entries == 0, "/maskdir content visible");
        c.expect(vfs_flags("/maskdir") & ST_RDONLY, "/maskdir tmpfs is not read-only");
        if (::access("/proc/kcore", F_OK) == 0) c.expect(is_chr("/proc/kcore", 1, 3, 0666), "/proc/kcore not masked");
        c.expect(vfs_flags("/rodir") & ST_RDONLY, "/rodir is not read-only");
        c.expect(read_file("/rodir/f") == "x", "/rodir lost its content");
        c.expect(vfs_flags("/proc/sys") & ST_RDONLY, "/proc/sys is not read-only");
        c.expect(!(vfs_flags("/proc") & ST_RDONLY), "/proc itself became read-only");
        c.expect(read_file("/proc/sys/net/ipv4/ip_forward") == "1\n", "sysctl net.ipv4.ip_forward not applied");
        c.expect(!(vfs_flags("/") & ST_RDONLY), "/ is read-only without root.readonly");
        char cwd[256];
        c.expect(::getcwd(cwd, sizeof cwd) && std::string(cwd) == "/", "cwd is not /");
    });
    for (const auto& f : failures) ADD_FAILURE() << f;
    // And the host, afterwards: nothing was left mounted on or written into the decoy.
    EXPECT_FALSE(is_mount_root(decoy));
    EXPECT_EQ(read_file(decoy + "/marker"), "host");
    EXPECT_FALSE(fs::exists(tmp.path() + "/escape"));
}

TEST_F(RootfsTest, NoPivotReadonlyRootAndPlantedDevNull) {
    // The image has /dev/null pointing at a host file and no /dev mount: the runtime must replace
    // it with the real node instead of following the link.
    fs::create_symlink(tmp.path() + "/hostfile", rootfs + "/dev/null");
    spec::Config cfg;
    cfg.root = spec::Root{"rootfs", true};
    cfg.mounts = {mnt("/proc", "proc", "proc", {})};
    cfg.linux = spec::Linux{};
    cfg.linux->masked_paths = {"/maskfile"};
    RootfsSpec spec = rootfs_spec(cfg);
    spec.no_pivot = true;
    auto failures = run_in_child(CLONE_NEWNS, [&](Checks& c) {
        auto st = prepare_rootfs(spec);
        c.expect(st.ok(), "prepare_rootfs: " + (st.ok() ? "" : st.error().message()));
        if (!st.ok()) return;
        st = enter_rootfs(spec);
        c.expect(st.ok(), "enter_rootfs: " + (st.ok() ? "" : st.error().message()));
        if (!st.ok()) return;
        c.expect(is_chr("/dev/null", 1, 3, 0666), "/dev/null was not replaced by the real node");
        c.expect(vfs_flags("/") & ST_RDONLY, "root.readonly did not make / read-only");
        c.expect(::mkdir("/newdir", 0755) != 0 && errno == EROFS, "/ is writable");
        c.expect(read_file("/maskfile").empty(), "masked file readable");
        c.expect(fs_type("/proc") == PROC_SUPER_MAGIC, "/proc missing");
    });
    for (const auto& f : failures) ADD_FAILURE() << f;
    EXPECT_EQ(read_file(tmp.path() + "/hostfile"), "host file");
    struct stat st {};
    EXPECT_EQ(::lstat((rootfs + "/dev/null").c_str(), &st), 0);
    EXPECT_TRUE(S_ISCHR(st.st_mode)) << "the image's /dev/null link was left (or followed)";
}

TEST_F(RootfsTest, MountFailureSaysWhatOnWhatAndWhy) {
    spec::Config cfg;
    cfg.mounts = {mnt("/proc", "proc", "proc", {}), mnt("/x", "nosuchfs", "nosuchfs", {})};
    const RootfsSpec spec = rootfs_spec(cfg);
    auto failures = run_in_child(CLONE_NEWNS, [&](Checks& c) {
        auto st = prepare_rootfs(spec);
        c.expect(!st.ok(), "a mount of an unknown filesystem succeeded");
        if (!st.ok())
            c.expect(st.error().message() == "mount \"nosuchfs\" on /x: no such device",
                     "message was: " + st.error().message());
    });
    for (const auto& f : failures) ADD_FAILURE() << f;
}

TEST_F(RootfsTest, MissingBindSourceIsReported) {
    spec::Config cfg;
    cfg.mounts = {mnt("/data", "bind", "missing-volume", {"rbind"})};
    const RootfsSpec spec = rootfs_spec(cfg);
    const std::string src = bundle + "/missing-volume";
    auto failures = run_in_child(CLONE_NEWNS, [&](Checks& c) {
        auto st = prepare_rootfs(spec);
        c.expect(!st.ok() && st.error().message() == "mount \"" + src + "\" on /data: no such file or directory",
                 "message was: " + (st.ok() ? std::string("ok") : st.error().message()));
    });
    for (const auto& f : failures) ADD_FAILURE() << f;
}

// Unprivileged: path resolution inside a root never leaves it.
TEST(SafePath, CreateInRootFollowsSymlinksOnlyInsideTheRoot) {
    TempDir t;
    ASSERT_FALSE(t.path().empty());
    const std::string root = t.path() + "/root", outside = t.path() + "/outside";
    fs::create_directories(root);
    fs::create_directories(outside);
    fs::create_directory_symlink(outside, root + "/abs");  // absolute, to the "host"
    fs::create_directory_symlink("..", root + "/up");      // climbs with "..", to t.path() if followed
    fs::create_symlink("/nowhere/file", root + "/dangling");
    UniqueFd rfd(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    ASSERT_TRUE(rfd.valid());

    auto a = safe_path::create_in_root(rfd.get(), "/abs/sub", safe_path::Kind::directory);
    ASSERT_TRUE(a.ok()) << a.error().message();
    EXPECT_TRUE(fs::is_directory(root + outside + "/sub"));
    EXPECT_FALSE(fs::exists(outside + "/sub"));

    auto u = safe_path::create_in_root(rfd.get(), "/up/escaped", safe_path::Kind::directory);
    ASSERT_TRUE(u.ok()) << u.error().message();
    EXPECT_TRUE(fs::is_directory(root + "/escaped"));
    EXPECT_FALSE(fs::exists(t.path() + "/escaped"));

    auto d = safe_path::create_in_root(rfd.get(), "/dangling", safe_path::Kind::file);
    ASSERT_TRUE(d.ok()) << d.error().message();
    EXPECT_TRUE(fs::is_regular_file(root + "/nowhere/file"));
    EXPECT_FALSE(fs::exists("/nowhere/file"));

    auto o = safe_path::open_in_root(rfd.get(), "/abs/sub", O_PATH | O_DIRECTORY);
    ASSERT_TRUE(o.ok());
    struct stat s1 {
    }, s2{};
    ASSERT_EQ(::fstat(o->get(), &s1), 0);
    ASSERT_EQ(::stat((root + outside + "/sub").c_str(), &s2), 0);
    EXPECT_EQ(s1.st_ino, s2.st_ino);
    auto missing = safe_path::open_in_root(rfd.get(), "/no/such", O_PATH);
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().sys_errno(), ENOENT);
}

TEST(SafePath, SymlinkLoopIsAnError) {
    TempDir t;
    ASSERT_FALSE(t.path().empty());
    fs::create_symlink("b", t.path() + "/a");
    fs::create_symlink("a", t.path() + "/b");
    UniqueFd rfd(::open(t.path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    auto r = safe_path::create_in_root(rfd.get(), "/a/x", safe_path::Kind::directory);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().sys_errno(), ELOOP);
}

TEST(Sysctl, KeysMapUnderProcSys) {
    EXPECT_EQ(sysctl_proc_path("net.ipv4.ip_forward").value(), "/proc/sys/net/ipv4/ip_forward");
    EXPECT_EQ(sysctl_proc_path("kernel/shm_rmid_forced").value(), "/proc/sys/kernel/shm_rmid_forced");
    EXPECT_EQ(sysctl_proc_path("fs.mqueue.msg_max").value(), "/proc/sys/fs/mqueue/msg_max");
    for (const char* bad : {"", "net..x", "../etc/passwd", "net/../../x", ".kernel", "kernel."}) {
        auto r = sysctl_proc_path(bad);
        EXPECT_FALSE(r.ok()) << bad;
    }
    EXPECT_EQ(sysctl_proc_path("a/../b").error().message(), "linux.sysctl[\"a/../b\"]: not a valid sysctl name");
}

TEST(Sysctl, ErrorNamesTheKey) {
    auto st = apply_sysctls({{"gocker.no_such_key", "1"}});
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().message(), "write sysctl \"gocker.no_such_key\": no such file or directory");
}

}  // namespace
}  // namespace gocker
