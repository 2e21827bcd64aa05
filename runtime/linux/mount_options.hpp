// OCI mount options (config.md "mounts[].options") -> mount(2) flags, mount_setattr(2) attributes,
// propagation changes and the filesystem data string. Pure: no system calls.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace gocker::mountopt {

struct MountOptions {
    unsigned long flags = 0;                 // MS_* set by the options (MS_RDONLY, MS_BIND, MS_REC ...)
    unsigned long cleared = 0;               // MS_* explicitly turned off (rw, suid, dev ...)
    std::vector<unsigned long> propagation;  // MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE [|MS_REC], in order
    uint64_t rec_attr_set = 0;               // MOUNT_ATTR_* from "r" options (rro, rnosuid ...), AT_RECURSIVE
    uint64_t rec_attr_clr = 0;
    std::string data;      // options the kernel's filesystem parses (mode=755,size=64k)
    bool copy_up = false;  // "tmpcopyup": a tmpfs starts with the image's content (copy_up.hpp)

    bool is_bind() const;
    bool is_recursive_bind() const;
};

// `path` is the JSON path of the options array ("mounts[2].options"), used in error messages.
// Later options override earlier ones (ro,rw -> rw), as mount(8) does. Refused with an error:
// idmap/ridmap (id-mapped mounts), which this runtime does not implement.
Result<MountOptions> parse_mount_options(const std::vector<std::string>& options, const std::string& path = "options");

// linux.rootfsPropagation and propagation options: shared slave private unbindable and their
// r-prefixed recursive forms. Returns 0 for "".
Result<unsigned long> parse_propagation(const std::string& value, const std::string& path);

// The MS_* flags a user namespace locks on a mount, taken from statvfs(3) f_flag (ST_*), which
// a bind remount must repeat or the kernel refuses it with EPERM.
unsigned long locked_flags_from_statvfs(unsigned long st_flags);

// Every option name parse_mount_options() accepts (for the features document).
std::vector<std::string> known_mount_options();

}  // namespace gocker::mountopt
