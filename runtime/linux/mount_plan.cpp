#include "linux/mount_plan.hpp"

#include <sys/mount.h>

#include "linux/mount_options.hpp"

namespace gocker {
namespace {

bool is_bind_mount(const spec::Mount& m, const mountopt::MountOptions& opts) {
    return m.type == "bind" || opts.is_bind();
}

// Per-mount flags a bind remount can change; the rest (sync, mand, iversion ...) belong to
// the superblock and a bind remount ignores them.
constexpr unsigned long kBindRemountable = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME |
                                           MS_RELATIME | MS_STRICTATIME | MS_NOSYMFOLLOW;

}  // namespace

std::string clean_container_path(const std::string& path) {
    std::string out;
    size_t i = 0;
    while (i < path.size()) {
        size_t j = path.find('/', i);
        if (j == std::string::npos) j = path.size();
        std::string comp = path.substr(i, j - i);
        if (!comp.empty() && comp != ".") out += "/" + comp;
        i = j + 1;
    }
    return out.empty() ? "/" : out;
}

Result<std::vector<MountOp>> build_mount_plan(const spec::Config& cfg, const PlanContext& ctx) {
    std::vector<MountOp> plan;
    plan.reserve(cfg.mounts.size());
    for (size_t i = 0; i < cfg.mounts.size(); ++i) {
        const spec::Mount& m = cfg.mounts[i];
        const std::string where = "mounts[" + std::to_string(i) + "]";
        if (m.destination.empty()) return Error(where + ".destination: must not be empty");
        if (!m.uid_mappings.empty() || !m.gid_mappings.empty())
            return Error(where + ".uidMappings: id-mapped mounts are not supported by this runtime");
        auto opts = GK_TRY(mountopt::parse_mount_options(m.options, where + ".options"));

        MountOp op;
        op.index = i;
        op.destination = m.destination;
        op.propagation = opts.propagation;
        op.rec_attr_set = opts.rec_attr_set;
        op.rec_attr_clr = opts.rec_attr_clr;

        bool bind = is_bind_mount(m, opts);
        if (!bind && m.type == "sysfs" && ctx.in_user_ns && !ctx.new_net_ns) {
            // The kernel refuses sysfs to a user namespace that does not own the network
            // namespace; runc binds the host's /sys instead, recursively.
            bind = true;
            op.sysfs_fallback = true;
            op.source = "/sys";
            opts.flags |= MS_BIND | MS_REC;
        }
        if (bind) {
            if (m.source.empty() && !op.sysfs_fallback) return Error(where + ".source: a bind mount needs a source");
            op.kind = MountKind::bind;
            if (!op.sysfs_fallback) op.source = m.source.front() == '/' ? m.source : ctx.bundle + "/" + m.source;
            op.flags = MS_BIND | (opts.flags & MS_REC);
            unsigned long keep = opts.flags & kBindRemountable;
            if (keep != 0) op.remount_flags = MS_BIND | MS_REMOUNT | keep;
        } else {
            if (m.type.empty()) return Error(where + ".type: must be set for a non-bind mount");
            op.kind = (m.type == "cgroup" || m.type == "cgroup2") ? MountKind::cgroup : MountKind::filesystem;
            op.source = m.source.empty() ? m.type : m.source;
            op.fstype = m.type;
            op.flags = opts.flags;
            op.data = opts.data;
            // runc and crun copy up only into a tmpfs and ignore the option elsewhere.
            op.copy_up = opts.copy_up && m.type == "tmpfs";
        }
        plan.push_back(std::move(op));
    }
    return plan;
}

bool needs_dev_setup(const spec::Config& cfg) {
    for (const auto& m : cfg.mounts) {
        if (clean_container_path(m.destination) != "/dev") continue;
        auto opts = mountopt::parse_mount_options(m.options);
        if (m.type == "bind" || (opts.ok() && opts->is_bind())) return false;
    }
    return true;
}

bool has_devpts_at_dev_pts(const spec::Config& cfg) {
    for (const auto& m : cfg.mounts)
        if (m.type == "devpts" && clean_container_path(m.destination) == "/dev/pts") return true;
    return false;
}

}  // namespace gocker
