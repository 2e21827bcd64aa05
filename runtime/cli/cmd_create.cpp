// `create [--bundle DIR] [--pid-file F] [--console-socket S] [--no-pivot] [--no-new-keyring]
//  [--preserve-fds N] ID`: the container is created and its init waits for `start`.
#include "cli/commands.hpp"
#include "cli/lifecycle_options.hpp"
#include "container/create.hpp"

namespace gocker::cli {

int cmd_create(const GlobalOptions& g, std::vector<std::string>& args) {
    cxxopts::Options opts("gocker-runtime create",
                          "Create a container from a bundle; its program starts with `start`.");
    opts.custom_help("[command options] <container-id>");
    add_create_options(opts);
    int code = 0;
    auto r = parse_command(opts, args, code);
    if (!r) return code;
    CreateOptions co;
    if (!create_options_from(*r, opts, "create", co, code)) return code;
    StateStore store(g.root);
    auto created = create_container(store, co);
    if (!created) return report(created.error());
    return 0;
}

}  // namespace gocker::cli
