// The fixture of the integration and security tests: the built runtime driven against a
// throw-away bundle, as a user or a client would.
//
// Each test gets a directory of its own (TempDir) holding its --root and a bundle whose
// config.json comes from `gocker-runtime spec`, with root.path pointing at the shared busybox
// rootfs (read-only, so no copy is needed; copy_rootfs() makes a writable copy when a test needs
// one). The config is one document with two views; edit it either way before create/run:
//
//   config().set("/process/args", R"(["sh","-c","echo hi"])");    // JSON pointers, any JSON
//   cfg().process->no_new_privileges = true;                        // the typed spec::Config
//   RunResult r = run("c1");                 // or run_script("c1", "echo hi")
//
// config() is for what the typed model cannot say (a client's config as it wrote it, a value the
// runtime must refuse); cfg() for structured edits (seccomp profiles, capabilities). A reference
// from cfg() stays valid until the next config(), which takes the typed edits into the document.
//
// Each container's cgroup is <cgroup_parent_>/<id> unless the test set linux.cgroupsPath: a
// parent of this test alone, never the shared /gocker. TearDown runs `delete --force` for every
// id the test used and removes that cgroup parent; the directory goes with the fixture, so the
// host is left as it was even when an assertion fails half-way.
#pragma once

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/fd.hpp"
#include "common/result.hpp"
#include "integration/run_util.hpp"
#include "spec/config.hpp"
#include "support/temp_dir.hpp"

namespace gocker::test {

// The bundle's config.json as a JSON document, edited in memory.
class ConfigEditor {
public:
    bool load(const std::string& path);
    bool save(const std::string& path) const;
    bool parse(const std::string& text);
    std::string text() const;
    // Sets the value at a JSON pointer (created if missing) to the parsed `json`.
    void set(const char* pointer, const std::string& json);
    // Appends the parsed `json` to the array at `pointer` (created if missing).
    void append(const char* pointer, const std::string& json);
    void erase(const char* pointer);
    bool has(const char* pointer) const;
    // The string at `pointer`, "" when there is none.
    std::string get_string(const char* pointer) const;
    // Removes a namespace of the given type from linux.namespaces.
    void drop_namespace(const std::string& type);

private:
    rapidjson::Document doc_;
};

std::string read_text(const std::string& path);
void write_text(const std::string& path, const std::string& text, int mode = 0644);
inline bool contains(const std::string& hay, const std::string& needle) {
    return hay.find(needle) != std::string::npos;
}
// Lines in /proc/self/mountinfo: a change means a mount leaked into the host namespace.
size_t host_mount_count();
bool process_exists(int pid);
// A JSON string literal for `s`.
std::string json_str(const std::string& s);
// The pty master a runtime sends to the --console-socket listening on `listen_fd` (listen_unix):
// one connection accepted, the descriptor received; `listen_fd` is closed.
Result<UniqueFd> receive_console_master(int listen_fd);

class BundleTest : public ::testing::Test {
protected:
    void SetUp() override;
    void TearDown() override;

    // The config as JSON; takes in the typed edits made through cfg() so far.
    ConfigEditor& config();
    // The config as the typed spec::Config (parsed from the document on first use).
    spec::Config& cfg();
    const std::string& tmp() const { return tmp_.path(); }
    const std::string& root() const { return root_; }
    const std::string& bundle() const { return bundle_; }
    // The container's program (process.args) and terminal=false in one call.
    void program(const std::string& shell_script);
    // Copies the busybox rootfs to <bundle>/rootfs (`cp -a`) and points root.path at it,
    // writable. Returns the copy's path.
    std::string copy_rootfs();
    // Adds a bind mount of host `source` at `destination`.
    void add_bind(const std::string& source, const std::string& destination, std::vector<std::string> options);

    // `<binary_> --root <root> <args...>`; ids in args are not tracked, use the helpers below.
    RunResult gocker(std::vector<std::string> args, const std::string& stdin_data = "", int timeout_ms = 30000);
    RunResult create(const std::string& id, std::vector<std::string> extra = {});
    RunResult run(const std::string& id, std::vector<std::string> extra = {}, const std::string& stdin_data = "");
    // `run` in the foreground of `sh -c script`: the container's output and exit code.
    RunResult run_script(const std::string& id, const std::string& script);
    RunResult start(const std::string& id) { return gocker({"start", id}); }
    RunResult state(const std::string& id) { return gocker({"state", id}); }
    RunResult del(const std::string& id, bool force = false);
    // TearDown deletes (--force) every tracked id, however far its create got.
    void track(const std::string& id) { ids_.insert(id); }
    // The "status" and "pid" of `state <id>`; "" / -1 when it fails.
    std::string status_of(const std::string& id);
    int pid_of(const std::string& id);
    // Polls `state` until the status is `want` (or ~5 s pass).
    bool wait_status(const std::string& id, const std::string& want);
    // Writes config.json as it is.
    void write_config();
    // Writes the config of container `id` (its cgroup under cgroup_parent_ unless the test chose
    // one) and tracks the id: what create() and run() do before the command.
    void write_config_for(const std::string& id);

    // Every command of the test runs a copy of the runtime in the test's own directory
    // (`decoy_`), so an attack that reaches the binary changes only that copy; `original_` is
    // its content.
    void run_from_decoy_copy();
    std::string decoy_, original_;
    std::string binary_ = GOCKER_BINARY;

    // Runs the runtime in a UTS and network namespace of the test's own (in_own_uts_and_net):
    // tests that set a hostname, a domainname or a network sysctl, so that a regression never
    // changes the host's.
    bool own_uts_and_net_ = false;
    std::string cgroup_parent_;

private:
    void use_own_cgroup(const std::string& id);

    TempDir tmp_{"gocker-it"};
    std::string root_, bundle_, auto_cgroup_;
    ConfigEditor config_;
    std::optional<spec::Config> typed_;
    std::set<std::string> ids_;
};

}  // namespace gocker::test
