// Tests for runtime/linux/process.cpp, process_attributes.cpp, process_names.cpp, cpu_list.cpp.
// Anything that changes process state (rlimits, ids, umask, cwd, oom_score_adj) runs in a forked
// child that reports back over a pipe, so the test process (and the host) keep their own state.
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "linux/cpu_list.hpp"
#include "linux/process.hpp"
#include "linux/process_names.hpp"
#include "spec/oci_names.hpp"
#include "support/temp_dir.hpp"

namespace gocker {
namespace {

namespace fs = std::filesystem;

constexpr int kCapSysResource = 24;  // <linux/capability.h>

// Runs `body` in a forked child and returns what it wrote (its "report"); the child's exit
// status must be 0.
std::string in_child(const std::function<std::string()>& body) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return "pipe failed";
    const pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        const std::string report = body();
        (void)!write(fds[1], report.data(), report.size());
        _exit(0);
    }
    close(fds[1]);
    std::string out;
    char buf[512];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
    return out;
}

bool has_effective_cap(int cap) {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("CapEff:", 0) == 0) return (std::stoull(line.substr(7), nullptr, 16) >> cap) & 1;
    return false;
}

using test::TempDir;

void write_file(const std::string& path, const std::string& text, mode_t mode) {
    std::ofstream(path) << text;
    chmod(path.c_str(), mode);
}

spec::Process process_with(std::vector<std::string> args, std::vector<std::string> env = {}) {
    spec::Process p;
    p.args = std::move(args);
    p.env = std::move(env);
    p.cwd = "/";
    return p;
}

// ---- cpu lists -------------------------------------------------------------------------

TEST(CpuList, ParsesRangesAndSingles) {
    auto r = parse_cpu_list("0-3,7");
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_EQ(*r, (std::vector<unsigned>{0, 1, 2, 3, 7}));
}

TEST(CpuList, SortsDeduplicatesAndTrims) {
    auto r = parse_cpu_list(" 5, 1-2 ,2,5 ");
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_EQ(*r, (std::vector<unsigned>{1, 2, 5}));
}

TEST(CpuList, EmptyMeansNoCpus) {
    auto r = parse_cpu_list("");
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->empty());
}

TEST(CpuList, RejectsMalformedLists) {
    for (const char* bad : {"a", "1,,2", "3-1", "1-", "-1", "1,", "0-99999999", "1 2", "0x1"}) {
        auto r = parse_cpu_list(bad);
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_NE(r.error().message().find(std::string("\"") + bad + "\""), std::string::npos) << r.error().message();
    }
}

// ---- name tables -----------------------------------------------------------------------

TEST(ProcessNames, RlimitNamesMapToKernelResources) {
    EXPECT_EQ(rlimit_resource("RLIMIT_NOFILE"), RLIMIT_NOFILE);
    EXPECT_EQ(rlimit_resource("RLIMIT_CORE"), RLIMIT_CORE);
    EXPECT_EQ(rlimit_resource("RLIMIT_NPROC"), RLIMIT_NPROC);
    EXPECT_EQ(rlimit_resource("RLIMIT_RTTIME"), RLIMIT_RTTIME);
    EXPECT_EQ(rlimit_resource("RLIMIT_AS"), RLIMIT_AS);
    EXPECT_FALSE(rlimit_resource("RLIMIT_BOGUS"));
    EXPECT_FALSE(rlimit_resource("nofile"));  // names are exact, as in config.json
}

// Every name validate_config accepts (spec/oci_names) has its kernel value here: a name added to
// the spec's list and not to process_names fails here, not in a container.
TEST(ProcessNames, EveryNameTheSpecAcceptsHasAKernelValue) {
    auto each = [](spec::names::List names, auto lookup, const char* what) {
        for (std::string_view n : names) EXPECT_TRUE(lookup(n)) << what << " " << n;
    };
    each(spec::names::rlimits, rlimit_resource, "rlimit");
    each(spec::names::scheduler_policies, sched_policy, "scheduler policy");
    each(spec::names::scheduler_flags, sched_flag, "scheduler flag");
    each(spec::names::io_priority_classes, ioprio_class, "I/O priority class");
    each(spec::names::memory_policy_modes, mempolicy_mode, "memory policy mode");
    each(spec::names::memory_policy_flags, mempolicy_flag, "memory policy flag");
    each(spec::names::personality_domains, personality_domain, "personality domain");
}

