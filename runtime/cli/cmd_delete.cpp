// `delete [--force] ID`: remove a stopped (or, with --force, any) container; poststop hooks run.
#include "cli/commands.hpp"
#include "cli/lifecycle_options.hpp"
#include "container/lifecycle.hpp"

namespace gocker::cli {

int cmd_delete(const GlobalOptions& g, std::vector<std::string>& args) {
    cxxopts::Options opts("gocker-runtime delete",
                          "Delete a container and what it holds; --force kills a running one first.");
    opts.custom_help("[command options] <container-id>");
    opts.add_options()("f,force", "kill the container if it is running; a missing container is not an error")(
        "h,help", "show this help");
    int code = 0;
    auto r = parse_command(opts, args, code);
    if (!r) return code;
    if (!positional(*r, opts, "delete", 1, 1, code)) return code;
    Status st = delete_container(StateStore(g.root), r->unmatched().front(), r->count("force") > 0);
    if (!st) return report(st.error());
    return 0;
}

}  // namespace gocker::cli
