// The closed sets of names the OCI config uses on Linux (capabilities, rlimits, seccomp, ...).
// Shared by validate_config() and the features document so that what we accept and what we
// advertise cannot drift apart. Private to spec/.
#pragma once

#include <span>
#include <string_view>

namespace gocker::spec::names {

using List = std::span<const std::string_view>;

// linux/capability.h as of kernel 6.x, CAP_CHOWN (0) .. CAP_CHECKPOINT_RESTORE (40), in bit order.
extern const List capabilities;
extern const List rlimits;
extern const List namespace_types;
extern const List seccomp_actions;
extern const List seccomp_operators;
extern const List seccomp_archs;
extern const List seccomp_flags;
extern const List scheduler_policies;
extern const List scheduler_flags;
extern const List io_priority_classes;
extern const List memory_policy_modes;
extern const List memory_policy_flags;
extern const List rootfs_propagations;
extern const List personality_domains;
extern const List hook_names;

bool contains(List list, std::string_view name);

}  // namespace gocker::spec::names
