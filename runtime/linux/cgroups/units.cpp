#include "linux/cgroups/units.hpp"

#include <cctype>
#include <cmath>
#include <string>

namespace gocker::cgroups {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

Error bad(std::string_view flag, std::string_view text, const char* expected) {
    return Error(std::string(flag) + ": invalid value \"" + std::string(text) + "\" (expected " + expected + ")", 0);
}

// Leading decimal number ("1", "0.5"); `used` gets its length; false if none.
bool leading_number(const std::string& s, double& value, size_t& used) {
    size_t i = 0;
    bool digits = false;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, digits = true;
    if (i < s.size() && s[i] == '.') {
        ++i;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, digits = true;
    }
    if (!digits) return false;
    value = std::stod(s.substr(0, i));
    used = i;
    return true;
}

}  // namespace

Result<int64_t> parse_bytes(std::string_view text, std::string_view flag) {
    const char* expected = "a size such as 512M, 1G, 4096, or max";
    std::string s = lower(text);
    if (s == "max" || s == "-1") return int64_t{-1};
    double value;
    size_t used;
    if (!leading_number(s, value, used)) return bad(flag, text, expected);
    std::string unit = s.substr(used);
    if (unit.size() > 1 && unit.back() == 'b') unit.pop_back();   // "gb", "mb"
    if (unit.size() == 2 && unit.back() == 'i') unit.pop_back();  // "gi" from "gib"
    double mult = 1;
    if (unit == "" || unit == "b") mult = 1;
    else if (unit == "k") mult = 1024.0;
    else if (unit == "m") mult = 1024.0 * 1024;
    else if (unit == "g") mult = 1024.0 * 1024 * 1024;
    else if (unit == "t") mult = 1024.0 * 1024 * 1024 * 1024;
    else return bad(flag, text, expected);
    double bytes = std::floor(value * mult);
    if (bytes >= 9.2e18) return bad(flag, text, "a size below 8 EiB");
    return static_cast<int64_t>(bytes);
}

Result<CpuQuota> parse_cpu_limit(std::string_view text, std::string_view flag) {
    const char* expected = "a number of CPUs such as 0.5, 1, 2, or max";
    std::string s = lower(text);
    CpuQuota q;
    if (s == "max") return q;
    double cpus;
    size_t used;
    if (!leading_number(s, cpus, used) || used != s.size()) return bad(flag, text, expected);
    if (cpus <= 0) return bad(flag, text, "a positive number of CPUs, or max");
    q.quota = static_cast<int64_t>(std::llround(cpus * static_cast<double>(q.period)));
    if (q.quota < 1000) return bad(flag, text, "at least 0.01 CPUs (the kernel's smallest quota is 1 ms)");
    return q;
}

Result<std::chrono::milliseconds> parse_duration(std::string_view text, std::string_view flag) {
    const char* expected = "a duration such as 5s, 100ms or 1m30s";
    std::string s = lower(text);
    if (s.empty()) return bad(flag, text, expected);
    double total_ms = 0;
    size_t i = 0;
    while (i < s.size()) {
        double value;
        size_t used;
        if (!leading_number(s.substr(i), value, used)) return bad(flag, text, expected);
        i += used;
        size_t j = i;
        while (j < s.size() && std::isalpha(static_cast<unsigned char>(s[j]))) ++j;
        std::string unit = s.substr(i, j - i);
        i = j;
        if (unit.empty() && i == s.size() && total_ms == 0) unit = "s";
        if (unit == "ns") total_ms += value / 1e6;
        else if (unit == "us" || unit == "µs") total_ms += value / 1e3;
        else if (unit == "ms") total_ms += value;
        else if (unit == "s") total_ms += value * 1e3;
        else if (unit == "m") total_ms += value * 60e3;
        else if (unit == "h") total_ms += value * 3600e3;
        else return bad(flag, text, expected);
    }
    if (total_ms < 1) return bad(flag, text, "a duration of at least 1ms");
    return std::chrono::milliseconds(static_cast<int64_t>(total_ms));
}

}  // namespace gocker::cgroups
