// The fault points of the test build (see net/fault_point.hpp): not part of gocker_net_lib.
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "net/fault_point.hpp"

namespace gocker::net {

void net_fault_point(const char* step) {
    const char* want = std::getenv("GOCKER_NET_FAULT");
    if (want && std::strcmp(want, step) == 0) ::kill(::getpid(), SIGKILL);
}

}  // namespace gocker::net
