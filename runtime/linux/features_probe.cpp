#include "linux/features_probe.hpp"

#include <sys/capability.h>

#include "linux/mount_options.hpp"
#include "linux/seccomp.hpp"
#include "spec/config.hpp"
#include "spec/oci_names.hpp"

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
    // [cgroups] Managers for v1, v2 and hybrid hosts (runtime/linux/cgroups); rdma.max on both.
    // systemd-style cgroupsPath is mapped to cgroupfs paths, not driven through systemd.
    spec::Features::Cgroup cg;
    cg.v1 = true;
    cg.v2 = true;
    cg.systemd = false;
    cg.systemd_user = false;
    cg.rdma = true;
    f.cgroup = cg;
    // The lifecycle (runtime/container, runtime/linux/{namespaces,hooks,rootfs}).
    f.hooks = {"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"};
    f.mount_options = mountopt::known_mount_options();
    f.namespaces = {"cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"};
    // Confinement (runtime/linux/capabilities, seccomp, lsm): every capability libcap of this
    // build can name, and what this libseccomp can compile.
    for (size_t i = 0; i < spec::names::capabilities.size() && i <= CAP_LAST_CAP; ++i)
        f.capabilities.emplace_back(spec::names::capabilities[i]);
    spec::Features::Seccomp sc;
    sc.enabled = true;
    sc.actions = supported_seccomp_actions();
    sc.operators = supported_seccomp_operators();
    sc.archs = supported_seccomp_archs();
    for (auto flag : spec::names::seccomp_flags) sc.known_flags.emplace_back(flag);
    sc.supported_flags = supported_seccomp_flags();
    f.seccomp = sc;
    f.apparmor_enabled = true;
    f.selinux_enabled = true;
    return f;
}

}  // namespace gocker
