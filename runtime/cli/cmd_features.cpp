// `features`: the features.md document of what this build implements.
#include <iostream>

#include "cli/commands.hpp"
#include "cli/parse_options.hpp"
#include "linux/features_probe.hpp"
#include "spec/features.hpp"

namespace gocker::cli {

int cmd_features(const GlobalOptions&, std::vector<std::string>& args) {
    cxxopts::Options opts("gocker-runtime features",
                          "Show what this runtime implements, as the OCI features document (JSON).\n"
                          "What the host itself can do is `gocker-runtime check`'s job.");
    opts.add_options()("h,help", "show this help");
    int code = 0;
    auto r = parse_command(opts, args, code);
    if (!r) return code;
    if (!r->unmatched().empty())
        return usage_error("features: unexpected argument \"" + r->unmatched().front() + "\"", opts.help());
    std::string json = spec::features_to_json(implemented_features());
    std::cout << json;
    if (json.empty() || json.back() != '\n') std::cout << '\n';
    return 0;
}

}  // namespace gocker::cli
