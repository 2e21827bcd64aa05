// Rootless containers: an ordinary user runs the runtime. Each test makes a throw-away system
// user (`useradd -r`, so that no subordinate ids are allocated behind our back), with its home,
// XDG_RUNTIME_DIR, a copy of the runtime and of the busybox rootfs under the test's temporary
// directory, and runs gocker-runtime as that user with setpriv. /etc/subuid and /etc/subgid get
// one line for the user only in the test that needs it, removed again (that exact line) in
// TearDown; the user is removed even when an assertion fails; and TearDown checks that none of
// the user's processes is left, then ends any that are (they are the test's own).
#include <dirent.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "integration/bundle_fixture.hpp"
#include "integration/run_util.hpp"

namespace gocker::test {
namespace {

constexpr uint32_t kSubStart = 3400000;  // the subordinate range a test hands to its user
constexpr uint32_t kSubCount = 65536;

// Removes exactly `line` from `path` (first occurrence), leaving every other byte as it was.
void remove_line(const std::string& path, const std::string& line) {
    std::string text = read_text(path);
    size_t at = text.find(line + "\n");
    if (at == std::string::npos) return;
    text.erase(at, line.size() + 1);
    std::ofstream(path, std::ios::trunc) << text;
}

std::vector<pid_t> processes_of(uid_t uid) {
    std::vector<pid_t> out;
    DIR* d = ::opendir("/proc");
    if (!d) return out;
    while (dirent* e = ::readdir(d)) {
        char* end = nullptr;
        long pid = std::strtol(e->d_name, &end, 10);
        if (*end || pid <= 0) continue;
        struct stat st {};
        if (::stat(("/proc/" + std::string(e->d_name)).c_str(), &st) == 0 && st.st_uid == uid)
            out.push_back(static_cast<pid_t>(pid));
    }
    ::closedir(d);
    return out;
}

class RootlessTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "needs root to make a throw-away user";
        // A container's init outlives `create` (as with runc): the test, not the host's init,
        // adopts and reaps it, so that "nothing left" can be checked.
        ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
        for (const char* tool : {"/usr/sbin/useradd", "/usr/sbin/userdel", "/usr/bin/setpriv"})
            if (::access(tool, X_OK) != 0) GTEST_SKIP() << tool << " is not installed";
        ASSERT_TRUE(tmp_.ok()) << "mkdtemp in /tmp failed";
        dir_ = tmp_.path();
        ::chmod(dir_.c_str(), 0755);
        static int n = 0;
        user_ = "gkrl" + std::to_string(::getpid()) + "x" + std::to_string(n++);
        RunResult add = run_cmd({"/usr/sbin/useradd", "-r", "-M", "-U", "-d", dir_ + "/home", "-s", "/bin/sh", user_});
        ASSERT_EQ(add.exit_code, 0) << add.err;
        made_user_ = true;
        // /etc/passwd read by hand (no NSS): "name:x:uid:gid:..."
        std::string pw = read_text("/etc/passwd");
        size_t at = pw.find("\n" + user_ + ":");
        ASSERT_NE(at, std::string::npos);
        unsigned u = 0, g = 0;
        ASSERT_EQ(std::sscanf(pw.c_str() + at + 1 + user_.size(), ":%*[^:]:%u:%u:", &u, &g), 2);
        uid_ = u;
        gid_ = g;
        for (const char* sub : {"/home", "/run", "/bundle", "/vol"}) {
            std::string p = dir_ + sub;
            ASSERT_EQ(::mkdir(p.c_str(), 0700), 0) << p;
            ASSERT_EQ(::chown(p.c_str(), uid_, gid_), 0) << p;
        }
        ASSERT_EQ(::chmod((dir_ + "/vol").c_str(), 0755), 0);
        binary_ = dir_ + "/gocker-runtime";
        ASSERT_EQ(run_cmd({"cp", GOCKER_BINARY, binary_}).exit_code, 0);
        ::chmod(binary_.c_str(), 0755);
        RunResult cp = run_cmd({"cp", "-a", GOCKER_ROOTFS, dir_ + "/bundle/rootfs"});
        ASSERT_EQ(cp.exit_code, 0) << cp.err;
        ASSERT_EQ(run_cmd({"chown", "-R", std::to_string(uid_) + ":" + std::to_string(gid_), dir_ + "/bundle/rootfs"})
                      .exit_code,
                  0);
        RunResult spec = as_user({"spec", "--rootless", "--bundle", dir_ + "/bundle"});
        ASSERT_EQ(spec.exit_code, 0) << spec.err;
        ASSERT_TRUE(cfg_.load(dir_ + "/bundle/config.json"));
        cfg_.set("/process/terminal", "false");
    }

