// The user name of a uid, read from /etc/passwd by hand.
//
// The runtime is a static binary (see CMakeLists.txt), and glibc's getpwuid() in a static binary
// loads the NSS modules with dlopen at run time — the host's shared libraries, inside a static
// program. The state's "owner" only needs the local name, so /etc/passwd is read directly.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

namespace gocker {

// The name of the first entry of `passwd` (the text of an /etc/passwd file) whose uid is `uid`.
std::optional<std::string> passwd_name_of(std::string_view passwd, uid_t uid);

// "root" for 0; else the name from /etc/passwd; else the uid as a number.
std::string user_name_of(uid_t uid);

}  // namespace gocker
