// config.json parsing and writing: our corpus of good and bad configs (tests/data/configs, the
// shapes real clients write and the mistakes we refuse, each with its expected message), the
// OCI spec's own schema corpus when an external checkout is given, type/range errors with their
// JSON paths, syntax errors with line and column, round trips and the default spec.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "common/file_io.hpp"
#include "spec/config_io.hpp"
#include "corpus.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace gocker::spec;
using gocker::test::slurp;

namespace {

std::string parse_error(std::string_view json) {
    auto r = parse_config(json);
    if (r.ok()) return "<parsed>";
    return r.error().message();
}

// The first complaint about a config: from parsing, else from validation; "" when it is valid.
std::string config_error(std::string_view json) {
    auto r = parse_config(json);
    if (!r.ok()) return r.error().message();
    auto st = validate_config(*r);
    return st.ok() ? "" : st.error().message();
}

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

}  // namespace

TEST(ConfigCorpus, GoodConfigsParseAndValidate) {
    auto files = gocker::test::own_corpus("configs", "good");
    ASSERT_GE(files.size(), 8u) << gocker::test::own_data_dir();
    for (const auto& f : files) {
        SCOPED_TRACE(f.string());
        EXPECT_EQ(config_error(slurp(f)), "");
    }
}

// Each bad/NAME.json has bad/NAME.error: the exact message, which names the JSON path.
TEST(ConfigCorpus, BadConfigsAreRefusedWithTheirMessage) {
    auto files = gocker::test::own_corpus("configs", "bad");
    ASSERT_GE(files.size(), 10u);
    for (const auto& f : files) {
        SCOPED_TRACE(f.string());
        fs::path expected = fs::path(f).replace_extension(".error");
        ASSERT_TRUE(fs::exists(expected)) << "every bad config needs its expected message in " << expected;
        EXPECT_EQ(config_error(slurp(f)), trimmed(slurp(expected)));
    }
}

TEST(ConfigCorpus, GoodConfigsRoundTrip) {
    for (const auto& f : gocker::test::own_corpus("configs", "good")) {
        SCOPED_TRACE(f.string());
        auto first = parse_config(slurp(f));
        ASSERT_TRUE(first.ok());
        std::string text = config_to_json(*first);
        auto second = parse_config(text);
        ASSERT_TRUE(second.ok()) << second.error().message() << "\n" << text;
        EXPECT_TRUE(*first == *second) << text;
        EXPECT_EQ(config_to_json(*second), text);
    }
}

// The spec's own schema/test corpus, read only from a checkout given through GOCKER_SPEC_DIR.
TEST(SpecCorpus, GoodConfigsParseValidateAndRoundTrip) {
    auto dir = gocker::test::external_spec_dir();
    if (!dir) GTEST_SKIP() << gocker::test::kNoExternalSpec;
    std::cout << "[ info     ] using the OCI runtime-spec schema tests in " << dir->string() << "\n";
    auto files = gocker::test::json_files(*dir / "schema/test/config/good");
    ASSERT_FALSE(files.empty()) << "GOCKER_SPEC_DIR=" << dir->string() << " has no schema/test/config/good";
    for (const auto& f : files) {
        SCOPED_TRACE(f.string());
        auto cfg = parse_config(slurp(f));
        ASSERT_TRUE(cfg.ok()) << cfg.error().message();
        // Examples may carry a pre-1.0 ociVersion ("0.5.0-dev"), out of our supported range:
        // that field is not what is being checked here.
        if (!cfg->oci_version.starts_with("1.")) cfg->oci_version = "1.0.0";
        auto st = validate_config(*cfg);
        EXPECT_TRUE(st.ok()) << st.error().message();
        std::string text = config_to_json(*cfg);
        auto again = parse_config(text);
        ASSERT_TRUE(again.ok()) << again.error().message();
        EXPECT_TRUE(*again == *cfg) << text;
    }
}

TEST(SpecCorpus, BadConfigsAreRefused) {
    auto dir = gocker::test::external_spec_dir();
    if (!dir) GTEST_SKIP() << gocker::test::kNoExternalSpec;
    std::cout << "[ info     ] using the OCI runtime-spec schema tests in " << dir->string() << "\n";
    auto files = gocker::test::json_files(*dir / "schema/test/config/bad");
    ASSERT_FALSE(files.empty()) << "GOCKER_SPEC_DIR=" << dir->string() << " has no schema/test/config/bad";
    for (const auto& f : files) {
        SCOPED_TRACE(f.string());
        EXPECT_NE(config_error(slurp(f)), "");
    }
}

