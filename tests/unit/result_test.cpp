// sys_error() reports the errno of the failure, not one left behind by building the message.
#include "common/result.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <string>

namespace gocker {
namespace {

// A message that, like a path lookup made to describe the failure, changes errno while it is built.
std::string describe_clobbering_errno(const std::string& path) {
    errno = ENOENT;
    return "open " + path;
}

TEST(SysError, ErrnoIsReadBeforeTheContextIsBuilt) {
    const std::string path = "/x";
    errno = EACCES;
    Error e = sys_error([&] { return describe_clobbering_errno(path); });
    EXPECT_EQ(e.sys_errno(), EACCES);
    EXPECT_EQ(e.message(), "open /x: permission denied");
}

TEST(SysError, LiteralAndNamedContextsKeepTheErrno) {
    errno = EPERM;
    EXPECT_EQ(sys_error("fork").message(), "fork: operation not permitted");
    const std::string what = "mount \"proc\" on /proc";
    errno = EBUSY;
    EXPECT_EQ(sys_error(what).message(), "mount \"proc\" on /proc: device or resource busy");
}

// The old shape, sys_error("open " + path), built the message before errno was read: it no
// longer compiles, so no call site can come back to it.
template <class Context>
concept SysErrorAccepts = requires(Context c) {
    sys_error(std::move(c));
};
static_assert(!SysErrorAccepts<std::string>, "a temporary string must not be accepted");
static_assert(SysErrorAccepts<const char*>);

}  // namespace
}  // namespace gocker
