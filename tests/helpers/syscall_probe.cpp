// syscall_probe NAME...: makes each named system call with harmless arguments and prints
// "NAME ok" or "NAME <errno name>", one line each. Linked statically and copied into test
// containers: it makes raw calls that busybox never makes (openat2, clone3...), to see what a
// seccomp filter answers them.
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace {

long probe(const char* name) {
    if (!std::strcmp(name, "openat2")) {
        open_how how{};
        how.flags = O_RDONLY | O_DIRECTORY;
        return syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof how);
    }
    if (!std::strcmp(name, "close_range")) return syscall(SYS_close_range, 1000, 1000, 0);
    if (!std::strcmp(name, "faccessat2")) return syscall(SYS_faccessat2, AT_FDCWD, "/", F_OK, 0);
    // A size of 0 is refused by the kernel (EINVAL) before any process is made.
    if (!std::strcmp(name, "clone3")) return syscall(SYS_clone3, nullptr, 0);
    // Old and harmless: the number of filesystem types the kernel knows.
    if (!std::strcmp(name, "sysfs")) return syscall(SYS_sysfs, 3);
    if (!std::strcmp(name, "getppid")) return syscall(SYS_getppid);
    errno = EINVAL;
    return -2;
}

}  // namespace

int main(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        long r = probe(argv[i]);
        if (r == -2) {
            std::printf("%s unknown-probe\n", argv[i]);
            continue;
        }
        if (r < 0) std::printf("%s %s\n", argv[i], strerrorname_np(errno));
        else std::printf("%s ok\n", argv[i]);
    }
    return 0;
}
