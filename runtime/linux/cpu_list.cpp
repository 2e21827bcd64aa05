#include "linux/cpu_list.hpp"

#include <sched.h>

#include <algorithm>
#include <charconv>
#include <memory>
#include <string>

namespace gocker {

namespace {

// Large enough for any real machine (the kernel's NR_CPUS tops out at 8192) while refusing
// "0-4000000000", which would otherwise allocate gigabytes.
constexpr unsigned kMaxListNumber = 65535;

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool parse_number(std::string_view s, unsigned* out) {
    s = trim(s);
    if (s.empty()) return false;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
    return ec == std::errc() && end == s.data() + s.size() && *out <= kMaxListNumber;
}

}  // namespace

Result<std::vector<unsigned>> parse_cpu_list(std::string_view list) {
    std::vector<unsigned> out;
    if (trim(list).empty()) return out;
    auto invalid = [&](std::string_view item) {
        return Error("invalid list \"" + std::string(list) + "\": bad item \"" + std::string(trim(item)) + "\"");
    };
    size_t start = 0;
    while (start <= list.size()) {
        size_t comma = list.find(',', start);
        if (comma == std::string_view::npos) comma = list.size();
        std::string_view item = list.substr(start, comma - start);
        size_t dash = item.find('-');
        unsigned lo = 0, hi = 0;
        if (dash == std::string_view::npos) {
            if (!parse_number(item, &lo)) return invalid(item);
            hi = lo;
        } else if (!parse_number(item.substr(0, dash), &lo) || !parse_number(item.substr(dash + 1), &hi) || lo > hi) {
            return invalid(item);
        }
        for (unsigned n = lo; n <= hi; ++n) out.push_back(n);
        start = comma + 1;
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

Status set_cpu_affinity(std::string_view list, std::string_view field) {
    auto cpus = parse_cpu_list(list);
    if (!cpus) return std::move(cpus).error().wrap(std::string(field));
    if (cpus->empty()) return ok_status();
    // A dynamically sized set: CPU numbers above CPU_SETSIZE (1024) are valid on big machines.
    const size_t count = cpus->back() + 1;
    struct CpuSetFree {
        void operator()(cpu_set_t* s) const { CPU_FREE(s); }
    };
    std::unique_ptr<cpu_set_t, CpuSetFree> set(CPU_ALLOC(count));
    if (!set) return sys_error([&] { return "allocate a CPU set for " + std::string(field); });
    const size_t bytes = CPU_ALLOC_SIZE(count);
    CPU_ZERO_S(bytes, set.get());
    for (unsigned cpu : *cpus) CPU_SET_S(cpu, bytes, set.get());
    if (sched_setaffinity(0, bytes, set.get()) != 0) {
        const int err = errno;
        return Error("sched_setaffinity to " + std::string(field) + " \"" + std::string(list) + "\"", err);
    }
    return ok_status();
}

}  // namespace gocker
