#include "linux/rootless_check.hpp"

#include <unistd.h>

#include "common/file_io.hpp"
#include "common/passwd.hpp"
#include "linux/cgroups/manager.hpp"
#include "linux/cgroups/rootless_cgroup.hpp"
#include "linux/subid.hpp"

namespace gocker {
namespace {

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

RootlessFinding user_namespaces() {
    auto max = read_whole_file("/proc/sys/user/max_user_namespaces");
    if (max && trimmed(*max) == "0")
        return {"rootless user namespaces", "fail", "/proc/sys/user/max_user_namespaces is 0"};
    auto clone = read_whole_file("/proc/sys/kernel/unprivileged_userns_clone");
    if (clone && trimmed(*clone) == "0")
        return {"rootless user namespaces", "fail", "/proc/sys/kernel/unprivileged_userns_clone is 0"};
    auto aa = read_whole_file("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
    if (aa && trimmed(*aa) == "1")
        return {"rootless user namespaces", "warn",
                "AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns=1)"};
    return {"rootless user namespaces", "ok", "an unprivileged user may create them"};
}

RootlessFinding subordinate_ids(const IdMapKind& kind, uint32_t id) {
    const std::string item = std::string("rootless ") + kind.subid;
    const std::string name = user_name_of(::geteuid());
    auto text = read_whole_file(kind.subid);
    auto ranges = text ? parse_subid_ranges(*text, name, ::geteuid()) : std::vector<SubidRange>{};
    if (ranges.empty())
        return {item, "warn",
                "no range for " + name + ": only a map of the own id " + std::to_string(id) + " (one id)"};
    std::string s;
    for (const auto& r : ranges)
        s += (s.empty() ? "" : ", ") + std::to_string(r.start) + "-" + std::to_string(r.start + r.count - 1);
    return {item, "ok", name + ": " + s};
}

RootlessFinding helper(const IdMapKind& kind) {
    auto path = find_id_map_helper(kind);
    if (!path)
        return {std::string("rootless ") + kind.helper, "warn",
                "not installed (Debian package uidmap): only a map of the own id"};
    return {std::string("rootless ") + kind.helper, "ok", *path};
}

RootlessFinding cgroup() {
    const cgroups::CgroupLayout& layout = cgroups::detect_layout();
    const char* none = "containers run without a cgroup; a config with linux.resources limits is refused";
    if (layout.mode != CgroupMode::v2)
        return {"rootless cgroups", "warn",
                std::string("no delegation on a ") + cgroup_mode_name(layout.mode) + " host: " + none};
    auto own = cgroups::own_v2_cgroup();
    if (!own) return {"rootless cgroups", "warn", own.error().message() + ": " + none};
    // Where create_rootless_cgroup() puts a container without linux.cgroupsPath.
    std::string parent = own->substr(0, own->rfind('/'));
    std::string dir = layout.hierarchies.front().mount_point + parent;
    if (::access(dir.c_str(), W_OK) != 0 || ::access((dir + "/cgroup.subtree_control").c_str(), W_OK) != 0)
        return {"rootless cgroups", "warn",
                (parent.empty() ? "/" : parent) + " is not delegated to this user: " + none};
    auto controllers = read_whole_file(dir + "/cgroup.controllers");
    return {
        "rootless cgroups", "ok",
        "delegated: " + parent + " (controllers: " + (controllers ? trimmed(*controllers) : std::string("?")) + ")"};
}

}  // namespace

std::vector<RootlessFinding> rootless_readiness(const std::string& state_root) {
    std::vector<RootlessFinding> out;
    out.push_back({"rootless", "ok", "uid " + std::to_string(::geteuid()) + " (" + user_name_of(::geteuid()) + ")"});
    out.push_back(user_namespaces());
    if (state_root.empty())
        out.push_back({"rootless state directory", "fail", "XDG_RUNTIME_DIR is not set: set it or pass --root"});
    else out.push_back({"rootless state directory", "ok", state_root});
    out.push_back(helper(kUidMapKind));
    out.push_back(helper(kGidMapKind));
    out.push_back(subordinate_ids(kUidMapKind, ::geteuid()));
    out.push_back(subordinate_ids(kGidMapKind, ::getegid()));
    out.push_back(cgroup());
    return out;
}

}  // namespace gocker
