// Fuzz target: config.json as a client hands it to `create` -- the parser, then the validator.
// A config that is accepted is written back out and must read back the same.
#include "spec/config_io.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view json(reinterpret_cast<const char*>(data), size);
    auto cfg = gocker::spec::parse_config(json);
    if (!cfg) {
        gocker::fuzz::check_message(cfg.error());
        return 0;
    }
    gocker::Status valid = gocker::spec::validate_config(*cfg);
    if (!valid) {
        gocker::fuzz::check_message(valid.error());
        return 0;
    }
    const std::string written = gocker::spec::config_to_json(*cfg);
    auto again = gocker::spec::parse_config(written);
    if (!again) gocker::fuzz::fail("an accepted config, written out, does not parse again", again.error());
    if (!(*again == *cfg))
        gocker::fuzz::fail("an accepted config, written out and read back, changed", gocker::Error(written));
    return 0;
}
