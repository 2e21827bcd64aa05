#include "net/nfnetlink.hpp"

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace gocker::net {

namespace {

// A netlink message under construction: header, nfgenmsg, attributes (nested ones closed by
// end_nest with the offset begin_nest returned).
class Msg {
public:
    Msg(std::vector<uint8_t>& buf, uint16_t type, uint16_t flags, uint32_t seq, uint8_t family, uint16_t res_id = 0)
        : buf_(buf), start_(buf.size()) {
        nlmsghdr h{};
        h.nlmsg_type = type;
        h.nlmsg_flags = flags;
        h.nlmsg_seq = seq;
        append(&h, sizeof h);
        nfgenmsg g{};
        g.nfgen_family = family;
        g.version = NFNETLINK_V0;
        g.res_id = htons(res_id);
        append(&g, sizeof g);
    }
    ~Msg() {
        uint32_t len = static_cast<uint32_t>(buf_.size() - start_);
        std::memcpy(buf_.data() + start_, &len, sizeof len);  // nlmsg_len comes first
    }
    Msg(const Msg&) = delete;
    Msg& operator=(const Msg&) = delete;

    void attr(uint16_t type, const void* data, size_t len) {
        nlattr a{static_cast<uint16_t>(NLA_HDRLEN + len), type};
        append(&a, sizeof a);
        append(data, len);
        pad();
    }
    void attr(uint16_t type, const std::string& s) { attr(type, s.c_str(), s.size() + 1); }
    void attr_be32(uint16_t type, uint32_t v) {
        uint32_t be = htonl(v);
        attr(type, &be, sizeof be);
    }
    size_t begin_nest(uint16_t type) {
        size_t at = buf_.size();
        nlattr a{NLA_HDRLEN, static_cast<uint16_t>(type | NLA_F_NESTED)};
        append(&a, sizeof a);
        return at;
    }
    void end_nest(size_t at) {
        uint16_t len = static_cast<uint16_t>(buf_.size() - at);
        std::memcpy(buf_.data() + at, &len, sizeof len);  // nla_len comes first
    }

private:
    void append(const void* p, size_t n) {
        const auto* b = static_cast<const uint8_t*>(p);
        buf_.insert(buf_.end(), b, b + n);
    }
    void pad() { buf_.resize(NLMSG_ALIGN(buf_.size()), 0); }
    std::vector<uint8_t>& buf_;
    size_t start_;
};

uint16_t nft_type(int msg) { return static_cast<uint16_t>((NFNL_SUBSYS_NFTABLES << 8) | msg); }

void put_data(Msg& m, uint16_t type, const std::vector<uint8_t>& bytes) {
    size_t nest = m.begin_nest(type);
    m.attr(NFTA_DATA_VALUE, bytes.data(), bytes.size());
    m.end_nest(nest);
}

// NFTA_SET_ELEM_LIST_{TABLE,SET,ELEMENTS} for elements of one set.
void put_elements(Msg& m, const std::string& table, const std::string& set, const NftElement* const* first,
                  size_t count) {
    m.attr(NFTA_SET_ELEM_LIST_TABLE, table);
    m.attr(NFTA_SET_ELEM_LIST_SET, set);
    size_t list = m.begin_nest(NFTA_SET_ELEM_LIST_ELEMENTS);
    for (size_t i = 0; i < count; ++i) {
        const NftElement& e = *first[i];
        size_t elem = m.begin_nest(NFTA_LIST_ELEM);
        put_data(m, NFTA_SET_ELEM_KEY, e.key);
        if (!e.data.empty()) put_data(m, NFTA_SET_ELEM_DATA, e.data);
        if (e.flags) m.attr_be32(NFTA_SET_ELEM_FLAGS, e.flags);
        m.end_nest(elem);
    }
    m.end_nest(list);
}

Status send_all(int fd, const std::vector<uint8_t>& buf, const std::string& what) {
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    for (;;) {
        ssize_t n = ::sendto(fd, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel);
        if (n == static_cast<ssize_t>(buf.size())) return {};
        if (n < 0 && errno == EINTR) continue;
        return sys_error([&] { return what + ": send to nfnetlink"; });
    }
}

// The error code of an NLMSG_ERROR message (0: an acknowledgement), or 1 for any other message.
int reply_code(const nlmsghdr* h) {
    if (h->nlmsg_type != NLMSG_ERROR) return 1;
    if (h->nlmsg_len < NLMSG_LENGTH(sizeof(nlmsgerr))) return -EPROTO;
    return static_cast<const nlmsgerr*>(NLMSG_DATA(h))->error;
}

}  // namespace

Result<NfNetlink> NfNetlink::open() {
    UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER));
    if (!fd) return sys_error("open nfnetlink socket");
    sockaddr_nl local{};
    local.nl_family = AF_NETLINK;
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&local), sizeof local) < 0)
        return sys_error("bind nfnetlink socket");
    return NfNetlink(std::move(fd));
}

