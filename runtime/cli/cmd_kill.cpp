// `kill [--all] ID [SIGNAL]`: signal the container's init (or all its processes) via a pidfd.
#include "cli/commands.hpp"
#include "cli/lifecycle_options.hpp"
#include "container/lifecycle.hpp"

namespace gocker::cli {

int cmd_kill(const GlobalOptions& g, std::vector<std::string>& args) {
    cxxopts::Options opts("gocker-runtime kill",
                          "Send a signal (default TERM; a name with or without SIG, or a number) to a container.");
    opts.custom_help("[command options] <container-id> [signal]");
    opts.add_options()("a,all", "signal every process of the container")("h,help", "show this help");
    int code = 0;
    auto r = parse_command(opts, args, code);
    if (!r) return code;
    if (!positional(*r, opts, "kill", 1, 2, code)) return code;
    const auto& words = r->unmatched();
    int sig = 15;
    if (words.size() == 2) {
        auto s = parse_signal(words[1]);
        if (!s) return report(std::move(s).error().wrap("kill " + words[0]));
        sig = *s;
    }
    Status st = kill_container(StateStore(g.root), words[0], sig, r->count("all") > 0);
    if (!st) return report(st.error());
    return 0;
}

}  // namespace gocker::cli
