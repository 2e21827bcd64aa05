// process.capabilities: names turned into bit sets (pure, unit-tested), then applied by the
// container init in the order that lets them survive the switch to a non-root user:
//
//   drop_bounding_set()        PR_SET_KEEPCAPS=1 and drop every capability not in `bounding`
//   switch_user()              (process.cpp) setresuid keeps the permitted set thanks to KEEPCAPS
//   apply_final_capabilities() capset(effective, permitted, inheritable), KEEPCAPS=0, raise ambient
//
// When process.capabilities is absent nothing here runs and the kernel's own rules apply (root
// keeps everything, a non-root user loses everything at setresuid).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "spec/config.hpp"

namespace gocker {

struct CapabilitySets {
    bool operator==(const CapabilitySets&) const = default;
    uint64_t bounding = 0, effective = 0, permitted = 0, inheritable = 0, ambient = 0;
};

// Capabilities: "CAP_CHOWN" <-> 0 ... for every capability this build knows (spec::names).
std::optional<int> capability_number(std::string_view name);
std::string capability_name(int number);  // "CAP_<n>" for numbers beyond the table
// "CAP_NET_RAW" -> 13. Unknown names are an error naming the JSON path of the field.
Result<int> capability_from_name(const std::string& name);
Result<CapabilitySets> plan_capabilities(const spec::Capabilities& caps);

// A capability requested in any set that `host_bounding` (the runtime's own bounding set) lacks
// can never be granted; the error names the set and the capability, e.g.
// `process.capabilities.bounding: CAP_SYS_RESOURCE is not in the runtime's own bounding set ...`.
Status check_host_has(const CapabilitySets& want, uint64_t host_bounding, int last_cap);

// The calling process's bounding set, read with PR_CAPBSET_READ (bits up to last_cap; with
// `only`, just those bits are looked up, one system call each).
uint64_t read_bounding_set(int last_cap, uint64_t only = ~uint64_t{0});
// /proc/sys/kernel/cap_last_cap, or CAP_LAST_CAP of the headers when it cannot be read.
int last_capability();

// Child side, in this order around switch_user().
Status drop_bounding_set(const CapabilitySets& want, int last_cap);
Status apply_final_capabilities(const CapabilitySets& want, int last_cap);

// The ambient capabilities the kernel would refuse to raise: those not also permitted and
// inheritable. They are skipped, not an error: `runc spec` asks for ambient CAP_KILL,
// CAP_AUDIT_WRITE and CAP_NET_BIND_SERVICE with no inheritable set, and runc and crun run it
// (runc warns). warn_unraisable_ambient() logs that warning from the runtime itself, before the
// init starts; apply_final_capabilities() then raises only the others.
uint64_t unraisable_ambient(const CapabilitySets& want);
void warn_unraisable_ambient(const spec::Capabilities& caps);

// "CAP_CHOWN CAP_KILL" for the bits of a mask (for messages and tests).
std::string capability_mask_names(uint64_t mask, int last_cap);

}  // namespace gocker