TEST(ConfigParse, EveryFieldLandsInTheRightPlace) {
    auto cfg = parse_config(slurp(gocker::test::own_data_dir() / "configs/good/every-field.json"));
    ASSERT_TRUE(cfg.ok()) << cfg.error().message();
    ASSERT_TRUE(cfg->process);
    EXPECT_TRUE(cfg->process->terminal);
    EXPECT_EQ(cfg->process->console_size->width, 120u);
    EXPECT_EQ(cfg->process->user.uid, 7u);
    EXPECT_EQ(cfg->process->user.umask, 18u);
    EXPECT_EQ(cfg->process->user.additional_gids, (std::vector<uint32_t>{9, 10}));
    EXPECT_EQ(cfg->process->capabilities->ambient, std::vector<std::string>{"CAP_NET_BIND_SERVICE"});
    EXPECT_EQ(cfg->process->rlimits.at(1).type, "RLIMIT_NOFILE");
    EXPECT_EQ(cfg->process->rlimits.at(1).soft, 2048u);
    EXPECT_EQ(cfg->process->oom_score_adj, 250);
    EXPECT_EQ(cfg->hooks->prestart.size(), 2u);
    EXPECT_EQ(cfg->hooks->prestart.at(0).args.at(1), "--up");
    EXPECT_EQ(cfg->hooks->poststart.at(0).timeout, 7);
    EXPECT_EQ(cfg->mounts.at(2).options.at(3), "ptmxmode=0666");
    EXPECT_EQ(cfg->domainname, "example.test");
    const Linux& lx = *cfg->linux;
    EXPECT_EQ(lx.devices.at(0).file_mode, 420u);
    EXPECT_FALSE(lx.devices.at(1).file_mode.has_value());
    EXPECT_EQ(lx.uid_mappings.at(0).host_id, 200000u);
    EXPECT_EQ(lx.sysctl.at("kernel.shmmax"), "4096");
    EXPECT_EQ(lx.cgroups_path, "/tests/every-field");
    const Resources& res = *lx.resources;
    EXPECT_EQ(res.network->class_id, 65538u);
    EXPECT_EQ(res.network->priorities.at(0).priority, 3u);
    EXPECT_EQ(res.pids->limit, 512);
    EXPECT_EQ(res.hugepage_limits.at(0).limit, 4194304u);
    EXPECT_EQ(res.memory->kernel, -1);
    EXPECT_EQ(res.memory->swappiness, 10u);
    EXPECT_EQ(res.memory->disable_oom_killer, true);
    EXPECT_EQ(res.cpu->cpus, "0-1");
    EXPECT_EQ(res.cpu->realtime_runtime, 950);
    EXPECT_FALSE(res.cpu->idle.has_value());
    EXPECT_EQ(res.devices.at(1).major, 10);
    EXPECT_FALSE(res.devices.at(0).major.has_value());
    EXPECT_EQ(res.block_io->weight_device.at(0).leaf_weight, std::nullopt);
    EXPECT_EQ(res.block_io->weight_device.at(1).leaf_weight, 200);
    EXPECT_EQ(res.block_io->throttle_write_iops_device.at(0).rate, 250u);
    EXPECT_EQ(lx.seccomp->syscalls.at(0).names.at(1), "umount2");
    EXPECT_EQ(lx.seccomp->syscalls.at(1).args.at(0).value, 8u);
    EXPECT_EQ(lx.time_offsets.at("boottime").secs, 86400);
    EXPECT_EQ(lx.time_offsets.at("monotonic").nanosecs, 5u);
    EXPECT_EQ(lx.namespaces.size(), 8u);
    EXPECT_EQ(lx.rootfs_propagation, "slave");
    EXPECT_EQ(lx.mount_label, "system_u:object_r:container_file_t:s0:c1,c2");
    EXPECT_EQ(cfg->annotations.at("org.example.tier"), "unit");
}

