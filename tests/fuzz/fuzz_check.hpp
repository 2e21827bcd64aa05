// What every fuzz target checks besides "no crash, no sanitizer report": an error it gets back
// is one line that says something, as the user would see it.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "common/result.hpp"

namespace gocker::fuzz {

[[noreturn]] inline void fail(std::string_view what, const Error& e) {
    std::fprintf(stderr, "fuzz: %.*s: %s\n", static_cast<int>(what.size()), what.data(), e.message().c_str());
    std::abort();
}

inline void check_message(const Error& e) {
    const std::string msg = e.message();
    if (msg.empty()) fail("an error with an empty message", e);
    if (msg.find('\n') != std::string::npos) fail("an error message of several lines", e);
}

}  // namespace gocker::fuzz
