// The state and features documents: the spec's corpus, round trips and required fields.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "common/file_io.hpp"
#include "spec/features.hpp"
#include "spec/state.hpp"
#include "corpus.hpp"

namespace fs = std::filesystem;
using namespace gocker::spec;
using gocker::test::slurp;

namespace {

// Our corpus (tests/data/<kind>), and the spec's schema/test/<kind> too when a checkout is given.
std::vector<fs::path> corpus(const char* kind, const char* verdict) {
    auto files = gocker::test::own_corpus(kind, verdict);
    if (auto spec = gocker::test::external_spec_dir()) {
        std::cout << "[ info     ] also reading the OCI runtime-spec schema tests in " << spec->string() << "\n";
        auto more = gocker::test::json_files(*spec / "schema/test" / kind / verdict);
        files.insert(files.end(), more.begin(), more.end());
    }
    return files;
}

}  // namespace

TEST(StateCorpus, GoodParsesBadIsRejected) {
    auto good = corpus("state", "good");
    ASSERT_FALSE(good.empty());
    for (const auto& f : good) {
        auto s = parse_state(slurp(f));
        EXPECT_TRUE(s.ok()) << f << ": " << s.error().message();
    }
    auto bad = corpus("state", "bad");
    ASSERT_FALSE(bad.empty());
    for (const auto& f : bad) EXPECT_FALSE(parse_state(slurp(f)).ok()) << f;
}

TEST(StateJson, FieldsLandInTheRightPlace) {
    auto s = parse_state(slurp(gocker::test::own_data_dir() / "state/good/running.json"));
    ASSERT_TRUE(s.ok()) << s.error().message();
    EXPECT_EQ(s->oci_version, "1.0.2");
    EXPECT_EQ(s->id, "web-1");
    EXPECT_EQ(s->status, ContainerStatus::running);
    EXPECT_EQ(s->pid, 31337);
    EXPECT_EQ(s->bundle, "/var/lib/bundles/web-1");
    EXPECT_EQ(s->annotations.at("org.example.role"), "frontend");
}

TEST(StateJson, RoundTripsEveryStatusCompactAndPretty) {
    for (auto st : {ContainerStatus::creating, ContainerStatus::created, ContainerStatus::running,
                    ContainerStatus::stopped, ContainerStatus::paused}) {
        State s{"1.3.0", "c1", st, st == ContainerStatus::stopped ? 0 : 77, "/b", {{"k", "v"}}};
        for (bool pretty : {false, true}) {
            std::string text = state_to_json(s, pretty);
            auto back = parse_state(text);
            ASSERT_TRUE(back.ok()) << back.error().message() << "\n" << text;
            EXPECT_TRUE(*back == s) << text;
            EXPECT_EQ(text.find('\n') != std::string::npos, pretty);
        }
        EXPECT_EQ(parse_status(status_name(st)).value(), st);
    }
}

TEST(StateJson, PidOmittedWhenZero) {
    State s{"1.3.0", "c1", ContainerStatus::stopped, 0, "/b", {}};
    EXPECT_EQ(state_to_json(s), R"({"ociVersion":"1.3.0","id":"c1","status":"stopped","bundle":"/b"})");
    s.pid = 12;
    s.status = ContainerStatus::created;
    EXPECT_EQ(state_to_json(s), R"({"ociVersion":"1.3.0","id":"c1","status":"created","pid":12,"bundle":"/b"})");
}

TEST(StateJson, ErrorsNameTheField) {
    auto missing = parse_state(R"({"ociVersion":"1.0.0","status":"created","bundle":"/b"})");
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().message(), "state.json: missing required field \"id\"");
    auto bad_status = parse_state(R"({"ociVersion":"1.0.0","id":"x","status":"sleeping","bundle":"/b"})");
    ASSERT_FALSE(bad_status.ok());
    EXPECT_EQ(bad_status.error().message(), "state.json: /status: unknown container status \"sleeping\"");
    auto bad_pid = parse_state(R"({"ociVersion":"1.0.0","id":"x","status":"running","pid":-4,"bundle":"/b"})");
    ASSERT_FALSE(bad_pid.ok());
    EXPECT_EQ(bad_pid.error().message(), "state.json: /pid: expected a uint32, got -4");
    auto syntax = parse_state("{]");
    ASSERT_FALSE(syntax.ok());
    EXPECT_EQ(syntax.error().message(), "state.json: line 1, column 2: missing a name for object member");
}

