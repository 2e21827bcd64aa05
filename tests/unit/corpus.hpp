// The JSON corpora the unit tests read: our own (tests/data/, always there) and, only when one is
// given, an external checkout of the OCI runtime-spec whose schema/test/ files are read too.
//
//   own_corpus("configs", "good")   tests/data/configs/good/*.json, sorted
//   external_spec_dir()             $GOCKER_SPEC_DIR, else cmake -DGOCKER_SPEC_DIR=..., else none
//
// The tests that need the external checkout skip, saying how to give one, when there is none.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/file_io.hpp"

namespace gocker::test {

inline std::string slurp(const std::filesystem::path& p) {
    auto text = gocker::read_whole_file(p.string());
    return text ? *text : "";
}

inline std::vector<std::filesystem::path> json_files(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec))
        if (e.path().extension() == ".json") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    return files;
}

inline std::filesystem::path own_data_dir() { return std::filesystem::path(GOCKER_SOURCE_DIR) / "tests/data"; }

inline std::vector<std::filesystem::path> own_corpus(const char* kind, const char* verdict) {
    return json_files(own_data_dir() / kind / verdict);
}

// An OCI runtime-spec checkout to read schema/test/ from, when one was given.
inline std::optional<std::filesystem::path> external_spec_dir() {
    const char* env = std::getenv("GOCKER_SPEC_DIR");
    std::string dir = env && *env ? env : GOCKER_SPEC_DIR;
    if (dir.empty()) return std::nullopt;
    return std::filesystem::path(dir);
}

inline constexpr const char* kNoExternalSpec =
    "no external OCI runtime-spec checkout given; set GOCKER_SPEC_DIR=/path/to/runtime-spec (environment, "
    "or cmake -DGOCKER_SPEC_DIR=...) to also check its schema/test corpus";

}  // namespace gocker::test
