#include "gui/access.hpp"

#include <arpa/inet.h>
#include <httplib.h>
#include <sys/random.h>

#include <algorithm>
#include <cstdio>

namespace gocker::gui {
namespace {

bool is_loopback(const std::string& host) {
    if (host == "localhost" || host == "::1") return true;
    in_addr a{};
    return ::inet_pton(AF_INET, host.c_str(), &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

std::string bracketed(const std::string& host) { return host.find(':') != std::string::npos ? "[" + host + "]" : host; }

}  // namespace

Result<ListenAddress> parse_listen(const std::string& text) {
    ListenAddress a;
    std::string port = "8080";
    if (!text.empty() && text[0] == '[') {
        size_t close = text.find(']');
        if (close == std::string::npos) return Error("--listen " + text + ": expected [IPV6]:PORT", 0);
        a.host = text.substr(1, close - 1);
        if (close + 1 < text.size()) {
            if (text[close + 1] != ':') return Error("--listen " + text + ": expected [IPV6]:PORT", 0);
            port = text.substr(close + 2);
        }
    } else if (size_t colon = text.rfind(':'); colon != std::string::npos) {
        a.host = text.substr(0, colon);
        port = text.substr(colon + 1);
    } else {
        a.host = text;
    }
    if (a.host.empty()) return Error("--listen " + text + ": the host is missing (e.g. 127.0.0.1:8080)", 0);
    if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), ::isdigit) || std::stoi(port) > 65535)
        return Error("--listen " + text + ": the port must be a number from 0 to 65535", 0);
    a.port = std::stoi(port);
    a.loopback = is_loopback(a.host);
    return a;
}

std::string new_token() {
    unsigned char b[16];
    size_t got = 0;
    while (got < sizeof b) {
        ssize_t n = ::getrandom(b + got, sizeof b - got, 0);
        if (n > 0) got += static_cast<size_t>(n);
    }
    std::string s;
    char hex[3];
    for (unsigned char c : b) {
        std::snprintf(hex, sizeof hex, "%02x", c);
        s += hex;
    }
    return s;
}

Access::Access(std::string token, std::string host, int port)
    : token_(std::move(token)),
      host_(std::move(host)),
      cookie_name_("gocker_token_" + std::to_string(port)),
      port_(port) {
    std::string p = ":" + std::to_string(port);
    hosts_ = {bracketed(host_) + p};
    if (is_loopback(host_))
        for (const char* h : {"127.0.0.1", "localhost", "[::1]"}) hosts_.push_back(h + p);
}

std::string Access::url() const {
    return "http://" + bracketed(host_) + ":" + std::to_string(port_) + "/?token=" + token_;
}

bool Access::token_matches(const std::string& given) const {
    if (given.size() != token_.size()) return false;
    unsigned char diff = 0;  // the same time whatever matches
    for (size_t i = 0; i < given.size(); ++i) diff |= static_cast<unsigned char>(given[i] ^ token_[i]);
    return diff == 0;
}

Verdict Access::check(const httplib::Request& req) const {
    Verdict v;
    auto refuse = [&](int status, std::string message) {
        v.status = status;
        v.message = std::move(message);
        return v;
    };
    bool changes = req.method == "POST" || req.method == "DELETE";
    if (!changes && req.method != "GET")
        return refuse(405, req.method + " " + req.path + ": the console takes GET, POST and DELETE only");
    if (is_loopback(host_) && std::find(hosts_.begin(), hosts_.end(), req.get_header_value("Host")) == hosts_.end())
        return refuse(403, "Host \"" + req.get_header_value("Host") + "\" is not this console's address");
    bool api = req.path.rfind("/api/", 0) == 0;
    if (api) {
        if (!token_matches(req.get_header_value("X-Gocker-Token")))
            return refuse(401, "missing or wrong token: send the X-Gocker-Token header (the token gocker gui printed)");
    } else {
        bool by_query = token_matches(req.get_param_value("token"));
        bool by_cookie = false;
        std::string cookies = req.get_header_value("Cookie");
        std::string want = cookie_name_ + "=" + token_;
        for (size_t at = 0; !by_cookie && (at = cookies.find(want, at)) != std::string::npos; at += want.size()) {
            bool starts = at == 0 || cookies[at - 1] == ' ' || cookies[at - 1] == ';';
            size_t end = at + want.size();
            by_cookie = starts && (end == cookies.size() || cookies[end] == ';');
        }
        if (!by_query && !by_cookie)
            return refuse(401, "missing or wrong token: open the URL gocker gui printed (with ?token=)");
        if (by_query) v.set_cookie = cookie_name_ + "=" + token_ + "; Path=/; HttpOnly; SameSite=Strict";
    }
    if (changes) {
        std::string origin = req.get_header_value("Origin");
        // Same origin: the page was loaded from the Host this request names (checked above on loopback).
        if (!origin.empty() && origin != "http://" + req.get_header_value("Host"))
            return refuse(403, "cross-origin " + req.method + " refused (Origin " + origin + ")");
        if (req.get_header_value("Sec-Fetch-Site") == "cross-site")
            return refuse(403, "cross-site " + req.method + " refused");
        // This runs before the body is read: a body is announced by its length (or chunked).
        std::string length = req.get_header_value("Content-Length");
        bool body = (!length.empty() && length != "0") || req.has_header("Transfer-Encoding");
        if (body && req.get_header_value("Content-Type").rfind("application/json", 0) != 0)
            return refuse(415, req.method + " " + req.path + ": the body must be application/json");
    }
    return v;
}

}  // namespace gocker::gui
