// The JSON documents the runtime's commands print: `list --format json` (runc's list entries),
// `events` (one object per event) and `check --format json`. Clients parse them (containerd
// and podman read list and events --stats), so their key names, types and nesting are fixed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "container/lifecycle.hpp"

namespace gocker::cli {

// `[{"ociVersion","id","pid","status","bundle","rootfs","created","owner"}, ...]` and a newline.
std::string list_json(const std::vector<ContainerInfo>& all);

// `{"type":TYPE,"id":ID}`, with `"data":DATA` when `data_json` (a JSON object) is given.
std::string event_json(std::string_view type, std::string_view id, const std::string* data_json);

struct CheckRow {
    std::string item, status, detail;  // status: ok, warn or fail
};

struct CheckReport {
    std::string cgroup_mode;
    std::vector<CheckRow> rows;
    std::string config_path;   // the bundle's config.json, or a label for the default config
    std::string config_error;  // empty: the config is valid
    std::vector<std::string> problems;
    bool can_run = false;
};

// `{"cgroupMode", "items":[{"item","status","detail"}], "config":{"path","valid"[,"error"],
// "problems"}, "canRun"}`, indented, and a newline.
std::string check_json(const CheckReport& report);

}  // namespace gocker::cli
