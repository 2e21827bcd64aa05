#include "linux/cgroups/cgroup_path.hpp"

#include <vector>

namespace gocker::cgroups {
namespace {

Result<std::string> clean_path(std::string_view raw, std::string_view field_value) {
    std::string out;
    size_t i = 0;
    while (i < raw.size()) {
        size_t j = raw.find('/', i);
        if (j == std::string_view::npos) j = raw.size();
        std::string_view part = raw.substr(i, j - i);
        if (part == "." || part == "..")
            return Error("/linux/cgroupsPath: \"" + std::string(field_value) +
                             "\": \".\" and \"..\" are not allowed in a cgroup path",
                         EINVAL);
        if (!part.empty()) {
            out += '/';
            out += part;
        }
        i = j + 1;
    }
    return out.empty() ? std::string("/") : out;
}

}  // namespace

Result<std::string> expand_slice(std::string_view slice) {
    if (slice.empty()) return std::string("/system.slice");
    if (slice == "-.slice") return std::string("/");
    constexpr std::string_view suffix = ".slice";
    if (slice.size() <= suffix.size() || slice.substr(slice.size() - suffix.size()) != suffix ||
        slice.find('/') != std::string_view::npos)
        return Error("/linux/cgroupsPath: \"" + std::string(slice) + "\" is not a valid systemd slice name", EINVAL);
    std::string_view stem = slice.substr(0, slice.size() - suffix.size());
    if (stem.front() == '-' || stem.back() == '-' || stem.find("--") != std::string_view::npos)
        return Error("/linux/cgroupsPath: \"" + std::string(slice) + "\" is not a valid systemd slice name", EINVAL);
    std::string out;
    for (size_t at = stem.find('-'); at != std::string_view::npos; at = stem.find('-', at + 1))
        out += "/" + std::string(stem.substr(0, at)) + ".slice";
    out += "/" + std::string(slice);
    return out;
}

Result<std::string> resolve_cgroup_path(const std::string* cgroups_path, std::string_view id) {
    if (!cgroups_path || cgroups_path->empty()) return std::string(kDefaultParent) + "/" + std::string(id);
    const std::string& p = *cgroups_path;
    if (p[0] == '/') return clean_path(p, p);
    size_t c1 = p.find(':');
    if (c1 != std::string::npos) {
        size_t c2 = p.find(':', c1 + 1);
        if (c2 == std::string::npos || p.find(':', c2 + 1) != std::string::npos)
            return Error("/linux/cgroupsPath: \"" + p + "\": a systemd-style path is \"slice:prefix:name\"", EINVAL);
        std::string slice = p.substr(0, c1), prefix = p.substr(c1 + 1, c2 - c1 - 1), name = p.substr(c2 + 1);
        if (name.empty() || name.find('/') != std::string::npos || prefix.find('/') != std::string::npos)
            return Error("/linux/cgroupsPath: \"" + p + "\": a systemd-style path is \"slice:prefix:name\"", EINVAL);
        std::string base = GK_TRY(expand_slice(slice));
        std::string unit;
        if (name.size() > 6 && name.compare(name.size() - 6, 6, ".slice") == 0) unit = name;
        else unit = (prefix.empty() ? "" : prefix + "-") + name + ".scope";
        return clean_path((base == "/" ? "" : base) + "/" + unit, p);
    }
    return clean_path(std::string(kDefaultParent) + "/" + p, p);
}

}  // namespace gocker::cgroups
