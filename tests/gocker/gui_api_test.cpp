// `gocker gui`'s JSON API, against the built `gocker gui` on a random loopback port, as root, with
// the busybox rootfs: its own state root, runtime root and cgroup parent per test, in the private
// mount and network namespace gocker_test.cpp makes for the whole test program.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

#include "gocker/gocker_fixture.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

class GuiApi : public gocker::test::GockerEnvTest {
protected:
    GuiApi() : GockerEnvTest("gui-it") {}
    void SetUp() override {
        GockerEnvTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        ::setenv("GOCKER_RUNTIME", GOCKER_BINARY, 1);
        start_gui();
    }
    void TearDown() override {
        if (tmp_.empty()) return;
        if (gui_pid_ > 0) {
            if (auto list = api().Get("/api/containers"); list && list->status == 200) {
                for (size_t at = 0; (at = list->body.find("{\"id\":\"", at)) != std::string::npos; at += 7)
                    api().Delete("/api/containers/" + list->body.substr(at + 7, 12) + "?force=1");
            }
            ::kill(gui_pid_, SIGTERM);
            int st = 0;
            ::waitpid(gui_pid_, &st, 0);
            EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "gocker gui stops cleanly on SIGTERM";
        }
        remove_cgroup_parent();
    }

    // Starts `gocker gui --listen 127.0.0.1:0` and reads the URL it prints.
    void start_gui() {
        int out[2];
        ASSERT_EQ(::pipe(out), 0);
        gui_pid_ = ::fork();
        if (gui_pid_ == 0) {
            ::dup2(out[1], 1);
            ::close(out[0]);
            ::close(out[1]);
            ::execl(GOCKER_CLI_BINARY, GOCKER_CLI_BINARY, "gui", "--listen", "127.0.0.1:0", nullptr);
            _exit(127);
        }
        ::close(out[1]);
        std::string line;
        char c;
        while (::read(out[0], &c, 1) == 1 && c != '\n') line += c;
        ::close(out[0]);
        const std::string prefix = "gocker gui: open http://127.0.0.1:";
        ASSERT_EQ(line.rfind(prefix, 0), 0u) << line;
        port_ = std::stoi(line.substr(prefix.size()));
        size_t t = line.find("?token=");
        ASSERT_NE(t, std::string::npos) << line;
        token_ = line.substr(t + 7);
        ASSERT_EQ(token_.size(), 32u) << line;
    }

    httplib::Client client() {
        httplib::Client c("127.0.0.1", port_);
        c.set_read_timeout(30, 0);
        return c;
    }
    // A client that sends the token, as the page does.
    httplib::Client api() {
        httplib::Client c = client();
        c.set_default_headers({{"X-Gocker-Token", token_}});
        return c;
    }
    httplib::Result create(const std::string& json) { return api().Post("/api/containers", json, "application/json"); }
    std::string token_;
    pid_t gui_pid_ = -1;
    int port_ = 0;
};

TEST_F(GuiApi, EveryRequestNeedsTheToken) {
    auto c = client();
    auto none = c.Get("/api/containers");
    ASSERT_TRUE(none);
    EXPECT_EQ(none->status, 401) << none->body;
    auto wrong = c.Get("/api/containers", {{"X-Gocker-Token", std::string(32, 'a')}});
    ASSERT_TRUE(wrong);
    EXPECT_EQ(wrong->status, 401);
    EXPECT_EQ(c.Get("/api/containers?token=" + token_)->status, 401) << "the API takes the header, not the query";
    EXPECT_EQ(c.Get("/")->status, 401);
    EXPECT_EQ(c.Get("/app.js")->status, 401);
    EXPECT_EQ(c.Post("/api/containers", "{}", "application/json")->status, 401);
    EXPECT_EQ(c.Delete("/api/containers/x")->status, 401);

    auto page = c.Get("/?token=" + token_);
    ASSERT_TRUE(page);
    EXPECT_EQ(page->status, 200);
    EXPECT_TRUE(has(page->body, "<script src=\"app.js\">")) << page->body;
    std::string cookie = page->get_header_value("Set-Cookie");
    EXPECT_TRUE(has(cookie, "HttpOnly") && has(cookie, "SameSite=Strict")) << cookie;
    auto js = c.Get("/app.js", {{"Cookie", cookie.substr(0, cookie.find(';'))}});
    EXPECT_EQ(js->status, 200) << "the page's own files come with the cookie the page set";
    EXPECT_EQ(c.Get("/api/containers", {{"Cookie", cookie.substr(0, cookie.find(';'))}})->status, 401)
        << "a cookie alone never reaches the API (no cross-site request forgery)";

    auto list = api().Get("/api/containers");
    ASSERT_TRUE(list);
    EXPECT_EQ(list->status, 200);
    EXPECT_EQ(list->body, "[]");
}

