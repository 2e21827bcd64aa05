// process.apparmorProfile and process.selinuxLabel: applied to the next execve by writing the
// label into the init's /proc/thread-self/attr files, after the process settings and before
// seccomp. A label for a security module the host does not have enabled is refused (the user
// asked for a confinement we cannot give); an empty field does nothing.
#pragma once

#include <string>

#include "common/result.hpp"
#include "spec/config.hpp"

namespace gocker {

bool apparmor_enabled();  // /sys/module/apparmor/parameters/enabled is "Y"
bool selinux_enabled();   // selinuxfs is mounted (/sys/fs/selinux/enforce exists)

// Parent side, before clone: refuses a label for a module this host lacks.
Status check_lsm_available(const spec::Process& proc);
// Child side: sets the exec labels of the calling thread.
Status apply_lsm_labels(const spec::Process& proc);

}  // namespace gocker
