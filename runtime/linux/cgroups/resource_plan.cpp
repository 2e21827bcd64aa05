#include "linux/cgroups/resource_plan.hpp"

#include "common/log.hpp"

namespace gocker::cgroups {
namespace {

const std::string kRes = "/linux/resources";

std::string num(int64_t v) { return std::to_string(v); }
std::string unum(uint64_t v) { return std::to_string(v); }
// Negative means "no limit" in the OCI config.
std::string v1_limit(int64_t v) { return v < 0 ? "-1" : num(v); }
std::string v2_limit(int64_t v) { return v < 0 ? "max" : num(v); }
std::string dev(int64_t major, int64_t minor) { return num(major) + ":" + num(minor); }

class Planner {
public:
    Planner(const ControllerSet& host, std::vector<CgroupWrite>& out) : host_(host), out_(out) {}

    // The version `ctrl` lives in, or an error naming `field` when the host lacks it.
    Result<int> need(std::string_view ctrl_v1, std::string_view ctrl_v2, const std::string& field) const {
        if (!ctrl_v1.empty() && host_.v1.count(std::string(ctrl_v1))) return 1;
        if (!ctrl_v2.empty() && host_.v2.count(std::string(ctrl_v2))) return 2;
        std::string names = std::string(ctrl_v1.empty() ? ctrl_v2 : ctrl_v1);
        if (!ctrl_v1.empty() && !ctrl_v2.empty() && ctrl_v1 != ctrl_v2)
            names += " (v1) or " + std::string(ctrl_v2) + " (v2)";
        return Error(field + ": needs the " + names + " cgroup controller, which is not available on this host",
                     ENODEV);
    }
    void add(int version, std::string ctrl, std::string file, std::string value, std::string field,
             bool optional = false) {
        CgroupWrite w;
        w.version = version;
        w.controller = std::move(ctrl);
        w.file = std::move(file);
        w.value = std::move(value);
        w.field = std::move(field);
        w.optional = optional;
        out_.push_back(std::move(w));
    }
    void add_quiet(int version, std::string ctrl, std::string file, std::string value, std::string field) {
        add(version, std::move(ctrl), std::move(file), std::move(value), std::move(field), true);
        out_.back().quiet = true;
    }
    void add_fallback(std::string fb_file, std::string fb_value) {
        out_.back().fallback_file = std::move(fb_file);
        out_.back().fallback_value = std::move(fb_value);
    }

