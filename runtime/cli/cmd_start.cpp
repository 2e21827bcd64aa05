// `start ID`: the created container's program starts; poststart hooks run before we return.
#include "cli/commands.hpp"
#include "cli/lifecycle_options.hpp"
#include "container/lifecycle.hpp"

namespace gocker::cli {

int cmd_start(const GlobalOptions& g, std::vector<std::string>& args) {
    cxxopts::Options opts("gocker-runtime start", "Start the program of a created container.");
    opts.custom_help("<container-id>");
    opts.add_options()("h,help", "show this help");
    int code = 0;
    auto r = parse_command(opts, args, code);
    if (!r) return code;
    if (!positional(*r, opts, "start", 1, 1, code)) return code;
    Status st = start_container(StateStore(g.root), r->unmatched().front());
    if (!st) return report(st.error());
    return 0;
}

}  // namespace gocker::cli
