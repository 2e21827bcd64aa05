#include "net/nfnetlink.hpp"

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <functional>
#include <cerrno>

namespace gocker::net {

namespace {

struct SetFree {
    void operator()(nftnl_set* s) const { nftnl_set_free(s); }
};
struct ChainFree {
    void operator()(nftnl_chain* c) const { nftnl_chain_free(c); }
};
struct BatchStop {
    void operator()(mnl_nlmsg_batch* b) const { mnl_nlmsg_batch_stop(b); }
};
using SetPtr = std::unique_ptr<nftnl_set, SetFree>;

// libnftnl's set object for `count` elements of one set, starting at `first` (the keys alone
// with `key_only`, for a lookup). It owns the elements added to it.
Result<SetPtr> nftnl_elements(const std::string& table, const NftElement* first, size_t count, bool key_only) {
    const std::string what = "build the elements of nftables set ip " + table + " " + first->set;
    SetPtr s(nftnl_set_alloc());
    if (!s || nftnl_set_set_str(s.get(), NFTNL_SET_TABLE, table.c_str()) < 0 ||
        nftnl_set_set_str(s.get(), NFTNL_SET_NAME, first->set.c_str()) < 0)
        return Error(what, ENOMEM);
    for (const NftElement* e = first; e != first + count; ++e) {
        // libnftnl copies a key or value into a register-sized buffer of its own, unchecked.
        if (e->key.empty() || e->key.size() > NFT_DATA_VALUE_MAXLEN || e->data.size() > NFT_DATA_VALUE_MAXLEN)
            return Error(what + ": a key or value of " + std::to_string(std::max(e->key.size(), e->data.size())) +
                             " bytes (1 to " + std::to_string(NFT_DATA_VALUE_MAXLEN) + ")",
                         EINVAL);
        nftnl_set_elem* el = nftnl_set_elem_alloc();
        if (!el) return Error(what, ENOMEM);
        nftnl_set_elem_add(s.get(), el);
        if (nftnl_set_elem_set(el, NFTNL_SET_ELEM_KEY, e->key.data(), static_cast<uint32_t>(e->key.size())) < 0 ||
            (!key_only && !e->data.empty() &&
             nftnl_set_elem_set(el, NFTNL_SET_ELEM_DATA, e->data.data(), static_cast<uint32_t>(e->data.size())) < 0))
            return Error(what, ENOMEM);
        if (e->flags) nftnl_set_elem_set_u32(el, NFTNL_SET_ELEM_FLAGS, e->flags);
    }
    return s;
}

// An upper bound of the bytes libnftnl writes for these elements, each in a message of its own:
// headers, names and the attribute headers and padding around every key and value.
size_t batch_room(const std::string& table, const std::vector<NftElement>& elements) {
    size_t room = 2 * NLMSG_HDRLEN + 64;  // batch begin and end
    for (const auto& e : elements) room += 128 + table.size() + e.set.size() + e.key.size() + e.data.size();
    return room;
}

// The state of answers(): the sequence numbers answered to, those that count, the tally.
struct Tally {
    uint32_t first, last, count_first, count_last;
    uint32_t acked = 0;
    int error = 0;
};

int on_error_message(const nlmsghdr* h, void* data) {
    auto& t = *static_cast<Tally*>(data);
    if (h->nlmsg_seq < t.first || h->nlmsg_seq > t.last) return MNL_CB_OK;  // an earlier request's
    int code = -EPROTO;
    if (mnl_nlmsg_get_payload_len(h) >= sizeof(nlmsgerr))
        code = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(h))->error;
    if (h->nlmsg_seq >= t.count_first && h->nlmsg_seq <= t.count_last) ++t.acked;
    if (code < 0 && !t.error) t.error = code;
    return MNL_CB_OK;
}

}  // namespace

Result<std::vector<uint8_t>> element_batch(const std::string& table, bool add, const std::vector<NftElement>& elements,
                                           uint32_t seq) {
    // Twice the room: libmnl lets the last message run past the limit before it says it is full.
    const size_t room = batch_room(table, elements);
    std::vector<uint8_t> buf(2 * room);
    std::unique_ptr<mnl_nlmsg_batch, BatchStop> batch(mnl_nlmsg_batch_start(buf.data(), room));
    if (!batch) return Error("build an nftables batch", ENOMEM);
    auto here = [&] { return static_cast<char*>(mnl_nlmsg_batch_current(batch.get())); };
    bool fits = true;
    nftnl_batch_begin(here(), seq++);
    fits = mnl_nlmsg_batch_next(batch.get()) && fits;
    // One message per run of elements of the same set, every message acknowledged.
    for (size_t i = 0; i < elements.size();) {
        size_t j = i;
        while (j < elements.size() && elements[j].set == elements[i].set) ++j;
        SetPtr set = GK_TRY(nftnl_elements(table, &elements[i], j - i, /*key_only=*/false));
        nlmsghdr* h = nftnl_nlmsg_build_hdr(here(), add ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM, NFPROTO_IPV4,
                                            NLM_F_ACK | (add ? NLM_F_CREATE : 0), seq++);
        nftnl_set_elems_nlmsg_build_payload(h, set.get());
        fits = mnl_nlmsg_batch_next(batch.get()) && fits;
        i = j;
    }
    nftnl_batch_end(here(), seq++);
    fits = mnl_nlmsg_batch_next(batch.get()) && fits;
    if (!fits) return Error("build an nftables batch: more than the " + std::to_string(room) + " bytes reckoned");
    buf.resize(mnl_nlmsg_batch_size(batch.get()));
    return buf;
}

