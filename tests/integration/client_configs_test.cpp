// What real clients write, run for real: `runc spec`'s default config (ambient capabilities it
// cannot have), podman --privileged's device fileMode with the file-type bits, podman --read-only's
// tmpcopyup, and containerd's `kill --all` of a container whose init has exited. The configs are
// the ones of tests/data/configs/good/ (unit-tested there), with the busybox rootfs and a script.
#include <sys/stat.h>

#include <chrono>
#include <thread>

#include "integration/bundle_fixture.hpp"

namespace gocker::test {
namespace {

using namespace std::chrono_literals;
constexpr auto npos = std::string::npos;

class ClientConfigs : public BundleTest {
protected:
    void use_client_config(const char* name, const std::string& script) {
        ASSERT_TRUE(config().load(std::string(GOCKER_SOURCE_DIR) + "/tests/data/configs/good/" + name)) << name;
        config().set("/root/path", json_str(GOCKER_ROOTFS));
        program(script);
    }
};

// `runc spec` asks for ambient CAP_KILL, CAP_NET_BIND_SERVICE and CAP_AUDIT_WRITE with no
// inheritable set: skipped with a warning, as runc does; the other sets are as asked.
TEST_F(ClientConfigs, RuncSpecDefaultConfigRunsWithItsAmbientCapabilitiesSkipped) {
    use_client_config("runc-spec.json", "grep -E '^Cap(Eff|Amb)' /proc/self/status; hostname");
    RunResult r = run("runc-spec");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("CapEff:\t0000000020000420"), npos) << r.out;
    EXPECT_NE(r.out.find("CapAmb:\t0000000000000000"), npos) << r.out;
    EXPECT_NE(r.out.find("runc\n"), npos) << r.out;
    EXPECT_NE(r.err.find("process.capabilities.ambient: not raising CAP_KILL CAP_NET_BIND_SERVICE CAP_AUDIT_WRITE: "
                         "an ambient capability must also be permitted and inheritable"),
              npos)
        << r.err;
}

// podman --privileged sends fileMode with the file-type bits: 0o20640 for a character device.
TEST_F(ClientConfigs, DeviceFileModeWithTheFileTypeBitsGivesThePermissionBits) {
    program("stat -c '%a %F %t,%T' /dev/podnull");
    config().set("/linux/devices",
                 R"([{"path":"/dev/podnull","type":"c","major":1,"minor":3,"fileMode":8608,"uid":0,"gid":0}])");
    RunResult r = run("filemode");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "640 character special file 1,3\n");
}

// podman --read-only: the tmpfs over /seed holds what the image had there, owners and modes
// kept, symlinks as symlinks; writes go to the tmpfs, not to the image.
TEST_F(ClientConfigs, TmpcopyupFillsTheTmpfsWithTheImagesContent) {
    copy_rootfs();
    const std::string seed = bundle() + "/rootfs/seed";
    ASSERT_EQ(::mkdir(seed.c_str(), 0700), 0);
    ASSERT_EQ(::mkdir((seed + "/sub").c_str(), 0700), 0);
    write_text(seed + "/conf", "from-image\n", 0600);
    ASSERT_EQ(::symlink("/etc/passwd", (seed + "/link").c_str()), 0);
    ASSERT_EQ(::chown(seed.c_str(), 7, 8), 0);
    ASSERT_EQ(::chmod(seed.c_str(), 0757), 0);  // the process has no CAP_DAC_OVERRIDE: o+w to write
    ASSERT_EQ(::chmod((seed + "/sub").c_str(), 01777), 0);
    ASSERT_EQ(::chown((seed + "/conf").c_str(), 123, 456), 0);
    ASSERT_EQ(::chmod((seed + "/conf").c_str(), 0604), 0);
    config().append("/mounts", R"({"destination":"/seed","type":"tmpfs","source":"tmpfs",
        "options":["rw","rprivate","nosuid","nodev","tmpcopyup"]})");
    config().append("/mounts", R"({"destination":"/seed/sub","type":"tmpfs","source":"tmpfs",
        "options":["ro","tmpcopyup"]})");
    program(
        "grep -q ' /seed tmpfs ' /proc/mounts && echo tmpfs; stat -c '%a %u %g' /seed /seed/conf /seed/sub; "
        "cat /seed/conf; readlink /seed/link; echo new > /seed/new && echo written; "
        "echo x 2>/dev/null > /seed/sub/x || echo read-only");
    RunResult r = run("copyup");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "tmpfs\n757 7 8\n604 123 456\n1777 0 0\nfrom-image\n/etc/passwd\nwritten\nread-only\n");
    EXPECT_FALSE(::access((seed + "/new").c_str(), F_OK) == 0) << "the write reached the image";
}

// podman sends `--tmpfs /scratch:mode=1770` with tmpcopyup as well. Where the image has no such
// directory the runtime makes one, and the tmpfs keeps the mode its options ask for (runc does the
// same: the image directory's mode is taken only when the image had the directory).
TEST_F(ClientConfigs, TmpcopyupOnADirectoryTheImageLacksKeepsTheMountsMode) {
    copy_rootfs();
    config().append("/mounts", R"({"destination":"/scratch","type":"tmpfs","source":"tmpfs",
        "options":["rw","rprivate","nosuid","nodev","size=2m","mode=1770","tmpcopyup"]})");
    program("stat -c '%a %u %g' /scratch; ls -A /scratch | wc -l");
    RunResult r = run("copyup-new");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "1770 0 0\n0\n");
}

// containerd ends a container whose init exited with `kill --all ID 9`: what is left in its
// cgroup (no pid namespace, so the init's child outlives it) is killed and the call succeeds.
TEST_F(ClientConfigs, KillAllOfAStoppedContainerKillsWhatIsLeftAndSucceeds) {
    config().drop_namespace("pid");
    program("sleep 1000 & exit 0");
    ASSERT_EQ(create("leftover").exit_code, 0);
    ASSERT_EQ(start("leftover").exit_code, 0);
    ASSERT_TRUE(wait_status("leftover", "stopped"));
    RunResult ps = gocker({"ps", "--format", "json", "leftover"});
    ASSERT_EQ(ps.exit_code, 0) << ps.err;
    ASSERT_NE(ps.out, "[]\n") << "the sleep should still be in the cgroup";
    const int sleeper = std::atoi(ps.out.c_str() + 1);
    ASSERT_GT(sleeper, 0) << ps.out;
    EXPECT_EQ(gocker({"kill", "leftover", "KILL"}).exit_code, 1);  // without --all: not running
    RunResult k = gocker({"kill", "--all", "leftover", "KILL"});
    EXPECT_EQ(k.exit_code, 0) << k.err;
    for (int i = 0; i < 100 && process_exists(sleeper); ++i) std::this_thread::sleep_for(50ms);
    EXPECT_FALSE(process_exists(sleeper));
    EXPECT_EQ(gocker({"kill", "--all", "leftover", "KILL"}).exit_code, 0);  // nothing left: still fine
    EXPECT_EQ(del("leftover").exit_code, 0);
}

}  // namespace
}  // namespace gocker::test
