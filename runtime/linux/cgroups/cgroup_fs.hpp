// The small file operations every cgroup manager needs, with errors in the one-line shape
// `write "1000" to /sys/fs/cgroup/memory/gocker/x/memory.limit_in_bytes: invalid argument`.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/result.hpp"

namespace gocker::cgroups {

Status write_cgroup_file(const std::string& path, const std::string& value);
// One write() of `value` to an open cgroup file (`path` names it in the error); a cgroup file
// takes each write() as a value of its own, so one descriptor serves several.
Status write_cgroup_fd(int fd, const std::string& path, const std::string& value);
Result<std::string> read_cgroup_file(const std::string& path);
bool path_exists(const std::string& path);

// mkdir -p of `root` + `rel`; appends each directory it made to `created` (outermost first) and,
// when `journal_fd` >= 0, writes it there as a line at once: a create killed halfway leaves in
// its state directory the list of the cgroups it made (remove_journaled_cgroups). The first
// `kept_len` characters of `rel` name a shared parent (the default /gocker): its levels are made
// when missing but neither recorded nor journaled, so no container's delete removes them.
Status make_cgroup_dirs(const std::string& root, const std::string& rel, std::vector<std::string>& created,
                        int journal_fd = -1, size_t kept_len = 0);
// Removes, deepest first, the empty cgroups listed in the journal file `path`; a missing file is
// nothing to do.
void remove_journaled_cgroups(const std::string& path);

// Removes `dir` and every cgroup below it, deepest first. rmdir of a cgroup fails with EBUSY
// while exiting tasks are still being released, so each is retried for up to `timeout_ms`.
Status remove_cgroup_tree(const std::string& dir, int timeout_ms);

// PIDs in cgroup.procs of `dir` and of every cgroup below it.
Result<std::vector<pid_t>> read_procs_recursive(const std::string& dir);

// "key value" lines (memory.stat, cpu.stat, memory.events) -> value of `key`, or nullopt.
bool flat_keyed_value(const std::string& text, const std::string& key, uint64_t& out);

}  // namespace gocker::cgroups
