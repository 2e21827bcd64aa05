#include "net/nft_table.hpp"

#include <arpa/inet.h>
#include <linux/netfilter/nf_tables.h>
#include <netinet/in.h>
#include <dlfcn.h>
#include <type_traits>
#include <nftables/libnftables.h>

namespace gocker::net {

namespace {

const std::string kT = std::string("ip ") + kNftTable;

// libnftables is loaded when first needed (to make the table, to list it for ls and check), not
// linked: loading it and the five libraries it needs would cost every ADD and DEL several
// milliseconds before main(), for calls they do not make.
struct LibNftables {
    decltype(&::nft_ctx_new) ctx_new;
    decltype(&::nft_ctx_free) ctx_free;
    decltype(&::nft_ctx_buffer_output) buffer_output;
    decltype(&::nft_ctx_buffer_error) buffer_error;
    decltype(&::nft_run_cmd_from_buffer) run_cmd_from_buffer;
    decltype(&::nft_ctx_get_output_buffer) get_output_buffer;
    decltype(&::nft_ctx_get_error_buffer) get_error_buffer;
};
const LibNftables* g_lib = nullptr;  // set once loaded, for good

Result<const LibNftables*> load_libnftables() {
    if (g_lib) return g_lib;
    constexpr const char* kSoname = "libnftables.so.1";
    void* h = ::dlopen(kSoname, RTLD_NOW | RTLD_LOCAL);
    if (!h) return Error(std::string("load ") + kSoname + ": " + ::dlerror());
    static LibNftables lib;
    bool ok = true;
    auto sym = [&](auto& fn, const char* name) {
        fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(::dlsym(h, name));
        ok = ok && fn;
    };
    sym(lib.ctx_new, "nft_ctx_new");
    sym(lib.ctx_free, "nft_ctx_free");
    sym(lib.buffer_output, "nft_ctx_buffer_output");
    sym(lib.buffer_error, "nft_ctx_buffer_error");
    sym(lib.run_cmd_from_buffer, "nft_run_cmd_from_buffer");
    sym(lib.get_output_buffer, "nft_ctx_get_output_buffer");
    sym(lib.get_error_buffer, "nft_ctx_get_error_buffer");
    if (!ok) return Error(std::string("load ") + kSoname + ": a function of libnftables is missing");
    g_lib = &lib;
    return g_lib;
}

// Register-sized fields of a key or value, in network byte order, zero-padded to 4 bytes.
void put_addr(std::vector<uint8_t>& out, Ipv4 a) {
    uint32_t be = htonl(a.value);
    const auto* p = reinterpret_cast<const uint8_t*>(&be);
    out.insert(out.end(), p, p + 4);
}
void put_port(std::vector<uint8_t>& out, uint16_t port) {
    out.push_back(static_cast<uint8_t>(port >> 8));
    out.push_back(static_cast<uint8_t>(port & 0xff));
    out.insert(out.end(), 2, 0);
}
void put_proto(std::vector<uint8_t>& out, PortProtocol p) {
    out.push_back(p == PortProtocol::udp ? IPPROTO_UDP : IPPROTO_TCP);
    out.insert(out.end(), 3, 0);
}

}  // namespace

std::vector<NftElement> container_nft_elements(Ipv4 address, const std::vector<PortMapping>& ports) {
    std::vector<NftElement> out(1);
    out[0].set = "containers";
    put_addr(out[0].key, address);
    for (const auto& m : ports) {
        NftElement e;
        e.set = m.host_ip ? "hostports" : "ports";
        if (m.host_ip) put_addr(e.key, *m.host_ip);
        put_proto(e.key, m.protocol);
        put_port(e.key, m.host_port);
        put_addr(e.data, address);
        put_port(e.data, m.container_port);
        out.push_back(std::move(e));
    }
    return out;
}

std::vector<NftElement> subnet_elements(const Subnet& subnet) {
    std::vector<NftElement> out(1);
    out[0].set = "subnets";
    put_addr(out[0].key, subnet.base);
    uint64_t end = uint64_t{subnet.base.value} + (uint64_t{1} << (32 - subnet.prefix));
    if (end <= 0xffffffffu) {
        NftElement e;
        e.set = "subnets";
        put_addr(e.key, Ipv4{static_cast<uint32_t>(end)});
        e.flags = NFT_SET_ELEM_INTERVAL_END;
        out.push_back(std::move(e));
    }
    return out;
}

std::vector<NftElement> added_elements(const Subnet& subnet, Ipv4 address, const std::vector<PortMapping>& ports) {
    // The subnet again with every container: adding an element that is there is no change, and
    // a table some other tool emptied gets it back.
    auto elements = subnet_elements(subnet);
    for (auto& e : container_nft_elements(address, ports)) elements.push_back(std::move(e));
    return elements;
}

std::vector<std::string> port_elements(Ipv4 address, const std::vector<PortMapping>& ports) {
    std::vector<std::string> out;
    for (const auto& m : ports) {
        std::string key = std::string(to_string(m.protocol)) + " . " + std::to_string(m.host_port);
        std::string value = to_string(address) + " . " + std::to_string(m.container_port);
        out.push_back(m.host_ip ? "hostports " + to_string(*m.host_ip) + " . " + key + " : " + value
                                : "ports " + key + " : " + value);
    }
    return out;
}

void NftTable::CtxDeleter::operator()(nft_ctx* c) const { g_lib->ctx_free(c); }

Result<NftTable> NftTable::open() { return NftTable(); }

Result<const NfNetlink*> NftTable::netlink() const {
    if (!nl_) nl_ = std::make_unique<NfNetlink>(GK_TRY(NfNetlink::open()));
    return nl_.get();
}

Status NftTable::run(const std::string& commands, const std::string& what) const {
    if (!ctx_) {
        const LibNftables& lib = *GK_TRY_CTX(load_libnftables(), what);
        nft_ctx* c = lib.ctx_new(NFT_CTX_DEFAULT);
        if (!c) return Error(what + ": open nftables", ENOMEM);
        ctx_.reset(c);
        // Both buffered: nothing of libnftables reaches the hook's stdout/stderr directly.
        if (lib.buffer_output(c) != 0 || lib.buffer_error(c) != 0) return Error(what + ": open nftables", ENOMEM);
    }
    if (g_lib->run_cmd_from_buffer(ctx_.get(), commands.c_str()) == 0) return {};
    std::string msg = g_lib->get_error_buffer(ctx_.get());
    size_t nl = msg.find('\n');
    if (nl != std::string::npos) msg.resize(nl);
    const std::string prefix = "Error: ";
    if (msg.rfind(prefix, 0) == 0) msg.erase(0, prefix.size());
    return Error(what + ": " + (msg.empty() ? "nftables refused the change" : msg));
}

Status NftTable::ensure(const Subnet& subnet) const {
    std::string batch;
    // The input chain is this version's last addition: a table without it (none, or one made
    // by an older gocker-net) gets every object, and its chains' rules anew, in one batch.
    if (GK_TRY(GK_TRY(netlink())->chain_exists(kNftTable, "input"))) return {};
    {
        const std::string dnat_hostports =
            "fib daddr type local dnat ip to ip daddr . meta l4proto . th dport map @hostports\n";
        const std::string dnat_ports = "fib daddr type local dnat ip to meta l4proto . th dport map @ports\n";
        batch = "add table " + kT +
                "\n"
                "add set " +
                kT +
                " subnets { type ipv4_addr; flags interval; }\n"
                "add set " +
                kT +
                " containers { type ipv4_addr; }\n"
                "add map " +
                kT +
                " ports { type inet_proto . inet_service : ipv4_addr . inet_service; }\n"
                "add map " +
                kT +
                " hostports { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }\n"
                "add chain " +
                kT +
                " prerouting { type nat hook prerouting priority dstnat; policy accept; }\n"
                "add chain " +
                kT +
                " output { type nat hook output priority -100; policy accept; }\n"
                "add chain " +
                kT +
                " postrouting { type nat hook postrouting priority srcnat; policy accept; }\n"
                "add chain " +
                kT +
                " input { type filter hook input priority filter; policy accept; }\n"
                "flush chain " +
                kT +
                " prerouting\n"
                "flush chain " +
                kT +
                " output\n"
                "flush chain " +
                kT +
                " postrouting\n"
                "add rule " +
                kT + " prerouting " + dnat_hostports + "add rule " + kT + " prerouting " + dnat_ports + "add rule " +
                kT + " output " + dnat_hostports + "add rule " + kT + " output " + dnat_ports + "add rule " + kT +
                " postrouting ip saddr @containers ip daddr != @subnets masquerade\n"
                "add rule " +
                kT +
                " postrouting ct status dnat ip saddr @containers ip daddr @containers masquerade\n"
                "add rule " +
                kT +
                " postrouting ip saddr 127.0.0.0/8 ip daddr @containers masquerade\n"
                "add rule " +
                kT + " input iif != lo ip daddr 127.0.0.0/8 ct status & dnat == 0 drop\n";
    }
    batch += "add element " + kT + " subnets { " + to_string(subnet) + " }\n";
    return run(batch, "set up nftables table " + kT + " for subnet " + to_string(subnet));
}

Status NftTable::add_container(const Subnet& subnet, Ipv4 address, const std::vector<PortMapping>& ports) const {
    return GK_TRY(netlink())->commit(
        kNftTable, /*add=*/true, added_elements(subnet, address, ports),
        "add " + to_string(address) + (ports.empty() ? "" : " and its published ports") + " to nftables table " + kT);
}

Status NftTable::remove_container(Ipv4 address, const std::vector<PortMapping>& ports) const {
    std::string what = "remove " + to_string(address) + (ports.empty() ? "" : " and its published ports") +
                       " from nftables table " + kT;
    const NfNetlink& nl = *GK_TRY(netlink());
    auto elements = container_nft_elements(address, ports);
    Status st = nl.commit(kNftTable, /*add=*/false, elements, what);
    if (st || st.error().sys_errno() != ENOENT) return st;
    // Some are not there (a crash before they were added, no table): delete, in one batch, only
    // those still there (the kernel's "destroy", which would ignore them, is 6.3 and later).
    std::vector<NftElement> present;
    for (auto& e : elements)
        if (GK_TRY(nl.element_exists(kNftTable, e))) present.push_back(std::move(e));
    return present.empty() ? Status{} : nl.commit(kNftTable, /*add=*/false, present, what);
}

Result<std::vector<Ipv4>> NftTable::container_elements() const {
    std::string t = std::string("ip ") + kNftTable;
    std::vector<Ipv4> out;
    if (!run("list table " + t, "list table " + t)) return out;
    (void)g_lib->get_output_buffer(ctx_.get());  // drop what earlier commands printed
    GK_TRY(run("list set " + t + " containers", "list nftables set " + t + " containers"));
    std::string text = g_lib->get_output_buffer(ctx_.get());
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

Result<std::vector<std::string>> NftTable::port_map_elements() const {
    std::string t = std::string("ip ") + kNftTable;
    std::vector<std::string> out;
    if (!run("list table " + t, "list table " + t)) return out;
    for (const char* map : {"ports", "hostports"}) {
        (void)g_lib->get_output_buffer(ctx_.get());  // drop what earlier commands printed
        GK_TRY(run("list map " + t + " " + map, "list nftables map " + t + " " + map));
        std::string text = g_lib->get_output_buffer(ctx_.get());
        size_t open = text.find("elements = {");
        if (open == std::string::npos) continue;
        size_t close = text.find('}', open);
        std::string element;
        // "elements = { tcp . 8080 : 10.0.0.2 . 80,\n\t\t\t     udp . 53 : ... }", spaces collapsed.
        for (char c : text.substr(open + 12, close - open - 12) + ",") {
            if (c == ',') {
                if (!element.empty() && element.back() == ' ') element.pop_back();
                if (!element.empty()) out.push_back(std::string(map) + " " + element);
                element.clear();
            } else if (c == ' ' || c == '\t' || c == '\n') {
                if (!element.empty() && element.back() != ' ') element += ' ';
            } else {
                element += c;
            }
        }
    }
    return out;
}

Result<std::string> NftTable::ruleset() const {
    if (ctx_) (void)g_lib->get_output_buffer(ctx_.get());  // drop what earlier commands printed
    GK_TRY(run("list ruleset", "list the nftables ruleset"));
    return std::string(g_lib->get_output_buffer(ctx_.get()));
}

}  // namespace gocker::net