TEST(ConfigParse, NewerFieldsRoundTrip) {
    const char* json = R"({"ociVersion":"1.3.0","root":{"path":"r"},
      "mounts":[{"destination":"/data","source":"/src","type":"none","options":["rbind","idmap"],
                 "uidMappings":[{"containerID":0,"hostID":1000,"size":10}],
                 "gidMappings":[{"containerID":0,"hostID":1000,"size":10}]}],
      "process":{"cwd":"/","args":["a"],"consoleSize":{"height":24,"width":80},
        "user":{"uid":0,"gid":0,"umask":18},
        "scheduler":{"policy":"SCHED_DEADLINE","nice":-5,"priority":1,"flags":["SCHED_FLAG_RECLAIM"],
                     "runtime":10,"deadline":20,"period":30},
        "ioPriority":{"class":"IOPRIO_CLASS_BE","priority":4},
        "execCPUAffinity":{"initial":"0-1","final":"2, 3"},"oomScoreAdj":-10},
      "linux":{"namespaces":[{"type":"user"},{"type":"network","path":"/proc/1/ns/net"},{"type":"time"}],
        "uidMappings":[{"containerID":0,"hostID":1,"size":1}],
        "netDevices":{"eth1":{"name":"ctr%d"}},
        "resources":{"unified":{"memory.high":"1G"},"rdma":{"mlx":{"hcaHandles":1}},
                     "cpu":{"idle":1,"burst":5},"memory":{"checkBeforeUpdate":true}},
        "intelRdt":{"closID":"c","schemata":["L3:0=f"],"memBwSchema":"MB:0=50","enableMonitoring":true},
        "memoryPolicy":{"mode":"MPOL_BIND","nodes":"0-1","flags":["MPOL_F_STATIC_NODES"]},
        "seccomp":{"defaultAction":"SCMP_ACT_NOTIFY","defaultErrnoRet":1,"listenerPath":"/run/l.sock",
                   "listenerMetadata":"m","flags":["SECCOMP_FILTER_FLAG_LOG"],
                   "syscalls":[{"names":["kill"],"action":"SCMP_ACT_ERRNO","errnoRet":1,
                                "args":[{"index":1,"value":9,"valueTwo":3,"op":"SCMP_CMP_MASKED_EQ"}]}]},
        "timeOffsets":{"monotonic":{"secs":-5,"nanosecs":7}},
        "personality":{"domain":"LINUX32","flags":[]}}})";
    auto cfg = parse_config(json);
    ASSERT_TRUE(cfg.ok()) << cfg.error().message();
    auto st = validate_config(*cfg);
    EXPECT_TRUE(st.ok()) << st.error().message();
    EXPECT_EQ(cfg->process->scheduler->nice, -5);
    EXPECT_EQ(cfg->process->user.umask, 18u);
    EXPECT_EQ(cfg->process->exec_cpu_affinity->final_, "2, 3");
    EXPECT_EQ(cfg->linux->seccomp->syscalls.at(0).args.at(0).value_two, 3u);
    EXPECT_EQ(cfg->linux->time_offsets.at("monotonic").secs, -5);
    EXPECT_EQ(cfg->linux->net_devices.at("eth1").name, "ctr%d");
    EXPECT_EQ(cfg->linux->resources->unified.at("memory.high"), "1G");
    EXPECT_EQ(cfg->mounts.at(0).uid_mappings.at(0).size, 10u);
    auto again = parse_config(config_to_json(*cfg));
    ASSERT_TRUE(again.ok()) << again.error().message();
    EXPECT_TRUE(*again == *cfg) << config_to_json(*cfg);
}

TEST(ConfigParse, AbsentAndZeroStayDifferent) {
    auto a = parse_config(R"({"ociVersion":"1.0.0","linux":{"resources":{"memory":{"swap":0}}}})");
    auto b = parse_config(R"({"ociVersion":"1.0.0","linux":{"resources":{"memory":{}}}})");
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->linux->resources->memory->swap, 0);
    EXPECT_FALSE(b->linux->resources->memory->swap.has_value());
    EXPECT_NE(config_to_json(*a).find("\"swap\": 0"), std::string::npos);
    EXPECT_EQ(config_to_json(*b).find("swap"), std::string::npos);
}

TEST(ConfigParse, UnknownFieldsAreAccepted) {
    auto cfg = parse_config(R"({"ociVersion":"1.0.0","root":{"path":"r","x-extra":1},
                               "vendor.future":{"a":[1,2]},"process":{"cwd":"/","args":["a"],"new":true}})");
    ASSERT_TRUE(cfg.ok()) << cfg.error().message();
    EXPECT_EQ(cfg->root->path, "r");
}

