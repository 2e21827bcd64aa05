#include "flags.hpp"

#include <cerrno>
#include <cstring>

namespace gocker::cli {
namespace {

const Flag* by_long(const Command& c, const std::string& n) {
    for (const auto& f : c.flags)
        if (n == f.name) return &f;
    return nullptr;
}
const Flag* by_short(const Command& c, char s) {
    for (const auto& f : c.flags)
        if (f.short_name && f.short_name == s) return &f;
    return nullptr;
}
Error usage_error(const Command& c, const std::string& what) {
    return Error(std::string(c.name) + ": " + what + " (see gocker " + c.name + " --help)", 0);
}

}  // namespace

Result<Parsed> parse_flags(const Command& cmd, const std::vector<std::string>& args, bool stop_at_positional) {
    Parsed p;
    size_t i = 0;
    for (; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--") {
            ++i;
            break;
        }
        if (a.size() > 2 && a[0] == '-' && a[1] == '-') {
            std::string name = a.substr(2), value;
            bool inline_value = false;
            if (auto eq = name.find('='); eq != std::string::npos) {
                value = name.substr(eq + 1);
                name.resize(eq);
                inline_value = true;
            }
            const Flag* f = by_long(cmd, name);
            if (!f) return usage_error(cmd, "unknown flag --" + name);
            if (f->value_name) {
                if (!inline_value) {
                    if (i + 1 >= args.size())
                        return usage_error(cmd, "--" + name + " needs a value (" + f->value_name + ")");
                    value = args[++i];
                }
            } else if (inline_value) {
                return usage_error(cmd, "--" + name + " takes no value");
            }
            p.values[f->name].push_back(value);
            continue;
        }
        if (a.size() > 1 && a[0] == '-') {
            for (size_t j = 1; j < a.size(); ++j) {
                const Flag* f = by_short(cmd, a[j]);
                if (!f) return usage_error(cmd, std::string("unknown flag -") + a[j]);
                if (!f->value_name) {
                    p.values[f->name].push_back("");
                    continue;
                }
                std::string value = a.substr(j + 1);
                if (value.empty()) {
                    if (i + 1 >= args.size())
                        return usage_error(cmd, std::string("-") + a[j] + " needs a value (" + f->value_name + ")");
                    value = args[++i];
                }
                p.values[f->name].push_back(value);
                break;
            }
            continue;
        }
        if (stop_at_positional) break;
        p.positional.push_back(a);
    }
    for (; i < args.size(); ++i) p.positional.push_back(args[i]);
    return p;
}

std::string help_text(const Command& cmd) {
    std::string s = std::string("Usage: gocker ") + cmd.name + " " + cmd.synopsis + "\n\n" + cmd.description + "\n";
    if (cmd.flags.empty()) return s;
    s += "\nOptions:\n";
    for (const auto& f : cmd.flags) {
        std::string left = "  ";
        left += f.short_name ? std::string("-") + f.short_name + ", " : "    ";
        left += std::string("--") + f.name;
        if (f.value_name) left += std::string(" ") + f.value_name;
        if (left.size() < 30) left.resize(30, ' ');
        else left += "\n" + std::string(30, ' ');
        s += left + f.help + "\n";
    }
    return s;
}

}  // namespace gocker::cli
