// `gocker gui`: the web console. An HTTP server (cpp-httplib) on loopback by default that serves
// the embedded page (web/, turned into web_assets.cpp at build time) and a JSON API over the same
// gocker/core calls as the command line:
//   GET    /api/containers              every container (record_view_json), oldest first
//   POST   /api/containers              {"rootfs":..., "args":[...], ...} -> 201 and the record
//   GET    /api/containers/ID           one container
//   POST   /api/containers/ID/stop      ?time=SECONDS (default 10)
//   DELETE /api/containers/ID           ?force=1 kills a running one first
//   GET    /api/containers/ID/logs      NDJSON records ?follow=1 streams (logs -f), ?tail=N
//   GET    /api/containers/ID/stats     cpu %, memory and pids against their limits
// Every request carries the token printed at start (X-Gocker-Token header for the API; ?token=
// or the cookie the page sets for the page's own files). POST and DELETE are the only requests
// that change anything, and a browser's Origin on them must be the console's own.
#pragma once

#include <string>

#include "core/store.hpp"

namespace gocker::gui {

// Serves until SIGINT or SIGTERM; the process's exit code.
int serve(const core::Store& store, const std::string& listen, const std::string& cgroup_parent);

}  // namespace gocker::gui
