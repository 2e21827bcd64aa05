#include "net/nft_table.hpp"

#include <nftables/libnftables.h>

namespace gocker::net {

void NftTable::CtxDeleter::operator()(nft_ctx* c) const { nft_ctx_free(c); }

Result<NftTable> NftTable::open() {
    nft_ctx* c = nft_ctx_new(NFT_CTX_DEFAULT);
    if (!c) return Error("open nftables", ENOMEM);
    NftTable t(c);
    // Both buffered: nothing of libnftables reaches the hook's stdout/stderr directly.
    if (nft_ctx_buffer_output(c) != 0 || nft_ctx_buffer_error(c) != 0) return Error("open nftables", ENOMEM);
    return t;
}

Status NftTable::run(const std::string& commands, const std::string& what) const {
    if (nft_run_cmd_from_buffer(ctx_.get(), commands.c_str()) == 0) return {};
    std::string msg = nft_ctx_get_error_buffer(ctx_.get());
    size_t nl = msg.find('\n');
    if (nl != std::string::npos) msg.resize(nl);
    const std::string prefix = "Error: ";
    if (msg.rfind(prefix, 0) == 0) msg.erase(0, prefix.size());
    return Error(what + ": " + (msg.empty() ? "nftables refused the change" : msg));
}

Status NftTable::ensure(const Subnet& subnet) const {
    std::string t = std::string("ip ") + kNftTable;
    std::string batch;
    if (!run("list table " + t, "list table " + t)) {
        batch = "add table " + t + "\n"
                "add set " + t + " subnets { type ipv4_addr; flags interval; }\n"
                "add set " + t + " containers { type ipv4_addr; }\n"
                "add chain " + t + " postrouting { type nat hook postrouting priority srcnat; policy accept; }\n"
                "add rule " + t + " postrouting ip saddr @containers ip daddr != @subnets masquerade\n";
    }
    batch += "add element " + t + " subnets { " + to_string(subnet) + " }\n";
    return run(batch, "set up nftables table " + t + " for subnet " + to_string(subnet));
}

Status NftTable::add_container(Ipv4 address) const {
    std::string t = std::string("ip ") + kNftTable;
    return run("add element " + t + " containers { " + to_string(address) + " }\n",
               "add " + to_string(address) + " to nftables set " + t + " containers");
}

Status NftTable::remove_container(Ipv4 address) const {
    std::string t = std::string("ip ") + kNftTable;
    std::string elem = " containers { " + to_string(address) + " }\n";
    Status st = run("delete element " + t + elem, "remove " + to_string(address) + " from nftables set " + t + " containers");
    if (st) return st;
    // nftables 1.0.6 has no "destroy": an element that is already gone is not an error.
    if (!run("get element " + t + elem, "look up")) return {};
    return st;
}

Result<std::vector<Ipv4>> NftTable::container_elements() const {
    std::string t = std::string("ip ") + kNftTable;
    std::vector<Ipv4> out;
    if (!run("list table " + t, "list table " + t)) return out;
    (void)nft_ctx_get_output_buffer(ctx_.get());  // drop what earlier commands printed
    GK_TRY(run("list set " + t + " containers", "list nftables set " + t + " containers"));
    std::string text = nft_ctx_get_output_buffer(ctx_.get());
    // "elements = { 10.0.0.2, 10.0.0.3 }": every dotted quad after "elements".
    size_t p = text.find("elements");
    std::string token;
    for (char c : (p == std::string::npos ? std::string() : text.substr(p)) + " ") {
        if ((c >= '0' && c <= '9') || c == '.') {
            token += c;
            continue;
        }
        if (auto a = parse_ipv4(token)) out.push_back(*a);
        token.clear();
    }
    return out;
}

Result<std::string> NftTable::ruleset() const {
    (void)nft_ctx_get_output_buffer(ctx_.get());  // drop what earlier commands printed
    GK_TRY(run("list ruleset", "list the nftables ruleset"));
    return std::string(nft_ctx_get_output_buffer(ctx_.get()));
}

}  // namespace gocker::net
