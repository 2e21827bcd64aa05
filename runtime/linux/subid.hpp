// Id maps of a rootless container wider than the caller's own id: the kernel lets an unprivileged
// process map only its own uid/gid into a user namespace; more takes the setuid helpers
// newuidmap/newgidmap (Debian's `uidmap`), which map the ranges /etc/subuid and /etc/subgid
// delegate to the user. This file decides which maps need the helper, checks that the
// delegated ranges cover them (so the error names the field rather than the helper's exit
// status), and runs the helper.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "spec/config.hpp"

namespace gocker {

struct SubidRange {
    uint64_t start = 0;
    uint64_t count = 0;
};

// The ranges of `text` (an /etc/subuid or /etc/subgid file: "name-or-id:start:count" lines)
// for the user `name` with id `id`.
std::vector<SubidRange> parse_subid_ranges(std::string_view text, std::string_view name, uint32_t id);

// True when `maps` is the one mapping an unprivileged process may write itself: its own id, once.
bool is_own_id_only(const std::vector<spec::IdMapping>& maps, uint32_t own);

// The index of the first mapping whose host ids are neither `own` alone nor inside one of
// `ranges` (newuidmap's rule), if any.
std::optional<size_t> first_uncovered_mapping(const std::vector<spec::IdMapping>& maps, uint32_t own,
                                              const std::vector<SubidRange>& ranges);

// Which id map a helper writes: the uid map with newuidmap and /etc/subuid, or the gid map.
struct IdMapKind {
    const char* helper;  // "newuidmap"
    const char* subid;   // "/etc/subuid"
    const char* field;   // "/linux/uidMappings"
};
inline constexpr IdMapKind kUidMapKind{"newuidmap", "/etc/subuid", "/linux/uidMappings"};
inline constexpr IdMapKind kGidMapKind{"newgidmap", "/etc/subgid", "/linux/gidMappings"};

// The helper's absolute path (PATH, then /usr/bin and /bin); an error naming the package when
// it is not installed.
Result<std::string> find_id_map_helper(const IdMapKind& kind);

// Checks the maps against the caller's delegated ranges, then runs the helper for `pid`.
Status write_id_map_with_helper(pid_t pid, const IdMapKind& kind, const std::vector<spec::IdMapping>& maps,
                                uint32_t own);

}  // namespace gocker
