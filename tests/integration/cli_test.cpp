// The command-line frame and the host-level commands, driven through the built binary:
// global flags, help and usage errors, --log files, `spec`, `features` and `check`.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <seccomp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/file_io.hpp"
#include "integration/run_util.hpp"
#include "linux/cgroups/host_cgroups.hpp"
#include "spec/config_io.hpp"
#include "spec/features.hpp"
#include "support/temp_dir.hpp"

namespace gocker {
namespace {

using test::run_cmd;
using test::RunResult;
using test::TempDir;
namespace fs = std::filesystem;

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

std::string read_file(const std::string& path) {
    auto text = read_whole_file(path);
    return text ? *text : "";
}

void write_file(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

RunResult gocker(std::vector<std::string> args) {
    args.insert(args.begin(), GOCKER_BINARY);
    return run_cmd(args);
}

class Cli : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(tmp_.ok()) << "mkdtemp in /tmp failed"; }
    TempDir tmp_{"gocker-cli"};
    std::string dir_ = tmp_.path();
};

// The commit line is runc's ("commit: ..."), which docker's `info` reads; it names the source the
// binary was built from: `git describe` of this tree when it is a git checkout.
TEST_F(Cli, VersionPrintsRuntimeCommitSpecAndLibseccomp) {
    RunResult r = gocker({"--version"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const scmp_version* v = seccomp_version();
    RunResult git =
        run_cmd({"git", "-C", GOCKER_SOURCE_DIR, "describe", "--tags", "--always", "--dirty", "--abbrev=12"});
    std::string commit = git.exit_code == 0 ? git.out.substr(0, git.out.find('\n')) : "";
    if (commit.empty()) {  // not a git checkout: whatever was given to cmake, or "unknown"
        size_t at = r.out.find("\ncommit: ");
        ASSERT_NE(at, std::string::npos) << r.out;
        commit = r.out.substr(at + 9, r.out.find('\n', at + 1) - at - 9);
        EXPECT_FALSE(commit.empty());
    }
    std::string want = std::string("gocker-runtime version ") + GOCKER_VERSION + "\ncommit: " + commit +
                       "\nspec: 1.3.0\nlibseccomp: " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
                       std::to_string(v->micro) + "\n";
    EXPECT_EQ(r.out, want);
    EXPECT_EQ(gocker({"-v"}).out, want);
}

TEST_F(Cli, HelpListsCommandsAndGlobalFlags) {
    RunResult r = gocker({"--help"});
    ASSERT_EQ(r.exit_code, 0);
    for (const char* word : {"Usage:", "spec", "features", "check", "--root", "--log-format", "--systemd-cgroup"})
        EXPECT_NE(r.out.find(word), std::string::npos) << word;
    EXPECT_EQ(gocker({"-h"}).out, r.out);
    EXPECT_EQ(gocker({"help"}).out, r.out);
}

TEST_F(Cli, UnknownCommandIsOneLineErrorThenUsage) {
    RunResult r = gocker({"frobnicate"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(first_line(r.err), "unknown command \"frobnicate\"");
    EXPECT_NE(r.err.find("\nUsage: gocker-runtime"), std::string::npos);
    EXPECT_TRUE(r.out.empty());
}

TEST_F(Cli, UnknownGlobalFlagIsUsageError) {
    RunResult r = gocker({"--bogus", "features"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(first_line(r.err).find("\"bogus\""), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("Usage: gocker-runtime"), std::string::npos);
    EXPECT_TRUE(r.out.empty());
}

TEST_F(Cli, UnknownCommandFlagIsUsageErrorOfThatCommand) {
    RunResult r = gocker({"spec", "--bundle", dir_, "--bogus"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(first_line(r.err).rfind("spec: ", 0), 0u) << r.err;
    EXPECT_NE(first_line(r.err).find("\"bogus\""), std::string::npos);
    EXPECT_NE(r.err.find("--rootless"), std::string::npos);  // spec's usage follows
    EXPECT_FALSE(fs::exists(dir_ + "/config.json"));         // nothing is done after a usage error
}

TEST_F(Cli, HelpCommandAndDashDashHelpShowTheCommandUsage) {
    RunResult r = gocker({"help", "spec"});
    ASSERT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("--bundle"), std::string::npos);
    EXPECT_NE(r.out.find("--rootless"), std::string::npos);
    EXPECT_EQ(gocker({"spec", "--help"}).out, r.out);
    EXPECT_NE(gocker({"help", "check"}).out.find("--format"), std::string::npos);
    RunResult bad = gocker({"help", "nope"});
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_EQ(first_line(bad.err), "help: unknown command \"nope\"");
}

TEST_F(Cli, GlobalFlagsAcceptSeparateAndEqualsForms) {
    std::string log = dir_ + "/a.log";
    RunResult r = gocker({"--root", dir_ + "/root", "--log", log, "--log-format", "json", "--debug", "--systemd-cgroup",
                          "--trace", "features"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(fs::exists(log));  // created even when nothing fails
    std::string log2 = dir_ + "/b.log";
    r = gocker({"--root=" + dir_ + "/root", "--log-format=json", "--log=" + log2, "features"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(fs::exists(log2));
    r = gocker({"--log-format", "xml", "features"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(first_line(r.err), "invalid --log-format \"xml\": expected text or json");
}

TEST_F(Cli, FailingCommandWritesJsonErrorLineToLogFile) {
    std::string log = dir_ + "/log.json";
    std::string missing = dir_ + "/no/such/bundle";
    RunResult r = gocker({"--log", log, "--log-format", "json", "spec", "--bundle", missing});
    EXPECT_EQ(r.exit_code, 1);
    std::string line = first_line(read_file(log));
    rapidjson::Document d;
    ASSERT_FALSE(d.Parse(line.c_str()).HasParseError()) << line;
    ASSERT_TRUE(d.IsObject());
    EXPECT_STREQ(d["level"].GetString(), "error");
    std::string msg = d["msg"].GetString();
    EXPECT_NE(msg.find(missing + "/config.json"), std::string::npos) << msg;
    EXPECT_NE(msg.find("no such file or directory"), std::string::npos) << msg;
    EXPECT_TRUE(d["time"].IsString());
    EXPECT_EQ(first_line(r.err), msg);  // the same line reaches stderr
}

TEST_F(Cli, SpecWritesAConfigThatLoadsAndRefusesToOverwrite) {
    RunResult r = gocker({"spec", "--bundle", dir_});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::string path = dir_ + "/config.json";
    auto cfg = spec::load_config(path);
    ASSERT_TRUE(cfg.ok()) << cfg.error().message();
    ASSERT_TRUE(cfg->process.has_value());
    EXPECT_FALSE(cfg->process->args.empty());

    write_file(path, "{\"edited\": true}");
    r = gocker({"spec", "-b", dir_});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(first_line(r.err).find("exists"), std::string::npos) << r.err;
    EXPECT_EQ(read_file(path), "{\"edited\": true}");
    EXPECT_EQ(gocker({"spec", "--bundle=" + dir_}).exit_code, 1);
}

TEST_F(Cli, SpecRootlessMapsTheCallerIntoAUserNamespace) {
    RunResult r = gocker({"spec", "--rootless", "--bundle", dir_});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto cfg = spec::load_config(dir_ + "/config.json");
    ASSERT_TRUE(cfg.ok()) << cfg.error().message();
    ASSERT_TRUE(cfg->linux.has_value());
    EXPECT_NE(cfg->linux->find_namespace("user"), nullptr);
    EXPECT_EQ(cfg->linux->find_namespace("network"), nullptr);
    ASSERT_FALSE(cfg->linux->uid_mappings.empty());
    EXPECT_EQ(cfg->linux->uid_mappings[0].host_id, ::geteuid());
    ASSERT_FALSE(cfg->linux->gid_mappings.empty());
    EXPECT_EQ(cfg->linux->gid_mappings[0].host_id, ::getegid());
}

TEST_F(Cli, FeaturesIsAValidFeaturesDocument) {
    RunResult r = gocker({"features"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto f = spec::parse_features(r.out);
    ASSERT_TRUE(f.ok()) << f.error().message() << "\n" << r.out;
    EXPECT_EQ(f->oci_version_min, "1.0.0");
    EXPECT_EQ(f->oci_version_max, "1.3.0");
    EXPECT_EQ(gocker({"features", "extra"}).exit_code, 1);
}

TEST_F(Cli, CheckReportsTheCgroupModeAndSucceeds) {
    RunResult r = gocker({"check"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    std::string mode = cgroup_mode_name(detect_cgroup_mode());
    EXPECT_NE(r.out.find("cgroup mode"), std::string::npos);
    std::istringstream lines(r.out);
    std::string line;
    bool found = false;
    while (std::getline(lines, line))
        if (line.rfind("cgroup mode", 0) == 0) found = line.substr(line.size() - mode.size()) == mode;
    EXPECT_TRUE(found) << r.out;
    for (const char* item : {"namespace pid", "seccomp", "openat2", "capabilities bounding", "pivot_root"})
        EXPECT_NE(r.out.find(item), std::string::npos) << item;
}

TEST_F(Cli, CheckJsonIsAnObjectWithTheMode) {
    RunResult r = gocker({"check", "--format", "json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    rapidjson::Document d;
    ASSERT_FALSE(d.Parse(r.out.c_str()).HasParseError()) << r.out;
    ASSERT_TRUE(d.IsObject());
    EXPECT_STREQ(d["cgroupMode"].GetString(), cgroup_mode_name(detect_cgroup_mode()));
    EXPECT_TRUE(d["canRun"].GetBool());
    EXPECT_TRUE(d["items"].IsArray());
    EXPECT_GT(d["items"].Size(), 10u);
}

TEST_F(Cli, CheckBundleAcceptsAGoodBundle) {
    ASSERT_EQ(gocker({"spec", "--bundle", dir_}).exit_code, 0);
    fs::create_directory(dir_ + "/rootfs");
    RunResult r = gocker({"check", "--bundle", dir_});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find(dir_ + "/config.json: valid"), std::string::npos) << r.out;

    fs::remove(dir_ + "/rootfs");  // the same bundle without its rootfs cannot run
    r = gocker({"check", "--bundle", dir_});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.out.find("/root/path"), std::string::npos) << r.out;
}

TEST_F(Cli, CheckBundleReportsAnInvalidConfigWithItsJsonPath) {
    fs::create_directory(dir_ + "/rootfs");
    write_file(dir_ + "/config.json",
               R"({"ociVersion": "1.0.2", "root": {"path": "rootfs"}, "process": {"cwd": "/", "args": "sh"}})");
    std::string log = dir_ + "/log.json";
    RunResult r = gocker({"--log", log, "--log-format", "json", "check", "--bundle", dir_});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("/process/args"), std::string::npos) << r.err;
    EXPECT_NE(read_file(log).find("/process/args"), std::string::npos);
}

TEST_F(Cli, CheckBundleNamesWhatTheHostCannotDo) {
    fs::create_directory(dir_ + "/rootfs");
    write_file(dir_ + "/config.json", R"({"ociVersion": "1.0.2", "root": {"path": "rootfs"},
        "process": {"cwd": "/", "args": ["sh"]},
        "linux": {"namespaces": [{"type": "mount"}], "resources": {"network": {"classID": 1048577}}}})");
    bool have_net_cls = false;
    for (const auto& c : list_cgroup_controllers()) have_net_cls |= c.name == "net_cls";
    RunResult r = gocker({"check", "--bundle", dir_});
    if (have_net_cls) {
        EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    } else {
        EXPECT_EQ(r.exit_code, 1);
        EXPECT_NE(r.out.find("/linux/resources/network/classID: needs the net_cls cgroup controller"),
                  std::string::npos)
            << r.out;
    }
}

}  // namespace
}  // namespace gocker
