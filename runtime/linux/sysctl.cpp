#include "linux/sysctl.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "common/fd.hpp"

namespace gocker {

Result<std::string> sysctl_proc_path(const std::string& key) {
    std::string path = "/proc/sys";
    size_t i = 0;
    if (key.empty()) return Error("linux.sysctl: empty key");
    while (i <= key.size()) {
        size_t j = key.find_first_of("./", i);
        if (j == std::string::npos) j = key.size();
        std::string comp = key.substr(i, j - i);
        if (comp.empty() || comp == "..") return Error("linux.sysctl[\"" + key + "\"]: not a valid sysctl name");
        path += "/" + comp;
        i = j + 1;
    }
    return path;
}

Status apply_sysctls(const std::map<std::string, std::string>& sysctls) {
    for (const auto& [key, value] : sysctls) {
        const std::string what = "write sysctl \"" + key + "\"";
        std::string path = GK_TRY(sysctl_proc_path(key));
        UniqueFd fd(::open(path.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY));
        if (!fd) return sys_error(what);
        struct statfs sfs {};
        if (::fstatfs(fd.get(), &sfs) != 0) return sys_error(what);
        if (sfs.f_type != PROC_SUPER_MAGIC) return Error(what + ": " + path + " is not on procfs");
        const char* p = value.data();
        size_t left = value.size();
        while (left > 0) {
            ssize_t n = ::write(fd.get(), p, left);
            if (n < 0) {
                if (errno == EINTR) continue;
                return sys_error(what);
            }
            p += n;
            left -= static_cast<size_t>(n);
        }
    }
    return ok_status();
}

}  // namespace gocker
