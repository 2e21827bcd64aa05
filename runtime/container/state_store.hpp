// The state store: one directory per container under --root (default /run/gocker).
//
//   <root>/<id>/state.json   the ContainerRecord, written atomically (temp file + rename)
//   <root>/<id>/config.json  the config the container was created from (for poststop hooks)
//   <root>/<id>/exec.fifo    present from create until start: the init blocks on it
//
// A per-container lock (flock on the container directory) keeps two commands on one id from
// interleaving. Ids are validated before they become paths.
//
// The root is 0700 and so is each container directory, the files in it 0600 (as runc): the saved
// config holds the process environment. An existing root is used only when it is a directory
// owned by the runtime's user that no other user can write (check_root), since its records say
// which processes to signal and which cgroups to remove.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/fd.hpp"
#include "common/file_io.hpp"
#include "common/result.hpp"

namespace gocker {

// [A-Za-z0-9][A-Za-z0-9_.+-]*, at most 1024 bytes: never "." or "..", never a '/'.
Status validate_container_id(std::string_view id);

// What the runtime remembers about a container between commands.
struct ContainerRecord {
    std::string id;
    std::string bundle;                 // absolute
    std::string rootfs;                 // absolute
    int pid = 0;                        // host PID of the container init
    unsigned long long start_time = 0;  // init's start time (clock ticks after boot), PID-reuse guard
    std::string created;                // RFC 3339
    std::string owner;                  // user name of the creator ("" = root)
    std::map<std::string, std::string> annotations;
    std::string cgroup_path;  // resolved cgroup path ("" = none)
    bool has_pid_ns = false;  // the container has its own PID namespace
    bool user_ns = false;     // the container has its own user namespace
};

std::string record_to_json(const ContainerRecord& r);
Result<ContainerRecord> record_from_json(std::string_view json);

// An exclusive lock on one container directory; released when destroyed.
class ContainerLock {
public:
    ContainerLock() = default;
    ContainerLock(std::string id, UniqueFd dir) : id_(std::move(id)), dir_(std::move(dir)) {}
    const std::string& id() const { return id_; }
    int dir_fd() const { return dir_.get(); }

private:
    std::string id_;
    UniqueFd dir_;
};

class StateStore {
public:
    explicit StateStore(std::string root) : root_(std::move(root)) {}

    const std::string& root() const { return root_; }
    std::string dir(std::string_view id) const { return root_ + "/" + std::string(id); }
    std::string fifo_path(std::string_view id) const { return dir(id) + "/exec.fifo"; }

    // Makes <root>/<id> (refusing an existing id) and locks it.
    Result<ContainerLock> create_dir(std::string_view id) const;
    // Locks an existing container; error "container "<id>" does not exist" (ENOENT) otherwise.
    // wait_seconds > 0: gives up (EWOULDBLOCK, saying that another command holds the lock) when
    // the lock is not ours within that time; 0 waits as long as it takes.
    Result<ContainerLock> lock(std::string_view id, unsigned wait_seconds = 0) const;
    bool exists(std::string_view id) const;

    Status write_record(const ContainerLock& lock, const ContainerRecord& r) const;
    Result<ContainerRecord> read_record(std::string_view id) const;
    // Writes a file in the container dir atomically (temp + rename).
    Status write_file(const ContainerLock& lock, std::string_view name, std::string_view data) const;
    Result<std::string> read_file(std::string_view id, std::string_view name) const;

    // Removes the container directory and everything in it.
    Status remove(std::string_view id) const;
    // Ids of all containers, sorted.
    Result<std::vector<std::string>> list() const;

    // Refuses a root that another user owns or can write ("state root <root>: ... refusing to
    // trust it"); a root that does not exist yet is fine. Checked once per StateStore.
    Status check_root() const;

private:
    std::string root_;
    mutable bool root_checked_ = false;
};

// RFC 3339 time with nanoseconds, UTC (as runc's "created").
std::string now_rfc3339_nano();

}  // namespace gocker
