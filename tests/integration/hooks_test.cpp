// OCI hooks through the built binary: all six phases in order, and the state JSON each receives.
#include <rapidjson/document.h>

#include <filesystem>

#include "integration/bundle_fixture.hpp"

namespace gocker::test {
namespace {

namespace fs = std::filesystem;

using Hooks = BundleTest;

// The hook appends its phase to the log and saves its stdin as <log>.<phase>.json. The directory
// is also bound on /run so that the startContainer hook (run inside the container) finds it.
const char* kHook = "#!/bin/sh\ncat > \"$2.$1.json\"\necho \"$1\" >> \"$2\"\n";

TEST_F(Hooks, AllPhasesRunInOrderWithTheState) {
    std::string dir = tmp() + "/hk";
    fs::create_directories(dir);
    write_text(dir + "/hook.sh", kHook, 0755);
    config().append("/mounts", R"({"destination":"/run","type":"bind","source":)" + json_str(dir) +
                                   R"(,"options":["rbind","rw"]})");
    auto hook = [&](const char* phase, bool inside) {
        std::string base = inside ? "/run" : dir;
        return R"({"path":)" + json_str(base + "/hook.sh") + R"(,"args":["hook.sh",)" + json_str(phase) + "," +
               json_str(base + "/log") + "]}";
    };
    for (const char* phase : {"prestart", "createRuntime", "createContainer", "poststart", "poststop"}) {
        std::string ptr = std::string("/hooks/") + phase;
        config().append(ptr.c_str(), hook(phase, false));
    }
    config().append("/hooks/startContainer", hook("startContainer", true));
    program("true");

    ASSERT_EQ(create("h1").exit_code, 0);
    int pid = pid_of("h1");
    EXPECT_EQ(read_text(dir + "/log"), "prestart\ncreateRuntime\ncreateContainer\n");
    RunResult r = start("h1");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(read_text(dir + "/log"), "prestart\ncreateRuntime\ncreateContainer\nstartContainer\npoststart\n");
    ASSERT_TRUE(wait_status("h1", "stopped"));
    ASSERT_EQ(del("h1").exit_code, 0);
    EXPECT_EQ(read_text(dir + "/log"),
              "prestart\ncreateRuntime\ncreateContainer\nstartContainer\npoststart\npoststop\n");

    struct Want {
        const char* phase;
        const char* status;
    };
    for (Want w : {Want{"prestart", "creating"}, Want{"createRuntime", "creating"}, Want{"createContainer", "creating"},
                   Want{"startContainer", "created"}, Want{"poststart", "running"}, Want{"poststop", "stopped"}}) {
        std::string text = read_text(dir + "/log." + w.phase + ".json");
        rapidjson::Document d;
        d.Parse(text.c_str());
        ASSERT_FALSE(d.HasParseError()) << w.phase << ": " << text;
        EXPECT_STREQ(d["ociVersion"].GetString(), "1.3.0") << w.phase;
        EXPECT_STREQ(d["id"].GetString(), "h1") << w.phase;
        EXPECT_EQ(d["pid"].GetInt(), pid) << w.phase;
        EXPECT_STREQ(d["status"].GetString(), w.status) << w.phase;
        EXPECT_EQ(d["bundle"].GetString(), fs::canonical(bundle()).string()) << w.phase;
    }
}

TEST_F(Hooks, FailingPrestartHookFailsCreateAndNamesIt) {
    std::string script = tmp() + "/bad-hook";
    write_text(script, "#!/bin/sh\nexit 5\n", 0755);
    config().append("/hooks/prestart", R"({"path":)" + json_str(script) + "}");
    program("true");
    RunResult r = create("h2");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, "create h2: prestart hook " + script + ": exit status 5\n");
    EXPECT_FALSE(fs::exists(root() + "/h2"));
}

// The spec's lifecycle: a failed prestart/createRuntime/createContainer hook stops the container
// and goes on at steps 12-13, destroy then poststop, so what an earlier hook made (a network
// hook's veth and lease) is undone by the create that failed. A create failing before its hooks
// runs none.
TEST_F(Hooks, FailingCreateRuntimeHookRunsThePoststopHooks) {
    std::string dir = tmp() + "/hk";
    fs::create_directories(dir);
    write_text(dir + "/hook.sh", kHook, 0755);
    write_text(dir + "/bad-hook", "#!/bin/sh\nexit 3\n", 0755);
    auto hook = [&](const char* phase) {
        return R"({"path":)" + json_str(dir + "/hook.sh") + R"(,"args":["hook.sh",)" + json_str(phase) + "," +
               json_str(dir + "/log") + "]}";
    };
    config().append("/hooks/createRuntime", hook("createRuntime"));
    config().append("/hooks/createRuntime", R"({"path":)" + json_str(dir + "/bad-hook") + "}");
    config().append("/hooks/poststop", hook("poststop"));
    program("true");
    RunResult r = create("h4");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, "create h4: createRuntime hook " + dir + "/bad-hook: exit status 3\n");
    EXPECT_EQ(read_text(dir + "/log"), "createRuntime\npoststop\n");
    EXPECT_NE(read_text(dir + "/log.poststop.json").find(R"("status":"stopped")"), std::string::npos);
    EXPECT_FALSE(fs::exists(root() + "/h4"));

    // Refused before anything is made (no root filesystem): no hook runs.
    fs::remove(dir + "/log");
    config().set("/root/path", json_str(tmp() + "/no-such-rootfs"));
    EXPECT_EQ(create("h5").exit_code, 1);
    EXPECT_FALSE(fs::exists(dir + "/log"));
    EXPECT_FALSE(fs::exists(root() + "/h5"));
}

TEST_F(Hooks, HookTimeoutKillsIt) {
    std::string script = tmp() + "/slow-hook";
    write_text(script, "#!/bin/sh\nexec sleep 30\n", 0755);
    config().append("/hooks/createRuntime", R"({"path":)" + json_str(script) + R"(,"timeout":1})");
    program("true");
    RunResult r = create("h3");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("createRuntime hook " + script), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("timed out"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(root() + "/h3"));
}

}  // namespace
}  // namespace gocker::test
