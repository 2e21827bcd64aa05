#include "linux/hygiene.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/fd.hpp"
#include "common/file_io.hpp"
#include "common/log.hpp"
#include "common/trace.hpp"

extern char** environ;

namespace gocker {
namespace {

constexpr int kSeals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;

Result<std::vector<std::string>> own_cmdline() {
    std::string text = GK_TRY(read_whole_file("/proc/self/cmdline"));
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

RuntimeBinary classify_runtime_binary(int exe_fd) {
    int seals = ::fcntl(exe_fd, F_GET_SEALS);
    if (seals >= 0 && (seals & F_SEAL_WRITE)) return RuntimeBinary::sealed_memfd;
    struct statvfs vfs {};
    if (::fstatvfs(exe_fd, &vfs) == 0 && (vfs.f_flag & ST_RDONLY)) return RuntimeBinary::read_only_mount;
    return RuntimeBinary::writable;
}

RuntimeBinary running_runtime_binary() {
    UniqueFd fd(::open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
    if (!fd) return RuntimeBinary::writable;
    return classify_runtime_binary(fd.get());
}

// A detached, read-only bind mount of the running binary, or an error when the kernel or the
// caller's privileges do not allow it (open_tree and mount_setattr need CAP_SYS_ADMIN over the
// mount namespace, and Linux 5.12).
Result<UniqueFd> read_only_view_of(const char* path) {
    UniqueFd tree(::open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
    if (!tree) return sys_error([&] { return std::string("open_tree ") + path; });
    struct mount_attr attr {};
    attr.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
    if (::mount_setattr(tree.get(), "", AT_EMPTY_PATH, &attr, sizeof attr) < 0)
        return sys_error("make the runtime's bind mount read-only");
    return tree;
}

Result<UniqueFd> sealed_memfd_copy_of(const char* path) {
    UniqueFd exe(::open(path, O_RDONLY | O_CLOEXEC));
    if (!exe) return sys_error([&] { return std::string("open ") + path + " to make a sealed copy of the runtime"; });
    struct stat st {};
    if (::fstat(exe.get(), &st) < 0) return sys_error([&] { return std::string("stat ") + path; });
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
    return mem;
}

namespace {

// Set in the environment of the re-executed runtime (and removed again at once), so that a kernel
// on which the new image still looks writable cannot make the runtime re-execute forever.
constexpr const char* kReexecMarker = "_GOCKER_REEXECUTED_FROM";

// Executes `image` with `argv` and the environment plus the marker (`how`) and, when
// `trace_start_ns` is not 0, the timeline's start. Returns only when execveat failed: its errno,
// with both variables removed again.
int exec_marked(int image, char** argv, const char* how, uint64_t trace_start_ns) {
    if (::setenv(kReexecMarker, how, 1) < 0) return errno;
    if (trace_start_ns) (void)::setenv(trace::kStartVariable, std::to_string(trace_start_ns).c_str(), 1);
    ::execveat(image, "", argv, environ, AT_EMPTY_PATH);
    int err = errno;
    ::unsetenv(kReexecMarker);
    ::unsetenv(trace::kStartVariable);
    return err;
}

Status reexec(UniqueFd image, const char* how) {
    auto args = GK_TRY(own_cmdline());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    errno = exec_marked(image.get(), argv.data(), how, trace::enabled() ? trace::start_ns() : 0);
    return sys_error([&] { return std::string("execute the runtime from a ") + how; });
}

}  // namespace

void reexec_early_from_read_only_view(char** argv, bool trace) {
    if (::getenv(kReexecMarker) || running_runtime_binary() != RuntimeBinary::writable) return;
    if (auto view = read_only_view_of("/proc/self/exe"))
        (void)exec_marked(view->get(), argv, "read-only view", trace ? trace::now_ns() : 0);
    // Still here: main goes on, and reexec_from_protected_binary() does it with its messages.
}

Status reexec_from_protected_binary() {
    const char* marker = ::getenv(kReexecMarker);
    std::string previous = marker ? marker : "";
    if (marker) ::unsetenv(kReexecMarker);
    if (running_runtime_binary() != RuntimeBinary::writable) return {};
    if (previous.empty()) {
        if (auto view = read_only_view_of("/proc/self/exe")) {
            log::debug("re-executing from a read-only bind mount of the runtime binary");
            return reexec(std::move(*view), "read-only view");
        } else {
            log::debug(view.error().message() + "; falling back to a sealed memfd copy of the runtime binary");
        }
    } else if (previous != "read-only view") {
        return Error("the runtime re-executed itself from a " + previous +
                         " of its binary, but /proc/self/exe still looks writable",
                     EPERM);
    }
    log::debug("re-executing from a sealed memfd copy of the runtime binary");
    return reexec(GK_TRY(sealed_memfd_copy_of("/proc/self/exe")), "sealed memfd copy");
}

Status make_non_dumpable() {
    if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) return sys_error("prctl PR_SET_DUMPABLE 0");
    return {};
}

}  // namespace gocker
