#include "linux/cgroups/manager.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <map>

#include "linux/cgroups/cgroup_fs.hpp"
#include "linux/cgroups/hybrid_manager.hpp"

namespace gocker::cgroups {

ControllerSet CgroupLayout::controllers() const {
    ControllerSet s;
    for (const auto& h : hierarchies) (h.version == 1 ? s.v1 : s.v2).insert(h.controllers.begin(), h.controllers.end());
    return s;
}

CgroupLayout layout_from(CgroupMode mode, const std::vector<MountInfo>& mounts,
                         const std::vector<CgroupController>& controllers) {
    CgroupLayout out;
    out.mode = mode;
    std::map<std::string, Hierarchy> v1;
    for (const auto& c : controllers) {
        if (c.version != 1) continue;
        auto& h = v1[c.mount_point];
        h.version = 1;
        h.mount_point = c.mount_point;
        h.controllers.insert(c.name);
    }
    // Keep the first mount of each controller (a hierarchy may be bind-mounted twice).
    std::set<std::string> seen;
    for (auto& [mp, h] : v1) {
        bool dup = false;
        for (const auto& c : h.controllers) dup = dup || seen.count(c);
        if (dup) continue;
        seen.insert(h.controllers.begin(), h.controllers.end());
        out.hierarchies.push_back(h);
    }
    if (mode == CgroupMode::v2 || mode == CgroupMode::hybrid) {
        std::string v2_mount;
        for (const auto& m : mounts) {
            if (m.fs_type != "cgroup2") continue;
            bool preferred = m.mount_point == (mode == CgroupMode::v2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/unified");
            if (v2_mount.empty() || preferred) v2_mount = m.mount_point;
            if (preferred) break;
        }
        if (!v2_mount.empty()) {
            Hierarchy h;
            h.version = 2;
            h.mount_point = v2_mount;
            for (const auto& c : controllers)
                if (c.version == 2 && c.mount_point == v2_mount) h.controllers.insert(c.name);
            out.hierarchies.push_back(h);
        }
    }
    return out;
}

CgroupLayout detect_layout() {
    static const CgroupLayout layout = [] {
        return layout_from(detect_cgroup_mode(), host_mountinfo(), list_cgroup_controllers());
    }();
    return layout;
}

Result<std::string> CgroupManager::read(const std::string& controller, const std::string& file) const {
    std::string dir = dir_of(controller);
    if (dir.empty()) return Error("the " + controller + " cgroup controller is not available", ENODEV);
    return read_cgroup_file(dir + "/" + file);
}

Result<std::unique_ptr<CgroupManager>> make_manager(const CgroupLayout& layout, const std::string& path) {
    std::vector<Hierarchy> v1;
    const Hierarchy* v2 = nullptr;
    for (const auto& h : layout.hierarchies) {
        if (h.version == 1) v1.push_back(h);
        else if (!v2) v2 = &h;
    }
    if (v1.empty() && !v2) return Error("no cgroup filesystem is mounted", ENODEV);
    if (v1.empty()) return std::unique_ptr<CgroupManager>(std::make_unique<V2Manager>(*v2, path));
    if (!v2) return std::unique_ptr<CgroupManager>(std::make_unique<V1Manager>(std::move(v1), path));
    return std::unique_ptr<CgroupManager>(std::make_unique<HybridManager>(std::move(v1), *v2, path));
}

std::string manager_state_json(const CgroupManager& m) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartObject();
    w.Key("path");
    w.String(m.path().c_str());
    w.Key("created");
    w.StartArray();
    for (const auto& d : m.created_dirs()) w.String(d.c_str());
    w.EndArray();
    w.EndObject();
    return buf.GetString();
}

Result<std::unique_ptr<CgroupManager>> load_manager(const CgroupLayout& layout, const std::string& json) {
    rapidjson::Document doc;
    doc.Parse(json.c_str(), json.size());
    if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("path") || !doc["path"].IsString())
        return Error("cgroup.json: not a saved cgroup state", EINVAL);
    auto m = GK_TRY(make_manager(layout, doc["path"].GetString()));
    std::vector<std::string> created;
    if (doc.HasMember("created") && doc["created"].IsArray())
        for (const auto& v : doc["created"].GetArray())
            if (v.IsString()) created.push_back(v.GetString());
    m->set_created_dirs(std::move(created));
    return m;
}

}  // namespace gocker::cgroups
