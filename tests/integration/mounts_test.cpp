// Mounts, masked and read-only paths, root.readonly, sysctl and devices, seen from inside.
#include <algorithm>
#include <filesystem>
#include <sstream>

#include "integration/bundle_fixture.hpp"

namespace gocker::test {
namespace {

namespace fs = std::filesystem;

class Mounts : public BundleTest {
protected:
    void bind(const std::string& src, const std::string& dst, const std::string& opts) {
        config().append("/mounts", R"({"destination":)" + json_str(dst) + R"(,"type":"bind","source":)" +
                                       json_str(src) + R"(,"options":)" + opts + "}");
    }
};

// The /proc/mounts line (type and options) of a mount point in the container's output.
std::string mount_line(const std::string& mounts, const std::string& dest) {
    std::istringstream in(mounts);
    std::string line, found;
    while (std::getline(in, line)) {
        std::istringstream f(line);
        std::string src, mp;
        f >> src >> mp;
        if (mp == dest) found = line;  // the last one is on top
    }
    return found;
}

TEST_F(Mounts, DefaultFilesystemsAreMounted) {
    program("cat /proc/mounts");
    RunResult r = run("m1");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    struct Want {
        const char* dest;
        const char* type;
    };
    for (Want w : {Want{"/proc", "proc"}, Want{"/dev", "tmpfs"}, Want{"/dev/pts", "devpts"}, Want{"/dev/shm", "tmpfs"},
                   Want{"/dev/mqueue", "mqueue"}, Want{"/sys", "sysfs"}}) {
        std::string line = mount_line(r.out, w.dest);
        EXPECT_NE(line.find(std::string(" ") + w.type + " "), std::string::npos) << w.dest << ": " << line;
    }
    EXPECT_NE(mount_line(r.out, "/sys").find(" ro,"), std::string::npos);
    // The cgroup mount is a tmpfs with the hierarchies below it (v1/hybrid) or cgroup2.
    bool cgroup = false;
    std::istringstream in(r.out);
    std::string line;
    while (std::getline(in, line))
        if (line.find(" /sys/fs/cgroup") != std::string::npos && line.find("cgroup") != std::string::npos)
            cgroup = true;
    EXPECT_TRUE(cgroup) << r.out;
    // The root is read-only (root.readonly).
    EXPECT_NE(mount_line(r.out, "/").find(" ro"), std::string::npos) << mount_line(r.out, "/");
}

TEST_F(Mounts, RootReadonlyRefusesWrites) {
    program("touch /newfile 2>/dev/null && echo wrote || echo refused");
    RunResult r = run("ro");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "refused\n");
    EXPECT_FALSE(fs::exists(std::string(GOCKER_ROOTFS) + "/newfile"));
    // The rootfs is shared by every test: take back what a failed read-only check let through.
    std::error_code ec;
    const std::string shared_newfile = std::string(GOCKER_ROOTFS) + "/newfile";
    if (fs::exists(shared_newfile, ec)) fs::remove(shared_newfile, ec);

    copy_rootfs();
    r = run("rw");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "wrote\n");
    EXPECT_TRUE(fs::exists(bundle() + "/rootfs/newfile"));
}

TEST_F(Mounts, BindVolumesDirFileAndReadOnly) {
    std::string dir = tmp() + "/vol", file = tmp() + "/hostname.txt", rodir = tmp() + "/rovol";
    fs::create_directories(dir);
    fs::create_directories(rodir);
    write_text(file, "from-the-host\n");
    write_text(rodir + "/f", "ro-content\n");
    bind(dir, "/run", R"(["rbind","rw"])");
    bind(file, "/etc/hostname", R"(["bind","ro"])");
    bind(rodir, "/root", R"(["rbind","ro"])");
    program(
        "echo written > /run/out; cat /etc/hostname; cat /root/f; "
        "(echo x > /root/f) 2>/dev/null && echo ro-broken || echo ro-ok");
    RunResult r = run("b1");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "from-the-host\nro-content\nro-ok\n");
    EXPECT_EQ(read_text(dir + "/out"), "written\n");
    EXPECT_EQ(read_text(rodir + "/f"), "ro-content\n");
}

