#include "common/result.hpp"

#include <cctype>
#include <cstring>

namespace gocker {

std::string errno_text(int err) {
    std::string s = strerrordesc_np(err) ? strerrordesc_np(err) : ("errno " + std::to_string(err));
    if (!s.empty() && std::isupper(static_cast<unsigned char>(s[0])) &&
        !(s.size() > 1 && std::isupper(static_cast<unsigned char>(s[1]))))
        s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
    return s;
}

std::string Error::message() const {
    if (errno_ == 0) return context_;
    if (context_.empty()) return errno_text(errno_);
    return context_ + ": " + errno_text(errno_);
}

}  // namespace gocker
