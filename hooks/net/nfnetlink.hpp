// The few nftables operations a container's ADD and DEL need, as nfnetlink messages built by
// libnftnl and sent over a libmnl socket: is a chain there, is an element there, add or delete a
// container's elements in one transaction. libnftables (nft_table.cpp) would fetch the ruleset
// cache, parse text and evaluate it on every call -- tens of milliseconds per container for what
// is one netlink batch. It stays the tool for making the table (once) and for listing it (ls, check).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"

struct mnl_socket;
struct nlmsghdr;

namespace gocker::net {

// One element of a set or map of a table of family ip, as the kernel stores it: the key's bytes
// and, for a map, the value's (a concatenation puts each field in its own 4-byte register,
// zero-padded), and NFT_SET_ELEM_* flags (interval end).
struct NftElement {
    std::string set;
    std::vector<uint8_t> key;
    std::vector<uint8_t> data;
    uint32_t flags = 0;
};

// The batch commit() sends (libnftnl): BATCH_BEGIN with `seq`, then one NEWSETELEM (`add`, with
// NLM_F_CREATE) or DELSETELEM message per run of elements of the same set, each with NLM_F_ACK,
// and BATCH_END; the messages have consecutive sequence numbers. Pure (no socket).
Result<std::vector<uint8_t>> element_batch(const std::string& table, bool add, const std::vector<NftElement>& elements,
                                           uint32_t seq);

class NfNetlink {
public:
    static Result<NfNetlink> open();
    Result<bool> chain_exists(const std::string& table, const std::string& chain) const;
    Result<bool> element_exists(const std::string& table, const NftElement& e) const;
    // Adds (an identical element already there is fine) or deletes (a missing one fails the whole
    // transaction with ENOENT) every element in one atomic batch. The error is `what` with errno.
    Status commit(const std::string& table, bool add, const std::vector<NftElement>& elements,
                  const std::string& what) const;

private:
    struct SocketCloser {
        void operator()(mnl_socket* s) const;
    };
    explicit NfNetlink(mnl_socket* s) : sock_(s) {}
    Status send(const std::vector<uint8_t>& msg, const std::string& what) const;
    // Reads the answers to the messages numbered first..last (a data message before its
    // acknowledgement is skipped) until those numbered acked_first..acked_last are all answered
    // or one fails; then drains what is already queued. 0, or the first error as a negative errno.
    Result<int> answers(uint32_t first, uint32_t last, uint32_t acked_first, uint32_t acked_last,
                        const std::string& what) const;
    // Sends one request of `type` (with NLM_F_ACK; `payload` fills it in) and waits for its
    // answer: true, false when the kernel answers ENOENT, an error naming `what` otherwise.
    Result<bool> lookup(uint16_t type, const std::function<void(nlmsghdr*)>& payload, const std::string& what) const;
    std::unique_ptr<mnl_socket, SocketCloser> sock_;
    uint32_t portid_ = 0;
    mutable uint32_t seq_ = 1;
};

}  // namespace gocker::net
