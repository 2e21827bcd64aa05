// Text a container controls (a process's command line, its name) made safe to print on a
// terminal: what procps's ps does.
#pragma once

#include <string>
#include <string_view>

namespace gocker {

// Every control character (C0, DEL, and C1 whether raw or UTF-8 encoded) and every byte that is
// not part of valid UTF-8 becomes '?'; other UTF-8 text is kept. An escape sequence can then
// neither move the cursor, rewrite the title or the screen, nor hide what follows.
std::string printable(std::string_view text);

}  // namespace gocker
