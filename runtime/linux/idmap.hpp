// linux.uidMappings / gidMappings: written by the parent into the child's
// /proc/<pid>/uid_map and gid_map when the child asks (SyncType::want_idmap).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/result.hpp"
#include "spec/config.hpp"

namespace gocker {

// "containerID hostID size\n" lines, as the kernel reads them.
std::string format_id_map(const std::vector<spec::IdMapping>& maps);

// Writes gid_map and uid_map of `pid`. Root writes them directly; an unprivileged caller writes
// a map of its own id directly (gid_map after "deny" to setgroups, which the kernel requires)
// and any wider map through newgidmap/newuidmap (subid.hpp).
Status write_id_maps(pid_t pid, const std::vector<spec::IdMapping>& uid_maps,
                     const std::vector<spec::IdMapping>& gid_maps);

}  // namespace gocker