    void TearDown() override {
        for (int i = 0; i < 50; ++i) {
            while (::waitpid(-1, nullptr, WNOHANG) > 0) {}
            if (!made_user_ || processes_of(uid_).empty()) break;
            ::usleep(20000);
        }
        ::prctl(PR_SET_CHILD_SUBREAPER, 0);
        if (!made_user_) return;
        std::vector<pid_t> left = processes_of(uid_);
        std::string what;
        for (pid_t p : left) {
            std::string stat = read_text("/proc/" + std::to_string(p) + "/stat");
            what += "\n  " + stat.substr(0, stat.find(' ', stat.find(')') + 5));
        }
        EXPECT_TRUE(left.empty()) << left.size() << " process(es) of " << user_ << " left behind:" << what;
        for (pid_t p : left) ::kill(p, SIGKILL);  // the test's own, found by the uid it made
        for (int i = 0; i < 100 && !processes_of(uid_).empty(); ++i) ::usleep(20000);
        for (const auto& [file, line] : added_lines_) remove_line(file, line);
        run_cmd({"/usr/sbin/userdel", user_});
    }

    // `program` as the test user, with a clean environment (HOME from /etc/passwd).
    std::vector<std::string> user_argv(const std::string& program, const std::vector<std::string>& args) {
        std::vector<std::string> argv = {"/usr/bin/setpriv",
                                         "--reuid=" + std::to_string(uid_),
                                         "--regid=" + std::to_string(gid_),
                                         "--init-groups",
                                         "--reset-env",
                                         "--",
                                         "/usr/bin/env",
                                         "XDG_RUNTIME_DIR=" + dir_ + "/run",
                                         program};
        argv.insert(argv.end(), args.begin(), args.end());
        return argv;
    }

    // The runtime as the test user.
    RunResult as_user(std::vector<std::string> args, int timeout_ms = 30000) {
        return run_cmd(user_argv(binary_, args), "", timeout_ms);
    }

    RunResult run_container(const std::string& id, const std::string& script) {
        cfg_.set("/process/args", "[\"sh\",\"-c\"," + json_str(script) + "]");
        EXPECT_TRUE(cfg_.save(dir_ + "/bundle/config.json"));
        return as_user({"run", "--bundle", dir_ + "/bundle", id});
    }

    void give_subordinate_ids() {
        for (const char* file : {"/etc/subuid", "/etc/subgid"}) {
            std::string line = user_ + ":" + std::to_string(kSubStart) + ":" + std::to_string(kSubCount);
            std::string text = read_text(file);
            std::ofstream(file, std::ios::app) << (text.empty() || text.back() == '\n' ? "" : "\n") << line << "\n";
            added_lines_.emplace_back(file, line);
        }
    }

    void map_wide() {
        std::string maps = "[{\"containerID\":0,\"hostID\":" + std::to_string(uid_) +
                           ",\"size\":1},{\"containerID\":1,\"hostID\":" + std::to_string(kSubStart) +
                           ",\"size\":" + std::to_string(kSubCount) + "}]";
        std::string gmaps = "[{\"containerID\":0,\"hostID\":" + std::to_string(gid_) +
                            ",\"size\":1},{\"containerID\":1,\"hostID\":" + std::to_string(kSubStart) +
                            ",\"size\":" + std::to_string(kSubCount) + "}]";
        cfg_.set("/linux/uidMappings", maps);
        cfg_.set("/linux/gidMappings", gmaps);
    }

