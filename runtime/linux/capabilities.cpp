#include "linux/capabilities.hpp"

#include <fcntl.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>

#include "common/fd.hpp"
#include "common/log.hpp"
#include "spec/oci_names.hpp"

namespace gocker {
namespace {

struct NamedSet {
    const char* name;
    const std::vector<std::string>* names;
    uint64_t CapabilitySets::*bits;
};

bool has(uint64_t mask, int cap) { return (mask >> cap) & 1; }

}  // namespace

std::optional<int> capability_number(std::string_view name) {
    const auto& list = spec::names::capabilities;
    for (size_t i = 0; i < list.size(); ++i)
        if (list[i] == name) return static_cast<int>(i);
    return std::nullopt;
}

std::string capability_name(int number) {
    if (number >= 0 && static_cast<size_t>(number) < spec::names::capabilities.size())
        return std::string(spec::names::capabilities[static_cast<size_t>(number)]);
    return "CAP_" + std::to_string(number);
}

Result<int> capability_from_name(const std::string& name) {
    if (auto n = capability_number(name)) return *n;
    return Error("unknown capability \"" + name + "\"", EINVAL);
}

Result<CapabilitySets> plan_capabilities(const spec::Capabilities& caps) {
    const NamedSet sets[] = {{"bounding", &caps.bounding, &CapabilitySets::bounding},
                             {"effective", &caps.effective, &CapabilitySets::effective},
                             {"permitted", &caps.permitted, &CapabilitySets::permitted},
                             {"inheritable", &caps.inheritable, &CapabilitySets::inheritable},
                             {"ambient", &caps.ambient, &CapabilitySets::ambient}};
    CapabilitySets out;
    for (const auto& s : sets)
        for (size_t i = 0; i < s.names->size(); ++i) {
            auto cap = capability_from_name((*s.names)[i]);
            if (!cap)
                return std::move(cap).error().wrap("/process/capabilities/" + std::string(s.name) + "/" +
                                                   std::to_string(i));
            out.*s.bits |= uint64_t{1} << *cap;
        }
    return out;
}

Status check_host_has(const CapabilitySets& want, uint64_t host_bounding, int last_cap) {
    const std::pair<const char*, uint64_t> sets[] = {{"bounding", want.bounding},
                                                     {"effective", want.effective},
                                                     {"permitted", want.permitted},
                                                     {"inheritable", want.inheritable},
                                                     {"ambient", want.ambient}};
    for (const auto& [set, mask] : sets)
        for (int cap = 0; cap <= 63; ++cap) {
            if (!has(mask, cap)) continue;
            if (cap > last_cap)
                return Error("process.capabilities." + std::string(set) + ": " + capability_name(cap) +
                                 " is not known to this kernel (last capability is " + capability_name(last_cap) + ")",
                             EINVAL);
            if (!has(host_bounding, cap))
                return Error("process.capabilities." + std::string(set) + ": " + capability_name(cap) +
                                 " is not in the runtime's own bounding set (the host withholds it), so the "
                                 "container cannot have it",
                             EPERM);
        }
    return {};
}

int last_capability() {
    UniqueFd fd(::open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC));
    char buf[16] = {};
    if (fd && ::read(fd.get(), buf, sizeof buf - 1) > 0) {
        int v = std::atoi(buf);
        if (v > 0 && v < 64) return v;
    }
    return CAP_LAST_CAP;
}

uint64_t read_bounding_set(int last_cap, uint64_t only) {
    uint64_t mask = 0;
    for (int cap = 0; cap <= last_cap; ++cap)
        if (has(only, cap) && ::prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1) mask |= uint64_t{1} << cap;
    return mask;
}

