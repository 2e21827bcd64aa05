// The sync channel between the runtime (parent) and the container init (child): a
// SOCK_SEQPACKET socketpair carrying typed messages. Message boundaries are kept by the
// socket, and a peer that dies is seen as end-of-file. See docs/architecture.md.
#pragma once

#include <cstdint>
#include <string>

#include "common/fd.hpp"
#include "common/result.hpp"

namespace gocker {

enum class SyncType : uint32_t {
    want_idmap = 1,   // child -> parent: write my uid_map/gid_map
    idmap_done = 2,   // parent -> child
    mounts_done = 3,  // child -> parent: rootfs prepared; run prestart + createRuntime hooks
    hooks_done = 4,   // parent -> child: go on (createContainer hooks, pivot, ...)
    ready = 5,        // child -> parent: about to wait on the exec FIFO
    detach = 6,       // parent -> child: state recorded, go on (the child cleared its parent-death signal before ready)
    error = 7,        // child -> parent: failure (errno + context), the child exits after it
    cgroup_attached = 8,  // parent -> child: in its v1 cgroups now; unshare the cgroup namespace
};

struct SyncMsg {
    SyncType type{};
    int err = 0;       // errno for SyncType::error
    std::string text;  // context for SyncType::error
};

class SyncSocket {
public:
    SyncSocket() = default;
    explicit SyncSocket(UniqueFd fd) : fd_(std::move(fd)) {}

    // Both ends, close-on-exec.
    static Result<std::pair<SyncSocket, SyncSocket>> make_pair();

    Status send(SyncType type, int err = 0, std::string_view text = {}) const;
    Status send_error(const Error& e) const { return send(SyncType::error, e.sys_errno(), e.context()); }
    // Receives one message; an error with EPIPE when the peer closed its end (also when it
    // exited with messages of ours unread: its own messages are still delivered first).
    Result<SyncMsg> recv() const;
    // Receives one message and checks its type; an error message becomes the returned Error.
    Status expect(SyncType type) const;

    int fd() const { return fd_.get(); }
    void close() { fd_.reset(); }

private:
    UniqueFd fd_;
};

const char* sync_type_name(SyncType t);

// One received packet (header + text) added to m: its type and errno, its text appended. Returns
// whether more packets of the same message follow; a packet shorter than the header, or one of
// another type in the middle of a message (first false), is an EPROTO error.
Result<bool> decode_sync_packet(std::string_view packet, bool first, SyncMsg& m);

}  // namespace gocker
