// `run [create flags] [--detach] [--keep] ID`: create + start (container/run.hpp). In the
// foreground, signals are forwarded to the container, the exit code is the container's (128+N
// when killed by signal N), and the container is deleted afterwards unless --keep. With
// process.terminal and no --console-socket, `run` holds the pty itself and relays it to its own
// stdio (as runc does).
#include "cli/commands.hpp"
#include "cli/lifecycle_options.hpp"
#include "container/run.hpp"

namespace gocker::cli {

int cmd_run(const GlobalOptions& g, std::vector<std::string>& args) {
    cxxopts::Options opts("gocker-runtime run", "Create and start a container; in the foreground, wait for it.");
    opts.custom_help("[command options] <container-id>");
    add_create_options(opts);
    opts.add_options()("d,detach", "return once the program has started")("keep",
                                                                          "do not delete the container after it exits");
    int code = 0;
    auto r = parse_command(opts, args, code);
    if (!r) return code;
    RunOptions ro;
    if (!create_options_from(*r, opts, "run", ro.create, code)) return code;
    ro.detach = r->count("detach") > 0;
    ro.keep = r->count("keep") > 0;
    StateStore store(g.root);
    auto exit_code = run_container(store, std::move(ro));
    if (!exit_code) return report(exit_code.error());
    return *exit_code;
}

}  // namespace gocker::cli
