// The ENOSYS prologue: the whole program (prologue + libseccomp's filter) run by a small cBPF
// interpreter on hand-made seccomp_data, per architecture; then the real thing, loaded in a child.
#include <gtest/gtest.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "linux/seccomp_cache.hpp"
#include "linux/seccomp_enosys.hpp"

namespace gocker {
namespace {

constexpr uint32_t kEnosys = SECCOMP_RET_ERRNO | ENOSYS;
constexpr uint32_t kEperm = SECCOMP_RET_ERRNO | EPERM;
constexpr uint32_t kX32 = 0x40000000;
constexpr uint32_t kBadOpcode = 0xdeadbeef;

// Enough of cBPF for what libseccomp emits and the prologue.
uint32_t run_bpf(const std::vector<sock_filter>& prog, uint32_t arch, uint32_t nr) {
    seccomp_data d{};
    d.nr = static_cast<int>(nr);
    d.arch = arch;
    auto word = [&](uint32_t off) {
        uint32_t v = 0;
        if (off + 4 <= sizeof d) std::memcpy(&v, reinterpret_cast<const char*>(&d) + off, 4);
        return v;
    };
    uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {};
    for (size_t pc = 0; pc < prog.size(); ++pc) {
        const sock_filter& i = prog[pc];
        const uint32_t src = BPF_SRC(i.code) == BPF_X ? x : i.k;
        switch (BPF_CLASS(i.code)) {
            case BPF_LD:
                if (BPF_MODE(i.code) == BPF_ABS) a = word(i.k);
                else if (BPF_MODE(i.code) == BPF_IMM) a = i.k;
                else if (BPF_MODE(i.code) == BPF_MEM) a = mem[i.k];
                else return kBadOpcode;
                break;
            case BPF_LDX:
                if (BPF_MODE(i.code) == BPF_IMM) x = i.k;
                else if (BPF_MODE(i.code) == BPF_MEM) x = mem[i.k];
                else return kBadOpcode;
                break;
            case BPF_ST: mem[i.k] = a; break;
            case BPF_STX: mem[i.k] = x; break;
            case BPF_ALU:
                if (BPF_OP(i.code) == BPF_AND) a &= src;
                else if (BPF_OP(i.code) == BPF_OR) a |= src;
                else if (BPF_OP(i.code) == BPF_ADD) a += src;
                else if (BPF_OP(i.code) == BPF_SUB) a -= src;
                else return kBadOpcode;
                break;
            case BPF_JMP: {
                bool taken;
                switch (BPF_OP(i.code)) {
                    case BPF_JA: pc += i.k; continue;
                    case BPF_JEQ: taken = a == src; break;
                    case BPF_JGT: taken = a > src; break;
                    case BPF_JGE: taken = a >= src; break;
                    case BPF_JSET: taken = (a & src) != 0; break;
                    default: return kBadOpcode;
                }
                pc += taken ? i.jt : i.jf;
                break;
            }
            case BPF_RET: return BPF_RVAL(i.code) == BPF_A ? a : i.k;
            case BPF_MISC:
                if (BPF_MISCOP(i.code) == BPF_TAX) x = a;
                else a = x;
                break;
            default: return kBadOpcode;
        }
    }
    return kBadOpcode;  // fell off the end
}

std::vector<sock_filter> as_insns(const std::vector<uint8_t>& bytes) {
    std::vector<sock_filter> out(bytes.size() / sizeof(sock_filter));
    std::memcpy(out.data(), bytes.data(), out.size() * sizeof(sock_filter));
    return out;
}

uint32_t nr(uint32_t arch, const char* name) {
    int n = seccomp_syscall_resolve_name_arch(arch, name);
    EXPECT_GE(n, 0) << name;
    return static_cast<uint32_t>(n);
}

// The shape of Docker's older profiles: allow a list that predates the new calls, EPERM the rest.
spec::Seccomp old_profile(const char* default_action = "SCMP_ACT_ERRNO") {
    spec::Seccomp p;
    p.default_action = default_action;
    p.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
    spec::SeccompSyscall allow;
    allow.action = "SCMP_ACT_ALLOW";
    allow.names = {"read", "write", "close", "openat", "execve", "exit", "exit_group", "getcwd", "statx"};
    p.syscalls = {allow};
    return p;
}

std::vector<sock_filter> compiled(const spec::Seccomp& p) {
    auto prog = seccomp_program(p, "");
    EXPECT_TRUE(prog) << prog.error().message();
    return prog ? as_insns(prog->bpf) : std::vector<sock_filter>{};
}

bool on_x86_64() { return seccomp_arch_native() == SCMP_ARCH_X86_64; }

TEST(SeccompEnosys, CallsNewerThanTheProfileGetEnosysOnEveryArchitecture) {
    if (!on_x86_64()) GTEST_SKIP() << "the architecture numbers below are x86's";
    auto prog = compiled(old_profile());
    const uint32_t x64 = AUDIT_ARCH_X86_64, i386 = AUDIT_ARCH_I386;
    // x86_64: named -> the profile's action; newer -> ENOSYS; older but not named -> default.
    EXPECT_EQ(run_bpf(prog, x64, nr(SCMP_ARCH_X86_64, "read")), SECCOMP_RET_ALLOW);
    EXPECT_EQ(run_bpf(prog, x64, nr(SCMP_ARCH_X86_64, "statx")), SECCOMP_RET_ALLOW);
    for (const char* newer : {"openat2", "close_range", "faccessat2", "clone3", "epoll_pwait2", "futex_waitv"})
        EXPECT_EQ(run_bpf(prog, x64, nr(SCMP_ARCH_X86_64, newer)), kEnosys) << newer;
    EXPECT_EQ(run_bpf(prog, x64, nr(SCMP_ARCH_X86_64, "reboot")), kEperm);
    // x32 calls (the x32 bit set) are compared with x32's own largest named call, which is
    // execve: x32's own variants of older calls are numbered from 512, above openat2's 437.
    EXPECT_EQ(run_bpf(prog, x64, nr(SCMP_ARCH_X32, "read")), SECCOMP_RET_ALLOW);
    EXPECT_EQ(run_bpf(prog, x64, nr(SCMP_ARCH_X32, "execve")), SECCOMP_RET_ALLOW);
    EXPECT_EQ(run_bpf(prog, x64, nr(SCMP_ARCH_X32, "openat2")), kEperm);  // below: a hole, as with runc
    EXPECT_EQ(run_bpf(prog, x64, nr(SCMP_ARCH_X32, "execve") + 1), kEnosys);
    EXPECT_EQ(run_bpf(prog, x64, kX32 | 600), kEnosys);
    EXPECT_EQ(run_bpf(prog, x64, nr(SCMP_ARCH_X32, "reboot")), kEperm);
    // i386 has its own numbering: statx is 383 there, openat2 437.
    EXPECT_EQ(run_bpf(prog, i386, nr(SCMP_ARCH_X86, "read")), SECCOMP_RET_ALLOW);
    EXPECT_EQ(run_bpf(prog, i386, nr(SCMP_ARCH_X86, "openat2")), kEnosys);
    EXPECT_EQ(run_bpf(prog, i386, nr(SCMP_ARCH_X86, "reboot")), kEperm);
    // A number beyond every table (what a kernel newer than libseccomp may have).
    EXPECT_EQ(run_bpf(prog, x64, 1000), kEnosys);
}

TEST(SeccompEnosys, X32CallsFallToTheFilterWhenTheProfileLeavesX32Out) {
    if (!on_x86_64()) GTEST_SKIP() << "x86_64 only";
    spec::Seccomp p = old_profile();
    p.architectures = {"SCMP_ARCH_X86_64"};
    auto prog = compiled(p);
    // libseccomp's own program refuses a foreign ABI; the prologue must not turn that into ENOSYS.
    EXPECT_NE(run_bpf(prog, AUDIT_ARCH_X86_64, nr(SCMP_ARCH_X32, "openat2")), kEnosys);
    EXPECT_EQ(run_bpf(prog, AUDIT_ARCH_X86_64, nr(SCMP_ARCH_X86_64, "openat2")), kEnosys);
}

TEST(SeccompEnosys, KillProcessDefaultStillKillsOlderCalls) {
    if (!on_x86_64()) GTEST_SKIP() << "x86_64 numbers";
    auto prog = compiled(old_profile("SCMP_ACT_KILL_PROCESS"));
    EXPECT_EQ(run_bpf(prog, AUDIT_ARCH_X86_64, nr(SCMP_ARCH_X86_64, "openat2")), kEnosys);
    EXPECT_EQ(run_bpf(prog, AUDIT_ARCH_X86_64, nr(SCMP_ARCH_X86_64, "reboot")), SECCOMP_RET_KILL_PROCESS);
    EXPECT_EQ(run_bpf(prog, AUDIT_ARCH_X86_64, nr(SCMP_ARCH_X86_64, "execve")), SECCOMP_RET_ALLOW);
}

TEST(SeccompEnosys, NoPrologueWhenTheDefaultLetsCallsThroughOrIsEnosys) {
    for (const char* d : {"SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_TRACE"})
        EXPECT_FALSE(wants_enosys_prologue(old_profile(d))) << d;
    spec::Seccomp p = old_profile();
    EXPECT_TRUE(wants_enosys_prologue(p));
    p.default_errno_ret = ENOSYS;
    EXPECT_FALSE(wants_enosys_prologue(p));
    p.default_errno_ret = EACCES;
    EXPECT_TRUE(wants_enosys_prologue(p));
    // Without the prologue the program is libseccomp's alone: it starts by checking the
    // architecture it was built for, not with our dispatch.
    spec::Seccomp allow = old_profile("SCMP_ACT_ALLOW");
    allow.syscalls[0].action = "SCMP_ACT_ERRNO";
    auto unpatched = compiled(allow);
    auto patched = compiled(old_profile());
    ASSERT_FALSE(unpatched.empty());
    ASSERT_FALSE(patched.empty());
    EXPECT_GT(patched.size(), unpatched.size());
}

TEST(SeccompEnosys, NativeArchitectureIsCoveredWhenTheProfileListsNone) {
    spec::Seccomp p = old_profile();
    p.architectures.clear();
    auto last = last_named_syscalls(p, seccomp_arch_native());
    ASSERT_TRUE(last) << last.error().message();
    ASSERT_EQ(last->size(), 1u);
    EXPECT_EQ((*last)[0].scmp_arch, seccomp_arch_native());
    EXPECT_EQ((*last)[0].last,
              static_cast<uint32_t>(seccomp_syscall_resolve_name_arch(seccomp_arch_native(), "statx")));
}

TEST(SeccompEnosys, NamesUnknownToAnArchitectureDoNotCount) {
    spec::Seccomp p = old_profile();
    p.syscalls[0].names = {"write", "no_such_call"};
    p.architectures = {"SCMP_ARCH_X86_64"};
    auto last = last_named_syscalls(p, SCMP_ARCH_X86_64);
    ASSERT_TRUE(last);
    ASSERT_EQ(last->size(), 1u);
    EXPECT_EQ((*last)[0].last, nr(SCMP_ARCH_X86_64, "write"));
    // Nothing resolves: no rule for that architecture at all (rather than "everything is new").
    p.syscalls[0].names = {"no_such_call"};
    last = last_named_syscalls(p, SCMP_ARCH_X86_64);
    ASSERT_TRUE(last);
    EXPECT_TRUE(last->empty());
}

// The prologue alone, with a "program" that answers a marker: arch dispatch, s390's multiplexer,
// and architectures the prologue does not know.
TEST(SeccompEnosys, PrologueDispatchesPerArchitecture) {
    constexpr uint32_t kProgram = SECCOMP_RET_TRACE | 7;
    std::vector<LastNamedSyscall> last = {{AUDIT_ARCH_S390X, SCMP_ARCH_S390X, 400},
                                          {AUDIT_ARCH_AARCH64, SCMP_ARCH_AARCH64, 300},
                                          {AUDIT_ARCH_X86_64, SCMP_ARCH_X86_64, 332},
                                          {AUDIT_ARCH_X86_64, SCMP_ARCH_X32, kX32 | 332}};
    auto prog = enosys_prologue(last);
    prog.push_back(BPF_STMT(BPF_RET | BPF_K, kProgram));
    EXPECT_EQ(run_bpf(prog, AUDIT_ARCH_S390X, 0), kEnosys);
    EXPECT_EQ(run_bpf(prog, AUDIT_ARCH_S390X, 5), kProgram);
    EXPECT_EQ(run_bpf(prog, AUDIT_ARCH_S390X, 400), kProgram);
    EXPECT_EQ(run_bpf(prog, AUDIT_ARCH_S390X, 401), kEnosys);
    EXPECT_EQ(run_bpf(prog, AUDIT_ARCH_AARCH64, 0), kProgram);
    EXPECT_EQ(run_bpf(prog, AUDIT_ARCH_AARCH64, 301), kEnosys);
    EXPECT_EQ(run_bpf(prog, AUDIT_ARCH_X86_64, 333), kEnosys);
    EXPECT_EQ(run_bpf(prog, AUDIT_ARCH_X86_64, kX32 | 332), kProgram);
    EXPECT_EQ(run_bpf(prog, AUDIT_ARCH_X86_64, kX32 | 333), kEnosys);
    EXPECT_EQ(run_bpf(prog, AUDIT_ARCH_PPC64LE, 999), kProgram);  // not in the profile
    // Only x86_64 listed: x32 numbers go to the program untouched.
    auto only64 = enosys_prologue({{AUDIT_ARCH_X86_64, SCMP_ARCH_X86_64, 332}});
    only64.push_back(BPF_STMT(BPF_RET | BPF_K, kProgram));
    EXPECT_EQ(run_bpf(only64, AUDIT_ARCH_X86_64, kX32 | 999), kProgram);
    EXPECT_EQ(run_bpf(only64, AUDIT_ARCH_X86_64, 999), kEnosys);
}

// The real kernel: a child loads the program and calls openat2 and an older call nobody named.
TEST(SeccompEnosys, LoadedFilterAnswersEnosysForNewCallsAndEpermForOldOnes) {
    if (!on_x86_64()) GTEST_SKIP() << "x86_64 numbers";
    spec::Seccomp p = old_profile();
    // What the sanitizers' runtime calls in the child.
    for (const char* n : {"mmap", "munmap", "mprotect", "madvise", "sigaltstack", "rt_sigaction", "rt_sigprocmask",
                          "getpid", "gettid", "sched_yield", "prctl", "futex"})
        p.syscalls[0].names.push_back(n);
    auto program = seccomp_program(p, "");
    ASSERT_TRUE(program) << program.error().message();
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || !load_seccomp_program(*program)) _exit(10);
        long r = ::syscall(SYS_openat2, AT_FDCWD, "/", nullptr, 0);
        if (r != -1 || errno != ENOSYS) _exit(11);
        r = ::syscall(SYS_getppid);
        if (r != -1 || errno != EPERM) _exit(12);
        _exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status)) << status;
    EXPECT_EQ(WEXITSTATUS(status), 0) << "10: load failed, 11: openat2 not ENOSYS, 12: getppid not EPERM";
}

}  // namespace
}  // namespace gocker