TEST(ProcessNames, SchedulerIoprioMempolicyPersonality) {
    EXPECT_EQ(sched_policy("SCHED_OTHER"), SCHED_OTHER);
    EXPECT_EQ(sched_policy("SCHED_FIFO"), SCHED_FIFO);
    EXPECT_EQ(sched_policy("SCHED_DEADLINE"), 6);
    EXPECT_FALSE(sched_policy("SCHED_NONE"));
    EXPECT_EQ(sched_flag("SCHED_FLAG_RESET_ON_FORK"), 1UL);
    EXPECT_EQ(ioprio_class("IOPRIO_CLASS_IDLE"), 3);
    EXPECT_FALSE(ioprio_class("IOPRIO_CLASS_NONE"));
    EXPECT_EQ(mempolicy_mode("MPOL_BIND"), 2);
    EXPECT_EQ(mempolicy_flag("MPOL_F_STATIC_NODES"), 1 << 15);
    EXPECT_EQ(personality_domain("LINUX32"), static_cast<unsigned long>(PER_LINUX32));
    EXPECT_FALSE(personality_domain("BSD"));
}

// ---- resolve_executable ----------------------------------------------------------------

class ResolveExecutable : public ::testing::Test {
protected:
    void SetUp() override {
        fs::create_directories(dir_.path() + "/bin1");
        fs::create_directories(dir_.path() + "/bin2");
        write_file(dir_.path() + "/bin1/tool", "#!/bin/sh\n", 0644);  // not executable
        write_file(dir_.path() + "/bin2/tool", "#!/bin/sh\n", 0755);  // the one to find
        fs::create_directories(dir_.path() + "/bin1/dirtool");        // a directory
        write_file(dir_.path() + "/bin2/dirtool", "#!/bin/sh\n", 0755);
    }
    std::string path_env() const { return "PATH=" + dir_.path() + "/bin1:" + dir_.path() + "/bin2"; }
    TempDir dir_;
};

TEST_F(ResolveExecutable, SkipsNonExecutableFilesInPathOrder) {
    auto r = resolve_executable(process_with({"tool"}, {"A=1", path_env(), "PATH=/nowhere"}));
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_EQ(*r, dir_.path() + "/bin2/tool");
}

TEST_F(ResolveExecutable, SkipsDirectories) {
    auto r = resolve_executable(process_with({"dirtool"}, {path_env()}));
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_EQ(*r, dir_.path() + "/bin2/dirtool");
}

TEST_F(ResolveExecutable, MissingProgramUsesRuncWording) {
    auto r = resolve_executable(process_with({"nope"}, {path_env()}));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message(), "exec: \"nope\": executable file not found in $PATH");
}

TEST_F(ResolveExecutable, DefaultPathWhenEnvHasNone) {
    auto r = resolve_executable(process_with({"sh"}, {"HOME=/root"}));
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_TRUE(*r == "/usr/bin/sh" || *r == "/bin/sh") << *r;  // first hit in the default PATH
}

TEST_F(ResolveExecutable, AbsolutePathIsCheckedNotSearched) {
    const std::string good = dir_.path() + "/bin2/tool";
    auto r = resolve_executable(process_with({good}, {"PATH=/nowhere"}));
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_EQ(*r, good);

    const std::string missing = dir_.path() + "/bin2/missing";
    r = resolve_executable(process_with({missing}));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message(), "exec: \"" + missing + "\": stat " + missing + ": no such file or directory");

    r = resolve_executable(process_with({dir_.path() + "/bin1/dirtool"}));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().sys_errno(), EISDIR);
}

TEST_F(ResolveExecutable, NonExecutableAbsolutePathIsRefusedForAnUnprivilegedUser) {
    // Root passes X_OK for any file with one x bit; mode 0644 has none, so even root fails.
    const std::string plain = dir_.path() + "/bin1/tool";
    auto r = resolve_executable(process_with({plain}));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message(), "exec: \"" + plain + "\": permission denied");
}

TEST_F(ResolveExecutable, EmptyArgsIsAnError) {
    auto r = resolve_executable(process_with({}));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message().find("process.args"), std::string::npos);
}

// ---- apply_process_attributes / switch_user / enter_cwd (forked) -----------------------

TEST(ProcessAttributes, RlimitIsAppliedInTheChild) {
    spec::Process p = process_with({"true"});
    p.rlimits.push_back({"RLIMIT_NOFILE", 512, 256});
    const std::string report = in_child([&] {
        auto st = apply_process_attributes(p, nullptr);
        if (!st) return st.error().message();
        struct rlimit rl {};
        getrlimit(RLIMIT_NOFILE, &rl);
        return std::to_string(rl.rlim_cur) + "/" + std::to_string(rl.rlim_max);
    });
    EXPECT_EQ(report, "256/512");
}

