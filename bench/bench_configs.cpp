#include "bench_configs.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <vector>

#include "spec/config_io.hpp"

namespace gocker::bench {

namespace {

// Syscall names libseccomp knows on x86_64, so that the generated profile compiles to real rules
// rather than being skipped name by name.
const char* const kSyscallNames[] = {
    "accept",
    "accept4",
    "access",
    "adjtimex",
    "alarm",
    "bind",
    "brk",
    "capget",
    "capset",
    "chdir",
    "chmod",
    "chown",
    "clock_adjtime",
    "clock_getres",
    "clock_gettime",
    "clock_nanosleep",
    "close",
    "close_range",
    "connect",
    "copy_file_range",
    "creat",
    "dup",
    "dup2",
    "dup3",
    "epoll_create",
    "epoll_create1",
    "epoll_ctl",
    "epoll_pwait",
    "epoll_wait",
    "eventfd",
    "eventfd2",
    "execve",
    "execveat",
    "exit",
    "exit_group",
    "faccessat",
    "faccessat2",
    "fadvise64",
    "fallocate",
    "fanotify_mark",
    "fchdir",
    "fchmod",
    "fchmodat",
    "fchown",
    "fchownat",
    "fcntl",
    "fdatasync",
    "fgetxattr",
    "flistxattr",
    "flock",
    "fork",
    "fremovexattr",
    "fsetxattr",
    "fstat",
    "fstatfs",
    "fsync",
    "ftruncate",
    "futex",
    "futimesat",
    "getcpu",
    "getcwd",
    "getdents",
    "getdents64",
    "getegid",
    "geteuid",
    "getgid",
    "getgroups",
    "getitimer",
    "getpeername",
    "getpgid",
    "getpgrp",
    "getpid",
    "getppid",
    "getpriority",
    "getrandom",
    "getresgid",
    "getresuid",
    "getrlimit",
    "get_robust_list",
    "getrusage",
    "getsid",
    "getsockname",
    "getsockopt",
    "get_thread_area",
    "gettid",
    "gettimeofday",
    "getuid",
    "getxattr",
    "inotify_add_watch",
    "inotify_init",
    "inotify_init1",
    "inotify_rm_watch",
    "io_cancel",
    "ioctl",
    "io_destroy",
    "io_getevents",
    "ioprio_get",
    "ioprio_set",
    "io_setup",
    "io_submit",
    "io_uring_enter",
    "io_uring_register",
    "io_uring_setup",
    "kill",
    "lchown",
    "lgetxattr",
    "link",
    "linkat",
    "listen",
    "listxattr",
    "llistxattr",
    "lremovexattr",
    "lseek",
    "lsetxattr",
    "lstat",
    "madvise",
    "membarrier",
    "memfd_create",
    "mincore",
    "mkdir",
    "mkdirat",
    "mknod",
    "mknodat",
    "mlock",
    "mlock2",
    "mlockall",
    "mmap",
    "mprotect",
    "mq_getsetattr",
    "mq_notify",
    "mq_open",
    "mq_timedreceive",
    "mq_timedsend",
    "mq_unlink",
    "mremap",
    "msgctl",
    "msgget",
    "msgrcv",
    "msgsnd",
    "msync",
    "munlock",
    "munlockall",
    "munmap",
    "nanosleep",
    "newfstatat",
    "open",
    "openat",
    "openat2",
    "pause",
    "pidfd_open",
    "pidfd_send_signal",
    "pipe",
    "pipe2",
    "poll",
    "ppoll",
    "prctl",
    "pread64",
    "preadv",
    "preadv2",
    "prlimit64",
    "pselect6",
    "pwrite64",
    "pwritev",
    "pwritev2",
    "read",
    "readahead",
    "readlink",
    "readlinkat",
    "readv",
    "recvfrom",
    "recvmmsg",
    "recvmsg",
    "remap_file_pages",
    "removexattr",
    "rename",
    "renameat",
    "renameat2",
    "restart_syscall",
    "rmdir",
    "rseq",
    "rt_sigaction",
    "rt_sigpending",
    "rt_sigprocmask",
    "rt_sigqueueinfo",
    "rt_sigreturn",
    "rt_sigsuspend",
    "rt_sigtimedwait",
    "rt_tgsigqueueinfo",
    "sched_getaffinity",
    "sched_getattr",
    "sched_getparam",
    "sched_get_priority_max",
    "sched_get_priority_min",
    "sched_getscheduler",
    "sched_rr_get_interval",
    "sched_setaffinity",
    "sched_setattr",
    "sched_setparam",
    "sched_setscheduler",
    "sched_yield",
    "seccomp",
    "select",
    "semctl",
    "semget",
    "semop",
    "semtimedop",
    "sendfile",
    "sendmmsg",
    "sendmsg",
    "sendto",
    "setfsgid",
    "setfsuid",
    "setgid",
    "setgroups",
    "setitimer",
    "setpgid",
    "setpriority",
    "setregid",
    "setresgid",
    "setresuid",
    "setreuid",
    "setrlimit",
    "set_robust_list",
    "setsid",
    "setsockopt",
    "set_thread_area",
    "set_tid_address",
    "setuid",
    "setxattr",
    "shmat",
    "shmctl",
    "shmdt",
    "shmget",
    "shutdown",
    "sigaltstack",
    "signalfd",
    "signalfd4",
    "socket",
    "socketpair",
    "splice",
    "stat",
    "statfs",
    "statx",
    "symlink",
    "symlinkat",
    "sync",
    "sync_file_range",
    "syncfs",
    "sysinfo",
    "tee",
    "tgkill",
    "time",
    "timer_create",
    "timer_delete",
    "timerfd_create",
    "timerfd_gettime",
    "timerfd_settime",
    "timer_getoverrun",
    "timer_gettime",
    "timer_settime",
    "times",
    "tkill",
    "truncate",
    "umask",
    "uname",
    "unlink",
    "unlinkat",
    "utime",
    "utimensat",
    "utimes",
    "vfork",
    "vmsplice",
    "wait4",
    "waitid",
    "write",
    "writev",
    "arch_prctl",
    "chroot",
    "mount",
    "umount2",
    "pivot_root",
    "sethostname",
    "setdomainname",
    "setns",
    "unshare",
    "clone",
    "clone3",
    "personality",
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "kcmp",
    "keyctl",
    "add_key",
    "request_key",
    "bpf",
    "perf_event_open",
    "quotactl",
    "name_to_handle_at",
    "open_by_handle_at",
    "fanotify_init",
    "lookup_dcookie",
    "move_pages",
    "get_mempolicy",
    "set_mempolicy",
    "mbind",
    "migrate_pages",
    "userfaultfd",
    "acct",
    "swapon",
    "swapoff",
    "reboot",
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "iopl",
    "ioperm",
    "syslog",
    "vhangup",
    "settimeofday",
    "clock_settime",
    "stime",
    "nfsservctl",
    "uselib",
    "ustat",
    "sysfs",
    "_sysctl",
};
constexpr size_t kSyscallCount = sizeof(kSyscallNames) / sizeof(kSyscallNames[0]);
constexpr size_t kGeneratedNames = 300;
constexpr size_t kNamesPerRule = 5;
static_assert(kSyscallCount >= kGeneratedNames, "the generated profile needs 300 distinct names");

spec::Seccomp generated_profile() {
    spec::Seccomp s;
    s.default_action = "SCMP_ACT_ERRNO";
    s.default_errno_ret = 1;
    s.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
    for (size_t i = 0; i < kGeneratedNames; i += kNamesPerRule) {
        spec::SeccompSyscall rule;
        for (size_t j = i; j < i + kNamesPerRule; ++j) rule.names.emplace_back(kSyscallNames[j]);
        rule.action = "SCMP_ACT_ALLOW";
        // Every sixth rule filters on an argument, as real profiles do for personality/clone.
        if ((i / kNamesPerRule) % 6 == 5) {
            spec::SeccompArg arg;
            arg.index = 0;
            arg.value = 8;
            arg.op = "SCMP_CMP_EQ";
            rule.args.push_back(arg);
        }
        s.syscalls.push_back(std::move(rule));
    }
    return s;
}

std::string json_of(const rapidjson::Document& doc) {
    rapidjson::StringBuffer out;
    rapidjson::Writer<rapidjson::StringBuffer> w(out);
    doc.Accept(w);
    return out.GetString();
}

// The shipped profile may be a bare seccomp object or a config fragment holding one.
std::string with_profile(const std::string& base_json, const std::string& profile_json, const std::string& path) {
    rapidjson::Document base;
    base.Parse(base_json.c_str());
    rapidjson::Document profile(&base.GetAllocator());
    profile.Parse(profile_json.c_str());
    if (profile.HasParseError() || !profile.IsObject()) fail(path, "not a JSON object");
    rapidjson::Value* seccomp = &profile;
    if (profile.HasMember("linux") && profile["linux"].IsObject() && profile["linux"].HasMember("seccomp"))
        seccomp = &profile["linux"]["seccomp"];
    else if (profile.HasMember("seccomp")) seccomp = &profile["seccomp"];
    if (!seccomp->IsObject() || !seccomp->HasMember("defaultAction"))
        fail(path, "no seccomp object with a defaultAction");
    rapidjson::Value copy(*seccomp, base.GetAllocator());
    rapidjson::Value& lx = base["linux"];
    if (lx.HasMember("seccomp")) lx.RemoveMember("seccomp");
    lx.AddMember("seccomp", copy, base.GetAllocator());
    return json_of(base);
}

struct LargeConfig {
    std::string json;
    std::string source;
};

LargeConfig make_large_config() {
    const std::string profile_path = std::string(GOCKER_SOURCE_DIR) + "/bundles/profiles/seccomp-default.json";
    std::ifstream in(profile_path);
    if (in) {
        std::ostringstream text;
        text << in.rdbuf();
        return {with_profile(default_config_json(), text.str(), profile_path), "seccomp-default.json"};
    }
    spec::Config cfg = spec::default_config();
    cfg.linux->seccomp = generated_profile();
    return {spec::config_to_json(cfg), "generated 300-syscall profile"};
}

const LargeConfig& large_config() {
    static const LargeConfig large = make_large_config();
    return large;
}

// The paths of the live TempRoots, for fail(). Never destroyed: fail() may run during exit.
std::mutex& temp_roots_mutex() {
    static auto* m = new std::mutex;
    return *m;
}
std::vector<std::string>& temp_roots() {
    static auto* roots = new std::vector<std::string>;
    return *roots;
}

void remove_dir(const std::string& path) {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
}

}  // namespace

void fail(const std::string& what, const std::string& message) {
    std::fprintf(stderr, "micro_bench: %s: %s\n", what.c_str(), message.c_str());
    {
        std::lock_guard<std::mutex> lock(temp_roots_mutex());
        for (const auto& path : temp_roots()) remove_dir(path);
        temp_roots().clear();
    }
    std::exit(1);
}

TempRoot::TempRoot() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "gocker-bench-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) fail("mkdtemp " + tmpl, "cannot make a temp dir");
    path_ = tmpl;
    std::lock_guard<std::mutex> lock(temp_roots_mutex());
    temp_roots().push_back(path_);
}

TempRoot::~TempRoot() {
    {
        std::lock_guard<std::mutex> lock(temp_roots_mutex());
        auto& roots = temp_roots();
        roots.erase(std::remove(roots.begin(), roots.end(), path_), roots.end());
    }
    remove_dir(path_);
}

const std::string& default_config_json() {
    static const std::string json = spec::config_to_json(spec::default_config());
    return json;
}

const std::string& large_config_json() { return large_config().json; }
const std::string& large_config_source() { return large_config().source; }

}  // namespace gocker::bench
