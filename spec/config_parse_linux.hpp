// Reader for the "linux" object of config.json (config-linux.md). Private to spec/.
#pragma once

#include "spec/config.hpp"
#include "spec/json_reader.hpp"

namespace gocker::spec {

Status read(Reader& r, const JsonValue& v, IdMapping& out);  // config_parse.cpp
Status read(Reader& r, const JsonValue& v, Linux& out);
Status read(Reader& r, const JsonValue& v, Resources& out);
Status read(Reader& r, const JsonValue& v, Seccomp& out);

}  // namespace gocker::spec
