// process.capabilities: names to bits, the host-bounding check and its message. The applying
// half (bounding drop, capset, ambient) is exercised by tests/integration/confinement_test.cpp.
#include <gtest/gtest.h>

#include "linux/capabilities.hpp"

namespace gocker {
namespace {

constexpr uint64_t bit(int n) { return uint64_t{1} << n; }

TEST(Capabilities, NamesMapToKernelBitNumbers) {
    EXPECT_EQ(*capability_from_name("CAP_CHOWN"), 0);
    EXPECT_EQ(*capability_from_name("CAP_NET_RAW"), 13);
    EXPECT_EQ(*capability_from_name("CAP_SYS_ADMIN"), 21);
    EXPECT_EQ(*capability_from_name("CAP_CHECKPOINT_RESTORE"), 40);
    EXPECT_FALSE(capability_from_name("CAP_NOT_A_THING"));
    EXPECT_FALSE(capability_from_name("chown"));
}

TEST(Capabilities, PlanFillsEachSetSeparately) {
    spec::Capabilities c;
    c.bounding = {"CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_AUDIT_WRITE"};
    c.effective = {"CAP_KILL"};
    c.permitted = {"CAP_KILL", "CAP_NET_BIND_SERVICE"};
    c.inheritable = {"CAP_NET_BIND_SERVICE"};
    c.ambient = {"CAP_NET_BIND_SERVICE"};
    auto p = plan_capabilities(c);
    ASSERT_TRUE(p) << p.error().message();
    EXPECT_EQ(p->bounding, bit(5) | bit(10) | bit(29));
    EXPECT_EQ(p->effective, bit(5));
    EXPECT_EQ(p->permitted, bit(5) | bit(10));
    EXPECT_EQ(p->inheritable, bit(10));
    EXPECT_EQ(p->ambient, bit(10));
}

TEST(Capabilities, UnknownNameIsRefusedWithItsJsonPath) {
    spec::Capabilities c;
    c.permitted = {"CAP_KILL", "CAP_FLY"};
    auto p = plan_capabilities(c);
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error().message(),
              "/process/capabilities/permitted/1: unknown capability \"CAP_FLY\": invalid argument");
}

TEST(Capabilities, CapabilityMissingFromHostBoundingSetIsReportedByName) {
    CapabilitySets want;
    want.bounding = bit(24) | bit(5);  // CAP_SYS_RESOURCE, CAP_KILL
    uint64_t host = ~bit(24) & ((uint64_t{1} << 41) - 1);
    Status st = check_host_has(want, host, 40);
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message().find("process.capabilities.bounding: CAP_SYS_RESOURCE is not in the runtime's own "
                                        "bounding set"),
              std::string::npos)
        << st.error().message();
    want.bounding = bit(5);
    EXPECT_TRUE(check_host_has(want, host, 40));
    want.ambient = bit(24);
    st = check_host_has(want, host, 40);
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message().find("process.capabilities.ambient: CAP_SYS_RESOURCE"), std::string::npos);
}

TEST(Capabilities, CapabilityBeyondTheKernelsLastIsReported) {
    CapabilitySets want;
    want.effective = bit(40);
    Status st = check_host_has(want, ~uint64_t{0}, 39);
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message().find("CAP_CHECKPOINT_RESTORE is not known to this kernel"), std::string::npos);
}

TEST(Capabilities, MaskNamesListBitsInOrder) {
    EXPECT_EQ(capability_mask_names(bit(0) | bit(5) | bit(21), 40), "CAP_CHOWN CAP_KILL CAP_SYS_ADMIN");
    EXPECT_EQ(capability_mask_names(0, 40), "none");
}

TEST(Capabilities, ThisProcessBoundingSetIsReadable) {
    int last = last_capability();
    EXPECT_GE(last, 36);
    // Every process has at least one capability in its bounding set unless it dropped them all;
    // the test runner has not.
    EXPECT_NE(read_bounding_set(last), 0u);
}

}  // namespace
}  // namespace gocker

namespace gocker {
namespace {

// `runc spec` (runc 1.1.5) asks for ambient capabilities with no inheritable set; the kernel
// cannot raise them, and runc and crun skip them (runc warns) instead of failing.
TEST(Capabilities, AmbientNotAlsoPermittedAndInheritableIsSkippedNotRaised) {
    spec::Capabilities runc_spec;
    runc_spec.bounding = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
    runc_spec.effective = runc_spec.bounding;
    runc_spec.permitted = runc_spec.bounding;
    runc_spec.ambient = runc_spec.bounding;
    auto sets = plan_capabilities(runc_spec);
    ASSERT_TRUE(sets) << sets.error().message();
    EXPECT_EQ(unraisable_ambient(*sets), bit(29) | bit(5) | bit(10));

    // Inheritable and permitted: raisable. Inheritable only, or permitted only: not.
    runc_spec.inheritable = {"CAP_KILL", "CAP_NET_BIND_SERVICE"};
    runc_spec.permitted = {"CAP_KILL", "CAP_AUDIT_WRITE"};
    sets = plan_capabilities(runc_spec);
    ASSERT_TRUE(sets);
    EXPECT_EQ(unraisable_ambient(*sets), bit(29) | bit(10));
}

}  // namespace
}  // namespace gocker
