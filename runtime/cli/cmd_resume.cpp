// `resume ID`: thaw a paused container.
#include "cli/commands.hpp"

namespace gocker::cli {

int freeze_command(const GlobalOptions& g, std::vector<std::string>& args, bool freeze);  // cmd_pause.cpp

int cmd_resume(const GlobalOptions& g, std::vector<std::string>& args) { return freeze_command(g, args, false); }

}  // namespace gocker::cli
