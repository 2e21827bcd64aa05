// --trace across the runtime's re-exec: the second process's timeline starts where the first
// process's did, so the re-exec shows as a step.
#include <gtest/gtest.h>
#include <time.h>

#include <cstdlib>
#include <string>

#include "common/trace.hpp"

namespace gocker {
namespace {

uint64_t monotonic_ns() {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

TEST(Trace, AReexecutedRuntimeStartsItsTimelineWhereTheFirstProcessStarted) {
    const uint64_t first = monotonic_ns() - 5000000;  // the first process started 5 ms ago
    ASSERT_EQ(::setenv(trace::kStartVariable, std::to_string(first).c_str(), 1), 0);
    trace::enable();
    EXPECT_EQ(trace::start_ns(), first);
    // Not passed on to hooks or to anything the runtime starts.
    EXPECT_EQ(std::getenv(trace::kStartVariable), nullptr);
    trace::g_enabled = false;  // the other tests run without a timeline
}

}  // namespace
}  // namespace gocker
