#include "linux/cgroups/manager.hpp"

#include <fcntl.h>

#include <rapidjson/document.h>

#include <algorithm>
#include <map>

#include "common/fd.hpp"
#include "common/json_writer.hpp"
#include "common/log.hpp"
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
    // Each v1 controller is listed once, at its first mount (cgroup_controllers_from), so a
    // hierarchy mounted twice yields one Hierarchy.
    std::map<std::string, Hierarchy> v1;
    for (const auto& c : controllers) {
        if (c.version != 1) continue;
        auto& h = v1[c.mount_point];
        h.version = 1;
        h.mount_point = c.mount_point;
        h.controllers.insert(c.name);
    }
    for (auto& [mp, h] : v1) out.hierarchies.push_back(std::move(h));
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

const CgroupLayout& detect_layout() {
    static const CgroupLayout layout = layout_from(detect_cgroup_mode(), host_mountinfo(), list_cgroup_controllers());
    return layout;
}

bool CgroupManager::made(const std::string& dir) const {
    return std::find(created_.begin(), created_.end(), dir) != created_.end();
}

bool CgroupManager::made_all_leaves() const {
    auto leaves = leaf_dirs();
    return std::all_of(leaves.begin(), leaves.end(), [&](const std::string& d) { return made(d); });
}

Result<std::string> CgroupManager::read(const std::string& controller, const std::string& file) const {
    std::string dir = dir_of(controller);
    if (dir.empty()) return Error("the " + controller + " cgroup controller is not available", ENODEV);
    return read_cgroup_file(dir + "/" + file);
}

Status apply_writes(const CgroupManager& m, const std::vector<CgroupWrite>& writes) {
    std::vector<const CgroupWrite*> retry;
    // Consecutive writes to one file (a v1 devices.allow takes one rule per write) share one
    // descriptor: opening a cgroup file is the expensive part of a write.
    std::string open_file;
    UniqueFd open_fd;
    auto write_file = [&](const std::string& file, const std::string& value) -> Status {
        if (!open_fd || file != open_file) {
            open_fd.reset();
            open_file.clear();
            UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CLOEXEC));
            if (!fd) return sys_error([&] { return "open " + file; });
            open_fd = std::move(fd);
            open_file = file;
        }
        return write_cgroup_fd(open_fd.get(), file, value);
    };
    auto write_one = [&](const CgroupWrite& w) -> Status {
        // controller "" is a cgroup.* core file: the v2 directory.
        std::string dir = m.dir_of(w.controller);
        if (dir.empty())
            return Error(w.field + ": the " + w.controller + " cgroup controller is not available", ENODEV);
        std::string file = dir + "/" + w.file;
        // Write first: the file is there on nearly every kernel, and looking first costs one
        // more system call per write. Only a failed write asks whether the file exists.
        Status st = write_file(file, w.value);
        if (!st && !path_exists(file)) {
            if (!w.fallback_file.empty() && path_exists(dir + "/" + w.fallback_file)) {
                st = write_file(dir + "/" + w.fallback_file, w.fallback_value);
            } else if (w.optional) {
                std::string why = w.field + ": " + file + " does not exist on this kernel; the value is not applied";
                if (w.quiet) log::debug(why);
                else log::warning(why);
                return {};
            }
        }
        if (!st) return std::move(st).error().wrap(w.field);
        return {};
    };
    for (const auto& w : writes) {
        Status st = write_one(w);
        if (!st) {
            int e = st.error().sys_errno();
            if (e == EINVAL || e == EBUSY || e == EPERM) retry.push_back(&w);
            else return st;
        }
    }
    for (const CgroupWrite* w : retry) GK_TRY(write_one(*w));
    return {};
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
    return json::compact([&](auto& w) {
        w.StartObject();
        json::member(w, "path", m.path());
        json::member(w, "created", m.created_dirs());
        w.EndObject();
    });
}

Result<std::unique_ptr<CgroupManager>> load_manager(const CgroupLayout& layout, const std::string& json) {
    rapidjson::Document doc;
    doc.Parse(json.c_str(), json.size());
    if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("path") || !doc["path"].IsString())
        return Error("cgroup.json: not a saved cgroup state", EINVAL);
    auto m = GK_TRY(make_manager(layout, std::string(doc["path"].GetString(), doc["path"].GetStringLength())));
    std::vector<std::string> created;
    if (doc.HasMember("created") && doc["created"].IsArray())
        for (const auto& v : doc["created"].GetArray())
            if (v.IsString()) created.emplace_back(v.GetString(), v.GetStringLength());
    m->set_created_dirs(std::move(created));
    return m;
}

}  // namespace gocker::cgroups
