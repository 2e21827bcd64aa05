// Who may use the console: the per-start token, the listen address, and the checks every
// request passes before any handler runs (token, method, Origin, Host, body type).
#pragma once

#include <string>
#include <vector>

#include "common/result.hpp"

namespace httplib {
struct Request;
}

namespace gocker::gui {

struct ListenAddress {
    std::string host;  // 127.0.0.1, ::1, 0.0.0.0, a name...
    int port = 0;      // 0: any free port
    bool loopback = false;
};
// HOST:PORT or [IPV6]:PORT; HOST alone takes port 8080.
Result<ListenAddress> parse_listen(const std::string& text);

// 32 hex digits from getrandom.
std::string new_token();

struct Verdict {
    int status = 0;  // 0: go on; else the HTTP status to refuse with
    std::string message;
    std::string set_cookie;  // the page's cookie, when the page was opened with ?token=
};

class Access {
public:
    Access(std::string token, std::string host, int port);
    // The API needs the X-Gocker-Token header; the page's files take ?token= or the cookie that
    // ?token= sets. POST and DELETE only change state; their Origin (when a browser sends one)
    // must be the console's own (http:// + Host), and a body must be JSON. On loopback, Host must name loopback
    // (no DNS rebinding).
    Verdict check(const httplib::Request& req) const;
    std::string url() const;
    const std::string& token() const { return token_; }

private:
    bool token_matches(const std::string& given) const;
    std::string token_, host_, cookie_name_;
    int port_;
    std::vector<std::string> hosts_;  // acceptable Host headers (host:port)
};

}  // namespace gocker::gui
