// A config mount in one call, for the tests that plan or make mounts (mount_plan_test.cpp,
// rootfs_test.cpp):
//
//   mnt("/proc", "proc", "proc", {"nosuid"})
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "spec/config.hpp"

namespace gocker::test {

inline spec::Mount mnt(std::string dest, std::string type, std::string source, std::vector<std::string> options) {
    spec::Mount m;
    m.destination = std::move(dest);
    m.type = std::move(type);
    m.source = std::move(source);
    m.options = std::move(options);
    return m;
}

}  // namespace gocker::test
