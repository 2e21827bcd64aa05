// printable(): what `ps` prints of a container's command lines.
#include <gtest/gtest.h>

#include "common/printable.hpp"

namespace gocker {
namespace {

TEST(Printable, TerminalEscapeSequencesAreDefused) {
    // The report's argv: set the window title, clear the screen.
    EXPECT_EQ(printable("sh \033]0;owned\007\033[2J"), "sh ?]0;owned??[2J");
    EXPECT_EQ(printable("a\tb\nc\rd\x7f"), "a?b?c?d?");
}

TEST(Printable, C1ControlsAreDefusedRawAndEncoded) {
    EXPECT_EQ(printable("x\x9b"
                        "2J"),
              "x?2J");  // raw 8-bit CSI (not UTF-8)
    EXPECT_EQ(printable("x\xc2\x9b"
                        "2J"),
              "x?2J");  // U+009B, UTF-8 encoded
}

TEST(Printable, ValidUtf8IsKeptAndInvalidBytesAreNot) {
    EXPECT_EQ(printable("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3"), "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3");
    EXPECT_EQ(printable("\xc0\xaf"), "??");       // overlong '/'
    EXPECT_EQ(printable("\xed\xa0\x80"), "???");  // a surrogate
    EXPECT_EQ(printable("ab\xe2\x82"), "ab??");   // truncated at the end
    EXPECT_EQ(printable("plain text 123"), "plain text 123");
}

}  // namespace
}  // namespace gocker
