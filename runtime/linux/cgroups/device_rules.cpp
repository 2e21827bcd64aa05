#include "linux/cgroups/device_rules.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include "common/fd.hpp"

namespace gocker::cgroups {
namespace {

spec::DeviceCgroupRule allow(const char* type, std::optional<int64_t> major, std::optional<int64_t> minor,
                             const char* access) {
    spec::DeviceCgroupRule r;
    r.allow = true;
    r.type = type;
    r.major = major;
    r.minor = minor;
    r.access = access;
    return r;
}

struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
    struct bpf_insn i = {};
    i.code = code;
    i.dst_reg = dst & 0xf;
    i.src_reg = src & 0xf;
    i.off = off;
    i.imm = imm;
    return i;
}

}  // namespace

std::vector<spec::DeviceCgroupRule> effective_device_rules(const spec::Linux* lnx) {
    std::vector<spec::DeviceCgroupRule> rules;
    if (!lnx || !lnx->resources || lnx->resources->devices.empty()) return rules;
    rules = lnx->resources->devices;
    for (const auto& d : lnx->devices) {
        if (d.type == "p") continue;  // a FIFO is not a device: the cgroup never checks it
        rules.push_back(allow(d.type == "b" ? "b" : "c", d.major, d.minor, "rwm"));
    }
    rules.push_back(allow("c", std::nullopt, std::nullopt, "m"));
    rules.push_back(allow("b", std::nullopt, std::nullopt, "m"));
    for (auto [major, minor] : {std::pair{1, 3}, {1, 5}, {1, 7}, {1, 8}, {1, 9}, {5, 0}, {5, 2}, {10, 200}})
        rules.push_back(allow("c", major, minor, "rwm"));
    rules.push_back(allow("c", 136, std::nullopt, "rwm"));
    return rules;
}

uint32_t device_access_bits(const std::string& access) {
    if (access.empty()) return BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;
    uint32_t bits = 0;
    for (char c : access) {
        if (c == 'r') bits |= BPF_DEVCG_ACC_READ;
        if (c == 'w') bits |= BPF_DEVCG_ACC_WRITE;
        if (c == 'm') bits |= BPF_DEVCG_ACC_MKNOD;
    }
    return bits;
}

