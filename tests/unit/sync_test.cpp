// The runtime <-> init channel: typed messages whose text may be longer than one packet.
#include <gtest/gtest.h>

#include <string>

#include "linux/sync.hpp"

namespace gocker {
namespace {

TEST(Sync, ShortAndLongTextsArriveWhole) {
    auto pair = SyncSocket::make_pair();
    ASSERT_TRUE(pair) << pair.error().message();
    auto& [a, b] = *pair;
    // A state JSON with large annotations: several packets, one message.
    std::string big(20000, 'x');
    big.front() = '{';
    big.back() = '}';
    ASSERT_TRUE(a.send(SyncType::hooks_done, 0, big));
    ASSERT_TRUE(a.send(SyncType::ready, 0, "short"));
    ASSERT_TRUE(a.send(SyncType::detach));
    auto m1 = b.recv();
    ASSERT_TRUE(m1);
    EXPECT_EQ(m1->type, SyncType::hooks_done);
    EXPECT_EQ(m1->text, big);
    auto m2 = b.recv();
    ASSERT_TRUE(m2);
    EXPECT_EQ(m2->type, SyncType::ready);
    EXPECT_EQ(m2->text, "short");
    EXPECT_TRUE(b.expect(SyncType::detach));
}

TEST(Sync, AnErrorCarriesItsTextAndErrno) {
    auto pair = SyncSocket::make_pair();
    ASSERT_TRUE(pair);
    auto& [a, b] = *pair;
    ASSERT_TRUE(a.send_error(Error("mount \"proc\" on /proc", EPERM)));
    Status st = b.expect(SyncType::mounts_done);
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().sys_errno(), EPERM);
    a.close();
    auto eof = b.recv();
    ASSERT_FALSE(eof);
    EXPECT_EQ(eof.error().sys_errno(), EPIPE);
}

// An init that reports an error and exits while a message of ours sits unread in its socket:
// the kernel flags ECONNRESET ahead of the report; the report must still come through.
TEST(Sync, ReportOfAPeerThatExitedWithOurMessageUnreadIsDelivered) {
    auto pair = SyncSocket::make_pair();
    ASSERT_TRUE(pair);
    auto& [runtime, init] = *pair;
    ASSERT_TRUE(runtime.send(SyncType::cgroup_attached));
    ASSERT_TRUE(init.send_error(Error("mounts: something failed", EINVAL)));
    init.close();
    auto m = runtime.recv();
    ASSERT_TRUE(m) << m.error().message();
    EXPECT_EQ(m->type, SyncType::error);
    EXPECT_EQ(m->text, "mounts: something failed");
    auto eof = runtime.recv();
    ASSERT_FALSE(eof);
    EXPECT_EQ(eof.error().sys_errno(), EPIPE);
}

}  // namespace
}  // namespace gocker