TEST(ProcessAttributes, RaisingAHardLimitWithoutCapSysResourceSaysSo) {
    if (has_effective_cap(kCapSysResource))
        GTEST_SKIP() << "this host grants CAP_SYS_RESOURCE; raising hard limits is allowed";
    struct rlimit cur {};
    getrlimit(RLIMIT_NOFILE, &cur);
    ASSERT_NE(cur.rlim_max, RLIM_INFINITY);
    spec::Process p = process_with({"true"});
    p.rlimits.push_back({"RLIMIT_NOFILE", cur.rlim_max + 1, 64});
    const std::string report = in_child([&] {
        auto st = apply_process_attributes(p, nullptr);
        return st ? std::string("ok") : st.error().message();
    });
    EXPECT_EQ(report, "setrlimit RLIMIT_NOFILE (soft 64, hard " + std::to_string(cur.rlim_max + 1) +
                          "; the current hard limit is " + std::to_string(cur.rlim_max) +
                          " and raising it needs CAP_SYS_RESOURCE, which the runtime does not "
                          "have, and may not exceed fs.nr_open): operation not permitted");
}

TEST(ProcessAttributes, UnknownRlimitNamesTheField) {
    spec::Process p = process_with({"true"});
    p.rlimits.push_back({"RLIMIT_FOO", 1, 1});
    auto st = apply_process_attributes(p, nullptr);  // fails before any system call
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().message(), "process.rlimits: unknown rlimit type \"RLIMIT_FOO\": invalid argument");
}

TEST(ProcessAttributes, OomScoreAdjIsWritten) {
    spec::Process p = process_with({"true"});
    p.oom_score_adj = 789;  // raising needs no privilege, unlike lowering
    const std::string report = in_child([&] {
        auto st = apply_process_attributes(p, nullptr);
        if (!st) return st.error().message();
        std::ifstream in("/proc/self/oom_score_adj");
        std::string v;
        in >> v;
        return v;
    });
    EXPECT_EQ(report, "789");
}

TEST(ProcessAttributes, SchedulerIoPriorityAffinityAndPersonality) {
    spec::Process p = process_with({"true"});
    p.scheduler = spec::Scheduler{"SCHED_BATCH", 7, 0, {}, {}, {}, {}};
    p.io_priority = spec::IoPriority{"IOPRIO_CLASS_BE", 6};
    p.exec_cpu_affinity = spec::ExecCpuAffinity{"0", ""};
    spec::Linux lx;
    lx.personality = spec::Personality{"LINUX32", {}};
    const std::string report = in_child([&] {
        auto st = apply_process_attributes(p, &lx);
        if (!st) return st.error().message();
        std::ostringstream out;
        cpu_set_t set;
        CPU_ZERO(&set);
        sched_getaffinity(0, sizeof(set), &set);
        out << "policy=" << sched_getscheduler(0) << " nice=" << getpriority(PRIO_PROCESS, 0)
            << " ioprio=" << syscall(SYS_ioprio_get, 1, 0) << " cpus=" << CPU_COUNT(&set) << ":" << CPU_ISSET(0, &set)
            << " personality=" << (personality(0xffffffff) & 0xff);
        return out.str();
    });
    EXPECT_EQ(report, "policy=" + std::to_string(SCHED_BATCH) + " nice=7 ioprio=" + std::to_string((2 << 13) | 6) +
                          " cpus=1:1 personality=" + std::to_string(PER_LINUX32));
}

TEST(ProcessAttributes, BadAffinityNamesTheField) {
    spec::Process p = process_with({"true"});
    p.exec_cpu_affinity = spec::ExecCpuAffinity{"3-1", ""};
    auto st = apply_process_attributes(p, nullptr);  // the list is refused before the syscall
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().message(), "process.execCPUAffinity.initial: invalid list \"3-1\": bad item \"3-1\"");
}

TEST(ProcessAttributes, MemoryPolicyBindsToNodeZero) {
    spec::Linux lx;
    lx.memory_policy = spec::MemoryPolicy{"MPOL_BIND", "0", {}};
    spec::Process p = process_with({"true"});
    const std::string report = in_child([&] {
        auto st = apply_process_attributes(p, &lx);
        if (!st) return st.error().message();
        int mode = -1;
        unsigned long mask = 0;
        syscall(SYS_get_mempolicy, &mode, &mask, sizeof(mask) * 8 + 1, nullptr, 0);
        return std::to_string(mode) + ":" + std::to_string(mask);
    });
    EXPECT_EQ(report, "2:1");  // MPOL_BIND on node 0
}

