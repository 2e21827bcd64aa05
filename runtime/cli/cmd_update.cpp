// `update [--resources FILE|-] [--memory ... ] ID`: change the limits of a live container.
// Only the values given are written (plan_resources of the given fields; a 0, which Go clients
// such as `docker update` send for every field they do not change, is "not set" as in runc);
// device rules are not changed. The stored config.json keeps the values the container was created with.
#include <iostream>
#include <iterator>

#include "cli/commands.hpp"
#include "cli/lifecycle_options.hpp"
#include "container/lifecycle.hpp"
#include "linux/cgroups/container_cgroup.hpp"
#include "linux/cgroups/units.hpp"
#include "spec/config_io.hpp"

namespace gocker::cli {
namespace {

// The --resources document is a linux.resources object.
Result<spec::Resources> parse_resources(const std::string& text, const std::string& origin) {
    spec::Resources res = GK_TRY(spec::parse_resources(text, origin));
    GK_TRY(spec::validate_resources(res, origin));
    return res;
}

Result<uint64_t> parse_unsigned(const cxxopts::ParseResult& r, const char* flag) {
    std::string v = r[flag].as<std::string>();
    char* end = nullptr;
    errno = 0;
    unsigned long long n = std::strtoull(v.c_str(), &end, 10);
    if (v.empty() || *end || errno || v[0] == '-')
        return Error(std::string("--") + flag + ": invalid value \"" + v + "\" (expected a non-negative integer)", 0);
    return static_cast<uint64_t>(n);
}

Result<int64_t> parse_signed(const cxxopts::ParseResult& r, const char* flag) {
    std::string v = r[flag].as<std::string>();
    char* end = nullptr;
    errno = 0;
    long long n = std::strtoll(v.c_str(), &end, 10);
    if (v.empty() || *end || errno)
        return Error(std::string("--") + flag + ": invalid value \"" + v + "\" (expected an integer)", 0);
    return static_cast<int64_t>(n);
}

// The flags override the --resources document, field by field.
Status apply_flags(const cxxopts::ParseResult& r, spec::Resources& res) {
    auto mem = [&]() -> spec::Memory& {
        if (!res.memory) res.memory.emplace();
        return *res.memory;
    };
    auto cpu = [&]() -> spec::Cpu& {
        if (!res.cpu) res.cpu.emplace();
        return *res.cpu;
    };
    if (r.count("memory")) mem().limit = GK_TRY(cgroups::parse_bytes(r["memory"].as<std::string>(), "--memory"));
    if (r.count("memory-reservation"))
        mem().reservation =
            GK_TRY(cgroups::parse_bytes(r["memory-reservation"].as<std::string>(), "--memory-reservation"));
    if (r.count("memory-swap"))
        mem().swap = GK_TRY(cgroups::parse_bytes(r["memory-swap"].as<std::string>(), "--memory-swap"));
    if (r.count("kernel-memory"))
        mem().kernel = GK_TRY(cgroups::parse_bytes(r["kernel-memory"].as<std::string>(), "--kernel-memory"));
    if (r.count("kernel-memory-tcp"))
        mem().kernel_tcp =
            GK_TRY(cgroups::parse_bytes(r["kernel-memory-tcp"].as<std::string>(), "--kernel-memory-tcp"));
    if (r.count("cpu-quota")) cpu().quota = GK_TRY(parse_signed(r, "cpu-quota"));
    if (r.count("cpu-period")) cpu().period = GK_TRY(parse_unsigned(r, "cpu-period"));
    if (r.count("cpu-share")) cpu().shares = GK_TRY(parse_unsigned(r, "cpu-share"));
    if (r.count("cpu-shares")) cpu().shares = GK_TRY(parse_unsigned(r, "cpu-shares"));
    if (r.count("cpu-rt-period")) cpu().realtime_period = GK_TRY(parse_unsigned(r, "cpu-rt-period"));
    if (r.count("cpu-rt-runtime")) cpu().realtime_runtime = GK_TRY(parse_signed(r, "cpu-rt-runtime"));
    if (r.count("cpu-idle")) {
        cpu().idle = GK_TRY(parse_signed(r, "cpu-idle"));
        if (*cpu().idle != 0 && *cpu().idle != 1)
            return Error("--cpu-idle: invalid value \"" + r["cpu-idle"].as<std::string>() + "\" (expected 0 or 1)", 0);
    }
    if (r.count("cpuset-cpus")) cpu().cpus = r["cpuset-cpus"].as<std::string>();
    if (r.count("cpuset-mems")) cpu().mems = r["cpuset-mems"].as<std::string>();
    if (r.count("pids-limit")) {
        if (!res.pids) res.pids.emplace();
        res.pids->limit = GK_TRY(parse_signed(r, "pids-limit"));
    }
    if (r.count("blkio-weight")) {
        uint64_t w = GK_TRY(parse_unsigned(r, "blkio-weight"));
        if (w != 0 && (w < 10 || w > 1000))
            return Error("--blkio-weight: " + std::to_string(w) + " is out of range [10, 1000]", 0);
        if (!res.block_io) res.block_io.emplace();
        res.block_io->weight = static_cast<uint16_t>(w);
    }
    return {};
}

// A memory limit that update writes (0 is "not set", -1 "unlimited").
bool memory_limit_set(const spec::Resources& res) { return res.memory && res.memory->limit && *res.memory->limit > 0; }

// memory.checkBeforeUpdate: refuse a limit below what the container already uses.
Status check_memory_usage(const cgroups::CgroupManager& cg, const spec::Resources& res, bool check) {
    if (!check || !memory_limit_set(res)) return {};
    int v = cg.version_of("memory");
    if (!v) return {};
    auto usage = cg.read("memory", v == 1 ? "memory.usage_in_bytes" : "memory.current");
    if (!usage) return std::move(usage).error();
    int64_t used = std::strtoll(usage->c_str(), nullptr, 10);
    if (*res.memory->limit < used)
        return Error("/linux/resources/memory/limit: " + std::to_string(*res.memory->limit) +
                         " is below the current usage " + std::to_string(used) + " (checkBeforeUpdate)",
                     EBUSY);
    return {};
}

}  // namespace

int cmd_update(const GlobalOptions& g, std::vector<std::string>& args) {
    cxxopts::Options opts("gocker-runtime update", "Update the resource limits of a running container.");
    opts.custom_help("[command options] <container-id>");
    auto s = [] { return cxxopts::value<std::string>(); };
    opts.add_options()("r,resources", "JSON linux.resources from a file, or - for stdin", s())(
        "memory", "memory limit (512M, 1G, max)", s())("memory-reservation", "memory soft limit", s())(
        "memory-swap", "memory+swap limit", s())("kernel-memory", "kernel memory limit (v1)", s())(
        "kernel-memory-tcp", "kernel TCP buffer limit (v1)", s())("cpu-quota", "CFS quota in microseconds", s())(
        "cpu-period", "CFS period in microseconds", s())("cpu-share", "CPU shares", s())(
        "cpu-shares", "CPU shares (same as --cpu-share)", s())("cpu-rt-period", "realtime period (us)", s())(
        "cpu-rt-runtime", "realtime runtime (us)", s())("cpu-idle", "SCHED_IDLE for the cgroup (0 or 1)", s())(
        "cpuset-cpus", "CPUs allowed (0-3,5)", s())("cpuset-mems", "memory nodes allowed", s())(
        "pids-limit", "maximum number of processes (0 or -1: no limit)", s())(
        "blkio-weight", "block IO weight (10-1000)", s())("h,help", "show this help");
    int code = 0;
    auto r = parse_command(opts, args, code);
    if (!r) return code;
    if (!positional(*r, opts, "update", 1, 1, code)) return code;
    const std::string& id = r->unmatched().front();
    std::string what = "update " + id;

    spec::Resources res;
    if (r->count("resources")) {
        std::string src = (*r)["resources"].as<std::string>();
        std::string text;
        if (src == "-") {
            text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
        } else {
            auto t = read_whole_file(src);
            if (!t) return report(std::move(t).error().wrap(what));
            text = std::move(*t);
        }
        auto parsed = parse_resources(text, src == "-" ? "--resources (stdin)" : src);
        if (!parsed) return report(std::move(parsed).error().wrap(what));
        res = std::move(*parsed);
    }
    Status flags = apply_flags(*r, res);
    if (!flags) return report(std::move(flags).error().wrap(what));
    res.devices.clear();

    StateStore store(g.root);
    auto lock = store.lock(id);
    if (!lock) return report(std::move(lock).error().wrap(what));
    auto info = load_container(store, id);
    if (!info) return report(std::move(info).error().wrap(what));
    if (info->status == spec::ContainerStatus::stopped) return report(Error(what + ": the container is stopped", 0));
    auto cg = cgroups::open_container_cgroup(store.dir(id));
    if (!cg) return report(std::move(cg).error().wrap(what));
    auto writes = cgroups::plan_resources(res, (*cg)->controllers());
    if (!writes) return report(std::move(writes).error().wrap(what));
    bool check = res.memory && res.memory->check_before_update && *res.memory->check_before_update;
    // The config the container was created with may ask for the check; it matters only for a
    // memory limit, so it is read only then.
    if (!check && memory_limit_set(res)) {
        if (auto saved = store.read_file(id, "config.json")) {
            auto cfg = spec::parse_config(*saved);
            if (cfg && cfg->linux && cfg->linux->resources && cfg->linux->resources->memory &&
                cfg->linux->resources->memory->check_before_update)
                check = *cfg->linux->resources->memory->check_before_update;
        }
    }
    Status st = check_memory_usage(**cg, res, check);
    if (st) st = (*cg)->apply(*writes);
    if (!st) return report(std::move(st).error().wrap(what));
    return 0;
}

}  // namespace gocker::cli
