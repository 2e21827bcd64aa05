#include "net/fault_point.hpp"

namespace gocker::net {

// Weak: the test build's fault/fault_point_on.cpp replaces it.
[[gnu::weak]] void net_fault_point(const char*) {}

}  // namespace gocker::net