std::vector<struct bpf_insn> device_program(const std::vector<spec::DeviceCgroupRule>& rules) {
    constexpr uint8_t R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R5 = 5;
    std::vector<struct bpf_insn> p;
    // r2 = type, r3 = access, r4 = major, r5 = minor (struct bpf_cgroup_dev_ctx).
    p.push_back(insn(BPF_LDX | BPF_MEM | BPF_W, R2, R1, 0, 0));
    p.push_back(insn(BPF_ALU64 | BPF_AND | BPF_K, R2, 0, 0, 0xffff));
    p.push_back(insn(BPF_LDX | BPF_MEM | BPF_W, R3, R1, 0, 0));
    p.push_back(insn(BPF_ALU64 | BPF_RSH | BPF_K, R3, 0, 0, 16));
    p.push_back(insn(BPF_LDX | BPF_MEM | BPF_W, R4, R1, 4, 0));
    p.push_back(insn(BPF_LDX | BPF_MEM | BPF_W, R5, R1, 8, 0));
    for (auto it = rules.rbegin(); it != rules.rend(); ++it) {
        const auto& r = *it;
        std::vector<struct bpf_insn> block;
        std::vector<size_t> to_next;  // jumps to patch: "this rule does not match"
        auto jump_unless = [&](uint8_t op, uint8_t reg, int32_t imm) {
            to_next.push_back(block.size());
            block.push_back(insn(BPF_JMP | op | BPF_K, reg, 0, 0, imm));
        };
        if (r.type == "c") jump_unless(BPF_JNE, R2, BPF_DEVCG_DEV_CHAR);
        else if (r.type == "b") jump_unless(BPF_JNE, R2, BPF_DEVCG_DEV_BLOCK);
        uint32_t acc = device_access_bits(r.access);
        uint32_t all = BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;
        if (acc != all) {
            block.push_back(insn(BPF_ALU64 | BPF_MOV | BPF_X, R1, R3, 0, 0));
            if (r.allow) {
                block.push_back(insn(BPF_ALU64 | BPF_AND | BPF_K, R1, 0, 0, static_cast<int32_t>(all & ~acc)));
                jump_unless(BPF_JNE, R1, 0);  // a requested access outside the rule: no match
            } else {
                block.push_back(insn(BPF_ALU64 | BPF_AND | BPF_K, R1, 0, 0, static_cast<int32_t>(acc)));
                jump_unless(BPF_JEQ, R1, 0);  // no requested access inside the rule: no match
            }
        }
        if (r.type != "a" && !r.type.empty()) {
            if (r.major && *r.major >= 0) jump_unless(BPF_JNE, R4, static_cast<int32_t>(*r.major));
            if (r.minor && *r.minor >= 0) jump_unless(BPF_JNE, R5, static_cast<int32_t>(*r.minor));
        }
        block.push_back(insn(BPF_ALU64 | BPF_MOV | BPF_K, R0, 0, 0, r.allow ? 1 : 0));
        block.push_back(insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
        for (size_t at : to_next) block[at].off = static_cast<int16_t>(block.size() - at - 1);
        p.insert(p.end(), block.begin(), block.end());
        // A rule that matches every access ends the program: the verifier refuses the
        // unreachable instructions that would follow it.
        if (to_next.empty()) return p;
    }
    p.push_back(insn(BPF_ALU64 | BPF_MOV | BPF_K, R0, 0, 0, 1));
    p.push_back(insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
    return p;
}

Status load_and_attach_device_program(int cgroup_fd, const std::vector<struct bpf_insn>& prog) {
    static const char license[] = "GPL";
    union bpf_attr load;
    std::memset(&load, 0, sizeof load);
    load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    load.insns = reinterpret_cast<uint64_t>(prog.data());
    load.insn_cnt = static_cast<uint32_t>(prog.size());
    load.license = reinterpret_cast<uint64_t>(license);
    // Without a log first: the verifier then records nothing (and a long program cannot fill
    // the log and fail with ENOSPC). Only a refused program is loaded again, with the log.
    UniqueFd fd(static_cast<int>(::syscall(SYS_bpf, BPF_PROG_LOAD, &load, sizeof load)));
    if (!fd) {
        Error e = sys_error(
            [&] { return "load the device eBPF program (" + std::to_string(prog.size()) + " instructions)"; });
        std::vector<char> log_buf(16384, '\0');
        load.log_buf = reinterpret_cast<uint64_t>(log_buf.data());
        load.log_size = static_cast<uint32_t>(log_buf.size() - 1);
        load.log_level = 1;
        fd.reset(static_cast<int>(::syscall(SYS_bpf, BPF_PROG_LOAD, &load, sizeof load)));
        if (!fd) {
            // The verifier's last line says why; keep the message to one line.
            std::string why(log_buf.data());
            while (!why.empty() && why.back() == '\n') why.pop_back();
            size_t nl = why.rfind('\n');
            if (!why.empty()) e.wrap("verifier: " + (nl == std::string::npos ? why : why.substr(nl + 1)));
            return e;
        }
    }
    union bpf_attr attach;
    std::memset(&attach, 0, sizeof attach);
    attach.target_fd = static_cast<uint32_t>(cgroup_fd);
    attach.attach_bpf_fd = static_cast<uint32_t>(fd.get());
    attach.attach_type = BPF_CGROUP_DEVICE;
    attach.attach_flags = BPF_F_ALLOW_MULTI;
    if (::syscall(SYS_bpf, BPF_PROG_ATTACH, &attach, sizeof attach) < 0)
        return sys_error("attach the device eBPF program to the cgroup");
    return {};
}

}  // namespace gocker::cgroups