    Status memory(spec::Memory m) {
        const std::string f = kRes + "/memory";
        unset_zero(m.limit, f + "/limit");
        unset_zero(m.reservation, f + "/reservation");
        unset_zero(m.swap, f + "/swap");
        unset_zero(m.kernel, f + "/kernel");
        unset_zero(m.kernel_tcp, f + "/kernelTCP");
        // -1 as uint64: Go's "not set" for swappiness (runc skips it).
        if (m.swappiness && *m.swappiness == UINT64_MAX) {
            log::debug(f + "/swappiness: -1 means not set, nothing written");
            m.swappiness.reset();
        }
        bool any = m.limit || m.reservation || m.swap || m.kernel || m.kernel_tcp || m.swappiness ||
                   m.disable_oom_killer || m.use_hierarchy;
        if (!any) return {};
        int v = GK_TRY(need("memory", "memory", f));
        // An unlimited memory limit with no swap limit given lifts the swap limit too (runc's
        // rule): v1 refuses a memory limit above memory+swap, and `update --memory -1` means both.
        const bool unlimited_swap_too = m.limit && *m.limit == -1 && !m.swap;
        if (v == 1) {
            if (m.use_hierarchy)
                add(1, "memory", "memory.use_hierarchy", *m.use_hierarchy ? "1" : "0", f + "/useHierarchy");
            if (unlimited_swap_too) add_quiet(1, "memory", "memory.memsw.limit_in_bytes", "-1", f + "/swap");
            if (m.limit) add(1, "memory", "memory.limit_in_bytes", v1_limit(*m.limit), f + "/limit");
            // memsw exists only with swap accounting; without it the swap limit cannot be set.
            if (m.swap) add(1, "memory", "memory.memsw.limit_in_bytes", v1_limit(*m.swap), f + "/swap", true);
            if (m.reservation)
                add(1, "memory", "memory.soft_limit_in_bytes", v1_limit(*m.reservation), f + "/reservation");
            if (m.kernel) add(1, "memory", "memory.kmem.limit_in_bytes", v1_limit(*m.kernel), f + "/kernel", true);
            if (m.kernel_tcp)
                add(1, "memory", "memory.kmem.tcp.limit_in_bytes", v1_limit(*m.kernel_tcp), f + "/kernelTCP", true);
            if (m.swappiness) {
                if (*m.swappiness > 100)
                    return Error(f + "/swappiness: " + unum(*m.swappiness) + " is out of range [0, 100]", EINVAL);
                add(1, "memory", "memory.swappiness", unum(*m.swappiness), f + "/swappiness");
            }
            if (m.disable_oom_killer && *m.disable_oom_killer)
                add(1, "memory", "memory.oom_control", "1", f + "/disableOOMKiller");
            return {};
        }
        if (unlimited_swap_too) add_quiet(2, "memory", "memory.swap.max", "max", f + "/swap");
        if (m.limit) add(2, "memory", "memory.max", v2_limit(*m.limit), f + "/limit");
        if (m.reservation) add(2, "memory", "memory.low", v2_limit(*m.reservation), f + "/reservation");
        if (m.swap) {
            // OCI swap is memory+swap (the v1 meaning); v2 limits swap alone.
            std::string value;
            if (*m.swap < 0) value = "max";
            else if (!m.limit || *m.limit < 0)
                return Error(f + "/swap: on cgroup v2 a swap limit needs a memory limit too (swap is memory+swap)",
                             EINVAL);
            else if (*m.swap < *m.limit)
                return Error(f + "/swap: " + num(*m.swap) + " is less than the memory limit " + num(*m.limit), EINVAL);
            else value = num(*m.swap - *m.limit);
            add(2, "memory", "memory.swap.max", value, f + "/swap", true);
        }
        // kernel, kernelTCP, swappiness, disableOOMKiller, useHierarchy have no v2 file (docs/cgroups.md).
        return {};
    }

    Status cpu(spec::Cpu c) {
        const std::string f = kRes + "/cpu";
        unset_zero(c.shares, f + "/shares");
        unset_zero(c.quota, f + "/quota");
        unset_zero(c.period, f + "/period");
        unset_zero(c.realtime_runtime, f + "/realtimeRuntime");
        unset_zero(c.realtime_period, f + "/realtimePeriod");
        bool sched = c.shares || c.quota || c.period || c.burst || c.realtime_runtime || c.realtime_period || c.idle;
        if (sched) {
            int v = GK_TRY(need("cpu", "cpu", f));
            if (v == 1) {
                if (c.shares) add(1, "cpu", "cpu.shares", unum(*c.shares), f + "/shares");
                if (c.period) add(1, "cpu", "cpu.cfs_period_us", unum(*c.period), f + "/period");
                if (c.quota) add(1, "cpu", "cpu.cfs_quota_us", *c.quota < 0 ? "-1" : num(*c.quota), f + "/quota");
                if (c.burst) add(1, "cpu", "cpu.cfs_burst_us", unum(*c.burst), f + "/burst");
                if (c.realtime_period)
                    add(1, "cpu", "cpu.rt_period_us", unum(*c.realtime_period), f + "/realtimePeriod");
                if (c.realtime_runtime)
                    add(1, "cpu", "cpu.rt_runtime_us", num(*c.realtime_runtime), f + "/realtimeRuntime");
                if (c.idle) add(1, "cpu", "cpu.idle", num(*c.idle), f + "/idle");
            } else {
                if (c.realtime_runtime || c.realtime_period)
                    return Error(f + "/realtimeRuntime: realtime scheduling limits are not supported on cgroup v2",
                                 EINVAL);
                if (c.shares) add(2, "cpu", "cpu.weight", unum(cpu_shares_to_weight(*c.shares)), f + "/shares");
                if (c.quota || c.period) {
                    std::string quota = (!c.quota || *c.quota <= 0) ? "max" : num(*c.quota);
                    add(2, "cpu", "cpu.max", quota + " " + unum(c.period ? *c.period : 100000), f + "/quota");
                }
                if (c.burst) add(2, "cpu", "cpu.max.burst", unum(*c.burst), f + "/burst");
                if (c.idle) add(2, "cpu", "cpu.idle", num(*c.idle), f + "/idle");
            }
        }
        if (!c.cpus.empty() || !c.mems.empty()) {
            int v = GK_TRY(need("cpuset", "cpuset", f + (c.cpus.empty() ? "/mems" : "/cpus")));
            if (!c.cpus.empty()) add(v, "cpuset", "cpuset.cpus", c.cpus, f + "/cpus");
            if (!c.mems.empty()) add(v, "cpuset", "cpuset.mems", c.mems, f + "/mems");
        }
        return {};
    }

