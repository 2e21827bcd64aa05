#include "linux/idmap.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "linux/subid.hpp"

namespace gocker {

std::string format_id_map(const std::vector<spec::IdMapping>& maps) {
    std::string out;
    for (const auto& m : maps)
        out += std::to_string(m.container_id) + " " + std::to_string(m.host_id) + " " + std::to_string(m.size) + "\n";
    return out;
}

static Status write_proc_file(pid_t pid, const char* name, const std::string& data) {
    std::string path = "/proc/" + std::to_string(pid) + "/" + name;
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return sys_error([&] { return "open " + path; });
    ssize_t w = ::write(fd, data.data(), data.size());
    int err = errno;
    ::close(fd);
    if (w < 0) return Error("write " + path + " (\"" + data.substr(0, data.find('\n')) + "...\")", err);
    return {};
}

Status write_id_maps(pid_t pid, const std::vector<spec::IdMapping>& uid_maps,
                     const std::vector<spec::IdMapping>& gid_maps) {
    if (::geteuid() == 0) {
        if (!gid_maps.empty()) GK_TRY(write_proc_file(pid, "gid_map", format_id_map(gid_maps)));
        if (!uid_maps.empty()) GK_TRY(write_proc_file(pid, "uid_map", format_id_map(uid_maps)));
        return {};
    }
    // Unprivileged: the caller's own id is written directly (the kernel then requires setgroups
    // "deny" before gid_map); anything wider goes through newgidmap/newuidmap (subid.hpp), which
    // leave setgroups allowed when /etc/subgid delegates ids to the user.
    if (!gid_maps.empty() && is_own_id_only(gid_maps, ::getegid())) {
        GK_TRY(write_proc_file(pid, "setgroups", "deny"));
        GK_TRY(write_proc_file(pid, "gid_map", format_id_map(gid_maps)));
    } else if (!gid_maps.empty()) {
        GK_TRY(write_id_map_with_helper(pid, kGidMapKind, gid_maps, ::getegid()));
    } else {
        GK_TRY(write_proc_file(pid, "setgroups", "deny"));
    }
    if (!uid_maps.empty() && is_own_id_only(uid_maps, ::geteuid()))
        GK_TRY(write_proc_file(pid, "uid_map", format_id_map(uid_maps)));
    else if (!uid_maps.empty()) GK_TRY(write_id_map_with_helper(pid, kUidMapKind, uid_maps, ::geteuid()));
    return {};
}

}  // namespace gocker
