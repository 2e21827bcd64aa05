// gocker-net: networking for gocker-runtime containers: an OCI hook, a CNI plugin, admin commands.
//
//   gocker-net [--root DIR] createRuntime|poststop   (container state JSON on stdin)
//   gocker-net [--root DIR] ls|gc|check
//   CNI_COMMAND=ADD|DEL|CHECK|STATUS|GC|VERSION gocker-net   (CNI plugin: config on stdin)
//
// See hooks/README.md. Errors are one line on stderr, "gocker-net: <step> <object>: <why>", and
// exit status 1; a failed createRuntime leaves nothing behind.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <cstring>
#include <string>
#include <string_view>

#include "common/fault_point.hpp"
#include "common/trace.hpp"
#include "net/cni_plugin.hpp"
#include "net/net_admin.hpp"
#include "net/oci_hook.hpp"

extern char** environ;

namespace {

constexpr const char* kUsage =
    "usage: gocker-net [--root DIR] createRuntime|poststop\n"
    "       gocker-net [--root DIR] ls|gc|check\n"
    "  createRuntime, poststop: OCI hook; reads the container state JSON on stdin.\n"
    "  ls      networks and their leases (container, interface, address, state, veth)\n"
    "  gc      free stale leases with their veths and nftables elements\n"
    "  check   warn about what would drop containers' traffic or disagrees with the leases\n"
    "  --root DIR   lease store (default /run/gocker/net)\n"
    "  With CNI_COMMAND in the environment it is a CNI plugin (see hooks/README.md).\n";

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
    // GOCKER_TRACE=1: the timeline of the steps on stderr when the command ends (as gocker-runtime --trace).
    const char* trace_env = std::getenv("GOCKER_TRACE");
    if (trace_env && std::string_view(trace_env) == "1") gocker::trace::enable();
    if (const char* cni = std::getenv("CNI_COMMAND")) {
        std::map<std::string, std::string> env;
        for (char** e = environ; *e; ++e) {
            std::string_view kv = *e;
            size_t eq = kv.find('=');
            if (eq != std::string_view::npos) env.emplace(kv.substr(0, eq), kv.substr(eq + 1));
        }
        std::string out;
        int rc = gocker::net::run_cni(env, read_stdin(), out);
        std::fputs(out.c_str(), stdout);
        gocker::trace::print(std::string("gocker-net ") + cni);
        return rc;
    }
    // Hidden, in a fault-point build only (tests/faults/ walks them): gocker-net's points.
    if (gocker::fault::kEnabled && argc == 2 && std::string_view(argv[1]) == "--list-fault-points") {
        for (const auto& p : gocker::fault::all_points())
            if (p.starts_with("net.")) std::printf("%s\n", p.c_str());
        return 0;
    }
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
    if (phase == "ls" || phase == "gc" || phase == "check") {
        std::string out;
        gocker::Status st;
        int warnings = 0;
        if (phase == "ls") st = gocker::net::admin_ls(root, out);
        else if (phase == "gc") st = gocker::net::admin_gc(root, out);
        else if (auto n = gocker::net::admin_check(root, out)) warnings = *n;
        else st = std::move(n).error();
        std::fputs(out.c_str(), stdout);
        if (!st) {
            std::fprintf(stderr, "gocker-net: %s: %s\n", std::string(phase).c_str(), st.error().message().c_str());
            return 1;
        }
        return warnings ? 1 : 0;
    }
    auto r = gocker::net::run_oci_hook(phase, root, read_stdin());
    gocker::trace::print("gocker-net " + std::string(phase));
    if (!r) {
        std::fprintf(stderr, "gocker-net: %s\n", r.error().message().c_str());
        return 1;
    }
    return 0;
}
