// What this build of gocker-runtime implements, for `gocker-runtime features` (features.md).
// Determined by the code, not by the host (features.md: "SHOULD be determined on the compilation
// time"); the host's abilities are `gocker-runtime check`'s business.
#pragma once

#include "spec/features.hpp"

namespace gocker {

spec::Features implemented_features();

}  // namespace gocker
