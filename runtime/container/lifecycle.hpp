// The operations on an existing container (runtime.md "Operations"): state, start, kill,
// delete, list. start, kill and delete take the container's lock for their duration; state and
// list only read (a record is written whole, by rename).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "container/create.hpp"
#include "container/state_store.hpp"
#include "spec/config.hpp"
#include "spec/state.hpp"

namespace gocker {

struct ContainerInfo {
    ContainerRecord record;
    spec::ContainerStatus status = spec::ContainerStatus::stopped;
};

// Status from the facts (runc's way): the init gone (or its PID reused) -> stopped; the exec
// FIFO still there -> created; otherwise running.
spec::ContainerStatus derive_status(const StateStore& store, const ContainerRecord& rec);
Result<ContainerInfo> load_container(const StateStore& store, std::string_view id);
spec::State oci_state(const ContainerInfo& info);

// Releases the init from the exec FIFO, waits until its execve succeeded (or reports why it
// failed), then runs the poststart hooks (failures are warnings).
Status start_container(const StateStore& store, std::string_view id);
// The same with the container's lock held by the caller (`lock`, which proves it): `run` starts
// the container it has just created, still locked, with its config and the init's pidfd (its own
// child, so the pid cannot have been reused).
Status start_locked(const StateStore& store, const ContainerLock& lock, const ContainerRecord& rec,
                    const spec::Config& cfg, int pidfd);

// sig: a signal number. all: every process of the container. Takes the container's lock, but
// gives up (one line saying so) when another command has held it for kKillLockWaitSeconds.
inline constexpr unsigned kKillLockWaitSeconds = 10;
Status kill_container(const StateStore& store, std::string_view id, int sig, bool all);

// force: kill a running container first; a missing container is then not an error.
Status delete_container(const StateStore& store, std::string_view id, bool force);
// Runs poststop hooks, kills what is left in the cgroup, removes the cgroup and the state.
// half_made: a create that died before recording the container (no state.json yet).
// cgroup: the container's manager when the caller holds it (`run`); else it is found again
// from the state directory. Fails only when the state directory cannot be removed (the rest
// is warned about).
Status remove_container(const StateStore& store, const ContainerRecord& rec, const spec::Config* cfg,
                        bool half_made = false, cgroups::CgroupManager* cgroup = nullptr);

// `run`'s own delete, once it has reaped the init: the same removal as `delete --force` of a
// stopped container, with the record, config and cgroup that `run` already holds instead of
// reading them back. Nothing to do when someone else deleted the container meanwhile (or made
// another one with the same id: the record's pid and start time must still be ours).
Status delete_exited_container(const StateStore& store, const CreatedContainer& c);

Result<std::vector<ContainerInfo>> list_containers(const StateStore& store);

// "TERM", "SIGTERM", "15" -> 15. Error names the bad signal.
Result<int> parse_signal(std::string_view s);

}  // namespace gocker
