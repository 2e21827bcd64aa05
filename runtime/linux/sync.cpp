#include "linux/sync.hpp"

#include <sys/socket.h>

#include <cstring>

namespace gocker {
namespace {

struct Header {
    uint32_t type;
    int32_t err;
    uint32_t more;  // 1: the text goes on in the next packet (same type); 0: last packet
};

// Text per packet. Longer texts (a state JSON with large annotations) go as several packets.
constexpr size_t kMaxText = 8192;

}  // namespace

const char* sync_type_name(SyncType t) {
    switch (t) {
        case SyncType::want_idmap: return "want_idmap";
        case SyncType::idmap_done: return "idmap_done";
        case SyncType::mounts_done: return "mounts_done";
        case SyncType::hooks_done: return "hooks_done";
        case SyncType::ready: return "ready";
        case SyncType::detach: return "detach";
        case SyncType::error: return "error";
        case SyncType::cgroup_attached: return "cgroup_attached";
    }
    return "unknown";
}

Result<std::pair<SyncSocket, SyncSocket>> SyncSocket::make_pair() {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) return sys_error("create sync socketpair");
    return std::make_pair(SyncSocket(UniqueFd(sv[0])), SyncSocket(UniqueFd(sv[1])));
}

Status SyncSocket::send(SyncType type, int err, std::string_view text) const {
    char buf[sizeof(Header) + kMaxText];
    do {
        size_t n = std::min(text.size(), kMaxText);
        Header h{static_cast<uint32_t>(type), err, n < text.size() ? 1u : 0u};
        memcpy(buf, &h, sizeof h);
        if (n) memcpy(buf + sizeof h, text.data(), n);  // an empty view may have a null data()
        text.remove_prefix(n);
        for (;;) {
            ssize_t w = ::send(fd_.get(), buf, sizeof h + n, MSG_NOSIGNAL);
            if (w >= 0) break;
            if (errno != EINTR) return sys_error([&] { return std::string("sync: send ") + sync_type_name(type); });
        }
    } while (!text.empty());
    return {};
}

Result<SyncMsg> SyncSocket::recv() const {
    char buf[sizeof(Header) + kMaxText];
    SyncMsg m;
    for (bool first = true;; first = false) {
        ssize_t n;
        bool reset_seen = false;
        for (;;) {
            n = ::recv(fd_.get(), buf, sizeof buf, 0);
            if (n >= 0) break;
            if (errno == EINTR) continue;
            // A peer that closed its end with messages of ours unread makes one receive fail
            // with ECONNRESET, reported ahead of what the peer sent before it left (an init's
            // error): the kernel clears it as it reports it, so read on for those messages.
            if (errno == ECONNRESET && !reset_seen) {
                reset_seen = true;
                continue;
            }
            break;
        }
        if (n < 0) return sys_error("sync: receive");
        if (n == 0) return Error("sync: peer closed the channel", EPIPE);
        bool more = GK_TRY(decode_sync_packet(std::string_view(buf, static_cast<size_t>(n)), first, m));
        if (!more) return m;
    }
}

Result<bool> decode_sync_packet(std::string_view packet, bool first, SyncMsg& m) {
    if (packet.size() < sizeof(Header)) return Error("sync: short message", EPROTO);
    Header h;
    memcpy(&h, packet.data(), sizeof h);
    if (!first && static_cast<SyncType>(h.type) != m.type) return Error("sync: interleaved message", EPROTO);
    m.type = static_cast<SyncType>(h.type);
    m.err = h.err;
    m.text.append(packet.substr(sizeof h));
    return h.more != 0;
}

Status SyncSocket::expect(SyncType type) const {
    SyncMsg m = GK_TRY(recv());
    if (m.type == SyncType::error) return Error(m.text, m.err);
    if (m.type != type)
        return Error(std::string("sync: expected ") + sync_type_name(type) + ", got " + sync_type_name(m.type), EPROTO);
    return {};
}

}  // namespace gocker
