#include "linux/mount_options.hpp"

#include <sys/mount.h>
#include <sys/statvfs.h>

#include <array>
#include <string_view>

namespace gocker::mountopt {
namespace {

struct FlagOption {
    std::string_view name;
    bool clear;
    unsigned long flag;
};

// The mount(2) options of config.md "Linux mount options"; the same table as runc's.
constexpr std::array kFlagOptions{
    FlagOption{"acl", false, MS_POSIXACL},
    FlagOption{"async", true, MS_SYNCHRONOUS},
    FlagOption{"atime", true, MS_NOATIME},
    FlagOption{"bind", false, MS_BIND},
    FlagOption{"defaults", false, 0},
    FlagOption{"dev", true, MS_NODEV},
    FlagOption{"diratime", true, MS_NODIRATIME},
    FlagOption{"dirsync", false, MS_DIRSYNC},
    FlagOption{"exec", true, MS_NOEXEC},
    FlagOption{"iversion", false, MS_I_VERSION},
    FlagOption{"lazytime", false, MS_LAZYTIME},
    FlagOption{"loud", true, MS_SILENT},
    FlagOption{"mand", false, MS_MANDLOCK},
    FlagOption{"noacl", true, MS_POSIXACL},
    FlagOption{"noatime", false, MS_NOATIME},
    FlagOption{"nodev", false, MS_NODEV},
    FlagOption{"nodiratime", false, MS_NODIRATIME},
    FlagOption{"noexec", false, MS_NOEXEC},
    FlagOption{"noiversion", true, MS_I_VERSION},
    FlagOption{"nolazytime", true, MS_LAZYTIME},
    FlagOption{"nomand", true, MS_MANDLOCK},
    FlagOption{"norelatime", true, MS_RELATIME},
    FlagOption{"nostrictatime", true, MS_STRICTATIME},
    FlagOption{"nosuid", false, MS_NOSUID},
    FlagOption{"nosymfollow", false, MS_NOSYMFOLLOW},
    FlagOption{"rbind", false, MS_BIND | MS_REC},
    FlagOption{"relatime", false, MS_RELATIME},
    FlagOption{"remount", false, MS_REMOUNT},
    FlagOption{"ro", false, MS_RDONLY},
    FlagOption{"rw", true, MS_RDONLY},
    FlagOption{"silent", false, MS_SILENT},
    FlagOption{"strictatime", false, MS_STRICTATIME},
    FlagOption{"suid", true, MS_NOSUID},
    FlagOption{"sync", false, MS_SYNCHRONOUS},
    FlagOption{"symfollow", true, MS_NOSYMFOLLOW},
};

struct AttrOption {
    std::string_view name;
    uint64_t set;
    uint64_t clr;
};

// Recursive options, applied with mount_setattr(AT_RECURSIVE). The kernel only accepts atime
// changes that clear the whole MOUNT_ATTR__ATIME field and set one mode, so every atime option
// names the mode it leaves: ratime and rnostrictatime fall back to the default relatime,
// rnorelatime means strictatime (what "not relatime" is on a kernel without atime quirks).
constexpr std::array kAttrOptions{
    AttrOption{"rro", MOUNT_ATTR_RDONLY, 0},
    AttrOption{"rrw", 0, MOUNT_ATTR_RDONLY},
    AttrOption{"rnosuid", MOUNT_ATTR_NOSUID, 0},
    AttrOption{"rsuid", 0, MOUNT_ATTR_NOSUID},
    AttrOption{"rnodev", MOUNT_ATTR_NODEV, 0},
    AttrOption{"rdev", 0, MOUNT_ATTR_NODEV},
    AttrOption{"rnoexec", MOUNT_ATTR_NOEXEC, 0},
    AttrOption{"rexec", 0, MOUNT_ATTR_NOEXEC},
    AttrOption{"rnodiratime", MOUNT_ATTR_NODIRATIME, 0},
    AttrOption{"rdiratime", 0, MOUNT_ATTR_NODIRATIME},
    AttrOption{"rrelatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
    AttrOption{"rnorelatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME},
    AttrOption{"rnoatime", MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME},
    AttrOption{"ratime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
    AttrOption{"rstrictatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME},
    AttrOption{"rnostrictatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
    AttrOption{"rnosymfollow", MOUNT_ATTR_NOSYMFOLLOW, 0},
    AttrOption{"rsymfollow", 0, MOUNT_ATTR_NOSYMFOLLOW},
};

struct PropagationOption {
    std::string_view name;
    unsigned long flags;
};

constexpr std::array kPropagation{
    PropagationOption{"shared", MS_SHARED},         PropagationOption{"rshared", MS_SHARED | MS_REC},
    PropagationOption{"slave", MS_SLAVE},           PropagationOption{"rslave", MS_SLAVE | MS_REC},
    PropagationOption{"private", MS_PRIVATE},       PropagationOption{"rprivate", MS_PRIVATE | MS_REC},
    PropagationOption{"unbindable", MS_UNBINDABLE}, PropagationOption{"runbindable", MS_UNBINDABLE | MS_REC},
};

const PropagationOption* find_propagation(std::string_view name) {
    for (const auto& p : kPropagation)
        if (p.name == name) return &p;
    return nullptr;
}

void apply_attr(MountOptions& out, const AttrOption& a) {
    // A later option overrides an earlier one on the same attribute.
    if (a.clr & MOUNT_ATTR__ATIME) out.rec_attr_set &= ~static_cast<uint64_t>(MOUNT_ATTR__ATIME);
    out.rec_attr_set &= ~a.clr;
    out.rec_attr_clr &= ~a.set;
    out.rec_attr_set |= a.set;
    out.rec_attr_clr |= a.clr;
}

}  // namespace

std::vector<std::string> known_mount_options() {
    std::vector<std::string> out;
    for (const auto& f : kFlagOptions) out.emplace_back(f.name);
    for (const auto& a : kAttrOptions) out.emplace_back(a.name);
    for (const auto& p : kPropagation) out.emplace_back(p.name);
    out.emplace_back("tmpcopyup");
    return out;
}

bool MountOptions::is_bind() const { return (flags & MS_BIND) != 0; }
bool MountOptions::is_recursive_bind() const { return is_bind() && (flags & MS_REC) != 0; }

Result<MountOptions> parse_mount_options(const std::vector<std::string>& options, const std::string& path) {
    MountOptions out;
    for (size_t i = 0; i < options.size(); ++i) {
        const std::string& opt = options[i];
        const std::string where = path + "[" + std::to_string(i) + "]";
        if (opt.empty()) continue;
        if (opt == "idmap" || opt == "ridmap")
            return Error(where + ": \"" + opt + "\": id-mapped mounts are not supported by this runtime");
        if (opt == "tmpcopyup") {
            out.copy_up = true;
            continue;
        }
        bool known = false;
        for (const auto& f : kFlagOptions) {
            if (f.name != opt) continue;
            known = true;
            if (f.clear) {
                out.flags &= ~f.flag;
                out.cleared |= f.flag;
            } else {
                out.flags |= f.flag;
                out.cleared &= ~f.flag;
            }
            break;
        }
        if (known) continue;
        for (const auto& a : kAttrOptions) {
            if (a.name != opt) continue;
            known = true;
            apply_attr(out, a);
            break;
        }
        if (known) continue;
        if (const auto* p = find_propagation(opt)) {
            out.propagation.push_back(p->flags);
            continue;
        }
        if (!out.data.empty()) out.data += ',';
        out.data += opt;
    }
    return out;
}

Result<unsigned long> parse_propagation(const std::string& value, const std::string& path) {
    if (value.empty()) return 0UL;
    if (const auto* p = find_propagation(value)) return p->flags;
    return Error(path + ": unknown mount propagation \"" + value +
                 "\" (want shared, slave, private, unbindable or their r-prefixed forms)");
}

unsigned long locked_flags_from_statvfs(unsigned long st) {
    unsigned long f = 0;
    if (st & ST_NOSUID) f |= MS_NOSUID;
    if (st & ST_NODEV) f |= MS_NODEV;
    if (st & ST_NOEXEC) f |= MS_NOEXEC;
    if (st & ST_NOATIME) f |= MS_NOATIME;
    if (st & ST_NODIRATIME) f |= MS_NODIRATIME;
    if (st & ST_RELATIME) f |= MS_RELATIME;
    if (st & ST_RDONLY) f |= MS_RDONLY;
    return f;
}

}  // namespace gocker::mountopt