TEST(FeaturesCorpus, GoodParsesBadIsRejected) {
    auto good = corpus("features", "good");
    ASSERT_GE(good.size(), 2u);
    for (const auto& f : good) {
        auto r = parse_features(slurp(f));
        ASSERT_TRUE(r.ok()) << f << ": " << r.error().message();
        std::string text = features_to_json(*r);
        auto back = parse_features(text);
        ASSERT_TRUE(back.ok()) << back.error().message() << "\n" << text;
        EXPECT_TRUE(*back == *r) << text;
    }
    auto bad = corpus("features", "bad");
    ASSERT_FALSE(bad.empty());
    for (const auto& f : bad) EXPECT_FALSE(parse_features(slurp(f)).ok()) << f;
    auto missing = parse_features(slurp(gocker::test::own_data_dir() / "features/bad/missing-ociVersionMax.json"));
    EXPECT_EQ(missing.error().message(), "features.json: missing required field \"ociVersionMax\"");
}

TEST(FeaturesJson, FieldsLandInTheRightPlace) {
    auto f = parse_features(slurp(gocker::test::own_data_dir() / "features/good/full.json"));
    ASSERT_TRUE(f.ok()) << f.error().message();
    EXPECT_EQ(f->oci_version_max, "1.2.0");
    EXPECT_EQ(f->hooks.size(), 6u);
    EXPECT_EQ(f->mount_options.back(), "tmpcopyup");
    EXPECT_EQ(f->namespaces.size(), 7u);
    EXPECT_EQ(f->capabilities.size(), 4u);
    ASSERT_TRUE(f->cgroup);
    EXPECT_TRUE(f->cgroup->systemd_user);
    EXPECT_FALSE(f->cgroup->rdma);
    ASSERT_TRUE(f->seccomp);
    EXPECT_EQ(f->seccomp->supported_flags, std::vector<std::string>{"SECCOMP_FILTER_FLAG_LOG"});
    EXPECT_EQ(f->seccomp->known_flags.size(), 2u);
    EXPECT_EQ(f->apparmor_enabled, true);
    EXPECT_EQ(f->selinux_enabled, false);
    EXPECT_EQ(f->net_devices_enabled, true);
    EXPECT_FALSE(f->intel_rdt_enabled.has_value());
    EXPECT_EQ(f->annotations.at("org.example.libseccomp.version"), "2.5.4");
}

TEST(FeaturesJson, AllFieldsRoundTrip) {
    Features f;
    f.hooks = {"createRuntime"};
    f.mount_options = {"ro", "idmap"};
    f.namespaces = {"pid", "time"};
    f.capabilities = {"CAP_KILL"};
    f.cgroup = Features::Cgroup{true, false, false, false, true};
    f.seccomp = Features::Seccomp{true,
                                  {"SCMP_ACT_ALLOW"},
                                  {"SCMP_CMP_EQ"},
                                  {"SCMP_ARCH_X86_64"},
                                  {"SECCOMP_FILTER_FLAG_TSYNC"},
                                  {"SECCOMP_FILTER_FLAG_TSYNC"}};
    f.apparmor_enabled = false;
    f.selinux_enabled = false;
    f.intel_rdt_enabled = true;
    f.mount_extensions_idmap = true;
    f.net_devices_enabled = false;
    f.annotations = {{"org.example", "1"}};
    f.potentially_unsafe_config_annotations = {"run.oci.", "io.kubernetes.cri-o.Devices"};
    std::string text = features_to_json(f);
    EXPECT_NE(text.find("\"mountExtensions\": {\n            \"idmap\": {\n                \"enabled\": true"),
              std::string::npos)
        << text;
    auto back = parse_features(text);
    ASSERT_TRUE(back.ok()) << back.error().message();
    EXPECT_TRUE(*back == f) << text;
}

TEST(FeaturesJson, UnknownEnumValuesAreRejectedWithPath) {
    auto r = parse_features(R"({"ociVersionMin":"1.0.0","ociVersionMax":"1.3.0",
                                "linux":{"seccomp":{"enabled":true,"archs":["SCMP_ARCH_PDP11"]}}})");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message(),
              "features.json: /linux/seccomp/archs/0: unknown seccomp architecture \"SCMP_ARCH_PDP11\"");
    auto ns = parse_features(R"({"ociVersionMin":"1.0.0","ociVersionMax":"1.3.0","linux":{"namespaces":["net"]}})");
    ASSERT_FALSE(ns.ok());
    EXPECT_EQ(ns.error().message(), "features.json: /linux/namespaces/0: unknown namespace type \"net\"");
}