TEST(ConfigParse, TypeAndRangeErrorsNameThePath) {
    EXPECT_EQ(parse_error(R"({"ociVersion":"1.0.0","process":{"cwd":"/","args":"sh"}})"),
              "config.json: /process/args: expected an array of strings, got a string");
    EXPECT_EQ(parse_error(R"({"ociVersion":"1.0.0","process":{"cwd":"/","args":["sh",1]}})"),
              "config.json: /process/args/1: expected a string, got a number");
    EXPECT_EQ(parse_error(R"({"ociVersion":"1.0.0","linux":{"uidMappings":[{"containerID":0,"hostID":0,"size":-1}]}})"),
              "config.json: /linux/uidMappings/0/size: expected a uint32, got -1");
    EXPECT_EQ(parse_error(
                  R"({"ociVersion":"1.0.0","linux":{"uidMappings":[{"containerID":0,"hostID":4294967296,"size":1}]}})"),
              "config.json: /linux/uidMappings/0/hostID: expected a uint32, got 4294967296");
    EXPECT_EQ(parse_error(R"({"ociVersion":"1.0.0","root":{}})"),
              "config.json: /root: missing required field \"path\"");
    EXPECT_EQ(parse_error(R"({"root":{"path":"r"}})"), "config.json: missing required field \"ociVersion\"");
    EXPECT_EQ(parse_error("[]"), "config.json: expected an object, got an array");
    EXPECT_EQ(parse_error(R"({"ociVersion":"1.0.0","linux":{"resources":{"blockIO":{"weight":65536}}}})"),
              "config.json: /linux/resources/blockIO/weight: expected a uint16, got 65536");
    EXPECT_EQ(parse_error(R"({"ociVersion":"1.0.0","linux":{"resources":{"cpu":{"shares":1.5}}}})"),
              "config.json: /linux/resources/cpu/shares: expected a uint64, got 1.5");
    EXPECT_EQ(parse_error(R"({"ociVersion":"1.0.0","linux":{"resources":{"memory":{"limit":18446744073709551615}}}})"),
              "config.json: /linux/resources/memory/limit: expected an int64, got 18446744073709551615");
    EXPECT_EQ(parse_error(R"({"ociVersion":"1.0.0","process":{"cwd":"/","oomScoreAdj":2147483648}})"),
              "config.json: /process/oomScoreAdj: expected an int32, got 2147483648");
    EXPECT_EQ(parse_error(R"({"ociVersion":"1.0.0","annotations":{"a/b~c":1}})"),
              "config.json: /annotations/a~1b~0c: expected a string, got a number");
    EXPECT_EQ(parse_error(R"({"ociVersion":"1.0.0","linux":{"devices":[{"type":"c","path":"/dev/x","major":1}]}})"),
              "config.json: /linux/devices/0: missing required field \"minor\"");
    EXPECT_EQ(parse_error(R"({"ociVersion":"1.0.0","linux":{"devices":[{"type":"p","path":"/dev/fifo"}]}})"),
              "<parsed>");
}

TEST(ConfigParse, SyntaxErrorsReportLineAndColumn) {
    EXPECT_EQ(parse_error("{\n  \"ociVersion\": \"1.0.0\"\n  \"root\": {}\n}"),
              "config.json: line 3, column 3: missing a comma or '}' after an object member");
    EXPECT_EQ(parse_error("{]"), "config.json: line 1, column 2: missing a name for object member");
    EXPECT_EQ(parse_error("{\"ociVersion\":\"1.0.0\"} x"),
              "config.json: line 1, column 24: the document root must not be followed by other values");
    EXPECT_EQ(parse_error(""), "config.json: line 1, column 1: the document is empty");
}

TEST(ConfigIo, LoadConfigReadsParsesAndValidates) {
    gocker::test::TempDir tmp("gocker-spec-test");
    ASSERT_TRUE(tmp.ok());
    fs::path dir = tmp.path();
    std::ofstream(dir / "config.json") << R"({"ociVersion":"1.0.0","root":{"path":"rootfs"},"hostname":"h"})";
    auto cfg = load_config((dir / "config.json").string());
    ASSERT_FALSE(cfg.ok());
    EXPECT_EQ(cfg.error().message(), "config.json: /hostname: requires a new uts namespace");
    std::ofstream(dir / "config.json") << R"({"ociVersion":"1.0.0","root":{"path":"rootfs"}})";
    auto ok = load_config((dir / "config.json").string());
    EXPECT_TRUE(ok.ok()) << ok.error().message();
    auto missing = load_config((dir / "nope.json").string());
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().sys_errno(), ENOENT);
}

