// Every JSON document the runtime prints or sends, parsed back with RapidJSON: a string holding
// quotes, backslashes, control characters or non-ASCII text must come back as it went in, and
// the document must keep the key names and types its clients (containerd, podman) read.
#include <gtest/gtest.h>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli_json.hpp"
#include "common/log.hpp"
#include "core/container_log.hpp"
#include "container/state_store.hpp"
#include "core/store.hpp"
#include "linux/cgroups/manager.hpp"
#include "linux/seccomp.hpp"
#include "net/lease_store.hpp"

namespace {

using namespace gocker;

// Each one has broken a hand-made JSON writer somewhere.
const std::vector<std::string> kHostile = {
    "plain",
    "quo\"te",
    "back\\slash\\",
    "line\nbreak\ttab\rret",
    std::string("nul\0byte", 8),
    "\x01\x07\x08\x0b\x0c\x1b\x1f",
    "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x90\xb3",  // café 日本 and an astral character
    "\"},{\"id\":\"injected",
    "</script>\x7f",
};

rapidjson::Document parse(const std::string& text) {
    rapidjson::Document d;
    d.Parse<rapidjson::kParseValidateEncodingFlag>(text.data(), text.size());
    EXPECT_FALSE(d.HasParseError()) << rapidjson::GetParseError_En(d.GetParseError()) << " at " << d.GetErrorOffset()
                                    << " in: " << text;
    return d;
}

std::string str(const rapidjson::Value& v, const char* key) {
    EXPECT_TRUE(v.IsObject() && v.HasMember(key) && v[key].IsString()) << key;
    if (!v.IsObject() || !v.HasMember(key) || !v[key].IsString()) return "<missing>";
    return std::string(v[key].GetString(), v[key].GetStringLength());
}

TEST(JsonOutput, ListEntriesReadBackWithHostileStrings) {
    std::vector<ContainerInfo> all;
    for (const auto& s : kHostile) {
        ContainerInfo c;
        c.record.id = "id" + s;
        c.record.bundle = "/b/" + s;
        c.record.rootfs = "/r/" + s;
        c.record.created = "2026-12-03T10:00:00" + s;
        c.record.owner = s;
        c.record.pid = 42;
        c.status = spec::ContainerStatus::running;
        all.push_back(c);
    }
    all.back().status = spec::ContainerStatus::stopped;
    std::string text = cli::list_json(all);
    ASSERT_FALSE(text.empty());
    EXPECT_EQ(text.back(), '\n');
    auto d = parse(text);
    ASSERT_TRUE(d.IsArray());
    ASSERT_EQ(d.Size(), all.size());
    for (rapidjson::SizeType i = 0; i < d.Size(); ++i) {
        const auto& e = d[i];
        const auto& rec = all[i].record;
        EXPECT_EQ(str(e, "ociVersion"), spec::kOciVersion);
        EXPECT_EQ(str(e, "id"), rec.id);
        EXPECT_EQ(str(e, "bundle"), rec.bundle);
        EXPECT_EQ(str(e, "rootfs"), rec.rootfs);
        EXPECT_EQ(str(e, "created"), rec.created);
        EXPECT_EQ(str(e, "owner"), rec.owner);
        ASSERT_TRUE(e["pid"].IsInt());
        EXPECT_EQ(e["pid"].GetInt(), i + 1 == d.Size() ? 0 : 42);  // a stopped container has no pid
        EXPECT_EQ(str(e, "status"), i + 1 == d.Size() ? "stopped" : "running");
    }
    EXPECT_EQ(cli::list_json({}), "[]\n");
}

TEST(JsonOutput, EventsReadBackWithHostileIds) {
    for (const auto& s : kHostile) {
        std::string data = R"({"cpu":{"usage":{"total":1}}})";
        auto d = parse(cli::event_json("stats", s, &data));
        EXPECT_EQ(str(d, "type"), "stats");
        EXPECT_EQ(str(d, "id"), s);
        ASSERT_TRUE(d.HasMember("data") && d["data"].IsObject());
        EXPECT_EQ(d["data"]["cpu"]["usage"]["total"].GetInt(), 1);
        auto oom = parse(cli::event_json("oom", s, nullptr));
        EXPECT_EQ(str(oom, "type"), "oom");
        EXPECT_EQ(str(oom, "id"), s);
        EXPECT_FALSE(oom.HasMember("data"));
        // The same event has the same shape as before the writer changed: runc's, on one line.
        if (s == "plain") {
            EXPECT_EQ(cli::event_json("oom", s, nullptr), R"({"type":"oom","id":"plain"})");
        }
    }
}

TEST(JsonOutput, CheckReportReadsBackWithHostileStrings) {
    for (const auto& s : kHostile) {
        cli::CheckReport c{"hybrid" + s,      {{"item" + s, "ok", "detail " + s}, {"x", "fail", s}},
                           "/bundle/" + s,    "config.json: /root: " + s,
                           {"needs " + s, s}, false};
        auto d = parse(cli::check_json(c));
        EXPECT_EQ(str(d, "cgroupMode"), c.cgroup_mode);
        ASSERT_TRUE(d["items"].IsArray());
        ASSERT_EQ(d["items"].Size(), 2u);
        EXPECT_EQ(str(d["items"][0], "item"), c.rows[0].item);
        EXPECT_EQ(str(d["items"][0], "status"), "ok");
        EXPECT_EQ(str(d["items"][0], "detail"), c.rows[0].detail);
        EXPECT_EQ(str(d["items"][1], "detail"), s);
        const auto& cfg = d["config"];
        EXPECT_EQ(str(cfg, "path"), c.config_path);
        ASSERT_TRUE(cfg["valid"].IsBool());
        EXPECT_FALSE(cfg["valid"].GetBool());
        EXPECT_EQ(str(cfg, "error"), c.config_error);
        ASSERT_TRUE(cfg["problems"].IsArray());
        ASSERT_EQ(cfg["problems"].Size(), 2u);
        EXPECT_EQ(std::string(cfg["problems"][1].GetString(), cfg["problems"][1].GetStringLength()), s);
        ASSERT_TRUE(d["canRun"].IsBool());
        EXPECT_FALSE(d["canRun"].GetBool());
    }
    auto ok = parse(cli::check_json({"v2", {}, "default", "", {}, true}));
    EXPECT_TRUE(ok["config"]["valid"].GetBool());
    EXPECT_FALSE(ok["config"].HasMember("error"));
    EXPECT_TRUE(ok["canRun"].GetBool());
}

TEST(JsonOutput, SeccompListenerMessageReadsBackWithHostileMetadata) {
    for (const auto& s : kHostile) {
        std::string state = R"({"ociVersion":"1.3.0","id":"c","status":"creating","pid":7,"bundle":"/b"})";
        auto d = parse(seccomp_listener_message(7, s, state));
        EXPECT_EQ(str(d, "ociVersion"), spec::kOciVersion);
        ASSERT_TRUE(d["fds"].IsArray());
        ASSERT_EQ(d["fds"].Size(), 1u);
        EXPECT_STREQ(d["fds"][0].GetString(), "seccompFd");
        EXPECT_EQ(d["pid"].GetInt(), 7);
        EXPECT_EQ(str(d, "metadata"), s);
        EXPECT_EQ(str(d["state"], "status"), "creating");
    }
    auto none = parse(seccomp_listener_message(7, "", "{}"));
    EXPECT_FALSE(none.HasMember("metadata"));  // config-linux.md: only when set
}

TEST(JsonOutput, CgroupStateReadsBackWithHostilePaths) {
    using namespace gocker::cgroups;
    CgroupLayout layout{CgroupMode::v2, {Hierarchy{2, "/nonexistent-cgroup-root", {"pids"}}}};
    for (const auto& s : kHostile) {
        auto m = make_manager(layout, "/p/" + s);
        ASSERT_TRUE(m);
        (*m)->set_created_dirs({"/nonexistent-cgroup-root/p", "/nonexistent-cgroup-root/p/" + s});
        std::string saved = manager_state_json(**m);
        auto d = parse(saved);
        EXPECT_EQ(str(d, "path"), "/p/" + s);
        ASSERT_TRUE(d["created"].IsArray());
        ASSERT_EQ(d["created"].Size(), 2u);
        auto again = load_manager(layout, saved);
        ASSERT_TRUE(again);
        EXPECT_EQ((*again)->created_dirs(), (*m)->created_dirs());
    }
}

// --log-format json: one {"level","msg","time"} object per line, which is where containerd and
// podman read a failed command's reason.
TEST(JsonOutput, JsonLogLinesReadBackWithHostileMessages) {
    char path[] = "/tmp/gocker-json-log-XXXXXX";
    int fd = ::mkstemp(path);
    ASSERT_GE(fd, 0);
    ::close(fd);
    ASSERT_TRUE(log::configure({path, log::Format::json, false}));
    for (const auto& s : kHostile) log::warning("message " + s);
    log::configure({});
    std::ifstream in(path);
    std::stringstream all;
    all << in.rdbuf();
    ::unlink(path);
    std::string text = all.str();
    size_t start = 0;
    for (const auto& s : kHostile) {
        size_t nl = text.find('\n', start);
        ASSERT_NE(nl, std::string::npos) << "fewer lines than messages: " << text;
        auto d = parse(text.substr(start, nl - start));
        EXPECT_EQ(str(d, "level"), "warning");
        EXPECT_EQ(str(d, "msg"), "message " + s);
        EXPECT_EQ(str(d, "time").size(), std::string("2026-12-03T10:00:00.000000Z").size());
        start = nl + 1;
    }
    EXPECT_EQ(start, text.size());
}

// gocker: `ps --format json`, `inspect` and the web console show records with extra members.
TEST(JsonOutput, GockerRecordsReadBackWithHostileStrings) {
    std::vector<core::RecordView> views;
    for (const auto& s : kHostile) {
        core::Record r;
        r.id = "0123abcd";
        r.name = s;
        r.rootfs = "/r/" + s;
        r.args = {"sh", "-c", s};
        r.exit_code = 137;
        r.pid = 5;
        r.log_max_size = 1 << 20;
        views.push_back({r, {{"statusText", "exited " + s}, {"address", s}}});
    }
    for (bool pretty : {false, true}) {
        auto d = parse(core::records_to_json(views, pretty));
        ASSERT_TRUE(d.IsArray());
        ASSERT_EQ(d.Size(), views.size());
        for (rapidjson::SizeType i = 0; i < d.Size(); ++i) {
            const auto& s = kHostile[i];
            EXPECT_EQ(str(d[i], "name"), s);
            EXPECT_EQ(str(d[i], "rootfs"), "/r/" + s);
            ASSERT_EQ(d[i]["args"].Size(), 3u);
            EXPECT_EQ(std::string(d[i]["args"][2].GetString(), d[i]["args"][2].GetStringLength()), s);
            EXPECT_EQ(d[i]["exitCode"].GetInt(), 137);
            EXPECT_EQ(d[i]["logMaxSize"].GetUint64(), 1u << 20);
            EXPECT_EQ(str(d[i], "statusText"), "exited " + s);
            EXPECT_EQ(str(d[i], "address"), s);
        }
    }
    // One record with its extras, and the stored record (no extras) read back by record_from_json.
    auto one = parse(core::record_to_json(views[1].record, false, views[1].extras));
    EXPECT_EQ(str(one, "statusText"), views[1].extras[0].second);
    auto back = core::record_from_json(core::record_to_json(views[1].record, true), "record.json");
    ASSERT_TRUE(back) << back.error().message();
    EXPECT_EQ(back->name, kHostile[1]);
    EXPECT_EQ(core::records_to_json({}, false), "[]");
}

TEST(JsonOutput, GockerLogEntriesReadBackWithHostileText) {
    for (const auto& s : kHostile) {
        std::string line = core::log_entry_json("2026-12-03T10:00:00.000000001Z", "stdout", s + "\n");
        EXPECT_EQ(line.find('\n'), std::string::npos) << "one record, one line";
        auto d = parse(line);
        EXPECT_EQ(str(d, "stream"), "stdout");
        EXPECT_EQ(str(d, "log"), s + "\n");
        core::LogEntry e;
        ASSERT_TRUE(core::parse_log_line(line, e)) << line;
        if (s.find('\0') == std::string::npos) {
            EXPECT_EQ(e.text, s + "\n");  // the reader stops at a NUL
        }
    }
}

// gocker-net's lease files and network.json.
TEST(JsonOutput, LeaseReadsBackWithHostileContainerIds) {
    for (const auto& s : kHostile) {
        net::Lease l;
        l.address = net::Ipv4{0x0a000005};
        l.container = s;
        l.active = true;
        l.owner_pid = 9;
        l.owner_start = 123456789012ull;
        l.veth = "veth" + s;
        l.ifname = "eth0";
        std::string text = net::lease_to_json(l);
        auto d = parse(text);
        EXPECT_EQ(str(d, "container"), s);
        EXPECT_EQ(str(d, "state"), "active");
        EXPECT_EQ(d["ownerStart"].GetUint64(), 123456789012ull);
        auto back = net::parse_lease(text, l.address, "lease");
        ASSERT_TRUE(back) << back.error().message();
        if (s.find('\0') == std::string::npos) {
            EXPECT_EQ(back->container, s);  // the reader stops at a NUL
        }
    }
}

// network.json is compared as text with what a later ADD would write: its bytes must not change.
TEST(JsonOutput, NetworkRecordKeepsItsBytes) {
    std::string root =
        (std::filesystem::temp_directory_path() / ("gocker-json-net-" + std::to_string(::getpid()))).string();
    std::filesystem::remove_all(root);
    net::NetworkConfig cfg;
    cfg.name = "n1";
    cfg.bridge = "gk-test0";
    {
        auto store = net::LeaseStore::open(root, cfg, true);
        ASSERT_TRUE(store) << store.error().message();
    }
    std::ifstream in(root + "/n1/network.json");
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str(), "{\"bridge\":\"gk-test0\",\"subnet\":\"10.0.0.0/24\",\"gateway\":\"10.0.0.1\"}\n");
    auto again = net::LeaseStore::open(root, cfg, true);  // the same network: accepted
    EXPECT_TRUE(again) << again.error().message();
    auto nets = net::recorded_networks(root);
    ASSERT_TRUE(nets) << nets.error().message();
    ASSERT_EQ(nets->size(), 1u);
    EXPECT_EQ((*nets)[0], cfg);
    std::filesystem::remove_all(root);
}