    Status pids(spec::Pids p) {
        const std::string f = kRes + "/pids/limit";
        unset_zero(p.limit, f);
        if (!p.limit) return {};
        int v = GK_TRY(need("pids", "pids", f));
        add(v, "pids", "pids.max", *p.limit < 0 ? "max" : num(*p.limit), f);
        return {};
    }

    Status block_io(spec::BlockIo b) {
        const std::string f = kRes + "/blockIO";
        unset_zero(b.weight, f + "/weight");
        unset_zero(b.leaf_weight, f + "/leafWeight");
        for (size_t i = 0; i < b.weight_device.size(); ++i) {
            std::string fi = f + "/weightDevice/" + std::to_string(i);
            unset_zero(b.weight_device[i].weight, fi + "/weight");
            unset_zero(b.weight_device[i].leaf_weight, fi + "/leafWeight");
        }
        bool any = b.weight || b.leaf_weight || !b.weight_device.empty() || !b.throttle_read_bps_device.empty() ||
                   !b.throttle_write_bps_device.empty() || !b.throttle_read_iops_device.empty() ||
                   !b.throttle_write_iops_device.empty();
        if (!any) return {};
        int v = GK_TRY(need("blkio", "io", f));
        if (v == 1) {
            if (b.weight) {
                add(1, "blkio", "blkio.weight", unum(*b.weight), f + "/weight");
                add_fallback("blkio.bfq.weight", unum(*b.weight));
            }
            if (b.leaf_weight) add(1, "blkio", "blkio.leaf_weight", unum(*b.leaf_weight), f + "/leafWeight");
            for (size_t i = 0; i < b.weight_device.size(); ++i) {
                const auto& d = b.weight_device[i];
                std::string fi = f + "/weightDevice/" + std::to_string(i);
                if (d.weight) {
                    add(1, "blkio", "blkio.weight_device", dev(d.major, d.minor) + " " + unum(*d.weight),
                        fi + "/weight");
                    add_fallback("blkio.bfq.weight_device", dev(d.major, d.minor) + " " + unum(*d.weight));
                }
                if (d.leaf_weight)
                    add(1, "blkio", "blkio.leaf_weight_device", dev(d.major, d.minor) + " " + unum(*d.leaf_weight),
                        fi + "/leafWeight");
            }
            auto throttle = [&](const std::vector<spec::ThrottleDevice>& list, const char* file, const char* name) {
                for (size_t i = 0; i < list.size(); ++i)
                    add(1, "blkio", file, dev(list[i].major, list[i].minor) + " " + unum(list[i].rate),
                        f + "/" + name + "/" + std::to_string(i));
            };
            throttle(b.throttle_read_bps_device, "blkio.throttle.read_bps_device", "throttleReadBpsDevice");
            throttle(b.throttle_write_bps_device, "blkio.throttle.write_bps_device", "throttleWriteBpsDevice");
            throttle(b.throttle_read_iops_device, "blkio.throttle.read_iops_device", "throttleReadIOPSDevice");
            throttle(b.throttle_write_iops_device, "blkio.throttle.write_iops_device", "throttleWriteIOPSDevice");
            return {};
        }
        if (b.weight) {
            add(2, "io", "io.bfq.weight", unum(*b.weight), f + "/weight");
            add_fallback("io.weight", "default " + unum(blkio_weight_to_io_weight(*b.weight)));
        }
        for (size_t i = 0; i < b.weight_device.size(); ++i) {
            const auto& d = b.weight_device[i];
            if (!d.weight) continue;
            add(2, "io", "io.bfq.weight", dev(d.major, d.minor) + " " + unum(*d.weight),
                f + "/weightDevice/" + std::to_string(i) + "/weight");
            add_fallback("io.weight", dev(d.major, d.minor) + " " + unum(blkio_weight_to_io_weight(*d.weight)));
        }
        auto throttle = [&](const std::vector<spec::ThrottleDevice>& list, const char* key, const char* name) {
            for (size_t i = 0; i < list.size(); ++i)
                add(2, "io", "io.max", dev(list[i].major, list[i].minor) + " " + key + "=" + unum(list[i].rate),
                    f + "/" + name + "/" + std::to_string(i));
        };
        throttle(b.throttle_read_bps_device, "rbps", "throttleReadBpsDevice");
        throttle(b.throttle_write_bps_device, "wbps", "throttleWriteBpsDevice");
        throttle(b.throttle_read_iops_device, "riops", "throttleReadIOPSDevice");
        throttle(b.throttle_write_iops_device, "wiops", "throttleWriteIOPSDevice");
        return {};
    }

