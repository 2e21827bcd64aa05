// Fuzz target: the state files read back from --root -- our own <id>/state.json record
// (record_from_json) and the OCI state document (spec::parse_state). A record that is read is
// written and read again and must not change.
#include "container/state_store.hpp"
#include "spec/state.hpp"

#include <cstdint>
#include <string_view>

#include "fuzz_check.hpp"

namespace {

bool same(const gocker::ContainerRecord& a, const gocker::ContainerRecord& b) {
    return a.id == b.id && a.bundle == b.bundle && a.rootfs == b.rootfs && a.pid == b.pid &&
           a.start_time == b.start_time && a.created == b.created && a.owner == b.owner &&
           a.annotations == b.annotations && a.cgroup_path == b.cgroup_path && a.has_pid_ns == b.has_pid_ns &&
           a.user_ns == b.user_ns;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view json(reinterpret_cast<const char*>(data), size);
    auto record = gocker::record_from_json(json);
    if (record) {
        const std::string written = gocker::record_to_json(*record);
        auto again = gocker::record_from_json(written);
        if (!again) gocker::fuzz::fail("a record that was read, written out, does not read again", again.error());
        if (!same(*record, *again))
            gocker::fuzz::fail("a record written out and read back changed", gocker::Error(written));
    } else {
        gocker::fuzz::check_message(record.error());
    }
    auto state = gocker::spec::parse_state(json);
    if (state) {
        const std::string written = gocker::spec::state_to_json(*state);
        auto again = gocker::spec::parse_state(written);
        if (!again) gocker::fuzz::fail("a state that was read, written out, does not read again", again.error());
    } else {
        gocker::fuzz::check_message(state.error());
    }
    return 0;
}