Result<int> NfNetlink::request(std::vector<uint8_t>& msg, const std::string& what) const {
    GK_TRY(send_all(fd_.get(), msg, what));
    uint32_t seq = reinterpret_cast<const nlmsghdr*>(msg.data())->nlmsg_seq;
    alignas(nlmsghdr) uint8_t buf[16384];
    for (;;) {
        ssize_t n = ::recv(fd_.get(), buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return sys_error([&] { return what + ": receive from nfnetlink"; });
        int len = static_cast<int>(n);
        for (auto* h = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
            if (h->nlmsg_seq != seq) continue;
            int code = reply_code(h);
            if (code <= 0) return code;  // the acknowledgement (after the answer) or the error
        }
    }
}

Result<bool> NfNetlink::chain_exists(const std::string& table, const std::string& chain) const {
    std::vector<uint8_t> buf;
    {
        Msg m(buf, nft_type(NFT_MSG_GETCHAIN), NLM_F_REQUEST | NLM_F_ACK, seq_++, NFPROTO_IPV4);
        m.attr(NFTA_CHAIN_TABLE, table);
        m.attr(NFTA_CHAIN_NAME, chain);
    }
    std::string what = "look up nftables chain ip " + table + " " + chain;
    int code = GK_TRY(request(buf, what));
    if (code == -ENOENT) return false;
    if (code < 0) return Error(what, -code);
    return true;
}

Result<bool> NfNetlink::element_exists(const std::string& table, const NftElement& e) const {
    std::vector<uint8_t> buf;
    NftElement key_only{e.set, e.key, {}, e.flags};
    const NftElement* one = &key_only;
    {
        Msg m(buf, nft_type(NFT_MSG_GETSETELEM), NLM_F_REQUEST | NLM_F_ACK, seq_++, NFPROTO_IPV4);
        put_elements(m, table, e.set, &one, 1);
    }
    std::string what = "look up an element of nftables set ip " + table + " " + e.set;
    int code = GK_TRY(request(buf, what));
    if (code == -ENOENT) return false;
    if (code < 0) return Error(what, -code);
    return true;
}

Status NfNetlink::commit(const std::string& table, bool add, const std::vector<NftElement>& elements,
                         const std::string& what) const {
    std::vector<uint8_t> buf;
    uint32_t begin_seq = seq_;
    { Msg begin(buf, NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, seq_++, AF_UNSPEC, NFNL_SUBSYS_NFTABLES); }
    // One message per set, its elements together, every message acknowledged.
    uint32_t first_seq = seq_;
    for (size_t i = 0; i < elements.size();) {
        std::vector<const NftElement*> same;
        size_t j = i;
        for (; j < elements.size() && elements[j].set == elements[i].set; ++j) same.push_back(&elements[j]);
        uint16_t flags = NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE : 0);
        Msg m(buf, nft_type(add ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM), flags, seq_++, NFPROTO_IPV4);
        put_elements(m, table, elements[i].set, same.data(), same.size());
        i = j;
    }
    uint32_t end_seq = seq_;
    { Msg end(buf, NFNL_MSG_BATCH_END, NLM_F_REQUEST, seq_++, AF_UNSPEC, NFNL_SUBSYS_NFTABLES); }
    GK_TRY(send_all(fd_.get(), buf, what));
    // The kernel handles the whole batch before sendto returns: every answer is queued by now.
    int first_error = 0;
    uint32_t acked = 0;
    alignas(nlmsghdr) uint8_t reply[16384];
    while (acked < end_seq - first_seq) {
        ssize_t n = ::recv(fd_.get(), reply, sizeof reply, first_error ? MSG_DONTWAIT : 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && first_error && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (n < 0) return sys_error([&] { return what + ": receive from nfnetlink"; });
        int len = static_cast<int>(n);
        for (auto* h = reinterpret_cast<nlmsghdr*>(reply); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
            // A batch refused as a whole (no permission, say) answers its begin message.
            if (h->nlmsg_seq < begin_seq || h->nlmsg_seq > end_seq) continue;
            int code = reply_code(h);
            if (code > 0) continue;
            if (h->nlmsg_seq >= first_seq && h->nlmsg_seq < end_seq) ++acked;
            if (code < 0 && !first_error) first_error = code;
        }
    }
    if (first_error) return Error(what, -first_error);
    return {};
}

}  // namespace gocker::net