    Status hugepages(const std::vector<spec::HugepageLimit>& list) {
        for (size_t i = 0; i < list.size(); ++i) {
            const std::string f = kRes + "/hugepageLimits/" + std::to_string(i);
            const auto& h = list[i];
            if (h.page_size.empty() || h.page_size.find('/') != std::string::npos ||
                h.page_size.find('.') != std::string::npos)
                return Error(f + "/pageSize: \"" + h.page_size + "\" is not a page size such as \"2MB\"", EINVAL);
            int v = GK_TRY(need("hugetlb", "hugetlb", f));
            if (v == 1) add(1, "hugetlb", "hugetlb." + h.page_size + ".limit_in_bytes", unum(h.limit), f + "/limit");
            else add(2, "hugetlb", "hugetlb." + h.page_size + ".max", unum(h.limit), f + "/limit");
        }
        return {};
    }

    Status network(spec::Network n) {
        const std::string f = kRes + "/network";
        unset_zero(n.class_id, f + "/classID");
        if (n.class_id) {
            if (!host_.v1.count("net_cls"))
                return Error(f + "/classID: needs the net_cls cgroup v1 controller, which is not mounted (there is "
                                 "none in cgroup v2)",
                             ENODEV);
            add(1, "net_cls", "net_cls.classid", std::to_string(*n.class_id), f + "/classID");
        }
        for (size_t i = 0; i < n.priorities.size(); ++i) {
            if (!host_.v1.count("net_prio"))
                return Error(f + "/priorities: needs the net_prio cgroup v1 controller, which is not mounted (there is "
                                 "none in cgroup v2)",
                             ENODEV);
            add(1, "net_prio", "net_prio.ifpriomap",
                n.priorities[i].name + " " + std::to_string(n.priorities[i].priority),
                f + "/priorities/" + std::to_string(i));
        }
        return {};
    }

    Status rdma(const std::map<std::string, spec::Rdma>& devices) {
        for (const auto& [name, r] : devices) {
            const std::string f = kRes + "/rdma/" + name;
            if (!r.hca_handles && !r.hca_objects) continue;
            int v = GK_TRY(need("rdma", "rdma", f));
            std::string value = name;
            if (r.hca_handles) value += " hca_handle=" + std::to_string(*r.hca_handles);
            if (r.hca_objects) value += " hca_object=" + std::to_string(*r.hca_objects);
            add(v, "rdma", "rdma.max", value, f);
        }
        return {};
    }