Status drop_bounding_set(const CapabilitySets& want, int last_cap) {
    // Only the capabilities the config asks for are looked up (the host must have them); every
    // other one is dropped without a look first, since dropping one the set lacks changes nothing.
    // That is one system call per capability instead of two, in the init, before the program runs.
    const uint64_t asked = want.bounding | want.effective | want.permitted | want.inheritable | want.ambient;
    GK_TRY(check_host_has(want, read_bounding_set(last_cap, asked), last_cap));
    // Keep the permitted set across the setresuid() to a non-root user that follows; the final
    // sets are applied right after it.
    if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) return sys_error("prctl PR_SET_KEEPCAPS 1");
    for (int cap = 0; cap <= last_cap; ++cap) {
        if (has(want.bounding, cap)) continue;
        if (::cap_drop_bound(static_cast<cap_value_t>(cap)) < 0) {
            const int err = errno;
            // Without CAP_SETPCAP every drop fails; one the set does not hold was never needed.
            if (err == EPERM && ::prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 0) continue;
            return Error("drop " + capability_name(cap) + " from the bounding set", err);
        }
    }
    return {};
}

Status apply_final_capabilities(const CapabilitySets& want, int last_cap) {
    cap_t caps = ::cap_init();
    if (!caps) return sys_error("cap_init");
    const std::pair<cap_flag_t, uint64_t> flags[] = {
        {CAP_EFFECTIVE, want.effective}, {CAP_PERMITTED, want.permitted}, {CAP_INHERITABLE, want.inheritable}};
    for (const auto& [flag, mask] : flags)
        for (int cap = 0; cap <= last_cap; ++cap) {
            if (!has(mask, cap)) continue;
            cap_value_t v = cap;
            if (::cap_set_flag(caps, flag, 1, &v, CAP_SET) < 0) {
                Error e = sys_error([&] { return "cap_set_flag " + capability_name(cap); });
                ::cap_free(caps);
                return e;
            }
        }
    int rc = ::cap_set_proc(caps);
    int err = errno;
    ::cap_free(caps);
    if (rc < 0)
        return Error("set capabilities (effective: " + capability_mask_names(want.effective, last_cap) +
                         "; permitted: " + capability_mask_names(want.permitted, last_cap) +
                         "; inheritable: " + capability_mask_names(want.inheritable, last_cap) +
                         ") (effective must be within permitted, inheritable within bounding)",
                     err);
    if (::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) return sys_error("prctl PR_SET_KEEPCAPS 0");
    // Ambient capabilities are what a non-root user keeps across execve; the kernel only
    // raises one that is already permitted and inheritable. The others are skipped, as runc and
    // crun do (the runtime warned about them before the init started: warn_unraisable_ambient).
    // One PR_CAP_AMBIENT_CLEAR_ALL (libcap's cap_reset_ambient() first asks about every
    // capability); EINVAL: a kernel without ambient capabilities (before 4.3).
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        return sys_error("clear the ambient capability set");
    const uint64_t raisable = want.ambient & ~unraisable_ambient(want);
    for (int cap = 0; cap <= last_cap; ++cap) {
        if (!has(raisable, cap)) continue;
        if (::cap_set_ambient(static_cast<cap_value_t>(cap), CAP_SET) < 0)
            return Error("raise ambient capability " + capability_name(cap) +
                             " (an ambient capability must also be permitted and inheritable)",
                         errno);
    }
    return {};
}

uint64_t unraisable_ambient(const CapabilitySets& want) { return want.ambient & ~(want.permitted & want.inheritable); }

void warn_unraisable_ambient(const spec::Capabilities& caps) {
    auto sets = plan_capabilities(caps);
    if (!sets) return;  // the init reports the bad name with its JSON path
    if (uint64_t skipped = unraisable_ambient(*sets))
        log::warning("process.capabilities.ambient: not raising " + capability_mask_names(skipped, 63) +
                     ": an ambient capability must also be permitted and inheritable");
}

std::string capability_mask_names(uint64_t mask, int last_cap) {
    std::string out;
    for (int cap = 0; cap <= last_cap && cap < 64; ++cap)
        if (has(mask, cap)) out += (out.empty() ? "" : " ") + capability_name(cap);
    return out.empty() ? "none" : out;
}

}  // namespace gocker
