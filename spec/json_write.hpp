// What the spec's document writers (config_write.cpp, features.cpp, state.cpp) share: the
// project's one JSON writer (common/json_writer.hpp), its helpers named in gocker::spec, next to
// the write() overloads each of them adds for its own types.
#pragma once

#include "common/json_writer.hpp"

namespace gocker::spec {

using json::key;
using json::member;
using json::member_if_set;
using json::write;

}  // namespace gocker::spec
