// gocker-net: bridge networking for gocker-runtime containers, run as an OCI hook.
//
//   gocker-net [--root DIR] createRuntime|poststop   (container state JSON on stdin)
//
// See hooks/README.md. Errors are one line on stderr, "gocker-net: <step> <object>: <why>", and
// exit status 1; a failed createRuntime leaves nothing behind.
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "net/oci_hook.hpp"

namespace {

constexpr const char* kUsage =
    "usage: gocker-net [--root DIR] createRuntime|poststop\n"
    "  OCI hook: reads the container state JSON on stdin.\n"
    "  --root DIR   lease store (default /run/gocker/net)\n";

std::string read_stdin() {
    std::string out;
    char buf[8192];
    for (;;) {
        ssize_t n = ::read(0, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    std::string root = gocker::net::kDefaultRoot;
    std::string_view phase;
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        if (a == "--help" || a == "-h") {
            std::fputs(kUsage, stdout);
            return 0;
        }
        if (a == "--root" && i + 1 < argc) {
            root = argv[++i];
        } else if (a.rfind("--root=", 0) == 0) {
            root = std::string(a.substr(7));
        } else if (phase.empty() && !a.starts_with("-")) {
            phase = a;
        } else {
            std::fprintf(stderr, "gocker-net: unexpected argument \"%s\"\n%s", argv[i], kUsage);
            return 2;
        }
    }
    if (phase.empty()) {
        std::fputs(kUsage, stderr);
        return 2;
    }
    auto r = gocker::net::run_oci_hook(phase, root, read_stdin());
    if (!r) {
        std::fprintf(stderr, "gocker-net: %s\n", r.error().message().c_str());
        return 1;
    }
    return 0;
}