TEST_F(Mounts, TmpfsWithOptions) {
    config().append("/mounts", R"({"destination":"/run","type":"tmpfs","source":"tmpfs",
                                   "options":["nosuid","nodev","mode=1770","size=1m"]})");
    program("grep ' /run ' /proc/mounts; stat -c %a /run");
    RunResult r = run("t1");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::string line = mount_line(r.out, "/run");
    EXPECT_NE(line.find("tmpfs /run tmpfs"), std::string::npos) << r.out;
    EXPECT_NE(line.find("nosuid"), std::string::npos) << line;
    EXPECT_NE(line.find("nodev"), std::string::npos) << line;
    EXPECT_NE(line.find("size=1024k"), std::string::npos) << line;
    EXPECT_NE(r.out.find("\n1770\n"), std::string::npos) << r.out;
}

TEST_F(Mounts, MaskedAndReadonlyPaths) {
    config().set("/linux/maskedPaths", R"(["/proc/kcore","/proc/acpi","/proc/cmdline"])");
    config().set("/linux/readonlyPaths", R"(["/proc/sys"])");
    program(
        "wc -c < /proc/cmdline; ls -A /proc/acpi | wc -l; "
        "(echo 1 > /proc/sys/kernel/ns_last_pid) 2>/dev/null && echo rw || echo ro; "
        "grep ' /proc/sys ' /proc/mounts");
    RunResult r = run("mask");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::istringstream in(r.out);
    int cmdline_bytes = -1, acpi_entries = -1;
    std::string ro;
    in >> cmdline_bytes >> acpi_entries >> ro;
    EXPECT_EQ(cmdline_bytes, 0) << r.out;
    EXPECT_EQ(acpi_entries, 0) << r.out;
    EXPECT_EQ(ro, "ro");
    EXPECT_NE(mount_line(r.out, "/proc/sys").find(" ro,"), std::string::npos) << r.out;
}

TEST_F(Mounts, SysctlInNewNetworkNamespace) {
    config().set("/linux/sysctl", R"({"net.ipv4.ip_forward":"1"})");
    program("cat /proc/sys/net/ipv4/ip_forward");
    own_uts_and_net_ = true;  // a regression changes the test's network namespace, not the host's
    RunResult r = run("sysctl");
    NsView outside = split_ns_view(r.out);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "1\n");
    ASSERT_FALSE(outside.ip_forward_before.empty()) << r.out;
    EXPECT_EQ(outside.ip_forward_after, outside.ip_forward_before);
}

TEST_F(Mounts, DefaultAndConfiguredDevices) {
    config().append("/linux/devices",
                    R"({"path":"/dev/extra","type":"c","major":1,"minor":7,"fileMode":438,"uid":0,"gid":0})");
    program(
        "for d in null zero full random urandom tty extra; do stat -c '%n %F %t:%T %a' /dev/$d; done; "
        "echo hi > /dev/null && echo null-ok; head -c 4 /dev/zero | wc -c");
    RunResult r = run("dev");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const char* want : {"/dev/null character special file 1:3", "/dev/zero character special file 1:5",
                             "/dev/full character special file 1:7", "/dev/random character special file 1:8",
                             "/dev/urandom character special file 1:9", "/dev/tty character special file 5:0",
                             "/dev/extra character special file 1:7 666", "null-ok\n4\n"})
        EXPECT_NE(r.out.find(want), std::string::npos) << want << "\n" << r.out;
}

TEST_F(Mounts, BadMountFailsNamingTheDestination) {
    size_t before = host_mount_count();
    config().append("/mounts",
                    R"({"destination":"/run","type":"bind","source":"/no/such/source","options":["rbind"]})");
    program("true");
    RunResult r = create("badm");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find("/no/such/source"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(root() + "/badm"));
    EXPECT_EQ(host_mount_count(), before);
}

// linux.rootfsPropagation "shared" makes "/" shared again after the runtime's rslave: the parent
// mount of the rootfs must then be made private, or pivot_root refuses it.
TEST_F(Mounts, SharedRootfsPropagationStillPivots) {
    config().set("/linux/rootfsPropagation", json_str("shared"));
    program("grep -c shared: /proc/self/mountinfo >/dev/null && echo shared");
    RunResult r = run("prop-shared");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "shared\n");
}

// An unbindable "/" before the rootfs is bound on itself made that bind fail (EINVAL); the value
// is applied once the root is in place (OCI validation linux_rootfs_propagation).
TEST_F(Mounts, UnbindableRootfsPropagationApplies) {
    config().set("/linux/rootfsPropagation", json_str("unbindable"));
    program("awk '$5 == \"/\"' /proc/self/mountinfo | grep -q unbindable && echo unbindable");
    RunResult r = run("prop-unbindable");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "unbindable\n");
}

}  // namespace
}  // namespace gocker::test
