#include "linux/cgroups/rootless_cgroup.hpp"

#include <unistd.h>

#include "common/file_io.hpp"
#include "common/log.hpp"
#include "linux/cgroups/cgroup_path.hpp"
#include "linux/cgroups/container_cgroup.hpp"

namespace gocker::cgroups {
namespace {

template <class T>
bool is_set(const std::optional<T>& v) {
    return v && !(*v == T{});
}

bool is_permission_error(int e) { return e == EACCES || e == EPERM || e == EROFS; }

}  // namespace

Result<std::string> own_v2_cgroup() {
    std::string text = GK_TRY(read_whole_file("/proc/self/cgroup"));
    size_t at = text.rfind("0::", 0) == 0 ? 0 : text.find("\n0::");
    if (at == std::string::npos) return Error("read /proc/self/cgroup: no cgroup v2 line", ENOENT);
    if (at != 0) ++at;
    size_t end = text.find('\n', at);
    return text.substr(at + 3, end == std::string::npos ? std::string::npos : end - at - 3);
}

std::optional<std::string> first_limit_field(const spec::Resources& res) {
    if (is_set(res.memory)) return "/linux/resources/memory";
    if (is_set(res.cpu)) return "/linux/resources/cpu";
    if (is_set(res.pids)) return "/linux/resources/pids";
    if (is_set(res.block_io)) return "/linux/resources/blockIO";
    if (!res.hugepage_limits.empty()) return "/linux/resources/hugepageLimits";
    if (is_set(res.network)) return "/linux/resources/network";
    if (!res.rdma.empty()) return "/linux/resources/rdma";
    if (!res.unified.empty()) return "/linux/resources/unified";
    return std::nullopt;
}

Result<std::string> rootless_v2_cgroup_path(const std::string* requested, std::string_view id,
                                            std::string_view own_cgroup) {
    if (requested && !requested->empty() && ((*requested)[0] == '/' || requested->find(':') != std::string::npos))
        return resolve_cgroup_path(requested, id);
    // runc: the caller's own cgroup most likely has processes in it, so controllers cannot be
    // enabled below it; its parent is the delegated directory.
    std::string parent(own_cgroup.substr(0, own_cgroup.rfind('/')));
    std::string relative = requested && !requested->empty() ? *requested : std::string(id);
    return resolve_cgroup_path(&(parent += "/" + relative), id);
}

Result<std::unique_ptr<CgroupManager>> create_rootless_cgroup(const spec::Config& cfg, std::string_view id,
                                                              int journal_fd) {
    const spec::Linux* lnx = cfg.linux ? &*cfg.linux : nullptr;
    const std::string* requested = lnx && lnx->cgroups_path ? &*lnx->cgroups_path : nullptr;
    spec::Resources res = lnx && lnx->resources ? *lnx->resources : spec::Resources{};
    if (!res.devices.empty())
        log::debug("rootless: linux.resources.devices not applied (no device cgroup for an unprivileged user)");
    res.devices.clear();
    const std::optional<std::string> limit = first_limit_field(res);
    const CgroupLayout& layout = detect_layout();
    const std::string uid = std::to_string(::geteuid());
    auto refuse = [&](const Error& why) {
        return Error(
            *limit + ": rootless (uid " + uid + "): the limit needs a cgroup delegated to this user: " + why.message(),
            why.sys_errno() ? why.sys_errno() : EPERM);
    };
    if (layout.hierarchies.empty()) {
        if (limit) return refuse(Error("no cgroup filesystem is mounted on this host", ENODEV));
        log::debug("rootless: no cgroup filesystem on this host, the container runs without a cgroup");
        return std::unique_ptr<CgroupManager>();
    }
    std::string path;
    if (layout.mode == CgroupMode::v2) {
        auto own = own_v2_cgroup();
        if (!own) return std::move(own).error().wrap("rootless cgroup");
        path = GK_TRY(rootless_v2_cgroup_path(requested, id, *own));
    } else {
        path = GK_TRY(resolve_cgroup_path(requested, id));
    }
    if (path == "/") return Error("/linux/cgroupsPath: the root cgroup cannot hold a container", EINVAL);
    auto made = create_cgroup_at(layout, path, std::move(res), false, journal_fd);
    if (made) {
        log::debug("rootless: container cgroup " + path);
        return made;
    }
    if (limit) return refuse(made.error());
    if (!is_permission_error(made.error().sys_errno())) return std::move(made).error();
    log::debug("rootless: no cgroup writable by uid " + uid + " (" + made.error().message() +
               "); the container runs without a cgroup of its own");
    return std::unique_ptr<CgroupManager>();
}

}  // namespace gocker::cgroups
