// The one way every cmd_*.cpp parses its flags with cxxopts: `CMD --help` prints the usage and
// exits 0, a bad flag prints a one-line error plus the usage and exits 1, and cxxopts'
// exceptions never leave the command.
#pragma once

#include <cxxopts.hpp>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.hpp"

namespace gocker::cli {

// cxxopts quotes names with typographic quotes; error lines use plain ASCII ones.
inline std::string plain_quotes(std::string s) {
    for (const char* q : {"\u2018", "\u2019"}) {
        for (size_t at = s.find(q); at != std::string::npos; at = s.find(q)) s.replace(at, 3, "\"");
    }
    return s;
}

// Returns the parse result, or nullopt with `exit_code` set (0 after --help, 1 on a usage error).
// Expects `opts` to define "h,help". Positional words end up in result.unmatched().
inline std::optional<cxxopts::ParseResult> parse_command(cxxopts::Options& opts, std::vector<std::string>& args,
                                                         int& exit_code) {
    try {
        std::vector<char*> argv = make_argv(args);
        cxxopts::ParseResult r = opts.parse(static_cast<int>(args.size()), argv.data());
        if (r.count("help")) {
            std::string help = opts.help();
            std::cout << help << (help.empty() || help.back() != '\n' ? "\n" : "");
            exit_code = 0;
            return std::nullopt;
        }
        return r;
    } catch (const cxxopts::exceptions::exception& e) {
        exit_code = usage_error(args[0] + ": " + plain_quotes(e.what()), opts.help());
        return std::nullopt;
    }
}

}  // namespace gocker::cli
