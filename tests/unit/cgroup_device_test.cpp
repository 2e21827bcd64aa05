// The device rules and the cgroup v2 eBPF program, run here by a small interpreter of the
// instructions device_program() emits, so that the program's decisions are tested as data.
#include <gtest/gtest.h>

#include "linux/cgroups/device_rules.hpp"

namespace gocker::cgroups {
namespace {

// Runs `prog` on one access (type BPF_DEVCG_DEV_*, access BPF_DEVCG_ACC_*); returns r0.
// Fails the test on an instruction it does not know, so a change in the generator is noticed.
int run(const std::vector<struct bpf_insn>& prog, uint32_t type, uint32_t access, uint32_t major, uint32_t minor) {
    uint32_t ctx[3] = {(access << 16) | type, major, minor};
    uint64_t r[11] = {};
    for (size_t pc = 0, steps = 0; pc < prog.size() && steps < 10000; ++pc, ++steps) {
        const auto& i = prog[pc];
        switch (i.code) {
            case BPF_LDX | BPF_MEM | BPF_W:
                EXPECT_EQ(i.src_reg, 1);
                r[i.dst_reg] = ctx[i.off / 4];
                break;
            case BPF_ALU64 | BPF_AND | BPF_K: r[i.dst_reg] &= static_cast<uint64_t>(static_cast<int64_t>(i.imm)); break;
            case BPF_ALU64 | BPF_RSH | BPF_K: r[i.dst_reg] >>= i.imm; break;
            case BPF_ALU64 | BPF_MOV | BPF_X: r[i.dst_reg] = r[i.src_reg]; break;
            case BPF_ALU64 | BPF_MOV | BPF_K: r[i.dst_reg] = static_cast<uint64_t>(static_cast<int64_t>(i.imm)); break;
            case BPF_JMP | BPF_JNE | BPF_K:
                if (r[i.dst_reg] != static_cast<uint64_t>(static_cast<int64_t>(i.imm))) pc += i.off;
                break;
            case BPF_JMP | BPF_JEQ | BPF_K:
                if (r[i.dst_reg] == static_cast<uint64_t>(static_cast<int64_t>(i.imm))) pc += i.off;
                break;
            case BPF_JMP | BPF_EXIT: return static_cast<int>(r[0]);
            default: ADD_FAILURE() << "unknown instruction code " << int(i.code); return -1;
        }
    }
    ADD_FAILURE() << "program ran off its end";
    return -1;
}

constexpr uint32_t C = BPF_DEVCG_DEV_CHAR, B = BPF_DEVCG_DEV_BLOCK;
constexpr uint32_t R = BPF_DEVCG_ACC_READ, W = BPF_DEVCG_ACC_WRITE, M = BPF_DEVCG_ACC_MKNOD;

spec::DeviceCgroupRule rule(bool allow, const char* type, std::optional<int64_t> major, std::optional<int64_t> minor,
                            const char* access) {
    return {allow, type, major, minor, access};
}

// The kernel's verifier refuses a program with an unreachable instruction (found on a real
// cgroup v2 kernel: the deny-all rule used to be followed by a dead default).
bool every_instruction_reachable(const std::vector<struct bpf_insn>& prog) {
    std::vector<bool> seen(prog.size(), false);
    std::vector<size_t> todo{0};
    while (!todo.empty()) {
        size_t pc = todo.back();
        todo.pop_back();
        if (pc >= prog.size() || seen[pc]) continue;
        seen[pc] = true;
        uint8_t code = prog[pc].code;
        if (code == (BPF_JMP | BPF_EXIT)) continue;
        todo.push_back(pc + 1);
        if ((code & 0x07) == BPF_JMP) todo.push_back(pc + 1 + static_cast<size_t>(prog[pc].off));
    }
    for (bool s : seen)
        if (!s) return false;
    return true;
}

TEST(CgroupDevices, EveryInstructionIsReachable) {
    EXPECT_TRUE(every_instruction_reachable(device_program({})));
    EXPECT_TRUE(every_instruction_reachable(device_program({rule(false, "a", std::nullopt, std::nullopt, "rwm")})));
    EXPECT_TRUE(
        every_instruction_reachable(device_program({rule(false, "a", std::nullopt, std::nullopt, "rwm"),
                                                    rule(true, "c", 1, 3, "rwm"), rule(true, "a", 5, 1, "r")})));
    // An unconditional rule in the middle hides the ones before it (later rules win).
    auto p = device_program({rule(true, "c", 1, 3, "rwm"), rule(false, "a", std::nullopt, std::nullopt, "rwm"),
                             rule(true, "c", 1, 5, "rwm")});
    EXPECT_TRUE(every_instruction_reachable(p));
    EXPECT_EQ(run(p, C, R, 1, 3), 0);
    EXPECT_EQ(run(p, C, R, 1, 5), 1);
}

TEST(CgroupDevices, NoRulesAllowsEverything) {
    auto p = device_program({});
    EXPECT_EQ(run(p, C, R | W, 1, 3), 1);
    EXPECT_EQ(run(p, B, M, 8, 0), 1);
}

TEST(CgroupDevices, DenyAllThenAllowListIsAWhitelist) {
    auto p = device_program({rule(false, "a", std::nullopt, std::nullopt, "rwm"), rule(true, "c", 1, 3, "rwm"),
                             rule(true, "c", 136, std::nullopt, "rw"), rule(true, "b", 8, 0, "r")});
    EXPECT_EQ(run(p, C, R | W, 1, 3), 1);    // /dev/null
    EXPECT_EQ(run(p, C, R, 1, 5), 0);        // /dev/zero not listed
    EXPECT_EQ(run(p, C, R | W, 136, 7), 1);  // any pts
    EXPECT_EQ(run(p, C, M, 136, 7), 0);      // but not mknod: "rw" only
    EXPECT_EQ(run(p, B, R, 8, 0), 1);
    EXPECT_EQ(run(p, B, W, 8, 0), 0);  // write not in "r"
    EXPECT_EQ(run(p, C, R, 8, 0), 0);  // type matters
}

TEST(CgroupDevices, LaterRulesOverrideEarlierOnes) {
    auto p = device_program({rule(true, "c", 1, 3, "rwm"), rule(false, "c", 1, std::nullopt, "w")});
    EXPECT_EQ(run(p, C, W, 1, 3), 0);  // the later deny of writes to major 1 wins
    EXPECT_EQ(run(p, C, R, 1, 3), 1);  // reading is not in the deny: the allow matches
    EXPECT_EQ(run(p, C, R | W, 1, 3), 0);
}

TEST(CgroupDevices, EffectiveRulesAddConfigDevicesAndTheDefaultsOnlyWhenThereAreRules) {
    spec::Linux lnx;
    EXPECT_TRUE(effective_device_rules(&lnx).empty());
    lnx.resources.emplace();
    lnx.resources->devices.push_back(rule(false, "", std::nullopt, std::nullopt, "rwm"));
    spec::Device fuse;
    fuse.type = "c";
    fuse.path = "/dev/fuse";
    fuse.major = 10;
    fuse.minor = 229;
    lnx.devices.push_back(fuse);
    auto rules = effective_device_rules(&lnx);
    ASSERT_GE(rules.size(), 3u);
    EXPECT_FALSE(rules[0].allow);
    EXPECT_EQ(rules[1], rule(true, "c", 10, 229, "rwm"));
    auto p = device_program(rules);
    EXPECT_EQ(run(p, C, R | W, 10, 229), 1);  // the config's device
    EXPECT_EQ(run(p, C, R | W, 1, 3), 1);     // /dev/null (default)
    EXPECT_EQ(run(p, C, R | W, 1, 9), 1);     // /dev/urandom
    EXPECT_EQ(run(p, C, R | W, 5, 2), 1);     // /dev/ptmx
    EXPECT_EQ(run(p, B, M, 8, 0), 1);         // mknod of anything
    EXPECT_EQ(run(p, B, R, 8, 0), 0);         // but not opening a disk
    EXPECT_EQ(run(p, C, R, 4, 1), 0);         // nor a host tty
}

TEST(CgroupDevices, AccessBits) {
    EXPECT_EQ(device_access_bits(""), R | W | M);
    EXPECT_EQ(device_access_bits("r"), R);
    EXPECT_EQ(device_access_bits("wm"), W | M);
}

}  // namespace
}  // namespace gocker::cgroups
