// A test fixture for driving the built runtime against a throw-away bundle.
//
// Each test gets a mkdtemp directory holding its own --root and a bundle whose config.json comes
// from `gocker-runtime spec` with root.path pointing at the shared busybox rootfs (read-only, so
// no copy is needed; copy_rootfs() makes a writable copy when a test needs one). The config is
// edited with JSON pointers before create/run:
//
//   config().set("/process/args", R"(["sh","-c","echo hi"])");
//   RunResult r = run("c1");
//
// TearDown runs `delete --force` for every id the test used and removes the temp directory, so
// the host is left as it was even when an assertion fails half-way.
#pragma once

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <string>
#include <vector>

#include "integration/run_util.hpp"

namespace gocker::test {

// The bundle's config.json, edited in memory and written by BundleTest::write_config().
class ConfigEditor {
public:
    bool load(const std::string& path);
    bool save(const std::string& path) const;
    // Sets the value at a JSON pointer (created if missing) to the parsed `json`.
    void set(const char* pointer, const std::string& json);
    // Appends the parsed `json` to the array at `pointer` (created if missing).
    void append(const char* pointer, const std::string& json);
    void erase(const char* pointer);
    // The string at `pointer`, "" when there is none.
    std::string get_string(const char* pointer) const;
    // Removes a namespace of the given type from linux.namespaces.
    void drop_namespace(const std::string& type);

private:
    rapidjson::Document doc_;
};

std::string read_text(const std::string& path);
void write_text(const std::string& path, const std::string& text, int mode = 0644);
// Lines in /proc/self/mountinfo: a change means a mount leaked into the host namespace.
size_t host_mount_count();
bool process_exists(int pid);
// A JSON string literal for `s`.
std::string json_str(const std::string& s);

class BundleTest : public ::testing::Test {
protected:
    void SetUp() override;
    void TearDown() override;

    ConfigEditor& config() { return config_; }
    const std::string& tmp() const { return tmp_; }
    const std::string& root() const { return root_; }
    const std::string& bundle() const { return bundle_; }
    // The container's program (process.args) and terminal=false in one call.
    void program(const std::string& shell_script);
    // Copies the busybox rootfs into the bundle (`cp -a`) and points root.path at it, writable.
    void copy_rootfs();

    // `gocker-runtime --root <root> <args...>`, config.json written first; ids in args after the
    // command are not tracked, use the helpers below for those.
    RunResult gocker(std::vector<std::string> args, const std::string& stdin_data = "", int timeout_ms = 20000);
    // Runs the runtime in a UTS and network namespace of the test's own (in_own_uts_and_net):
    // tests that set a hostname, a domainname or a network sysctl, so that a regression never
    // changes the host's.
    bool own_uts_and_net_ = false;
    // Each container's cgroup is <cgroup_parent_>/<id> unless the test set linux.cgroupsPath: a
    // parent of this test alone, never the shared /gocker; TearDown removes it.
    std::string cgroup_parent_;
    std::string auto_cgroup_;
    void use_own_cgroup(const std::string& id);
    RunResult create(const std::string& id, std::vector<std::string> extra = {});
    RunResult run(const std::string& id, std::vector<std::string> extra = {}, const std::string& stdin_data = "");
    RunResult start(const std::string& id) { return gocker({"start", id}); }
    RunResult state(const std::string& id) { return gocker({"state", id}); }
    RunResult del(const std::string& id, bool force = false);
    void track(const std::string& id) { ids_.push_back(id); }
    // The "status" and "pid" of `state <id>`; "" / -1 when it fails.
    std::string status_of(const std::string& id);
    int pid_of(const std::string& id);
    // Polls `state` until the status is `want` (or ~5 s pass).
    bool wait_status(const std::string& id, const std::string& want);
    void write_config();

private:
    std::string tmp_, root_, bundle_;
    ConfigEditor config_;
    std::vector<std::string> ids_;
};

}  // namespace gocker::test
