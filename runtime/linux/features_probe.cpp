#include "linux/features_probe.hpp"

#include "spec/config.hpp"

namespace gocker {

// Truthful by construction: a list is filled only by the engineer who makes the feature work,
// in the same change. Until then it stays empty and features_to_json() leaves it out, so a
// caller never relies on something this runtime would not do.
//   hooks, mountOptions       -> the lifecycle / rootfs work (runtime/linux/hooks, rootfs)
//   linux.namespaces          -> the lifecycle core (namespaces created by clone3)
//   linux.capabilities,
//   linux.seccomp, apparmor,
//   selinux                   -> the confinement work (capabilities, seccomp)
//   linux.cgroup              -> the cgroup managers (v1, v2, hybrid)
// What exists today is the config model: every config.json of versions 1.0.0 to 1.3.0 is
// parsed and validated.
spec::Features implemented_features() {
    spec::Features f;
    f.oci_version_min = "1.0.0";
    f.oci_version_max = spec::kOciVersion;
    f.annotations["io.gocker.runtime.version"] = GOCKER_VERSION;
    return f;
}

}  // namespace gocker
