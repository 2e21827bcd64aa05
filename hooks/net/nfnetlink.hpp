// The few nftables operations a container's ADD and DEL need, spoken directly over nfnetlink:
// is a chain there, is an element there, add or delete a container's elements in one
// transaction. libnftables (nft_table.cpp) would fetch the ruleset cache, parse text and
// evaluate it on every call -- tens of milliseconds per container for what is one netlink batch.
// It stays the tool for making the table (once) and for listing it (ls, check).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/fd.hpp"
#include "common/result.hpp"

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
    explicit NfNetlink(UniqueFd fd) : fd_(std::move(fd)) {}
    // Sends one request (with NLM_F_ACK) and waits for its answer: 0 or a negative errno.
    Result<int> request(std::vector<uint8_t>& msg, const std::string& what) const;
    UniqueFd fd_;
    mutable uint32_t seq_ = 1;
};

}  // namespace gocker::net
