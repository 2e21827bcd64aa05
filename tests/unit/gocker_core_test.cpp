// gocker/core's pure parts: flag values, the record's JSON, the attach frames, the log writer and
// the config a run makes (with the typed model).
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/attach.hpp"
#include "core/bundle.hpp"
#include "core/container_log.hpp"
#include "core/run_options.hpp"
#include "core/store.hpp"
#include "support/temp_dir.hpp"

using namespace gocker;
using namespace gocker::core;

TEST(GockerRunOptions, UsernsMaps) {
    auto m = parse_userns("0:1000:65536");
    ASSERT_TRUE(m.ok());
    ASSERT_EQ(m->size(), 1u);
    EXPECT_EQ((*m)[0], (spec::IdMapping{0, 1000, 65536}));
    auto two = parse_userns("0:1000:1,1:200000:65535");
    ASSERT_TRUE(two.ok());
    EXPECT_EQ(two->size(), 2u);
    EXPECT_EQ(parse_userns("0:1000").error().message(),
              "--userns 0:1000: expected CTR:HOST:SIZE[,CTR:HOST:SIZE...], e.g. 0:1000:65536");
    EXPECT_FALSE(parse_userns("0:1000:0").ok());
    EXPECT_FALSE(parse_userns("0:1000:10,5:3000:10").ok());  // overlapping inside
    EXPECT_FALSE(parse_userns("0:4294967295:2").ok());
}

TEST(GockerRunOptions, VolumesPortsUsersEnvNames) {
    auto v = parse_volume("/srv:/data:ro");
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->source, "/srv");
    EXPECT_EQ(v->destination, "/data");
    EXPECT_TRUE(v->readonly);
    EXPECT_FALSE(parse_volume("/srv:/data")->readonly);
    EXPECT_EQ(parse_volume("/srv:/data:rx").error().message(),
              "--volume /srv:/data:rx: unknown mode \"rx\" (ro or rw)");
    EXPECT_FALSE(parse_volume("srv:/data").ok());
    EXPECT_FALSE(parse_volume("/srv:data").ok());

    auto p = parse_publish("127.0.0.1:8080:80/udp");
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p->text(), "127.0.0.1:8080:80/udp");
    EXPECT_EQ(parse_publish("8080:80")->text(), "8080:80/tcp");
    EXPECT_FALSE(parse_publish("8080:0").ok());
    EXPECT_FALSE(parse_publish("8080:80/sctp").ok());
    EXPECT_FALSE(parse_publish("300.1.1.1:80:80").ok());
    EXPECT_FALSE(parse_publish("80").ok());

    auto u = parse_user("1000:100");
    ASSERT_TRUE(u.ok());
    EXPECT_EQ(u->first, 1000u);
    EXPECT_EQ(u->second, 100u);
    EXPECT_FALSE(parse_user("1000")->second.has_value());
    EXPECT_FALSE(parse_user("bob").ok());

    auto lookup = [](const char* k) -> const char* { return std::string(k) == "HOME" ? "/root" : nullptr; };
    EXPECT_EQ(*parse_env("A=b", lookup).value(), "A=b");
    EXPECT_EQ(*parse_env("HOME", lookup).value(), "HOME=/root");
    EXPECT_FALSE(parse_env("UNSET", lookup)->has_value());
    EXPECT_FALSE(parse_env("=x", lookup).ok());

    EXPECT_TRUE(validate_name("web-1.a_b").ok());
    EXPECT_FALSE(validate_name("-web").ok());
    EXPECT_FALSE(validate_name("a b").ok());
    EXPECT_FALSE(validate_name(std::string(65, 'a')).ok());
    EXPECT_EQ(parse_network("host").value(), NetworkMode::host);
    EXPECT_FALSE(parse_network("wifi").ok());
}

TEST(GockerStore, RecordJsonRoundTrip) {
    Record r;
    r.id = "0123456789ab";
    r.name = "web";
    r.args = {"sh", "-c", "echo \"hi\""};
    r.status = "exited";
    r.exit_code = 137;
    r.monitor_start = 123456789012ull;
    r.ports = {"8080:80/tcp"};
    r.tty = true;
    r.log_max_size = 2048;
    auto back = record_from_json(record_to_json(r, true), "record.json");
    ASSERT_TRUE(back.ok()) << back.error().message();
    EXPECT_EQ(back->args, r.args);
    EXPECT_EQ(back->exit_code, 137);
    EXPECT_EQ(back->monitor_start, r.monitor_start);
    EXPECT_EQ(back->ports, r.ports);
    EXPECT_TRUE(back->tty);
    EXPECT_EQ(back->log_max_size, 2048u);
    EXPECT_FALSE(record_from_json("{}", "x").ok());
    EXPECT_EQ(status_text(*back).rfind("exited (137) ", 0), 0u);
}

