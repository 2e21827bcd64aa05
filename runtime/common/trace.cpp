#include "common/trace.hpp"

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace gocker::trace {

bool g_enabled = false;

namespace {

struct Mark {
    std::string step;
    char who;
    uint64_t ns;  // CLOCK_MONOTONIC: the same clock in the runtime and the init
};

std::vector<Mark>& marks() {
    static std::vector<Mark> m;
    return m;
}

}  // namespace

uint64_t now_ns() {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

void enable() {
    g_enabled = true;
    marks().reserve(64);
    // A process that the runtime re-executed (create, run, exec: hygiene.hpp) starts its timeline
    // where the first one started, so that the re-exec is a step of its own.
    if (const char* t0 = std::getenv(kStartVariable)) {
        uint64_t ns = std::strtoull(t0, nullptr, 10);
        ::unsetenv(kStartVariable);
        if (ns > 0 && ns <= now_ns()) {
            marks().push_back({"start", 'r', ns});
            marks().push_back({"re-exec", 'r', now_ns()});
            return;
        }
    }
    marks().push_back({"start", 'r', now_ns()});
}

uint64_t start_ns() { return marks().empty() ? 0 : marks().front().ns; }

void mark_slow(const char* step, char who) { marks().push_back({step, who, now_ns()}); }

std::string encode_marks() {
    std::string out;
    for (const auto& m : marks())
        if (m.who == 'i') out += std::string(1, m.who) + " " + m.step + " " + std::to_string(m.ns) + "\n";
    return out;
}

void merge_marks(std::string_view text) {
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string line(text.substr(pos, end - pos));
        pos = end + 1;
        size_t a = line.find(' '), b = line.rfind(' ');
        if (a == std::string::npos || b == a) continue;
        marks().push_back({line.substr(a + 1, b - a - 1), line[0], std::strtoull(line.c_str() + b + 1, nullptr, 10)});
    }
    std::stable_sort(marks().begin(), marks().end(), [](const Mark& x, const Mark& y) { return x.ns < y.ns; });
}

void print(std::string_view command) {
    if (!g_enabled || marks().empty()) return;
    mark_slow("exit", 'r');
    const auto& m = marks();
    uint64_t t0 = m.front().ns, prev = t0;
    std::string out = "trace: " + std::string(command) + "\n";
    char line[160];
    snprintf(line, sizeof line, "  %-28s %-8s %10s %10s\n", "step", "process", "took (us)", "at (us)");
    out += line;
    for (size_t i = 1; i < m.size(); ++i) {
        snprintf(line, sizeof line, "  %-28s %-8s %10.1f %10.1f\n", m[i].step.c_str(),
                 m[i].who == 'i' ? "init" : "runtime", (m[i].ns - prev) / 1000.0, (m[i].ns - t0) / 1000.0);
        out += line;
        prev = m[i].ns;
    }
    ssize_t w = ::write(2, out.data(), out.size());
    (void)w;
}

}  // namespace gocker::trace