    Status unified(const std::map<std::string, std::string>& files) {
        for (const auto& [file, value] : files) {
            const std::string f = kRes + "/unified/" + file;
            if (file.empty() || file.find('/') != std::string::npos || file == "." || file == "..")
                return Error(f + ": \"" + file + "\" is not a cgroup file name", EINVAL);
            size_t dot = file.find('.');
            if (dot == std::string::npos || dot == 0)
                return Error(f + ": \"" + file + "\" is not a cgroup file name (<controller>.<knob>)", EINVAL);
            std::string ctrl = file.substr(0, dot);
            // cgroup.* files belong to the core, not to a controller.
            bool core = ctrl == "cgroup";
            if (!core && !host_.v2.count(ctrl)) {
                if (host_.v2.empty() && host_.v1.empty()) return Error(f + ": no cgroup filesystem is mounted", ENODEV);
                if (host_.v2.empty() && !host_.v1.empty())
                    return Error(f + ": linux.resources.unified needs cgroup v2, and this host has only cgroup v1",
                                 EINVAL);
                return Error(f + ": the " + ctrl + " controller is not available in the cgroup v2 hierarchy", ENODEV);
            }
            add(2, core ? "" : ctrl, file, value, f);
        }
        return {};
    }

    Status devices(const std::vector<spec::DeviceCgroupRule>& rules) {
        if (rules.empty() || !host_.v1.count("devices")) return {};
        for (size_t i = 0; i < rules.size(); ++i) {
            const auto& r = rules[i];
            std::string line = (r.type.empty() ? "a" : r.type);
            if (line != "a") {
                line += " " + (r.major && *r.major >= 0 ? num(*r.major) : "*") + ":" +
                        (r.minor && *r.minor >= 0 ? num(*r.minor) : "*") + " " + (r.access.empty() ? "rwm" : r.access);
            }
            add(1, "devices", r.allow ? "devices.allow" : "devices.deny", line, kRes + "/devices/" + std::to_string(i));
        }
        return {};
    }

private:
    // Go clients (docker, containerd, podman, buildah) write 0 for a field they do not set, and
    // runc's libcontainer writes nothing for those zeros (cgroups/fs and fs2: `if r.X != 0`), so
    // neither do we. Values where 0 is a real limit (hugepage and throttle limits, rdma, cpu.idle,
    // swappiness) are not passed here.
    template <class T>
    static void unset_zero(std::optional<T>& v, const std::string& field) {
        if (!v || *v != 0) return;
        log::debug(field + ": 0 means not set (as in runc), nothing written");
        v.reset();
    }

    const ControllerSet& host_;
    std::vector<CgroupWrite>& out_;
};

}  // namespace

int ControllerSet::version_of(std::string_view name) const {
    if (v1.count(std::string(name))) return 1;
    if (v2.count(std::string(name))) return 2;
    return 0;
}

uint64_t cpu_shares_to_weight(uint64_t shares) {
    if (shares == 0) return 0;
    if (shares < 2) shares = 2;
    if (shares > 262144) shares = 262144;
    return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t blkio_weight_to_io_weight(uint64_t weight) {
    if (weight == 0) return 0;
    if (weight < 10) weight = 10;
    if (weight > 1000) weight = 1000;
    return 1 + (weight - 10) * 9999 / 990;
}

Result<std::vector<CgroupWrite>> plan_resources(const spec::Resources& res, const ControllerSet& host) {
    std::vector<CgroupWrite> out;
    Planner p(host, out);
    GK_TRY(p.devices(res.devices));
    if (res.memory) GK_TRY(p.memory(*res.memory));
    if (res.cpu) GK_TRY(p.cpu(*res.cpu));
    if (res.pids) GK_TRY(p.pids(*res.pids));
    if (res.block_io) GK_TRY(p.block_io(*res.block_io));
    GK_TRY(p.hugepages(res.hugepage_limits));
    if (res.network) GK_TRY(p.network(*res.network));
    GK_TRY(p.rdma(res.rdma));
    GK_TRY(p.unified(res.unified));
    return out;
}

}  // namespace gocker::cgroups
