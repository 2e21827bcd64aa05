#include "linux/hygiene.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "common/fd.hpp"
#include "common/log.hpp"

extern char** environ;

namespace gocker {
namespace {

constexpr int kSeals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;

Result<std::vector<std::string>> own_cmdline() {
    UniqueFd fd(::open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC));
    if (!fd) return sys_error("open /proc/self/cmdline");
    std::string text;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd.get(), buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
    if (n < 0) return sys_error("read /proc/self/cmdline");
    std::vector<std::string> args;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\0', start);
        if (end == std::string::npos) end = text.size();
        args.emplace_back(text, start, end - start);
        start = end + 1;
    }
    return args;
}

}  // namespace

bool running_from_sealed_copy() {
    UniqueFd fd(::open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
    if (!fd) return false;
    int seals = ::fcntl(fd.get(), F_GET_SEALS);
    return seals >= 0 && (seals & F_SEAL_WRITE);
}

Status reexec_from_sealed_copy() {
    if (running_from_sealed_copy()) return {};
    UniqueFd exe(::open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
    if (!exe) return sys_error("open /proc/self/exe to make a sealed copy of the runtime");
    struct stat st {};
    if (::fstat(exe.get(), &st) < 0) return sys_error("stat /proc/self/exe");
    UniqueFd mem(::memfd_create("gocker-runtime", MFD_CLOEXEC | MFD_ALLOW_SEALING));
    if (!mem) return sys_error("memfd_create for a sealed copy of the runtime");
    off_t off = 0;
    while (off < st.st_size) {
        ssize_t n = ::sendfile(mem.get(), exe.get(), &off, static_cast<size_t>(st.st_size - off));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return sys_error("copy the runtime binary into a memfd");
        if (n == 0) return Error("copy the runtime binary into a memfd: short copy", EIO);
    }
    if (::fcntl(mem.get(), F_ADD_SEALS, kSeals) < 0) return sys_error("seal the runtime's memfd copy");
    auto args = GK_TRY(own_cmdline());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    log::debug("re-executing from a sealed copy of the runtime binary");
    ::execveat(mem.get(), "", argv.data(), environ, AT_EMPTY_PATH);
    return sys_error("execute the sealed copy of the runtime");
}

Status make_non_dumpable() {
    if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) return sys_error("prctl PR_SET_DUMPABLE 0");
    return {};
}

}  // namespace gocker
