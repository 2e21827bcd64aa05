#include "net/container_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "common/fd.hpp"
#include "common/file_io.hpp"

namespace gocker::net {

namespace {

constexpr std::string_view kMark = "\t# gocker-net";

bool is_bind(const spec::Mount& m) {
    return m.type == "bind" || std::any_of(m.options.begin(), m.options.end(),
                                           [](const std::string& o) { return o == "bind" || o == "rbind"; });
}

}  // namespace

std::string hosts_with_address(std::string_view hosts, Ipv4 address, const std::string& hostname) {
    std::string out;
    while (!hosts.empty()) {
        size_t nl = hosts.find('\n');
        std::string_view line = hosts.substr(0, nl);
        if (!line.ends_with(kMark)) (out += line) += '\n';
        hosts = nl == std::string_view::npos ? std::string_view{} : hosts.substr(nl + 1);
    }
    if (!hostname.empty()) out += to_string(address) + "\t" + hostname + std::string(kMark) + "\n";
    return out;
}

std::string bundle_hosts_file(const spec::Config& cfg, const std::string& bundle) {
    std::string name;
    for (const auto& m : cfg.mounts)
        if (m.destination == "/etc/hosts" && is_bind(m)) name = m.source;  // the last mount wins
    std::string prefix = bundle + "/";
    if (name.starts_with(prefix)) name = name.substr(prefix.size());
    if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") return "";
    return name;
}

Status fill_bundle_hosts(const spec::Config& cfg, const std::string& bundle, Ipv4 address) {
    std::string name = bundle_hosts_file(cfg, bundle);
    if (name.empty()) return {};
    std::string path = bundle + "/" + name;
    std::string what = "fill in " + path;
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (!fd) return sys_error(what);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return sys_error(what);
    if (!S_ISREG(st.st_mode)) return Error(what + ": not a regular file");
    std::string text = GK_TRY(read_whole_fd(fd.get(), path));
    std::string next = hosts_with_address(text, address, cfg.hostname);
    if (::ftruncate(fd.get(), 0) != 0) return sys_error(what);
    size_t off = 0;
    while (off < next.size()) {
        ssize_t n = ::pwrite(fd.get(), next.data() + off, next.size() - off, static_cast<off_t>(off));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return sys_error(what);
        off += static_cast<size_t>(n);
    }
    return {};
}

}  // namespace gocker::net