TEST(DefaultConfig, MatchesRuncSpecShape) {
    Config cfg = default_config();
    ASSERT_TRUE(validate_config(cfg).ok()) << validate_config(cfg).error().message();
    EXPECT_EQ(cfg.oci_version, kOciVersion);
    EXPECT_TRUE(cfg.process->terminal);
    EXPECT_EQ(cfg.process->args, std::vector<std::string>{"sh"});
    EXPECT_EQ(cfg.process->env.at(1), "TERM=xterm");
    EXPECT_EQ(cfg.process->capabilities->bounding,
              (std::vector<std::string>{"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"}));
    EXPECT_TRUE(cfg.process->capabilities->inheritable.empty());
    EXPECT_TRUE(cfg.process->capabilities->ambient.empty());
    EXPECT_EQ(cfg.process->rlimits.at(0).type, "RLIMIT_NOFILE");
    EXPECT_TRUE(cfg.process->no_new_privileges);
    EXPECT_EQ(cfg.root->path, "rootfs");
    EXPECT_TRUE(cfg.root->readonly);
    EXPECT_EQ(cfg.hostname, "gocker");
    EXPECT_EQ(cfg.mounts.size(), 7u);
    EXPECT_EQ(cfg.mounts.back().destination, "/sys/fs/cgroup");
    EXPECT_NE(cfg.linux->find_namespace("network"), nullptr);
    EXPECT_EQ(cfg.linux->find_namespace("user"), nullptr);
    EXPECT_EQ(cfg.linux->namespaces.size(), 6u);
    EXPECT_EQ(cfg.linux->masked_paths.at(2), "/proc/kcore");
    EXPECT_EQ(cfg.linux->readonly_paths.back(), "/proc/sysrq-trigger");
    auto again = parse_config(config_to_json(cfg));
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(*again == cfg);
}

TEST(DefaultConfig, RootlessMapsCallerToRoot) {
    Config cfg = default_config(true, 1000, 1001);
    auto st = validate_config(cfg);
    ASSERT_TRUE(st.ok()) << st.error().message();
    const Linux& lx = *cfg.linux;
    EXPECT_NE(lx.find_namespace("user"), nullptr);
    EXPECT_EQ(lx.find_namespace("network"), nullptr);
    ASSERT_EQ(lx.uid_mappings.size(), 1u);
    EXPECT_EQ(lx.uid_mappings[0].host_id, 1000u);
    EXPECT_EQ(lx.uid_mappings[0].container_id, 0u);
    EXPECT_EQ(lx.gid_mappings.at(0).host_id, 1001u);
    EXPECT_FALSE(lx.resources.has_value());
    for (const auto& m : cfg.mounts) {
        EXPECT_NE(m.destination, "/sys/fs/cgroup");
        for (const auto& o : m.options) EXPECT_FALSE(o.starts_with("gid=")) << m.destination;
        if (m.destination == "/sys") {
            EXPECT_EQ(m.source, "/sys");
            EXPECT_EQ(m.options.at(0), "rbind");
        }
    }
}

// `update --resources` and `spec --seccomp FILE` take one member of /linux alone: parsed as that
// object (never pasted into a config's text), errors naming it as config.json would.
TEST(ConfigIo, MemberOfLinuxGivenAloneIsParsedAsThatObject) {
    auto res = parse_resources(R"({"memory": {"limit": 1048576}, "pids": {"limit": 5}})", "--resources (stdin)");
    ASSERT_TRUE(res) << res.error().message();
    ASSERT_TRUE(res->memory && res->memory->limit);
    EXPECT_EQ(*res->memory->limit, 1048576);
    // Text that would close the object early and add members to a pasted-around document.
    auto escaped = parse_resources(R"({}},"x":{)", "--resources (stdin)");
    EXPECT_FALSE(escaped);
    auto wrong = parse_resources(R"({"memory": {"limit": "big"}})", "r.json");
    ASSERT_FALSE(wrong);
    EXPECT_NE(wrong.error().message().find("r.json: /linux/resources/memory/limit"), std::string::npos)
        << wrong.error().message();
    EXPECT_FALSE(parse_resources("null", "r.json"));
    auto sc = parse_seccomp(R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["mount"],
                                 "action": "SCMP_ACT_ALLOW"}]})",
                            "profile.json");
    ASSERT_TRUE(sc) << sc.error().message();
    EXPECT_EQ(sc->default_action, "SCMP_ACT_ERRNO");
    auto bad = parse_seccomp(R"({"defaultAction": 3})", "profile.json");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message().find("profile.json: /linux/seccomp/defaultAction"), std::string::npos)
        << bad.error().message();
}
