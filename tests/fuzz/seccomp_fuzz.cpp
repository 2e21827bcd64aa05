// Fuzz target: the seccomp profile compiler. The input is the linux.seccomp object of a
// config.json (the shape of bundles/profiles/seccomp-default.json); it goes through the config
// parser and validator as it would in `create`, then compile_seccomp and the BPF export. Nothing
// is loaded into the kernel.
#include "linux/seccomp.hpp"
#include "spec/config_io.hpp"

#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string json = R"({"ociVersion":"1.0.2","root":{"path":"rootfs"},"process":{"args":["sh"],"cwd":"/"},)"
                       R"("linux":{"seccomp":)";
    json.append(reinterpret_cast<const char*>(data), size);
    json += "}}";
    auto cfg = gocker::spec::parse_config(json);
    if (!cfg) return gocker::fuzz::check_message(cfg.error()), 0;
    if (gocker::Status st = gocker::spec::validate_config(*cfg); !st) return gocker::fuzz::check_message(st.error()), 0;
    if (!cfg->linux || !cfg->linux->seccomp) return 0;
    auto filter = gocker::compile_seccomp(*cfg->linux->seccomp);
    if (!filter) return gocker::fuzz::check_message(filter.error()), 0;
    auto bpf = filter->export_bpf();
    if (!bpf) gocker::fuzz::fail("a compiled filter cannot be exported", bpf.error());
    if (bpf->empty() || bpf->size() % 8 != 0)
        gocker::fuzz::fail("the exported BPF is not whole instructions", gocker::Error(""));
    return 0;
}
