// gocker-net's CNI face, part 2: the commands (CNI spec 1.1.0: ADD, DEL, CHECK, STATUS, GC,
// VERSION; configs of cniVersion 0.4.0 to 1.1.0). gocker-net acts as a CNI plugin when
// CNI_COMMAND is set in its environment. The result (ADD, VERSION) or the error
// ({"cniVersion","code","msg","details"}) is written to `out`; the exit status is returned.
#pragma once

#include <map>
#include <string>

namespace gocker::net {

int run_cni(const std::map<std::string, std::string>& env, const std::string& stdin_json, std::string& out);

}  // namespace gocker::net