TEST(SwitchUser, SetsIdsGroupsAndUmask) {
    spec::Process p = process_with({"true"});
    p.user.uid = 1000;
    p.user.gid = 1001;
    p.user.additional_gids = {5, 6};
    p.user.umask = 027;
    const std::string report = in_child([&] {
        auto st = switch_user(p);
        if (!st) return st.error().message();
        gid_t groups[16];
        const int n = getgroups(16, groups);
        std::ostringstream out;
        uid_t r, e, s;
        getresuid(&r, &e, &s);
        out << r << "," << e << "," << s << " ";
        gid_t gr, ge, gs;
        getresgid(&gr, &ge, &gs);
        out << gr << "," << ge << "," << gs << " groups=";
        for (int i = 0; i < n; ++i) out << groups[i] << (i + 1 < n ? "," : "");
        const mode_t old = umask(0);
        out << " umask=" << std::oct << old;
        return out.str();
    });
    EXPECT_EQ(report, "1000,1000,1000 1001,1001,1001 groups=5,6 umask=27");
}

TEST(SwitchUser, AbsentUmaskDefaultsTo022AndGroupsAreCleared) {
    spec::Process p = process_with({"true"});
    const std::string report = in_child([&] {
        setgroups(1, std::vector<gid_t>{42}.data());  // a leftover group that must go
        umask(0);
        auto st = switch_user(p);
        if (!st) return st.error().message();
        const mode_t old = umask(0);
        return "groups=" + std::to_string(getgroups(0, nullptr)) + " umask=" + std::to_string(old);
    });
    EXPECT_EQ(report, "groups=0 umask=" + std::to_string(022));
}

TEST(EnterCwd, ChangesDirectory) {
    TempDir dir;
    spec::Process p = process_with({"true"});
    p.cwd = dir.path();
    const std::string report = in_child([&] {
        auto st = enter_cwd(p);
        if (!st) return st.error().message();
        return fs::current_path().string();
    });
    EXPECT_EQ(report, fs::canonical(dir.path()).string());
}

TEST(EnterCwd, MissingDirectoryHasTheDocumentedMessage) {
    spec::Process p = process_with({"true"});
    p.cwd = "/nonexistent-gocker-cwd";
    const std::string report = in_child([&] {
        auto st = enter_cwd(p);
        return st ? std::string("ok") : st.error().message();
    });
    EXPECT_EQ(report, "chdir to cwd (\"/nonexistent-gocker-cwd\") set in config.json: no such file or directory");
}

TEST(EnterCwd, UnreachableDirectoryIsRefused) {
    // Reproduce CVE-2024-21626's state: a cwd outside the process's root. chroot into a subdir
    // while the cwd stays in its parent makes getcwd() report "(unreachable)/...".
    TempDir dir;
    fs::create_directories(dir.path() + "/root");
    fs::create_directories(dir.path() + "/outside");
    spec::Process p = process_with({"true"});
    p.cwd = ".";  // stay where we are: the test puts the cwd outside the root first
    const std::string report = in_child([&] {
        if (chdir((dir.path() + "/outside").c_str()) != 0 || chroot((dir.path() + "/root").c_str()) != 0)
            return std::string("setup failed");
        auto st = enter_cwd(p);
        return st ? std::string("ok") : st.error().message();
    });
    EXPECT_NE(report.find("outside of the container root"), std::string::npos) << report;
}

TEST(ExecProcess, FailureIsReportedWithThePath) {
    TempDir dir;
    const std::string plain = dir.path() + "/plain";
    write_file(plain, "not a program", 0644);
    spec::Process p = process_with({plain});
    const std::string report = in_child([&] { return exec_process(p, plain, 0).message(); });
    EXPECT_EQ(report, "exec \"" + plain + "\": permission denied");
}

TEST(ExecProcess, RunsTheProgramWithEnvAndClosesUnkeptFds) {
    TempDir dir;
    const std::string out = dir.path() + "/out";
    // fd 3 is kept (preserve_fds = 1), fd 4 must be gone after exec.
    spec::Process p = process_with({"/bin/sh", "-c",
                                    "echo \"$GREETING\" >" + out + "; [ -e /proc/self/fd/3 ] && echo kept3 >>" + out +
                                        "; [ -e /proc/self/fd/4 ] || echo closed4 >>" + out},
                                   {"GREETING=hello"});
    const pid_t pid = fork();
    if (pid == 0) {
        // Open above the target numbers so dup3 never meets oldfd == newfd.
        const int a = fcntl(open("/dev/null", O_RDONLY), F_DUPFD, 100);
        const int b = fcntl(open("/dev/null", O_RDONLY), F_DUPFD, 100);
        if (dup3(a, 3, O_CLOEXEC) < 0 || dup3(b, 4, 0) < 0) _exit(90);
        Error e = exec_process(p, "/bin/sh", 1);
        _exit(91);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
    std::ifstream in(out);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str(), "hello\nkept3\nclosed4\n");
}

}  // namespace
}  // namespace gocker
