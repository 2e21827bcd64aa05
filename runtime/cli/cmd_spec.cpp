// `spec`: writes a default config.json into the bundle, like `runc spec`.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "cli/commands.hpp"
#include "cli/parse_options.hpp"
#include "common/fd.hpp"
#include "spec/config_io.hpp"

namespace gocker::cli {
namespace {

Status write_new_file(const std::string& path, const std::string& text) {
    // O_EXCL: never overwrite a config the user may have edited, even in a race.
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (!fd) {
        if (errno == EEXIST) return Error("file " + path + " exists, remove it first");
        return sys_error("create \"" + path + "\"");
    }
    size_t off = 0;
    while (off < text.size()) {
        ssize_t w = ::write(fd.get(), text.data() + off, text.size() - off);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) {
            Error err = sys_error("write \"" + path + "\"");
            ::unlink(path.c_str());
            return err;
        }
        off += static_cast<size_t>(w);
    }
    return ok_status();
}

}  // namespace

int cmd_spec(const GlobalOptions&, std::vector<std::string>& args) {
    cxxopts::Options opts("gocker-runtime spec",
                          "Create a new config.json (the same shape as `runc spec`) in the bundle directory.");
    opts.custom_help("[command options]");
    opts.add_options()("b,bundle", "path to the bundle directory", cxxopts::value<std::string>()->default_value("."))(
        "rootless", "a config for a rootless container: a user namespace mapping the caller's uid/gid to root")(
        "h,help", "show this help");
    int code = 0;
    auto r = parse_command(opts, args, code);
    if (!r) return code;
    if (!r->unmatched().empty())
        return usage_error("spec: unexpected argument \"" + r->unmatched().front() + "\"", opts.help());

    bool rootless = r->count("rootless") > 0;
    spec::Config cfg = spec::default_config(rootless, ::geteuid(), ::getegid());
    std::string path = (*r)["bundle"].as<std::string>() + "/config.json";
    Status st = write_new_file(path, spec::config_to_json(cfg));
    if (!st) return report(std::move(st).error().wrap("spec"));
    return 0;
}

}  // namespace gocker::cli
