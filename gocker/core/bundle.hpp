// The container's config.json, made with the typed model of spec/ (never by editing text):
// `gocker-runtime spec`'s default config with the seed's defaults and run's flags applied.
#pragma once

#include <string>

#include "common/result.hpp"
#include "network.hpp"
#include "run_options.hpp"
#include "spec/config.hpp"

namespace gocker::core {

struct BundleInputs {
    std::string id;
    std::string root_path;     // the overlay or the copy
    std::string cgroups_path;  // /PARENT/ID
};

// Builds and validates the config (spec::validate_config): every error names the flag or field.
Result<spec::Config> make_config(const RunOptions& opts, const BundleInputs& in, const NetworkPlan& net);

// --cgroup-parent, else $GOCKER_CGROUP_PARENT, else /gocker-cli.
std::string default_cgroup_parent();

}  // namespace gocker::core
