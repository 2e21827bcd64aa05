// One interface for a container's cgroup, whatever the host has:
//   V1Manager     every v1 hierarchy (one directory per hierarchy: <mount>/<path>)
//   V2Manager     the unified hierarchy (one directory; controllers enabled in subtree_control)
//   HybridManager both: each controller where it lives, the v2 directory for CLONE_INTO_CGROUP
// make_manager() picks one from the host's layout. The path is the same in every hierarchy
// (cgroup_path.hpp). What create() made is remembered (and saved in the container's state as
// cgroup.json) so that destroy() removes what it created, and only that: the container's own
// directory (with the cgroups below it) where create() made it, and the parents it made when
// they are empty, but never a shared parent (keep_shared_parent: the default /gocker). A cgroup
// that already existed is joined, never removed.
#pragma once

#include <sys/types.h>

#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "linux/cgroups/resource_plan.hpp"
#include "linux/cgroups/host_cgroups.hpp"
#include "spec/config.hpp"

namespace gocker::cgroups {

struct Hierarchy {
    int version = 1;
    std::string mount_point;
    std::set<std::string> controllers;  // v2: those listed in the root's cgroup.controllers
};

struct CgroupLayout {
    CgroupMode mode = CgroupMode::none;
    std::vector<Hierarchy> hierarchies;
    ControllerSet controllers() const;
};
// From the host's mounts and controllers (host_cgroups.hpp); layout_from is pure for tests.
CgroupLayout layout_from(CgroupMode mode, const std::vector<MountInfo>& mounts,
                         const std::vector<CgroupController>& controllers);
// The host's layout, probed once per process.
const CgroupLayout& detect_layout();

class CgroupManager {
public:
    virtual ~CgroupManager() = default;

    const std::string& path() const { return path_; }
    const std::vector<std::string>& created_dirs() const { return created_; }
    void set_created_dirs(std::vector<std::string> dirs) { created_ = std::move(dirs); }
    bool made(const std::string& dir) const;
    // True when create() made the container's directory in every hierarchy: the cgroup is the
    // container's alone, so whatever is left in it at delete belongs to the container.
    bool made_all_leaves() const;

    // The container's directory in each hierarchy (mount point + path).
    virtual std::vector<std::string> leaf_dirs() const = 0;

    // Where `controller` lives (1, 2, 0 = nowhere) and its directory for this container.
    virtual int version_of(const std::string& controller) const = 0;
    virtual std::string dir_of(const std::string& controller) const = 0;
    virtual ControllerSet controllers() const = 0;

    // Makes the directories (and parents), recording the ones it made (and writing each to the
    // journal descriptor, when one was set).
    virtual Status create() = 0;
    virtual void set_journal(int fd) { journal_fd_ = fd; }
    // A parent shared by many containers (the default /gocker): when the path lies below it,
    // create() makes it if missing but does not count it as made, so destroy() never removes it
    // (runc and crun leave parents too; making and removing it around every container costs a
    // mkdir and an rmdir per hierarchy).
    virtual void keep_shared_parent(std::string_view parent) {
        if (path_.size() > parent.size() + 1 && path_.compare(0, parent.size(), parent) == 0 &&
            path_[parent.size()] == '/')
            kept_len_ = parent.size();
    }
    // Writes in order; a write the kernel refuses is retried once after the others (some values
    // depend on each other, e.g. memory and memory+swap limits), then reported with its file.
    virtual Status apply(const std::vector<CgroupWrite>& writes) = 0;
    // cgroup v2: load and attach the device eBPF program. v1: nothing (plan has the writes).
    virtual Status apply_device_rules(const std::vector<spec::DeviceCgroupRule>& rules) = 0;
    // An O_DIRECTORY fd of the v2 directory, for clone3's CLONE_INTO_CGROUP; -1 if none.
    virtual int clone_into_fd() const = 0;
    // Moves `pid` into every hierarchy (skipping v2 when it was cloned there).
    virtual Status attach(pid_t pid, bool cloned_into_v2) = 0;
    virtual Result<std::vector<pid_t>> procs() const = 0;
    virtual Status freeze(bool frozen) = 0;
    virtual Result<bool> frozen() const = 0;
    // OOM kills so far in this cgroup (memory.oom_control's or memory.events' oom_kill).
    virtual Result<uint64_t> oom_kills() const = 0;
    // Removes the container's directories that create() made (and the cgroups below them),
    // then the parents it made that are now empty.
    virtual Status destroy() = 0;

    Result<std::string> read(const std::string& controller, const std::string& file) const;

protected:
    std::string path_;
    std::vector<std::string> created_;
    int journal_fd_ = -1;
    size_t kept_len_ = 0;  // the length of path_'s shared parent (keep_shared_parent), or 0
};

// The write loop shared by the managers: in order, refused writes retried once at the end.
Status apply_writes(const CgroupManager& m, const std::vector<CgroupWrite>& writes);

// `path` as resolved by resolve_cgroup_path. Error when the host has no cgroup filesystem.
Result<std::unique_ptr<CgroupManager>> make_manager(const CgroupLayout& layout, const std::string& path);

// Saved in the container's state directory; load_manager rebuilds the manager for later commands.
std::string manager_state_json(const CgroupManager& m);
Result<std::unique_ptr<CgroupManager>> load_manager(const CgroupLayout& layout, const std::string& json);

}  // namespace gocker::cgroups
