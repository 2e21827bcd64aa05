#include "gui/server.hpp"

#include <httplib.h>
#include <sys/random.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <mutex>
#include <thread>

#include "../cli/commands.hpp"  // gocker/cli (runtime/cli has a commands.hpp too)
#include "common/json_writer.hpp"
#include "core/container_log.hpp"
#include "core/containers.hpp"
#include "gui/access.hpp"
#include "gui/api_input.hpp"
#include "gui/stats_sampler.hpp"
#include "gui/web_assets.hpp"

namespace gocker::gui {
namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int) { g_stop = true; }

std::string error_json(const std::string& message) {
    return json::compact([&](auto& w) {
        w.StartObject();
        json::member(w, "error", message);
        w.EndObject();
    });
}

void reply(httplib::Response& res, int status, const std::string& json) {
    res.status = status;
    res.set_content(json, "application/json");
}

void refuse(httplib::Response& res, int status, const std::string& message) { reply(res, status, error_json(message)); }

// "no such container: X" is the user's mistake about the id: 404; the rest are conflicts.
int status_for(const Error& e) { return e.message().find("no such container") != std::string::npos ? 404 : 409; }

class Console {
public:
    Console(const core::Store& store, std::string cgroup_parent, Access access)
        : store_(store), parent_(std::move(cgroup_parent)), access_(std::move(access)) {}

    void install(httplib::Server& svr) {
        svr.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
            res.set_header("X-Content-Type-Options", "nosniff");
            res.set_header("X-Frame-Options", "DENY");
            res.set_header("Referrer-Policy", "no-referrer");
            res.set_header("Cache-Control", "no-store");
            res.set_header("Content-Security-Policy",
                           "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                           "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
            auto verdict = access_.check(req);
            if (verdict.status != 0) {
                refuse(res, verdict.status, verdict.message);
                return httplib::Server::HandlerResponse::Handled;
            }
            if (!verdict.set_cookie.empty()) res.set_header("Set-Cookie", verdict.set_cookie);
            return httplib::Server::HandlerResponse::Unhandled;
        });
        svr.Get("/", [](const httplib::Request&, httplib::Response& res) { serve_asset(res, "/index.html"); });
        svr.Get(R"(/([a-z0-9_-]+\.[a-z]+))", [](const httplib::Request& req, httplib::Response& res) {
            serve_asset(res, "/" + std::string(req.matches[1]));
        });
        svr.Get("/api/containers", [this](const httplib::Request&, httplib::Response& res) { list(res); });
        svr.Post("/api/containers", [this](const httplib::Request& req, httplib::Response& res) { create(req, res); });
        svr.Get(R"(/api/containers/([A-Za-z0-9_.-]+))", [this](const httplib::Request& req, httplib::Response& res) {
            auto r = store_.resolve(req.matches[1]);
            if (!r) return refuse(res, status_for(r.error()), r.error().message());
            reply(res, 200, cli::record_view_json(*r));
        });
        svr.Post(R"(/api/containers/([A-Za-z0-9_.-]+)/stop)",
                 [this](const httplib::Request& req, httplib::Response& res) { stop(req, res); });
        svr.Delete(R"(/api/containers/([A-Za-z0-9_.-]+))",
                   [this](const httplib::Request& req, httplib::Response& res) { remove(req, res); });
        svr.Get(R"(/api/containers/([A-Za-z0-9_.-]+)/logs)",
                [this](const httplib::Request& req, httplib::Response& res) { logs(req, res); });
        svr.Get(R"(/api/containers/([A-Za-z0-9_.-]+)/stats)",
                [this](const httplib::Request& req, httplib::Response& res) { stats(req, res); });
    }

