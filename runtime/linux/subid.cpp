#include "linux/subid.hpp"

#include <unistd.h>

#include <cstdlib>

#include "common/file_io.hpp"
#include "common/log.hpp"
#include "common/passwd.hpp"
#include "linux/hooks.hpp"

namespace gocker {

std::vector<SubidRange> parse_subid_ranges(std::string_view text, std::string_view name, uint32_t id) {
    std::vector<SubidRange> out;
    const std::string id_text = std::to_string(id);
    size_t at = 0;
    while (at < text.size()) {
        size_t end = text.find('\n', at);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(at, end - at);
        at = end + 1;
        size_t c1 = line.find(':'), c2 = c1 == std::string_view::npos ? c1 : line.find(':', c1 + 1);
        if (c2 == std::string_view::npos || line.empty() || line[0] == '#') continue;
        std::string_view who = line.substr(0, c1);
        if (who != name && who != id_text) continue;
        std::string start(line.substr(c1 + 1, c2 - c1 - 1)), count(line.substr(c2 + 1));
        char *e1 = nullptr, *e2 = nullptr;
        unsigned long long s = std::strtoull(start.c_str(), &e1, 10), n = std::strtoull(count.c_str(), &e2, 10);
        if (start.empty() || count.empty() || *e1 || *e2 || n == 0) continue;
        out.push_back({s, n});
    }
    return out;
}

bool is_own_id_only(const std::vector<spec::IdMapping>& maps, uint32_t own) {
    return maps.size() == 1 && maps[0].size == 1 && maps[0].host_id == own;
}

std::optional<size_t> first_uncovered_mapping(const std::vector<spec::IdMapping>& maps, uint32_t own,
                                              const std::vector<SubidRange>& ranges) {
    for (size_t i = 0; i < maps.size(); ++i) {
        const uint64_t lo = maps[i].host_id, hi = lo + maps[i].size;
        if (maps[i].size == 1 && lo == own) continue;
        bool inside = false;
        for (const auto& r : ranges) inside = inside || (lo >= r.start && hi <= r.start + r.count);
        if (!inside) return i;
    }
    return std::nullopt;
}

Result<std::string> find_id_map_helper(const IdMapKind& kind) {
    std::string dirs = std::getenv("PATH") ? std::getenv("PATH") : "";
    dirs += ":/usr/bin:/bin";
    size_t at = 0;
    while (at <= dirs.size()) {
        size_t end = dirs.find(':', at);
        if (end == std::string::npos) end = dirs.size();
        std::string dir = dirs.substr(at, end - at);
        at = end + 1;
        if (dir.empty() || dir[0] != '/') continue;
        std::string path = dir + "/" + kind.helper;
        if (::access(path.c_str(), X_OK) == 0) return path;
    }
    return Error(std::string(kind.field) + ": an unprivileged user maps more than its own id only through " +
                     kind.helper + ", which is not installed (Debian package uidmap)",
                 ENOENT);
}

static std::string describe_ranges(const std::vector<SubidRange>& ranges) {
    std::string s;
    for (const auto& r : ranges)
        s += (s.empty() ? "" : ", ") + std::to_string(r.start) + "-" + std::to_string(r.start + r.count - 1);
    return s;
}

Status write_id_map_with_helper(pid_t pid, const IdMapKind& kind, const std::vector<spec::IdMapping>& maps,
                                uint32_t own) {
    const std::string name = user_name_of(::geteuid());
    auto text = read_whole_file(kind.subid);
    std::vector<SubidRange> ranges = text ? parse_subid_ranges(*text, name, ::geteuid()) : std::vector<SubidRange>{};
    if (auto bad = first_uncovered_mapping(maps, own, ranges)) {
        const auto& m = maps[*bad];
        std::string has = ranges.empty() ? std::string(kind.subid) + " has no range for " + name
                                         : std::string(kind.subid) + " gives " + name + " " + describe_ranges(ranges);
        return Error(std::string(kind.field) + "/" + std::to_string(*bad) + ": host ids " + std::to_string(m.host_id) +
                         "-" + std::to_string(uint64_t{m.host_id} + m.size - 1) + " are not delegated to " + name +
                         " (id " + std::to_string(own) + "): " + has,
                     EPERM);
    }
    spec::Hook run;
    run.path = GK_TRY(find_id_map_helper(kind));
    run.args = {kind.helper, std::to_string(pid)};
    for (const auto& m : maps)
        for (uint32_t v : {m.container_id, m.host_id, m.size}) run.args.push_back(std::to_string(v));
    run.timeout = 30;
    std::string line;
    for (const auto& a : run.args) line += (line.empty() ? "" : " ") + a;
    log::debug("id maps: " + line);
    GK_TRY_CTX(run_hook(kind.helper, run, ""), run.path);
    return {};
}

}  // namespace gocker
