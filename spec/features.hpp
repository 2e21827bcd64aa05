// The features document (features.md, features-linux.md): what this runtime implements.
// Truthful: lists only what is implemented; grows with the runtime.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace gocker::spec {

// Outside Features, not nested: clang (14) cannot default-construct a nested struct with member
// initializers inside std::optional of its enclosing class (LLVM issue 36032).
struct FeaturesCgroup {
    bool operator==(const FeaturesCgroup&) const = default;
    bool v1 = false, v2 = false, systemd = false, systemd_user = false, rdma = false;
};
struct FeaturesSeccomp {
    bool operator==(const FeaturesSeccomp&) const = default;
    bool enabled = false;
    std::vector<std::string> actions, operators, archs, known_flags, supported_flags;
};

struct Features {
    bool operator==(const Features&) const = default;
    std::string oci_version_min = "1.0.0";
    std::string oci_version_max = "1.3.0";
    std::vector<std::string> hooks;
    std::vector<std::string> mount_options;
    std::vector<std::string> namespaces;
    std::vector<std::string> capabilities;
    using Cgroup = FeaturesCgroup;
    std::optional<Cgroup> cgroup;
    using Seccomp = FeaturesSeccomp;
    std::optional<Seccomp> seccomp;
    std::optional<bool> apparmor_enabled, selinux_enabled;
    std::optional<bool> intel_rdt_enabled;
    std::optional<bool> mount_extensions_idmap;
    std::optional<bool> net_devices_enabled;
    std::map<std::string, std::string> annotations;
    std::vector<std::string> potentially_unsafe_config_annotations;
};

std::string features_to_json(const Features& f);
Result<Features> parse_features(std::string_view json);

}  // namespace gocker::spec
