// The cgroup steps of the container lifecycle, so that create.cpp and lifecycle.cpp each need
// one call: make and limit the cgroup of a new container, and find it again later.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "linux/cgroups/manager.hpp"
#include "spec/config.hpp"

namespace gocker::cgroups {

// The file in the container's state directory that remembers its cgroup.
inline constexpr std::string_view kStateFile = "cgroup.json";
// The cgroups create() made, one a line as each is made, until cgroup.json says it.
inline constexpr std::string_view kJournalFile = "cgroup.made";

// Resolves linux.cgroupsPath, creates the directories, writes every limit and the device rules.
// Null (and no error) when the host has no cgroup filesystem and the config sets no resources.
// On failure nothing is left behind but the shared default parent /gocker, which is made once
// and kept (CgroupManager::keep_shared_parent).
// `journal_fd` (or -1): each directory made is written there at once (make_cgroup_dirs).
Result<std::unique_ptr<CgroupManager>> create_container_cgroup(const spec::Config& cfg, std::string_view id,
                                                               int journal_fd = -1);

// The creation itself, at a resolved `path`, with the given resources (device_rules: also load
// res.devices); each directory made is recorded on `journal_fd` (when >= 0) as it is made; on
// failure nothing is left behind. A non-empty `shared_parent` above `path` is made when missing
// and kept.
Result<std::unique_ptr<CgroupManager>> create_cgroup_at(const CgroupLayout& layout, const std::string& path,
                                                        spec::Resources res, bool device_rules, int journal_fd = -1,
                                                        std::string_view shared_parent = {});

// The manager of an existing container from <state_dir>/cgroup.json; ENOENT when it has none.
Result<std::unique_ptr<CgroupManager>> open_container_cgroup(const std::string& state_dir);

}  // namespace gocker::cgroups