void NfNetlink::SocketCloser::operator()(mnl_socket* s) const { mnl_socket_close(s); }

Result<NfNetlink> NfNetlink::open() {
    mnl_socket* s = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
    if (!s) return sys_error("open nfnetlink socket");
    NfNetlink nl(s);
    if (mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0) return sys_error("bind nfnetlink socket");
    // An error answer carries the failed message's header only, not the whole message back.
    int one = 1;
    if (mnl_socket_setsockopt(s, NETLINK_CAP_ACK, &one, sizeof one) < 0)
        return sys_error("set NETLINK_CAP_ACK on nfnetlink socket");
    nl.portid_ = mnl_socket_get_portid(s);
    return nl;
}

Status NfNetlink::send(const std::vector<uint8_t>& msg, const std::string& what) const {
    for (;;) {
        ssize_t n = mnl_socket_sendto(sock_.get(), msg.data(), msg.size());
        if (n == static_cast<ssize_t>(msg.size())) return {};
        if (n < 0 && errno == EINTR) continue;
        return sys_error([&] { return what + ": send to nfnetlink"; });
    }
}

Result<int> NfNetlink::answers(uint32_t first, uint32_t last, uint32_t acked_first, uint32_t acked_last,
                               const std::string& what) const {
    // The NLMSG_* types mnl_cb_run2 hands to us: NLMSG_ERROR, an error or an acknowledgement.
    mnl_cb_t control[NLMSG_ERROR + 1] = {nullptr, nullptr, on_error_message};
    Tally t{first, last, acked_first, acked_last};
    const uint32_t expected = acked_last + 1 - acked_first;
    alignas(nlmsghdr) uint8_t buf[16384];
    // The kernel handles a request before sendto returns: once one failed, what is queued is all.
    while (t.acked < expected) {
        ssize_t n = ::recv(mnl_socket_get_fd(sock_.get()), buf, sizeof buf, t.error ? MSG_DONTWAIT : 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && t.error && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (n < 0) return sys_error([&] { return what + ": receive from nfnetlink"; });
        // Data messages (a lookup's answer before its acknowledgement) are skipped.
        if (mnl_cb_run2(buf, static_cast<size_t>(n), 0, portid_, nullptr, &t, control, NLMSG_ERROR + 1) < 0)
            return sys_error([&] { return what + ": read the answer of nfnetlink"; });
    }
    return t.error;
}

Result<bool> NfNetlink::lookup(uint16_t type, const std::function<void(nlmsghdr*)>& payload,
                               const std::string& what) const {
    std::vector<uint8_t> buf(MNL_SOCKET_BUFFER_SIZE);
    const uint32_t seq = seq_++;
    nlmsghdr* h = nftnl_nlmsg_build_hdr(reinterpret_cast<char*>(buf.data()), type, NFPROTO_IPV4, NLM_F_ACK, seq);
    payload(h);
    buf.resize(h->nlmsg_len);
    GK_TRY(send(buf, what));
    int code = GK_TRY(answers(seq, seq, seq, seq, what));
    if (code == -ENOENT) return false;
    if (code < 0) return Error(what, -code);
    return true;
}

Result<bool> NfNetlink::chain_exists(const std::string& table, const std::string& chain) const {
    const std::string what = "look up nftables chain ip " + table + " " + chain;
    std::unique_ptr<nftnl_chain, ChainFree> c(nftnl_chain_alloc());
    if (!c || nftnl_chain_set_str(c.get(), NFTNL_CHAIN_TABLE, table.c_str()) < 0 ||
        nftnl_chain_set_str(c.get(), NFTNL_CHAIN_NAME, chain.c_str()) < 0)
        return Error(what, ENOMEM);
    return lookup(
        NFT_MSG_GETCHAIN, [&](nlmsghdr* h) { nftnl_chain_nlmsg_build_payload(h, c.get()); }, what);
}

Result<bool> NfNetlink::element_exists(const std::string& table, const NftElement& e) const {
    const std::string what = "look up an element of nftables set ip " + table + " " + e.set;
    SetPtr set = GK_TRY(nftnl_elements(table, &e, 1, /*key_only=*/true));
    return lookup(
        NFT_MSG_GETSETELEM, [&](nlmsghdr* h) { nftnl_set_elems_nlmsg_build_payload(h, set.get()); }, what);
}

Status NfNetlink::commit(const std::string& table, bool add, const std::vector<NftElement>& elements,
                         const std::string& what) const {
    const uint32_t begin = seq_;
    std::vector<uint8_t> batch = GK_TRY_CTX(element_batch(table, add, elements, begin), what);
    // begin, one message per run of one set's elements, end: numbered consecutively.
    uint32_t messages = 0;
    for (size_t i = 0; i < elements.size(); ++i)
        if (i == 0 || elements[i].set != elements[i - 1].set) ++messages;
    const uint32_t end = begin + messages + 1;
    seq_ = end + 1;
    GK_TRY(send(batch, what));
    // A batch refused as a whole (no permission, say) answers its begin message alone.
    int code = GK_TRY(answers(begin, end, begin + 1, end - 1, what));
    if (code < 0) return Error(what, -code);
    return {};
}

}  // namespace gocker::net