TEST_F(GuiApi, CrossOriginAndForeignHostAreRefused) {
    std::string body = "{\"rootfs\":\"" + rootfs_ + "\",\"network\":\"none\",\"args\":[\"true\"]}";
    auto cross = api().Post("/api/containers", {{"Origin", "http://evil.example"}}, body, "application/json");
    ASSERT_TRUE(cross);
    EXPECT_EQ(cross->status, 403) << cross->body;
    EXPECT_TRUE(has(cross->body, "cross-origin")) << cross->body;
    auto site = api().Post("/api/containers", {{"Sec-Fetch-Site", "cross-site"}}, body, "application/json");
    EXPECT_EQ(site->status, 403);
    auto form = api().Post("/api/containers", body, "text/plain");
    EXPECT_EQ(form->status, 415) << "a body that is not JSON (a form a foreign page could send)";
    auto rebound = api().Get("/api/containers", {{"Host", "evil.example:" + std::to_string(port_)}});
    EXPECT_EQ(rebound->status, 403) << "DNS rebinding: a loopback console answers its own Host names only";
    auto put = api().Put("/api/containers", body, "application/json");
    EXPECT_EQ(put->status, 405);
    EXPECT_EQ(containers_on_disk(), 0u);

    auto same = api().Post("/api/containers", {{"Origin", "http://127.0.0.1:" + std::to_string(port_)}}, body,
                           "application/json");
    ASSERT_TRUE(same);
    EXPECT_EQ(same->status, 201) << same->body << " (the console's own origin is accepted)";
}

TEST_F(GuiApi, BadInputIsRefusedAsTheCommandLineRefusesIt) {
    struct Case {
        std::string json, error;
    } cases[] = {
        {"not json", "JSON object"},
        {"{\"args\":[\"true\"]}", "rootfs: missing"},
        {"{\"rootfs\":\"relative/dir\"}", "absolute"},
        {"{\"rootfs\":\"" + rootfs_ + "\",\"name\":\"<img src=x onerror=alert(1)>\"}", "--name"},
        {"{\"rootfs\":\"" + rootfs_ + "\",\"volumes\":[\"data\"]}", "--volume data"},
        {"{\"rootfs\":\"" + rootfs_ + "\",\"ports\":[\"99999:80\"]}", "99999"},
        {"{\"rootfs\":\"" + rootfs_ + "\",\"memoryLimit\":\"lots\"}", "lots"},
        {"{\"rootfs\":\"" + rootfs_ + "\",\"network\":\"mesh\"}", "mesh"},
        {"{\"rootfs\":\"" + rootfs_ + "\",\"privileged\":true}", "unknown option \\\"privileged\\\""},
        {"{\"rootfs\":\"" + rootfs_ + "\",\"env\":\"A=1\"}", "env: expected an array"},
        {"{\"rootfs\":\"" + rootfs_ + "\",\"readOnly\":\"yes\"}", "readOnly: expected true or false"},
        {"{\"rootfs\":\"" + tmp_ + "/nowhere\"}", "nowhere"},
    };
    for (const auto& c : cases) {
        auto r = create(c.json);
        ASSERT_TRUE(r) << c.json;
        EXPECT_EQ(r->status, 400) << c.json << " -> " << r->body;
        EXPECT_TRUE(has(r->body, "\"error\":\"") && has(r->body, c.error)) << c.json << " -> " << r->body;
    }
    EXPECT_EQ(containers_on_disk(), 0u) << "a refused creation leaves nothing";
    EXPECT_EQ(api().Get("/api/containers/nosuch")->status, 404);
    EXPECT_EQ(api().Post("/api/containers/nosuch/stop", "", "application/json")->status, 404);
    EXPECT_EQ(api().Get("/api/containers/nosuch/logs?tail=x")->status, 404);
    EXPECT_EQ(api().Get("/api/containers/nosuch/stats")->status, 404);
}

