#include "cli/cli_json.hpp"

#include "common/json_writer.hpp"
#include "spec/config.hpp"

namespace gocker::cli {

std::string list_json(const std::vector<ContainerInfo>& all) {
    return json::compact([&](auto& w) {
               w.StartArray();
               for (const auto& c : all) {
                   const auto& rec = c.record;
                   w.StartObject();
                   json::member(w, "ociVersion", spec::kOciVersion);
                   json::member(w, "id", rec.id);
                   json::member(w, "pid", c.status == spec::ContainerStatus::stopped ? 0 : rec.pid);
                   json::member(w, "status", spec::status_name(c.status));
                   json::member(w, "bundle", rec.bundle);
                   json::member(w, "rootfs", rec.rootfs);
                   json::member(w, "created", rec.created);
                   json::member(w, "owner", rec.owner);
                   w.EndObject();
               }
               w.EndArray();
           }) +
           "\n";
}

std::string event_json(std::string_view type, std::string_view id, const std::string* data_json) {
    return json::compact([&](auto& w) {
        w.StartObject();
        json::member(w, "type", type);
        json::member(w, "id", id);
        if (data_json) {
            json::key(w, "data");
            json::raw(w, *data_json);
        }
        w.EndObject();
    });
}

std::string check_json(const CheckReport& c) {
    return json::pretty([&](auto& w) {
               w.StartObject();
               json::member(w, "cgroupMode", c.cgroup_mode);
               json::key(w, "items");
               w.StartArray();
               for (const auto& row : c.rows) {
                   w.StartObject();
                   json::member(w, "item", row.item);
                   json::member(w, "status", row.status);
                   json::member(w, "detail", row.detail);
                   w.EndObject();
               }
               w.EndArray();
               json::key(w, "config");
               w.StartObject();
               json::member(w, "path", c.config_path);
               json::member(w, "valid", c.config_error.empty());
               json::member_if_set(w, "error", c.config_error);
               json::member(w, "problems", c.problems);
               w.EndObject();
               json::member(w, "canRun", c.can_run);
               w.EndObject();
           }) +
           "\n";
}

}  // namespace gocker::cli
