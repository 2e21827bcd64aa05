#include "usage.hpp"

#include <rapidjson/document.h>

#include "linux/cgroups/cgroup_fs.hpp"
#include "linux/cgroups/manager.hpp"
#include "linux/cgroups/stats.hpp"

namespace gocker::core {
namespace {

uint64_t at(const rapidjson::Value& v, const char* a, const char* b) {
    if (!v.IsObject() || !v.HasMember(a) || !v[a].IsObject() || !v[a].HasMember(b) || !v[a][b].IsUint64()) return 0;
    return v[a][b].GetUint64();
}

// stats_json reports "max" as 0; cgroup v1 says "no limit" with a page-rounded INT64_MAX.
std::optional<uint64_t> limit(uint64_t v) {
    if (v == 0 || v >= (uint64_t{1} << 62)) return std::nullopt;
    return v;
}

}  // namespace

Result<Usage> read_usage(const Record& r) {
    if (r.cgroups_path.empty()) return Error("usage of " + r.id + ": the container has no cgroup", 0);
    auto m = GK_TRY(cgroups::make_manager(cgroups::detect_layout(), r.cgroups_path));
    std::string dir = m->dir_of("pids");
    if (dir.empty()) dir = m->dir_of("memory");
    if (dir.empty() || !cgroups::path_exists(dir))
        return Error("usage of " + r.id + ": its cgroup " + r.cgroups_path + " is gone (not running)", 0);
    rapidjson::Document d;
    std::string json = cgroups::stats_json(*m);
    if (d.Parse(json.c_str()).HasParseError() || !d.IsObject())
        return Error("usage of " + r.id + ": unreadable cgroup statistics", 0);
    Usage u;
    if (d.HasMember("cpu") && d["cpu"].IsObject()) u.cpu_ns = at(d["cpu"], "usage", "total");
    if (d.HasMember("memory") && d["memory"].IsObject()) {
        u.memory = at(d["memory"], "usage", "usage");
        u.memory_limit = limit(at(d["memory"], "usage", "limit"));
    }
    if (d.HasMember("pids")) {
        u.pids = at(d, "pids", "current");
        u.pids_limit = limit(at(d, "pids", "limit"));
    }
    return u;
}

}  // namespace gocker::core
