// Small checks shared by the config validators. Each reports at the Reader's current path.
// Private to spec/.
#pragma once

#include <string>
#include <string_view>

#include "spec/config.hpp"
#include "spec/json_reader.hpp"
#include "spec/oci_names.hpp"

namespace gocker::spec {

inline std::string quoted(std::string_view s) {
    std::string q;
    q.reserve(s.size() + 2);
    q += '"';
    q += s;
    q += '"';
    return q;
}

inline Status check_absolute(const Reader& r, const std::string& path) {
    if (!path.empty() && path.front() == '/') return {};
    return r.error("must be an absolute path, got " + quoted(path));
}

// `what` names the kind of value for the message: unknown <what> "<value>".
inline Status check_known(const Reader& r, names::List list, std::string_view value, std::string_view what) {
    if (names::contains(list, value)) return {};
    return r.error("unknown " + std::string(what) + " " + quoted(value));
}

Status validate_linux(Reader& r, const Config& cfg, const Linux& lx);  // config_validate_linux.cpp

}  // namespace gocker::spec
