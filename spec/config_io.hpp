// Reading and writing config.json.
//
// load_config() = read file + parse_config() + validate_config(). Every error names the JSON
// path (RFC 6901 pointer) and what was wrong, e.g.
//   config.json: /process/args: expected an array of strings, got a string
//   config.json: line 3, column 7: missing a comma or '}' after an object member
// Unknown fields are accepted (config.md, extensibility).
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"
#include "spec/config.hpp"

namespace gocker::spec {

// Parses JSON text into a Config: types, required fields and value syntax, each error with its path.
// `origin` prefixes messages ("config.json").
Result<Config> parse_config(std::string_view json, std::string_view origin = "config.json");

// Semantic validation (enums, absolute paths, ociVersion range, namespaces/mappings/sysctl
// consistency, ...). Errors are "config.json: /json/path: what".
Status validate_config(const Config& cfg, std::string_view origin = "config.json");

// A bare OCI process object (`exec --process FILE`), parsed and validated like config.json's
// /process, with paths relative to the object: "process.json: /args: must not be empty".
Result<Process> parse_process(std::string_view json, std::string_view origin);
Status validate_process(const Process& p, std::string_view origin);

// A bare linux.resources object (`update --resources FILE`), parsed as config.json's would be;
// errors name the field as there (/linux/resources/...).
Result<Resources> parse_resources(std::string_view json, std::string_view origin);
// A bare linux.seccomp object (a seccomp profile file), the same way (/linux/seccomp/...).
Result<Seccomp> parse_seccomp(std::string_view json, std::string_view origin);
// The checks validate_config() makes of linux.resources, alone: `update --resources` takes
// that object by itself. Errors name the field as in config.json (/linux/resources/...).
Status validate_resources(const Resources& res, std::string_view origin);

// Reads `path`, parses and validates it.
Result<Config> load_config(const std::string& path);

// Serialises a Config as pretty-printed JSON with the spec's field names (used by `spec` and
// for round-trip tests). Absent optionals are omitted.
std::string config_to_json(const Config& cfg);

// The default configuration that `gocker-runtime spec` writes (the same shape as `runc spec`):
// sh in a busybox-style rootfs, all namespaces but user (and with rootless=true, a user
// namespace mapping the caller's uid/gid to root and no network namespace).
Config default_config(bool rootless = false, uint32_t host_uid = 0, uint32_t host_gid = 0);

// The lowest runtime-spec version that has every field `spec` can put in a config (the defaults,
// a seccomp profile, the seed's limits): "1.0.2", or "1.1.0" for a seccomp listener
// (SCMP_ACT_NOTIFY, listenerPath). `spec` writes it so that older runtimes (crun 1.8 refuses
// anything but 1.0.x: "unknown version specified") accept the config too.
std::string lowest_spec_version(const Config& cfg);

}  // namespace gocker::spec
