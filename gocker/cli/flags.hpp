// A small flag parser for gocker's commands, with the help text made from the same table, so
// that `gocker CMD --help` always lists what the command takes. Accepts --flag VALUE,
// --flag=VALUE, -f VALUE, -fVALUE and grouped short switches (-it, -dit); `--` ends the flags.
// With `stop_at_positional`, the first argument that is not a flag ends them (run, exec: what
// follows is the container's command).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace gocker::cli {

struct Flag {
    const char* name;        // long name, without --
    char short_name;         // 0: none
    const char* value_name;  // nullptr: a switch
    const char* help;
};

struct Command {
    const char* name;
    const char* synopsis;     // after "gocker NAME "
    const char* description;  // one paragraph
    std::vector<Flag> flags;
};

struct Parsed {
    std::map<std::string, std::vector<std::string>> values;  // switches get "" per use
    std::vector<std::string> positional;
    bool has(const std::string& f) const { return values.count(f) > 0; }
    std::string last(const std::string& f, const std::string& def = "") const {
        auto it = values.find(f);
        return it == values.end() ? def : it->second.back();
    }
    std::vector<std::string> all(const std::string& f) const {
        auto it = values.find(f);
        return it == values.end() ? std::vector<std::string>{} : it->second;
    }
};

// Errors: "run: unknown flag --foo", "run: --name needs a value".
Result<Parsed> parse_flags(const Command& cmd, const std::vector<std::string>& args, bool stop_at_positional);
std::string help_text(const Command& cmd);

}  // namespace gocker::cli
