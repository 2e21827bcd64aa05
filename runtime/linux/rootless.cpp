#include "linux/rootless.hpp"

#include <unistd.h>

#include <cstdio>

#include "common/file_io.hpp"

namespace gocker {
namespace {
bool g_rootless = false;
}  // namespace

Result<std::optional<bool>> parse_rootless_flag(std::string_view value) {
    if (value == "true") return std::optional<bool>(true);
    if (value == "false") return std::optional<bool>(false);
    if (value == "auto") return std::optional<bool>();
    return Error("invalid --rootless \"" + std::string(value) + "\": expected true, false or auto", EINVAL);
}

bool is_non_initial_uid_map(std::string_view text) {
    // The initial namespace maps the whole range onto itself: "         0          0 4294967295".
    unsigned long long inside = 1, outside = 1, count = 0;
    std::string line(text.substr(0, text.find('\n')));
    bool whole = std::sscanf(line.c_str(), "%llu %llu %llu", &inside, &outside, &count) == 3 && inside == 0 &&
                 outside == 0 && count == 4294967295ULL && text.find('\n') >= text.size() - 1;
    return !whole;
}

bool in_non_initial_user_ns() {
    auto map = read_whole_file("/proc/self/uid_map");
    return map && is_non_initial_uid_map(*map);
}

bool detect_rootless() { return ::geteuid() != 0 || in_non_initial_user_ns(); }

void set_rootless_mode(bool on) { g_rootless = on; }
bool rootless_mode() { return g_rootless; }

Result<std::string> default_state_root(bool rootless, const char* xdg_runtime_dir) {
    if (!rootless) return std::string("/run/gocker");
    if (!xdg_runtime_dir || !*xdg_runtime_dir)
        return Error(
            "rootless: XDG_RUNTIME_DIR is not set, so there is no default state directory: set "
            "XDG_RUNTIME_DIR or pass --root DIR",
            0);
    if (xdg_runtime_dir[0] != '/')
        return Error("rootless: XDG_RUNTIME_DIR \"" + std::string(xdg_runtime_dir) +
                         "\" is not an absolute path: fix it or pass --root DIR",
                     0);
    return std::string(xdg_runtime_dir) + "/gocker";
}

}  // namespace gocker
