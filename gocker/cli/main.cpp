// gocker: the seed's command line over the runtime. Global options, then one command of
// commands.cpp; the work is done by gocker/core.
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "commands.hpp"
#include "core/store.hpp"

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    std::string root = gocker::core::Store::default_root();
    size_t i = 0;
    for (; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--help" || a == "-h" || a == "help") {
            if (a == "help" && i + 1 < args.size()) return gocker::cli::dispatch(root, args[i + 1], {"--help"});
            std::fputs(gocker::cli::main_help().c_str(), stdout);
            return 0;
        }
        if (a == "--version" || a == "-v") {
            std::printf("gocker version %s\n", GOCKER_VERSION);
            return 0;
        }
        if (a == "--root" || a.rfind("--root=", 0) == 0) {
            if (a == "--root" && i + 1 >= args.size()) {
                std::fprintf(stderr, "gocker: --root needs a value (DIR)\n");
                return 125;
            }
            root = a == "--root" ? args[++i] : a.substr(7);
            continue;
        }
        if (!a.empty() && a[0] == '-') {
            std::fprintf(stderr, "gocker: unknown global option %s (gocker --help)\n", a.c_str());
            return 125;
        }
        break;
    }
    if (!root.empty() && root[0] != '/') {  // the monitor works from /: keep every path absolute
        char cwd[4096];
        if (::getcwd(cwd, sizeof cwd)) root = std::string(cwd) + "/" + root;
    }
    if (i >= args.size()) {
        std::fputs(gocker::cli::main_help().c_str(), stderr);
        return 125;
    }
    return gocker::cli::dispatch(root, args[i],
                                 std::vector<std::string>(args.begin() + static_cast<long>(i) + 1, args.end()));
}
