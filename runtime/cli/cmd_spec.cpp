// `spec`: writes a default config.json into the bundle, like `runc spec`.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "cli/commands.hpp"
#include "cli/parse_options.hpp"
#include "common/fd.hpp"
#include "container/state_store.hpp"
#include "linux/cgroups/seed_limits.hpp"
#include "linux/cgroups/units.hpp"
#include "net/port_mapping.hpp"
#include "spec/config_io.hpp"
#include "spec/network_config.hpp"

namespace gocker::cli {
namespace {

Status write_new_file(const std::string& path, const std::string& text) {
    // O_EXCL: never overwrite a config the user may have edited, even in a race.
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (!fd) {
        if (errno == EEXIST) return Error("file " + path + " exists, remove it first");
        return sys_error([&] { return "create \"" + path + "\""; });
    }
    size_t off = 0;
    while (off < text.size()) {
        ssize_t w = ::write(fd.get(), text.data() + off, text.size() - off);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) {
            Error err = sys_error([&] { return "write \"" + path + "\""; });
            ::unlink(path.c_str());
            return err;
        }
        off += static_cast<size_t>(w);
    }
    return ok_status();
}

// `--seccomp default` is bundles/profiles/seccomp-default.json, found next to the binary: in the
// source tree (<repo>/build*/gocker-runtime -> <repo>/bundles/profiles) or installed
// (<prefix>/bin/gocker-runtime -> <prefix>/share/gocker-runtime/profiles). Any other value is a
// path to a profile file. Either way the file holds a linux.seccomp object.
Result<std::string> seccomp_profile_path(const std::string& choice) {
    if (choice != "default") return choice;
    char exe[4096];
    ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n < 0) return sys_error("find the default seccomp profile: readlink /proc/self/exe");
    std::string dir(exe, static_cast<size_t>(n));
    dir = dir.substr(0, dir.rfind('/'));
    std::vector<std::string> tried;
    for (const char* rel : {"/../bundles/profiles/", "/../share/gocker-runtime/profiles/"}) {
        std::string path = dir + rel + "seccomp-default.json";
        if (::access(path.c_str(), R_OK) == 0) return path;
        tried.push_back(path);
    }
    return Error("find the default seccomp profile (tried " + tried[0] + " and " + tried[1] + ")", ENOENT);
}

Status add_seccomp_profile(spec::Config& cfg, const std::string& choice) {
    std::string path = GK_TRY(seccomp_profile_path(choice));
    std::string text = GK_TRY(read_whole_file(path));
    // Parsed as the linux.seccomp of a config, so that errors carry the JSON path.
    auto profile = spec::parse_seccomp(text, path);
    if (!profile) return std::move(profile).error().wrap("seccomp profile " + path);
    if (!cfg.linux) cfg.linux.emplace();
    cfg.linux->seccomp = std::move(*profile);
    return ok_status();
}

// [cgroups] The seed's limit flags, as linux.resources: --cpu-limit 0.5|1|max (quota/period),
// --memory-limit 512M|1G|max, --pids-limit N|max.
Status add_seed_limits(spec::Config& cfg, const cxxopts::ParseResult& r) {
    if (!r.count("cpu-limit") && !r.count("memory-limit") && !r.count("pids-limit")) return ok_status();
    if (!cfg.linux) cfg.linux.emplace();
    if (!cfg.linux->resources) cfg.linux->resources.emplace();
    cgroups::SeedLimits limits;
    if (r.count("cpu-limit")) limits.cpu = r["cpu-limit"].as<std::string>();
    if (r.count("memory-limit")) limits.memory = r["memory-limit"].as<std::string>();
    if (r.count("pids-limit")) limits.pids = r["pids-limit"].as<std::string>();
    return cgroups::add_seed_limits(*cfg.linux->resources, limits);
}

std::string self_dir() {
    char exe[4096];
    ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n < 0) return ".";
    std::string dir(exe, static_cast<size_t>(n));
    return dir.substr(0, dir.rfind('/'));
}

// --network [MODE] (bridge when no value), -p SPEC..., --net-hook PATH (default: gocker-net
// beside this binary). The ports are checked and written in canonical form.
Result<spec::NetworkChoice> network_choice(const cxxopts::ParseResult& r) {
    spec::NetworkChoice choice;
    choice.mode = r["network"].as<std::string>();
    std::string list;
    if (r.count("publish"))
        for (const auto& p : r["publish"].as<std::vector<std::string>>()) list += (list.empty() ? "" : ",") + p;
    for (const auto& m : GK_TRY_CTX(net::parse_port_mappings(list), "-p")) choice.ports.push_back(net::to_string(m));
    if (choice.mode == "host") return choice;
    choice.hook_path = r.count("net-hook") ? r["net-hook"].as<std::string>() : self_dir() + "/gocker-net";
    if (choice.hook_path.empty() || choice.hook_path.front() != '/')
        return Error("--net-hook " + choice.hook_path + ": the hook path must be absolute");
    if (::access(choice.hook_path.c_str(), X_OK) != 0)
        return Error("--network " + choice.mode + ": the network hook " + choice.hook_path +
                         " is not an executable (build gocker-net or pass --net-hook PATH)",
                     errno);
    return choice;
}