// The runtime's own state.json record: what `state`, `list` and `delete` read back.
TEST(JsonOutput, StateRecordReadsBackWithHostileStrings) {
    for (const auto& s : kHostile) {
        if (s.find('\0') != std::string::npos) continue;  // a path or annotation never holds a NUL
        ContainerRecord r;
        r.id = "c1";
        r.bundle = "/b/" + s;
        r.rootfs = "/r/" + s;
        r.pid = 7;
        r.start_time = 1234567890123ull;
        r.created = "2026-12-03T10:00:00.000000001Z";
        r.owner = s;
        r.annotations = {{"k" + s, "v" + s}};
        r.cgroup_path = "/gocker/" + s;
        r.has_pid_ns = true;
        std::string text = record_to_json(r);
        auto d = parse(text);
        EXPECT_EQ(str(d["annotations"], ("k" + s).c_str()), "v" + s);
        auto back = record_from_json(text);
        ASSERT_TRUE(back) << back.error().message();
        EXPECT_EQ(back->bundle, r.bundle);
        EXPECT_EQ(back->rootfs, r.rootfs);
        EXPECT_EQ(back->owner, r.owner);
        EXPECT_EQ(back->cgroup_path, r.cgroup_path);
        EXPECT_EQ(back->annotations, r.annotations);
        EXPECT_EQ(back->start_time, r.start_time);
        EXPECT_TRUE(back->has_pid_ns);
    }
}

}  // namespace