TEST(GockerAttach, FramesSurviveSplitting) {
    int sv[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ASSERT_TRUE(send_frame(sv[0], Frame::out, "hello\n").ok());
    ASSERT_TRUE(send_frame(sv[0], Frame::exit, "3").ok());
    char buf[64];
    ssize_t n = ::read(sv[1], buf, sizeof buf);
    ASSERT_EQ(n, 5 + 6 + 5 + 1);
    FrameReader r;
    r.feed(buf, 3);  // a frame arrives in pieces
    EXPECT_FALSE(r.next().has_value());
    r.feed(buf + 3, size_t(n) - 3);
    auto a = r.next();
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(a->first, Frame::out);
    EXPECT_EQ(a->second, "hello\n");
    auto b = r.next();
    ASSERT_TRUE(b.has_value());
    EXPECT_EQ(b->first, Frame::exit);
    EXPECT_EQ(b->second, "3");
    EXPECT_FALSE(r.next().has_value());
    ::close(sv[0]);
    ::close(sv[1]);
}

TEST(GockerLog, LinesBecomeRecordsAndTheFileRotates) {
    test::TempDir dir("gocker-log-test");
    ASSERT_TRUE(dir.ok());
    std::string path = dir / "container.log";
    {
        LogWriter w(path, 400);
        ASSERT_TRUE(w.open().ok());
        w.write("stdout", "one\ntw");
        w.write("stderr", "err \"quoted\"\n");
        w.write("stdout", "o\n");
        for (int i = 0; i < 10; ++i) w.write("stdout", "line " + std::to_string(i) + "\n");
        w.write("stdout", "no newline");
        w.flush();
    }
    EXPECT_TRUE(std::filesystem::exists(path + ".1"));
    EXPECT_LE(std::filesystem::file_size(path), 400u);
    std::ifstream in(path + ".1");
    std::string first;
    std::getline(in, first);
    LogEntry e;
    ASSERT_TRUE(parse_log_line(first, e)) << first;
    EXPECT_EQ(e.stream, "stdout");
    EXPECT_EQ(e.text.back(), '\n');
    std::ifstream cur(path);
    std::string line, last;
    while (std::getline(cur, line)) last = line;
    ASSERT_TRUE(parse_log_line(last, e));
    EXPECT_EQ(e.text, "no newline");
    EXPECT_EQ(e.time.rfind("20", 0), 0u);
}

TEST(GockerBundle, TheSeedsDefaultsAndFlagsInTheConfig) {
    RunOptions o;
    o.rootfs = "/r";
    o.args = {"echo", "hi"};
    o.env = {"A=b", "PATH=/bin"};
    o.cpu_limit = "0.5";
    o.memory_limit = "512M";
    o.volumes = {Volume{"/srv", "/data", true}};
    NetworkPlan none;
    auto cfg = make_config(o, BundleInputs{"abc", "/state/abc/merged", "/gocker-cli/abc"}, none);
    ASSERT_TRUE(cfg.ok()) << cfg.error().message();
    EXPECT_EQ(cfg->hostname, "gocker-container");
    EXPECT_EQ(cfg->root->path, "/state/abc/merged");
    EXPECT_EQ(cfg->process->args, o.args);
    for (const char* ns : {"pid", "uts", "ipc", "mount", "network", "user"})
        EXPECT_NE(cfg->linux->find_namespace(ns), nullptr) << ns;
    EXPECT_EQ(cfg->linux->uid_mappings, (std::vector<spec::IdMapping>{{0, 1000, 65536}}));
    EXPECT_EQ(cfg->linux->resources->pids->limit, 20);
    EXPECT_EQ(cfg->linux->resources->memory->limit, 512 * 1024 * 1024);
    EXPECT_EQ(cfg->linux->resources->cpu->quota, 50000);
    EXPECT_EQ(cfg->linux->cgroups_path, "/gocker-cli/abc");
    EXPECT_EQ(std::count(cfg->process->env.begin(), cfg->process->env.end(), "PATH=/bin"), 1);
    EXPECT_EQ(cfg->mounts.back().options, (std::vector<std::string>{"rbind", "ro"}));
    EXPECT_EQ(cfg->annotations.at("gocker.net.mode"), "none");

    o.userns = {{0, 1000, 1}};  // group 5 unmapped: devpts loses gid=5
    NetworkPlan host;
    host.mode = NetworkMode::host;
    cfg = make_config(o, BundleInputs{"abc", "/m", "/p/abc"}, host);
    ASSERT_TRUE(cfg.ok()) << cfg.error().message();
    EXPECT_EQ(cfg->linux->find_namespace("network"), nullptr);
    for (const auto& m : cfg->mounts) {
        if (m.type == "devpts") {
            for (const auto& opt : m.options) EXPECT_NE(opt.rfind("gid=", 0), 0u);
        }
        if (m.destination == "/sys") {
            EXPECT_EQ(m.type, "bind") << "sysfs needs the network namespace's owner";
        }
    }

    NetworkPlan bridge;
    bridge.mode = NetworkMode::bridge;
    bridge.hook = "/usr/bin/gocker-net";
    o.ports = {parse_publish("8080:80").value()};
    o.userns.clear();
    cfg = make_config(o, BundleInputs{"abc", "/m", "/p/abc"}, bridge);
    ASSERT_TRUE(cfg.ok());
    EXPECT_EQ(cfg->linux->find_namespace("user"), nullptr);
    ASSERT_EQ(cfg->hooks->create_runtime.size(), 1u);
    EXPECT_EQ(cfg->hooks->create_runtime[0].args, (std::vector<std::string>{"gocker-net", "createRuntime"}));
    EXPECT_EQ(cfg->hooks->poststop[0].args, (std::vector<std::string>{"gocker-net", "poststop"}));
    EXPECT_EQ(cfg->annotations.at("gocker.net.ports"), "8080:80/tcp");

    o.memory_limit = "12Q";
    EXPECT_EQ(make_config(o, BundleInputs{"abc", "/m", "/p/abc"}, none).error().message(),
              "--memory-limit: invalid value \"12Q\" (expected a size such as 512M, 1G, 4096, or max)");
}