// The bundle files of the network mode (network_config.hpp): hosts and resolv.conf.
Status write_network_files(const std::string& bundle, const std::string& mode) {
    if (!spec::network_writes_bundle_files(mode)) return ok_status();
    std::string resolv = GK_TRY(read_whole_file("/etc/resolv.conf"));
    std::string hosts = spec::container_hosts();
    if (mode == "host") hosts = GK_TRY(read_whole_file("/etc/hosts"));
    else resolv = spec::container_resolv_conf(resolv);
    GK_TRY(write_new_file(bundle + "/hosts", hosts));
    Status st = write_new_file(bundle + "/resolv.conf", resolv);
    if (!st) ::unlink((bundle + "/hosts").c_str());
    return st;
}

}  // namespace

int cmd_spec(const GlobalOptions&, std::vector<std::string>& args) {
    cxxopts::Options opts("gocker-runtime spec",
                          "Create a new config.json (the same shape as `runc spec`) in the bundle directory.");
    opts.custom_help("[command options]");
    opts.add_options()("b,bundle", "path to the bundle directory", cxxopts::value<std::string>()->default_value("."))(
        "rootless", "a config for a rootless container: a user namespace mapping the caller's uid/gid to root")(
        "seccomp",
        "add a seccomp profile: 'default' (Docker's default allowlist) or a file holding a linux.seccomp object",
        cxxopts::value<std::string>())("cpu-limit", "linux.resources.cpu quota in CPUs: 0.5, 1, 2 or max",
                                       cxxopts::value<std::string>())(
        "memory-limit", "linux.resources.memory.limit: 512M, 1G or max", cxxopts::value<std::string>())(
        "pids-limit", "linux.resources.pids.limit: a number of processes or max", cxxopts::value<std::string>())(
        "network",
        "none, host, veth or bridge (without a value: bridge): namespaces, gocker-net hooks, annotations, "
        "and for host, veth and bridge the bundle files hosts and resolv.conf",
        cxxopts::value<std::string>()->implicit_value("bridge"))(
        "p,publish", "publish a port, [HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp|/udp] (repeatable; bridge)",
        cxxopts::value<std::vector<std::string>>())(
        "net-hook", "the gocker-net binary the hooks run (default: gocker-net beside gocker-runtime)",
        cxxopts::value<std::string>())("h,help", "show this help");
    // `--network MODE` as well as `--network=MODE` (cxxopts takes only the latter for an option
    // whose value may be left out).
    for (size_t i = 0; i + 1 < args.size(); ++i)
        if (args[i] == "--network" && !args[i + 1].empty() && args[i + 1][0] != '-') {
            args[i] += "=" + args[i + 1];
            args.erase(args.begin() + static_cast<std::ptrdiff_t>(i) + 1);
        }
    int code = 0;
    auto r = parse_command(opts, args, code);
    if (!r) return code;
    if (!r->unmatched().empty())
        return usage_error("spec: unexpected argument \"" + r->unmatched().front() + "\"", opts.help());

    bool rootless = r->count("rootless") > 0;
    spec::Config cfg = spec::default_config(rootless, ::geteuid(), ::getegid());
    if (r->count("seccomp")) {
        Status sc = add_seccomp_profile(cfg, (*r)["seccomp"].as<std::string>());
        if (!sc) return report(std::move(sc).error().wrap("spec --seccomp"));
    }
    Status limits = add_seed_limits(cfg, *r);
    if (!limits) return usage_error("spec: " + limits.error().message(), opts.help());
    std::string network;
    if (r->count("network")) {
        auto choice = network_choice(*r);
        if (!choice) return usage_error("spec: " + choice.error().message(), opts.help());
        Status st = spec::apply_network(cfg, *choice);
        if (!st) return usage_error("spec: " + st.error().message(), opts.help());
        network = choice->mode;
    } else if (r->count("publish") || r->count("net-hook")) {
        return usage_error("spec: -p and --net-hook go with --network", opts.help());
    }
    cfg.oci_version = spec::lowest_spec_version(cfg);
    std::string bundle = (*r)["bundle"].as<std::string>();
    std::string path = bundle + "/config.json";
    Status st = write_new_file(path, spec::config_to_json(cfg));
    if (!st) return report(std::move(st).error().wrap("spec"));
    st = write_network_files(bundle, network);
    if (!st) {
        ::unlink(path.c_str());  // a failed spec leaves nothing behind
        return report(std::move(st).error().wrap("spec --network " + network));
    }
    return 0;
}

}  // namespace gocker::cli