TEST_F(GuiApi, CreateListStatsLogsFollowStopRemove) {
    auto made = create("{\"rootfs\":\"" + rootfs_ +
                       "\",\"name\":\"ticker\",\"network\":\"none\",\"memoryLimit\":\"64M\",\"pidsLimit\":\"30\","
                       "\"args\":[\"sh\",\"-c\",\"trap '' TERM; i=0; while true; do echo \\\"<b>tick</b> $i\\\"; "
                       "i=$((i+1)); sleep 0.2; done\"]}");
    ASSERT_TRUE(made);
    ASSERT_EQ(made->status, 201) << made->body;
    EXPECT_TRUE(has(made->body, "\"status\":\"running\"")) << made->body;
    std::string id = made->body.substr(made->body.find("\"id\":\"") + 6, 12);

    auto list = api().Get("/api/containers");
    EXPECT_TRUE(has(list->body, "\"name\":\"ticker\"") && has(list->body, id)) << list->body;
    auto one = api().Get("/api/containers/ticker");
    EXPECT_EQ(one->status, 200);
    EXPECT_TRUE(has(one->body, "\"statusText\":\"running\"")) << one->body;
    EXPECT_EQ(create("{\"rootfs\":\"" + rootfs_ + "\",\"name\":\"ticker\",\"network\":\"none\"}")->status, 400)
        << "the name is taken";

    // The monitor the threaded server started is a program of its own (exec'd), not a fork that
    // runs on in a copy of the server.
    std::string record = read_text(tmp_ + "/state/containers/" + id + "/record.json");
    size_t at = record.find("\"monitorPid\":");
    ASSERT_NE(at, std::string::npos) << record;
    std::string cmdline = read_text("/proc/" + std::to_string(std::stoi(record.substr(at + 13))) + "/cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    EXPECT_TRUE(has(cmdline, " __monitor " + id)) << cmdline;

    auto stats = api().Get("/api/containers/" + id + "/stats");
    ASSERT_TRUE(stats);
    ASSERT_EQ(stats->status, 200) << stats->body;
    EXPECT_TRUE(has(stats->body, "\"memoryLimit\":67108864")) << stats->body;
    EXPECT_TRUE(has(stats->body, "\"pidsLimit\":30")) << stats->body;
    EXPECT_TRUE(has(stats->body, "\"cpuPercent\":")) << stats->body;
    EXPECT_FALSE(has(stats->body, "\"pids\":0,")) << stats->body;

    // Follow the log while the container runs; the stream ends when it stops.
    std::string followed;
    std::thread follower([&] {
        api().Get("/api/containers/ticker/logs?follow=1", [&](const char* data, size_t n) {
            followed.append(data, n);
            return true;
        });
    });
    std::this_thread::sleep_for(1200ms);
    auto stop = api().Post("/api/containers/ticker/stop?time=1", "", "application/json");
    follower.join();
    ASSERT_TRUE(stop);
    EXPECT_EQ(stop->status, 200) << stop->body;
    EXPECT_TRUE(has(stop->body, "\"status\":\"exited\"") && has(stop->body, "\"exitCode\":137")) << stop->body;
    EXPECT_TRUE(has(followed, "{\"time\":\"20")) << followed;
    EXPECT_TRUE(has(followed, "\"stream\":\"stdout\",\"log\":\"<b>tick</b> 0\\n\"}\n")) << followed;
    EXPECT_TRUE(has(followed, "<b>tick</b> 4")) << "the stream kept up while it ran: " << followed;

    auto tail = api().Get("/api/containers/ticker/logs?tail=1");
    EXPECT_EQ(std::count(tail->body.begin(), tail->body.end(), '\n'), 1) << tail->body;
    EXPECT_EQ(api().Get("/api/containers/ticker/stats")->status, 409) << "no usage for a stopped container";

    auto gone = api().Delete("/api/containers/ticker");
    ASSERT_TRUE(gone);
    EXPECT_EQ(gone->status, 204) << gone->body;
    EXPECT_EQ(api().Get("/api/containers")->body, "[]");
    EXPECT_EQ(containers_on_disk(), 0u);
    EXPECT_FALSE(gocker::test::is_dir("/sys/fs/cgroup/pids" + parent_ + "/" + id));
}

TEST_F(GuiApi, RemovingARunningContainerNeedsForce) {
    auto made = create("{\"rootfs\":\"" + rootfs_ + "\",\"network\":\"none\",\"args\":[\"sleep\",\"600\"]}");
    ASSERT_EQ(made->status, 201) << made->body;
    std::string id = made->body.substr(made->body.find("\"id\":\"") + 6, 12);
    auto refused = api().Delete("/api/containers/" + id);
    EXPECT_EQ(refused->status, 409) << refused->body;
    EXPECT_EQ(containers_on_disk(), 1u);
    EXPECT_EQ(api().Delete("/api/containers/" + id + "?force=1")->status, 204);
    EXPECT_EQ(containers_on_disk(), 0u);
}

}  // namespace

namespace {

TEST_F(GuiApi, LogsFollowKeepsUpWithAChattyContainer) {
    auto made = create("{\"rootfs\":\"" + rootfs_ +
                       "\",\"name\":\"chatty\",\"network\":\"none\",\"args\":[\"sh\",\"-c\",\"sleep 0.5; seq 1 "
                       "30000; echo done >&2\"]}");
    ASSERT_EQ(made->status, 201) << made->body;
    std::string followed;
    auto res = api().Get("/api/containers/chatty/logs?follow=1", [&](const char* data, size_t n) {
        followed.append(data, n);
        return true;
    });
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(std::count(followed.begin(), followed.end(), '\n'), 30001) << "every line, then the stream ends";
    EXPECT_TRUE(has(followed, "\"log\":\"1\\n\"}\n")) << followed.substr(0, 300);
    EXPECT_TRUE(has(followed, "\"log\":\"30000\\n\"}\n"));
    EXPECT_TRUE(has(followed, "\"stream\":\"stderr\",\"log\":\"done\\n\"}\n"));
}

}  // namespace
