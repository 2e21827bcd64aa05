// `state ID`: the OCI state JSON (runtime.md "State").
#include <iostream>

#include "cli/commands.hpp"
#include "cli/lifecycle_options.hpp"
#include "container/lifecycle.hpp"

namespace gocker::cli {

int cmd_state(const GlobalOptions& g, std::vector<std::string>& args) {
    cxxopts::Options opts("gocker-runtime state", "Print the state of a container as JSON.");
    opts.custom_help("<container-id>");
    opts.add_options()("h,help", "show this help");
    int code = 0;
    auto r = parse_command(opts, args, code);
    if (!r) return code;
    if (!positional(*r, opts, "state", 1, 1, code)) return code;
    const std::string& id = r->unmatched().front();
    auto info = load_container(StateStore(g.root), id);
    if (!info) return report(std::move(info).error().wrap("state " + id));
    std::cout << spec::state_to_json(oci_state(*info), true) << "\n";
    return 0;
}

}  // namespace gocker::cli