private:
    static void serve_asset(httplib::Response& res, const std::string& path) {
        const WebAsset* a = find_asset(path);
        if (!a) return refuse(res, 404, "no such page: " + path);
        res.set_content(std::string(a->data), a->content_type);
    }

    void list(httplib::Response& res) {
        std::vector<core::Record> shown;
        for (const auto& r : store_.list())
            if (r.status != "preparing" && r.status != "creating") shown.push_back(r);
        reply(res, 200, cli::record_views_json(shown));
    }

    void create(const httplib::Request& req, httplib::Response& res) {
        auto args = run_args_from_json(req.body);
        if (!args) return refuse(res, 400, args.error().message());
        auto run = cli::parse_run_args(*args);  // exactly `gocker run`'s checks
        if (!run) return refuse(res, 400, run.error().message());
        run->options.detach = true;
        std::vector<std::string> notes;
        core::RunHooks hooks;
        hooks.note = [&](const std::string& s) { notes.push_back(s); };
        std::lock_guard<std::mutex> g(changes_);
        auto rec = core::run_container(store_, run->options, parent_, hooks);
        if (!rec) return refuse(res, 400, rec.error().wrap("run").message());
        reply(res, 201, cli::record_view_json(*rec));
    }

    void stop(const httplib::Request& req, httplib::Response& res) {
        int timeout = 10;
        if (req.has_param("time")) {
            auto t = parse_count(req.get_param_value("time"), "time", 86400);
            if (!t) return refuse(res, 400, t.error().message());
            timeout = static_cast<int>(*t);
        }
        std::string ref = req.matches[1];
        if (auto s = core::stop_container(store_, ref, timeout); !s)
            return refuse(res, status_for(s.error()), s.error().message());
        auto r = store_.resolve(ref);
        if (!r) return refuse(res, status_for(r.error()), r.error().message());
        reply(res, 200, cli::record_view_json(*r));
    }

    void remove(const httplib::Request& req, httplib::Response& res) {
        std::string ref = req.matches[1];
        bool force = req.get_param_value("force") == "1";
        std::lock_guard<std::mutex> g(changes_);
        if (auto s = core::remove_container(store_, ref, force); !s)
            return refuse(res, status_for(s.error()), s.error().message());
        res.status = 204;
    }

    void logs(const httplib::Request& req, httplib::Response& res) {
        auto rec = store_.resolve(req.matches[1]);
        if (!rec) return refuse(res, status_for(rec.error()), rec.error().message());
        core::LogReadOptions o;
        o.follow = req.get_param_value("follow") == "1";
        if (req.has_param("tail")) {
            auto n = parse_count(req.get_param_value("tail"), "tail", 1000000000);
            if (!n) return refuse(res, 400, n.error().message());
            o.tail = static_cast<long>(*n);
        }
        std::string id = rec->id;
        res.set_chunked_content_provider("application/x-ndjson", [this, o, id](size_t, httplib::DataSink& sink) {
            auto emit = [&](const core::LogEntry& e) {
                std::string line = core::log_entry_json(e.time, e.stream, e.text) + "\n";
                return sink.write(line.data(), line.size());
            };
            auto running = [&] { return !g_stop && sink.is_writable() && core::container_active(store_, id); };
            auto s = core::read_log(store_.dir(id), o, running, emit);
            if (!s) {
                std::string line = error_json(s.error().message()) + "\n";
                sink.write(line.data(), line.size());
            }
            sink.done();
            return true;
        });
    }

    void stats(const httplib::Request& req, httplib::Response& res) {
        auto rec = store_.resolve(req.matches[1]);
        if (!rec) return refuse(res, status_for(rec.error()), rec.error().message());
        if (core::live_status(*rec) != "running")
            return refuse(res, 409, "stats of " + rec->id + ": the container is not running");
        auto s = sampler_.sample(*rec);
        if (!s) return refuse(res, 409, s.error().message());
        reply(res, 200, *s);
    }

    const core::Store& store_;
    std::string parent_;
    Access access_;
    StatsSampler sampler_;
    std::mutex changes_;  // one run or rm at a time (each takes the store's lock too)
};

}  // namespace

int serve(const core::Store& store, const std::string& listen, const std::string& cgroup_parent) {
    auto addr = parse_listen(listen);
    if (!addr) {
        std::fprintf(stderr, "gocker: gui: %s\n", addr.error().message().c_str());
        return 125;
    }
    if (auto s = store.ensure(); !s) {
        std::fprintf(stderr, "gocker: gui: %s\n", s.error().message().c_str());
        return 125;
    }
    httplib::Server svr;
    svr.new_task_queue = [] { return new httplib::ThreadPool(32); };  // log followers hold a thread each
    int port = addr->port;
    if (port == 0) port = svr.bind_to_any_port(addr->host);
    else if (!svr.bind_to_port(addr->host, port)) port = -1;
    if (port < 0) {
        std::fprintf(stderr, "gocker: gui: listen on %s: cannot bind (in use, or not an address of this host)\n",
                     listen.c_str());
        return 125;
    }
    Access access(new_token(), addr->host, port);
    Console console(store, cgroup_parent, access);
    console.install(svr);
    if (!addr->loopback)
        std::fprintf(stderr,
                     "gocker: gui: WARNING: listening on %s, not loopback: anyone who can reach it and has the token "
                     "can run containers as root here\n",
                     addr->host.c_str());
    std::printf("gocker gui: open %s\n", access.url().c_str());
    std::fflush(stdout);
    std::signal(SIGINT, on_stop_signal);
    std::signal(SIGTERM, on_stop_signal);
    std::signal(SIGPIPE, SIG_IGN);
    std::thread watcher([&svr] {
        while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        svr.stop();
    });
    bool ok = svr.listen_after_bind();
    g_stop = true;
    watcher.join();
    return ok ? 0 : 1;
}

}  // namespace gocker::gui
