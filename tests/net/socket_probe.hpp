// Sockets for the network tests: a server in a namespace, and a TCP or UDP round trip to it
// from another (through published ports too). Each call either gets "pong" back or says why not.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "net/private_netns.hpp"

namespace gocker::test {

inline void set_timeouts(int fd, int seconds) {
    timeval tv{seconds, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

inline sockaddr_in addr_of(const std::string& ip, int port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
    return a;
}

inline std::string ip_of(const sockaddr_in& a) {
    char text[16] = "";
    ::inet_ntop(AF_INET, &a.sin_addr, text, sizeof text);
    return text;
}

// A socket in `ns` ("" = the host, this process's namespace).
inline int sock(const std::string& ns, int type) {
    int s = ns.empty() ? ::socket(AF_INET, type | SOCK_CLOEXEC, 0) : socket_in(ns, type);
    if (s >= 0) set_timeouts(s, 3);
    return s;
}

// A server socket on `port` in `ns` (TCP: listening); -1 on failure.
inline int serve(const std::string& ns, int type, int port) {
    int s = sock(ns, type);
    int one = 1;
    ::setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in any = addr_of("0.0.0.0", port);
    if (s < 0 || ::bind(s, reinterpret_cast<sockaddr*>(&any), sizeof any) != 0 ||
        (type == SOCK_STREAM && ::listen(s, 64) != 0)) {
        if (s >= 0) ::close(s);
        return -1;
    }
    return s;
}

// Connects from `from_ns` to ip:port, is accepted by `server`, sends "ping" and gets "pong" back.
// Returns the client address the server saw, or "error: ..." when something did not go through.
inline std::string tcp_via(const std::string& from_ns, const std::string& ip, int port, int server) {
    int c = sock(from_ns, SOCK_STREAM);
    sockaddr_in to = addr_of(ip, port);
    if (c < 0) return "error: socket";
    std::string result;
    if (::connect(c, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
        result = std::string("error: connect: ") + std::strerror(errno);
    } else {
        sockaddr_in peer{};
        socklen_t len = sizeof peer;
        int conn = ::accept4(server, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC);
        char buf[8] = "";
        if (conn < 0) {
            result = "error: not accepted";
        } else {
            set_timeouts(conn, 3);
            bool ok = ::send(c, "ping", 4, MSG_NOSIGNAL) == 4 && ::recv(conn, buf, 4, MSG_WAITALL) == 4 &&
                      std::string(buf, 4) == "ping" && ::send(conn, "pong", 4, MSG_NOSIGNAL) == 4 &&
                      ::recv(c, buf, 4, MSG_WAITALL) == 4 && std::string(buf, 4) == "pong";
            result = ok ? ip_of(peer) : "error: no data";
            ::close(conn);
        }
    }
    ::close(c);
    return result;
}

// One datagram from `from_ns` to ip:port and its answer, which must come back from ip:port.
inline std::string udp_via(const std::string& from_ns, const std::string& ip, int port, int server) {
    int c = sock(from_ns, SOCK_DGRAM);
    sockaddr_in to = addr_of(ip, port);
    std::string result = "error: udp";
    char buf[8] = "";
    sockaddr_in peer{};
    socklen_t len = sizeof peer;
    if (c >= 0 && ::connect(c, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0 && ::send(c, "ping", 4, 0) == 4 &&
        ::recvfrom(server, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&peer), &len) == 4 &&
        ::sendto(server, "pong", 4, 0, reinterpret_cast<sockaddr*>(&peer), len) == 4 &&
        ::recv(c, buf, sizeof buf, 0) == 4 && std::string(buf, 4) == "pong")
        result = ip_of(peer);
    if (c >= 0) ::close(c);
    return result;
}

}  // namespace gocker::test
