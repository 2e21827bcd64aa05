// The API's inputs turned into what the command line takes, so that they are checked by the
// same code: a creation request becomes `gocker run`'s arguments.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace gocker::gui {

// {"rootfs":"/abs", "args":["sh","-c","..."], "name":"", "hostname":"", "env":["K=V"],
//  "workdir":"", "user":"UID[:GID]", "volumes":["SRC:DST[:ro]"], "ports":["8080:80"],
//  "network":"bridge|none|host", "cpuLimit":"0.5", "memoryLimit":"64M", "pidsLimit":"20",
//  "userns":"0:1000:65536", "noUserns":false, "readOnly":false, "rm":false,
//  "storage":"overlay|copy", "logMaxSize":"10M"}
// -> ["--name", NAME, ..., "--", ROOTFS, ARGS...]. Unknown keys and wrong types are refused,
// naming the key; empty strings and false are left out (the command line's defaults).
Result<std::vector<std::string>> run_args_from_json(const std::string& body);

// A query parameter that must be a whole number from 0 to `max`.
Result<uint64_t> parse_count(const std::string& text, const char* name, uint64_t max);

}  // namespace gocker::gui
