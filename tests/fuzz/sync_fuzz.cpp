// Fuzz target: the decoder of the sync channel between the runtime and the container's init
// (decode_sync_packet, what SyncSocket::recv does with each SEQPACKET datagram). The input is
// a sequence of packets, each a 2-byte little-endian length then that many bytes.
#include "linux/sync.hpp"

#include <cstdint>
#include <string_view>

#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    gocker::SyncMsg m;
    bool first = true;
    size_t before = 0;
    while (in.size() >= 2) {
        size_t len = static_cast<uint8_t>(in[0]) | (static_cast<size_t>(static_cast<uint8_t>(in[1])) << 8);
        in.remove_prefix(2);
        std::string_view packet = in.substr(0, len);
        in.remove_prefix(packet.size());
        auto more = gocker::decode_sync_packet(packet, first, m);
        if (!more) {
            gocker::fuzz::check_message(more.error());
            if (more.error().sys_errno() != EPROTO) gocker::fuzz::fail("a bad packet is not EPROTO", more.error());
            m = {};
            first = true;
            before = 0;
            continue;
        }
        if (m.text.size() < before) gocker::fuzz::fail("a packet shortened the message text", gocker::Error(m.text));
        before = m.text.size();
        (void)gocker::sync_type_name(m.type);
        first = !*more;
        if (first) m = {}, before = 0;
    }
    return 0;
}