    void add_volume() {
        cfg_.append("/mounts", "{\"destination\":\"/vol\",\"type\":\"bind\",\"source\":" + json_str(dir_ + "/vol") +
                                   ",\"options\":[\"rbind\",\"rw\"]}");
    }

    bool no_containers_left() {
        RunResult l = as_user({"list", "--quiet"});
        return l.exit_code == 0 && l.out.empty();
    }

    TempDir tmp_{"gocker-rootless"};
    std::string dir_, user_, binary_;
    uid_t uid_ = 0;
    gid_t gid_ = 0;
    bool made_user_ = false;
    ConfigEditor cfg_;
    std::vector<std::pair<std::string, std::string>> added_lines_;
};

TEST_F(RootlessTest, OwnIdMapReadOnlyRootVolumeAndDevices) {
    add_volume();
    RunResult r = run_container("own",
                                "id -u; cat /proc/self/uid_map; cat /proc/self/setgroups; "
                                "touch /new 2>&1 || echo ro-root; echo hi > /vol/f; "
                                "test -c /dev/null && echo x > /dev/null && head -c 3 /dev/zero | wc -c; "
                                "test -c /dev/urandom && echo devices-ok");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::istringstream out(r.out);
    std::string uid, map_line;
    std::getline(out, uid);
    std::getline(out, map_line);
    EXPECT_EQ(uid, "0");
    std::istringstream map(map_line);
    uint64_t inside = 1, outside = 0, count = 0;
    map >> inside >> outside >> count;
    EXPECT_EQ(inside, 0u);
    EXPECT_EQ(outside, uid_);
    EXPECT_EQ(count, 1u);
    EXPECT_NE(r.out.find("deny"), std::string::npos) << r.out;  // the kernel requires it here
    EXPECT_NE(r.out.find("Read-only file system"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("ro-root"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("3\ndevices-ok"), std::string::npos) << r.out;
    struct stat st {};
    ASSERT_EQ(::stat((dir_ + "/vol/f").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, uid_);  // container root is the user on the host
    EXPECT_EQ(read_text(dir_ + "/vol/f"), "hi\n");
    EXPECT_TRUE(no_containers_left());
}

TEST_F(RootlessTest, WideMapThroughNewuidmap) {
    if (::access("/usr/bin/newuidmap", X_OK) != 0) GTEST_SKIP() << "newuidmap is not installed (package uidmap)";
    map_wide();
    add_volume();
    cfg_.append("/process/capabilities/bounding", "\"CAP_CHOWN\"");
    cfg_.append("/process/capabilities/effective", "\"CAP_CHOWN\"");
    cfg_.append("/process/capabilities/permitted", "\"CAP_CHOWN\"");
    const std::string script =
        "cat /proc/self/uid_map /proc/self/gid_map; touch /vol/g && chown 1000:1000 /vol/g && echo chowned";
    // Without subordinate ids the maps are refused, naming the field and what is delegated.
    RunResult refused = run_container("wide0", script);
    EXPECT_NE(refused.exit_code, 0);
    EXPECT_NE(refused.err.find("/linux/gidMappings/1: host ids 3400000-3465535 are not delegated to " + user_),
              std::string::npos)
        << refused.err;
    EXPECT_TRUE(no_containers_left());

    give_subordinate_ids();
    RunResult r = run_container("wide", script);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("chowned"), std::string::npos) << r.out;
    struct stat st {};
    ASSERT_EQ(::stat((dir_ + "/vol/g").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, kSubStart + 999);  // container uid 1000 = second range, offset 999
    EXPECT_EQ(st.st_gid, kSubStart + 999);
    EXPECT_NE(r.out.find(std::to_string(kSubStart) + "      65536"), std::string::npos) << r.out;
    EXPECT_TRUE(no_containers_left());
}

TEST_F(RootlessTest, LimitWithoutDelegationIsRefusedNamingTheField) {
    // This host's cgroups (hybrid or v1, or v2 without a subtree for a fresh system user) give
    // the test user nothing: a limit must be refused, and nothing left.
    cfg_.set("/linux/resources", R"({"pids":{"limit":50}})");
    RunResult r = run_container("limited", "true");
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("/linux/resources/pids: rootless (uid " + std::to_string(uid_) +
                         "): the limit needs a cgroup delegated to this user"),
              std::string::npos)
        << r.err;
    EXPECT_TRUE(no_containers_left());
}

TEST_F(RootlessTest, KillAndDeleteLeaveNothing) {
    cfg_.set("/process/args", R"(["sleep","1000"])");
    ASSERT_TRUE(cfg_.save(dir_ + "/bundle/config.json"));
    RunResult c = as_user({"create", "--bundle", dir_ + "/bundle", "k1"});
    ASSERT_EQ(c.exit_code, 0) << c.err;
    ASSERT_EQ(as_user({"start", "k1"}).exit_code, 0);
    RunResult st = as_user({"state", "k1"});
    EXPECT_NE(st.out.find("\"running\""), std::string::npos) << st.out << st.err;
    RunResult k = as_user({"kill", "k1", "KILL"});
    EXPECT_EQ(k.exit_code, 0) << k.err;
    for (int i = 0; i < 100 && as_user({"state", "k1"}).out.find("\"stopped\"") == std::string::npos; ++i)
        ::usleep(20000);
    EXPECT_NE(as_user({"state", "k1"}).out.find("\"stopped\""), std::string::npos);
    RunResult d = as_user({"delete", "k1"});
    EXPECT_EQ(d.exit_code, 0) << d.err;
    EXPECT_TRUE(no_containers_left());
    EXPECT_EQ(::access((dir_ + "/run/gocker/k1").c_str(), F_OK), -1);
}

// Rootless podman drives the runtime as the test user: it runs it inside its own user namespace
// (container root = the user, 1.. = the subordinate range), storage under the user's home.
// In a private mount and network namespace (podman's network is "none" anyway).
TEST_F(RootlessTest, RootlessPodmanUsesTheRuntime) {
    if (::access("/usr/bin/podman", X_OK) != 0 || ::access("/usr/bin/newuidmap", X_OK) != 0)
        GTEST_SKIP() << "podman or newuidmap is not installed";
    give_subordinate_ids();
    const std::string tar = dir_ + "/rootfs.tar";
    ASSERT_EQ(run_cmd({"tar", "-C", GOCKER_ROOTFS, "-cf", tar, "."}).exit_code, 0);
    ::chmod(tar.c_str(), 0644);
    auto podman = [&](std::vector<std::string> args) {
        std::vector<std::string> base = {"--root",           dir_ + "/home/storage",
                                         "--runroot",        dir_ + "/run/podman",
                                         "--storage-driver", "vfs",
                                         "--cgroup-manager", "cgroupfs",
                                         "--events-backend", "file",
                                         "--runtime",        binary_};
        base.insert(base.end(), args.begin(), args.end());
        std::vector<std::string> argv = {"unshare", "-m", "-n", "--propagation", "private"};
        for (auto& a : user_argv("/usr/bin/podman", base)) argv.push_back(a);
        return run_cmd(argv, "", 120000);
    };
    RunResult imp = podman({"import", tar, "localhost/gocker-rootless:test"});
    ASSERT_EQ(imp.exit_code, 0) << imp.err;
    RunResult r = podman({"run", "--rm", "--network", "none", "localhost/gocker-rootless:test", "sh", "-c",
                          "id -u; cat /proc/self/uid_map"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.rfind("0\n", 0), 0u) << r.out;
    EXPECT_NE(r.out.find(std::to_string(uid_) + "          1"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(std::to_string(kSubStart) + "      65536"), std::string::npos) << r.out;
    // Podman keeps a pause process (catatonit) holding its user namespace: end it, it is podman's.
    for (pid_t p : processes_of(uid_))
        if (read_text("/proc/" + std::to_string(p) + "/comm") == "catatonit\n") ::kill(p, SIGKILL);
    for (int i = 0; i < 50 && !processes_of(uid_).empty(); ++i) {
        while (::waitpid(-1, nullptr, WNOHANG) > 0) {}
        ::usleep(20000);
    }
}

}  // namespace
}  // namespace gocker::test
