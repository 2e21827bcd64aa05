#include "gui/api_input.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <cstring>

namespace gocker::gui {
namespace {

struct Field {
    const char* key;
    const char* flag;  // the `gocker run` flag
    enum Kind { text, list, boolean } kind;
};

const Field kFields[] = {
    {"name", "--name", Field::text},
    {"hostname", "--hostname", Field::text},
    {"env", "--env", Field::list},
    {"workdir", "--workdir", Field::text},
    {"user", "--user", Field::text},
    {"volumes", "--volume", Field::list},
    {"ports", "--publish", Field::list},
    {"network", "--network", Field::text},
    {"cpuLimit", "--cpu-limit", Field::text},
    {"memoryLimit", "--memory-limit", Field::text},
    {"pidsLimit", "--pids-limit", Field::text},
    {"userns", "--userns", Field::text},
    {"noUserns", "--no-userns", Field::boolean},
    {"readOnly", "--read-only", Field::boolean},
    {"rm", "--rm", Field::boolean},
    {"storage", "--storage", Field::text},
    {"logMaxSize", "--log-max-size", Field::text},
};

}  // namespace

Result<std::vector<std::string>> run_args_from_json(const std::string& body) {
    rapidjson::Document d;
    if (d.Parse(body.c_str(), body.size()).HasParseError() || !d.IsObject())
        return Error("the request body must be a JSON object (the run options)", 0);
    std::vector<std::string> argv;
    std::string rootfs;
    std::vector<std::string> args;
    for (auto m = d.MemberBegin(); m != d.MemberEnd(); ++m) {
        std::string key(m->name.GetString(), m->name.GetStringLength());
        const rapidjson::Value& v = m->value;
        auto strings = [&](std::vector<std::string>& out) -> Status {
            if (!v.IsArray()) return Error(key + ": expected an array of strings", 0);
            for (const auto& s : v.GetArray()) {
                if (!s.IsString()) return Error(key + ": expected an array of strings", 0);
                out.emplace_back(s.GetString(), s.GetStringLength());
            }
            return ok_status();
        };
        if (key == "rootfs") {
            if (!v.IsString()) return Error("rootfs: expected a string (a directory on the host)", 0);
            rootfs.assign(v.GetString(), v.GetStringLength());
            continue;
        }
        if (key == "args") {
            GK_TRY(strings(args));
            continue;
        }
        const Field* f =
            std::find_if(std::begin(kFields), std::end(kFields), [&](const Field& x) { return key == x.key; });
        if (f == std::end(kFields)) return Error("unknown option \"" + key + "\"", 0);
        if (f->kind == Field::boolean) {
            if (!v.IsBool()) return Error(key + ": expected true or false", 0);
            if (v.GetBool()) argv.emplace_back(f->flag);
        } else if (f->kind == Field::text) {
            if (!v.IsString()) return Error(key + ": expected a string", 0);
            std::string s(v.GetString(), v.GetStringLength());
            if (s.empty()) continue;
            argv.emplace_back(f->flag);
            argv.push_back(s);
        } else {
            std::vector<std::string> items;
            GK_TRY(strings(items));
            for (auto& s : items) {
                argv.emplace_back(f->flag);
                argv.push_back(std::move(s));
            }
        }
    }
    if (rootfs.empty()) return Error("rootfs: missing (the root filesystem directory to run)", 0);
    if (rootfs[0] != '/') return Error("rootfs " + rootfs + ": must be an absolute path", 0);
    argv.emplace_back("--");
    argv.push_back(rootfs);
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
}

Result<uint64_t> parse_count(const std::string& text, const char* name, uint64_t max) {
    if (text.empty() || text.size() > 12 || !std::all_of(text.begin(), text.end(), ::isdigit) ||
        std::stoull(text) > max)
        return Error(std::string(name) + "=" + text + ": expected a number from 0 to " + std::to_string(max), 0);
    return std::stoull(text);
}

}  // namespace gocker::gui
