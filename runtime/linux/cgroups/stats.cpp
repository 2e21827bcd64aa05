#include "linux/cgroups/stats.hpp"

#include <dirent.h>

#include <cstdlib>
#include <sstream>

#include "common/json_writer.hpp"
#include "linux/cgroups/cgroup_fs.hpp"

namespace gocker::cgroups {
namespace {

using Writer = json::Compact;

// A counter file: a number, or "max" (reported as 0, as runc does for "no limit").
uint64_t number(const CgroupManager& m, const std::string& ctrl, const std::string& file) {
    auto text = m.read(ctrl, file);
    if (!text) return 0;
    return std::strtoull(text->c_str(), nullptr, 10);
}

// `key` of a "key value" file already read (0 when the read failed or the key is missing).
uint64_t keyed(const Result<std::string>& text, const std::string& key) {
    uint64_t v = 0;
    if (text) flat_keyed_value(*text, key, v);
    return v;
}

uint64_t keyed(const CgroupManager& m, const std::string& ctrl, const std::string& file, const std::string& key) {
    return keyed(m.read(ctrl, file), key);
}

void field(Writer& w, const char* key, uint64_t v) {
    w.Key(key);
    w.Uint64(v);
}

void cpu(Writer& w, const CgroupManager& m) {
    int v = m.version_of("cpu");
    int acct = m.version_of("cpuacct");
    if (!v && !acct) return;
    w.Key("cpu");
    w.StartObject();
    w.Key("usage");
    w.StartObject();
    auto stat = m.read("cpu", "cpu.stat");  // without the cpu controller: an error, and no system call
    if (v == 2) {
        field(w, "total", keyed(stat, "usage_usec") * 1000);
        field(w, "kernel", keyed(stat, "system_usec") * 1000);
        field(w, "user", keyed(stat, "user_usec") * 1000);
    } else if (acct) {
        field(w, "total", number(m, "cpuacct", "cpuacct.usage"));
        w.Key("percpu");
        w.StartArray();
        if (auto per = m.read("cpuacct", "cpuacct.usage_percpu")) {
            std::stringstream s(*per);
            for (uint64_t x; s >> x;) w.Uint64(x);
        }
        w.EndArray();
        // cpuacct.stat is in USER_HZ ticks (100 per second on Linux).
        field(w, "kernel", keyed(m, "cpuacct", "cpuacct.stat", "system") * 10000000ULL);
        field(w, "user", keyed(m, "cpuacct", "cpuacct.stat", "user") * 10000000ULL);
    }
    w.EndObject();
    if (v) {
        w.Key("throttling");
        w.StartObject();
        field(w, "periods", keyed(stat, "nr_periods"));
        field(w, "throttled_periods", keyed(stat, "nr_throttled"));
        field(w, "throttled_time", v == 2 ? keyed(stat, "throttled_usec") * 1000 : keyed(stat, "throttled_time"));
        w.EndObject();
    }
    w.EndObject();
}

void memory_entry(Writer& w, const char* key, uint64_t usage, uint64_t max, uint64_t failcnt, uint64_t limit) {
    w.Key(key);
    w.StartObject();
    field(w, "usage", usage);
    field(w, "max", max);
    field(w, "failcnt", failcnt);
    field(w, "limit", limit);
    w.EndObject();
}

void memory(Writer& w, const CgroupManager& m) {
    int v = m.version_of("memory");
    if (!v) return;
    w.Key("memory");
    w.StartObject();
    auto stat = m.read("memory", "memory.stat");
    if (v == 1) {
        field(w, "cache", keyed(stat, "cache"));
        auto entry = [&](const char* key, const std::string& p) {
            memory_entry(w, key, number(m, "memory", p + "usage_in_bytes"),
                         number(m, "memory", p + "max_usage_in_bytes"), number(m, "memory", p + "failcnt"),
                         number(m, "memory", p + "limit_in_bytes"));
        };
        entry("usage", "memory.");
        entry("swap", "memory.memsw.");
        entry("kernel", "memory.kmem.");
        entry("kernelTCP", "memory.kmem.tcp.");
    } else {
        field(w, "cache", keyed(stat, "file"));
        memory_entry(w, "usage", number(m, "memory", "memory.current"), number(m, "memory", "memory.peak"),
                     keyed(m, "memory", "memory.events", "max"), number(m, "memory", "memory.max"));
        memory_entry(w, "swap", number(m, "memory", "memory.swap.current"), number(m, "memory", "memory.swap.peak"),
                     keyed(m, "memory", "memory.swap.events", "max"), number(m, "memory", "memory.swap.max"));
    }
    w.Key("raw");
    w.StartObject();
    if (stat) {
        std::stringstream s(*stat);
        std::string k;
        uint64_t x;
        while (s >> k >> x) field(w, k.c_str(), x);
    }
    w.EndObject();
    w.EndObject();
}

void pids(Writer& w, const CgroupManager& m) {
    if (!m.version_of("pids")) return;
    w.Key("pids");
    w.StartObject();
    field(w, "current", number(m, "pids", "pids.current"));
    field(w, "limit", number(m, "pids", "pids.max"));
    w.EndObject();
}

// v1 "8:0 Read 4096" lines, v2 "8:0 rbytes=1 wbytes=2 rios=3 wios=4 ..." lines.
void blkio(Writer& w, const CgroupManager& m) {
    int v = m.version_of("blkio") ? 1 : (m.version_of("io") ? 2 : 0);
    if (!v) return;
    auto entry = [&](unsigned major, unsigned minor, const std::string& op, uint64_t value) {
        w.StartObject();
        field(w, "major", major);
        field(w, "minor", minor);
        w.Key("op");
        w.String(op.c_str());
        field(w, "value", value);
        w.EndObject();
    };
    w.Key("blkio");
    w.StartObject();
    if (v == 1) {
        for (auto [key, file] : {std::pair{"ioServiceBytesRecursive", "blkio.throttle.io_service_bytes"},
                                 {"ioServicedRecursive", "blkio.throttle.io_serviced"}}) {
            w.Key(key);
            w.StartArray();
            if (auto text = m.read("blkio", file)) {
                std::stringstream s(*text);
                std::string line;
                while (std::getline(s, line)) {
                    unsigned major, minor;
                    char op[32];
                    unsigned long long value;
                    if (std::sscanf(line.c_str(), "%u:%u %31s %llu", &major, &minor, op, &value) == 4)
                        entry(major, minor, op, value);
                }
            }
            w.EndArray();
        }
    } else {
        std::vector<std::tuple<unsigned, unsigned, std::string, uint64_t>> bytes, ios;
        if (auto text = m.read("io", "io.stat")) {
            std::stringstream s(*text);
            std::string line;
            while (std::getline(s, line)) {
                std::stringstream ls(line);
                std::string devno, kv;
                ls >> devno;
                unsigned major = 0, minor = 0;
                if (std::sscanf(devno.c_str(), "%u:%u", &major, &minor) != 2) continue;
                while (ls >> kv) {
                    size_t eq = kv.find('=');
                    if (eq == std::string::npos) continue;
                    std::string k = kv.substr(0, eq);
                    uint64_t val = std::strtoull(kv.c_str() + eq + 1, nullptr, 10);
                    if (k == "rbytes") bytes.emplace_back(major, minor, "Read", val);
                    if (k == "wbytes") bytes.emplace_back(major, minor, "Write", val);
                    if (k == "rios") ios.emplace_back(major, minor, "Read", val);
                    if (k == "wios") ios.emplace_back(major, minor, "Write", val);
                }
            }
        }
        for (auto* list : {&bytes, &ios}) {
            w.Key(list == &bytes ? "ioServiceBytesRecursive" : "ioServicedRecursive");
            w.StartArray();
            for (const auto& [ma, mi, op, val] : *list) entry(ma, mi, op, val);
            w.EndArray();
        }
    }
    w.EndObject();
}

void hugetlb(Writer& w, const CgroupManager& m) {
    int v = m.version_of("hugetlb");
    if (!v) return;
    w.Key("hugetlb");
    w.StartObject();
    for (const auto& size : host_hugepage_sizes()) {
        std::string p = "hugetlb." + size + ".";
        w.Key(size.c_str());
        w.StartObject();
        if (v == 1) {
            field(w, "usage", number(m, "hugetlb", p + "usage_in_bytes"));
            field(w, "max", number(m, "hugetlb", p + "max_usage_in_bytes"));
            field(w, "failcnt", number(m, "hugetlb", p + "failcnt"));
        } else {
            field(w, "usage", number(m, "hugetlb", p + "current"));
            field(w, "failcnt", keyed(m, "hugetlb", p + "events", "max"));
        }
        w.EndObject();
    }
    w.EndObject();
}

}  // namespace

std::string hugepage_size_name(unsigned long kib) {
    if (kib >= 1024UL * 1024 && kib % (1024UL * 1024) == 0) return std::to_string(kib / (1024UL * 1024)) + "GB";
    if (kib >= 1024 && kib % 1024 == 0) return std::to_string(kib / 1024) + "MB";
    return std::to_string(kib) + "KB";
}

std::vector<std::string> host_hugepage_sizes() {
    std::vector<std::string> out;
    DIR* d = ::opendir("/sys/kernel/mm/hugepages");
    if (!d) return out;
    while (struct dirent* e = ::readdir(d)) {
        unsigned long kib;
        if (std::sscanf(e->d_name, "hugepages-%lukB", &kib) == 1) out.push_back(hugepage_size_name(kib));
    }
    ::closedir(d);
    return out;
}

std::string stats_json(const CgroupManager& m) {
    return json::compact([&](Writer& w) {
        w.StartObject();
        cpu(w, m);
        memory(w, m);
        pids(w, m);
        blkio(w, m);
        hugetlb(w, m);
        w.EndObject();
    });
}

}  // namespace gocker::cgroups
