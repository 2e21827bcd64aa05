// linux.sysctl: written to /proc/sys inside the container after it entered its root.
#pragma once

#include <map>
#include <string>

#include "common/result.hpp"

namespace gocker {

// "net.ipv4.ip_forward" -> "/proc/sys/net/ipv4/ip_forward" (dots and slashes both separate;
// empty, "." and ".." components are refused so a key cannot leave /proc/sys).
Result<std::string> sysctl_proc_path(const std::string& key);

// Writes every value; the error names the key: `write sysctl "kernel.x": no such file or directory`.
// The opened file must be on procfs, so an image with no /proc mounted cannot redirect the write.
Status apply_sysctls(const std::map<std::string, std::string>& sysctls);

}  // namespace gocker
