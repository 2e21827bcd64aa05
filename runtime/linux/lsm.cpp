#include "linux/lsm.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "common/fd.hpp"
#include "common/log.hpp"

namespace gocker {
namespace {

// Writes to a /proc/thread-self/attr file, refusing anything that is not procfs: a hostile
// rootfs must not be able to redirect the write (CVE-2025-52881 class).
Status write_proc_attr(const std::string& path, const std::string& value, const std::string& what) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) return sys_error([&] { return "open " + path + " to set " + what; });
    struct statfs sfs {};
    if (::fstatfs(fd.get(), &sfs) < 0) return sys_error([&] { return "statfs " + path; });
    if (sfs.f_type != PROC_SUPER_MAGIC) return Error(path + " is not on procfs: refusing to set " + what, EPERM);
    ssize_t n;
    do n = ::write(fd.get(), value.data(), value.size());
    while (n < 0 && errno == EINTR);
    if (n < 0) return sys_error([&] { return "set " + what + " (write \"" + value + "\" to " + path + ")"; });
    return {};
}

}  // namespace

bool apparmor_enabled() {
    UniqueFd fd(::open("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC));
    char c = 0;
    return fd && ::read(fd.get(), &c, 1) == 1 && c == 'Y';
}

bool selinux_enabled() {
    struct stat st {};
    return ::stat("/sys/fs/selinux/enforce", &st) == 0;
}

Status check_lsm_available(const spec::Process& proc) {
    if (!proc.apparmor_profile.empty() && !apparmor_enabled())
        return Error(
            "process.apparmorProfile \"" + proc.apparmor_profile + "\" is set but AppArmor is not enabled on this host",
            EOPNOTSUPP);
    if (!proc.selinux_label.empty() && !selinux_enabled())
        return Error(
            "process.selinuxLabel \"" + proc.selinux_label + "\" is set but SELinux is not enabled on this host",
            EOPNOTSUPP);
    return {};
}

Status apply_lsm_labels(const spec::Process& proc) {
    if (!proc.apparmor_profile.empty()) {
        log::debug("apparmor: the process will run under profile \"" + proc.apparmor_profile + "\"");
        // The per-module file exists since Linux 5.8; the shared one is the older interface.
        struct stat st {};
        std::string path = ::stat("/proc/thread-self/attr/apparmor/exec", &st) == 0
                               ? "/proc/thread-self/attr/apparmor/exec"
                               : "/proc/thread-self/attr/exec";
        GK_TRY(write_proc_attr(path, "exec " + proc.apparmor_profile, "process.apparmorProfile"));
    }
    if (!proc.selinux_label.empty()) {
        log::debug("selinux: the process will run with label \"" + proc.selinux_label + "\"");
        GK_TRY(write_proc_attr("/proc/thread-self/attr/exec", proc.selinux_label, "process.selinuxLabel"));
    }
    return {};
}

}  // namespace gocker
