#include <gtest/gtest.h>

#include "common/passwd.hpp"

namespace gocker {
namespace {

constexpr const char* kPasswd =
    "root:x:0:0:root:/root:/bin/bash\n"
    "# a comment line\n"
    "broken-line-without-fields\n"
    "bad:x:12x:0::/:/bin/sh\n"
    ":x:7:7::/:/bin/sh\n"
    "alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\n"
    "bob:x:1001:1001::/home/bob:/bin/sh";  // no final newline

TEST(Passwd, FindsTheNameOfAUid) {
    EXPECT_EQ(passwd_name_of(kPasswd, 0), "root");
    EXPECT_EQ(passwd_name_of(kPasswd, 1000), "alice");
    EXPECT_EQ(passwd_name_of(kPasswd, 1001), "bob");
}

TEST(Passwd, SkipsMalformedLinesAndUnknownUids) {
    EXPECT_EQ(passwd_name_of(kPasswd, 12), std::nullopt);  // "12x" is not a uid
    EXPECT_EQ(passwd_name_of(kPasswd, 7), std::nullopt);   // an empty name is no name
    EXPECT_EQ(passwd_name_of(kPasswd, 4242), std::nullopt);
    EXPECT_EQ(passwd_name_of("", 0), std::nullopt);
}

TEST(Passwd, UserNameFallsBackToTheNumber) {
    EXPECT_EQ(user_name_of(0), "root");
    EXPECT_EQ(user_name_of(4294967290u), "4294967290");
}

}  // namespace
}  // namespace gocker
