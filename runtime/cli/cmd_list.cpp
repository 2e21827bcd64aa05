// `list [--format table|json] [--quiet]`: the containers under --root (the seed's `ps`).
#include <cstdio>
#include <iostream>

#include "cli/cli_json.hpp"
#include "cli/commands.hpp"
#include "cli/lifecycle_options.hpp"
#include "container/lifecycle.hpp"

namespace gocker::cli {

int cmd_list(const GlobalOptions& g, std::vector<std::string>& args) {
    cxxopts::Options opts("gocker-runtime list", "List the containers.");
    opts.custom_help("[command options]");
    opts.add_options()("f,format", "table or json", cxxopts::value<std::string>()->default_value("table"))(
        "q,quiet", "print only the ids")("h,help", "show this help");
    int code = 0;
    auto r = parse_command(opts, args, code);
    if (!r) return code;
    if (!positional(*r, opts, "list", 0, 0, code)) return code;
    std::string format = (*r)["format"].as<std::string>();
    if (format != "table" && format != "json")
        return usage_error("list: --format must be table or json, not \"" + format + "\"", opts.help());
    auto all = list_containers(StateStore(g.root));
    if (!all) return report(std::move(all).error().wrap("list"));
    if (r->count("quiet")) {
        for (const auto& c : *all) std::cout << c.record.id << "\n";
        return 0;
    }
    if (format == "json") {
        std::cout << list_json(*all);
        return 0;
    }
    std::printf("%-20s %-8s %-10s %-40s %-31s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
    for (const auto& c : *all) {
        const auto& rec = c.record;
        int pid = c.status == spec::ContainerStatus::stopped ? 0 : rec.pid;
        std::printf("%-20s %-8d %-10s %-40s %-31s %s\n", rec.id.c_str(), pid, spec::status_name(c.status),
                    rec.bundle.c_str(), rec.created.c_str(), rec.owner.c_str());
    }
    return 0;
}

}  // namespace gocker::cli
