#include "common/passwd.hpp"

#include <charconv>

#include "common/file_io.hpp"

namespace gocker {

std::optional<std::string> passwd_name_of(std::string_view passwd, uid_t uid) {
    while (!passwd.empty()) {
        size_t eol = passwd.find('\n');
        std::string_view line = passwd.substr(0, eol);
        passwd = eol == std::string_view::npos ? std::string_view{} : passwd.substr(eol + 1);
        // name:password:uid:gid:gecos:home:shell
        size_t c1 = line.find(':');
        if (c1 == 0 || c1 == std::string_view::npos) continue;
        size_t c2 = line.find(':', c1 + 1);
        if (c2 == std::string_view::npos) continue;
        size_t c3 = line.find(':', c2 + 1);
        std::string_view field = line.substr(c2 + 1, c3 == std::string_view::npos ? c3 : c3 - c2 - 1);
        unsigned long value = 0;
        auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
        if (ec != std::errc{} || end != field.data() + field.size() || field.empty()) continue;
        if (value == uid) return std::string(line.substr(0, c1));
    }
    return std::nullopt;
}

std::string user_name_of(uid_t uid) {
    if (uid == 0) return "root";
    if (auto text = read_whole_file("/etc/passwd")) {
        if (auto name = passwd_name_of(*text, uid)) return *name;
    }
    return std::to_string(uid);
}

}  // namespace gocker
