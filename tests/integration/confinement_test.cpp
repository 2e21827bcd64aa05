// Confinement seen from inside the container: /proc/self/status (CapBnd/CapPrm/CapEff/CapInh/
// CapAmb, NoNewPrivs, Seccomp), an ambient capability kept by a non-root user, seccomp actions,
// argument filters, the notify listener, and the shipped default profile.
#include <gtest/gtest.h>
#include <seccomp.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>
#include <filesystem>
#include <thread>

#include "linux/capabilities.hpp"
#include "linux/lsm.hpp"
#include "linux/seccomp.hpp"
#include "integration/bundle_fixture.hpp"
#include "spec/config_io.hpp"

namespace gocker {
namespace {

using test::contains;
using test::run_cmd;
using test::RunResult;

std::string status_field(const std::string& out, const std::string& key) {
    auto pos = out.find(key + ":");
    if (pos == std::string::npos) return "<missing " + key + ">";
    pos += key.size() + 1;
    while (pos < out.size() && (out[pos] == '\t' || out[pos] == ' ')) ++pos;
    return out.substr(pos, out.find('\n', pos) - pos);
}

spec::Seccomp allow_all_but(std::vector<spec::SeccompSyscall> rules) {
    spec::Seccomp s;
    s.default_action = "SCMP_ACT_ALLOW";
    s.syscalls = std::move(rules);
    return s;
}

spec::SeccompSyscall rule(std::vector<std::string> names, std::string action, std::optional<uint32_t> err = {}) {
    spec::SeccompSyscall r;
    r.names = std::move(names);
    r.action = std::move(action);
    r.errno_ret = err;
    return r;
}

class Confinement : public test::BundleTest {};

TEST_F(Confinement, RootGetsExactlyTheConfiguredSets) {
    spec::Capabilities c;
    c.bounding = {"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_AUDIT_WRITE"};
    c.effective = c.permitted = {"CAP_KILL"};
    cfg().process->capabilities = c;
    // With no_new_privs the kernel does not widen root's permitted set to the bounding set at
    // execve (it intersects with the old permitted set), so the sets are exactly as configured.
    cfg().process->no_new_privileges = true;
    RunResult r = run_script("caps-root", "cat /proc/self/status");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(status_field(r.out, "CapBnd"), "0000000020000421");
    EXPECT_EQ(status_field(r.out, "CapPrm"), "0000000000000020");
    EXPECT_EQ(status_field(r.out, "CapEff"), "0000000000000020");
    EXPECT_EQ(status_field(r.out, "CapInh"), "0000000000000000");
    EXPECT_EQ(status_field(r.out, "CapAmb"), "0000000000000000");
}

TEST_F(Confinement, NonRootUserKeepsAnAmbientCapability) {
    spec::Capabilities c;
    c.bounding = {"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_AUDIT_WRITE"};
    c.effective = c.permitted = c.inheritable = c.ambient = {"CAP_NET_BIND_SERVICE"};
    cfg().process->capabilities = c;
    cfg().process->user.uid = 1000;
    cfg().process->user.gid = 1000;
    RunResult r = run_script("caps-ambient", "id -u; cat /proc/self/status");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.substr(0, 5), "1000\n");
    EXPECT_EQ(status_field(r.out, "CapBnd"), "0000000020000421");
    EXPECT_EQ(status_field(r.out, "CapPrm"), "0000000000000400");
    EXPECT_EQ(status_field(r.out, "CapEff"), "0000000000000400");
    EXPECT_EQ(status_field(r.out, "CapInh"), "0000000000000400");
    EXPECT_EQ(status_field(r.out, "CapAmb"), "0000000000000400");
}

TEST_F(Confinement, NonRootUserWithoutAmbientHasNoCapabilities) {
    spec::Capabilities c;
    c.bounding = c.effective = c.permitted = {"CAP_KILL", "CAP_NET_BIND_SERVICE"};
    cfg().process->capabilities = c;
    cfg().process->user.uid = 1000;
    RunResult r = run_script("caps-noamb", "cat /proc/self/status");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(status_field(r.out, "CapBnd"), "0000000000000420");
    EXPECT_EQ(status_field(r.out, "CapEff"), "0000000000000000");
    EXPECT_EQ(status_field(r.out, "CapPrm"), "0000000000000000");
}

// The bounding set is cut by the host kernel's last capability, which the container must not be
// able to choose: here a decoy bound over /proc/sys/kernel/cap_last_cap claims 29, and the
// capabilities above 29 (CAP_SETFCAP, CAP_MAC_ADMIN, CAP_BPF...) must still leave the set.
TEST_F(Confinement, TheHostsLastCapabilityCountsNotTheContainers) {
    std::string decoy = tmp() + "/cap_last_cap";
    test::write_text(decoy, "29\n");
    add_bind(decoy, "/proc/sys/kernel/cap_last_cap", {"bind", "ro"});
    spec::Capabilities c;
    c.bounding = c.effective = c.permitted = {"CAP_KILL"};
    cfg().process->capabilities = c;
    cfg().process->no_new_privileges = true;
    RunResult r = run_script("lastcap", "cat /proc/sys/kernel/cap_last_cap /proc/self/status");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_EQ(r.out.substr(0, 3), "29\n") << r.out;  // the decoy is what the container sees
    EXPECT_EQ(status_field(r.out, "CapBnd"), "0000000000000020");
}

TEST_F(Confinement, CapabilityTheHostLacksIsReportedClearly) {
    int last = last_capability();
    if ((read_bounding_set(last) >> 24) & 1) GTEST_SKIP() << "this host has CAP_SYS_RESOURCE";
    spec::Capabilities c;
    c.bounding = {"CAP_KILL", "CAP_SYS_RESOURCE"};
    cfg().process->capabilities = c;
    RunResult r = run_script("caps-host", "true");
    EXPECT_NE(r.exit_code, 0);
    EXPECT_TRUE(contains(r.err,
                         "process.capabilities.bounding: CAP_SYS_RESOURCE is not in the runtime's own "
                         "bounding set"))
        << r.err;
}

TEST_F(Confinement, NoNewPrivilegesIsVisibleInStatus) {
    cfg().process->no_new_privileges = true;
    RunResult r = run_script("nnp-on", "cat /proc/self/status");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(status_field(r.out, "NoNewPrivs"), "1");
    cfg().process->no_new_privileges = false;
    r = run_script("nnp-off", "cat /proc/self/status");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(status_field(r.out, "NoNewPrivs"), "0");
    EXPECT_EQ(status_field(r.out, "Seccomp"), "0");
}

TEST_F(Confinement, ErrnoRuleReturnsTheConfiguredErrnoInTheContainer) {
    cfg().linux->seccomp = allow_all_but({rule({"mkdir", "mkdirat"}, "SCMP_ACT_ERRNO", 42u)});
    RunResult r = run_script("sc-errno", "grep Seccomp: /proc/self/status; mkdir /tmp/x; echo rc=$?");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(r.out, "Seccomp:\t2")) << r.out;
    EXPECT_TRUE(contains(r.out, "rc=1")) << r.out;
    EXPECT_TRUE(contains(r.err, std::strerror(42))) << r.err;
}

TEST_F(Confinement, SeccompLoadsForNonRootWithoutNoNewPrivileges) {
    // No NNP, no CAP_SYS_ADMIN afterwards: the filter must go in before the capabilities drop.
    cfg().process->user.uid = 1000;
    cfg().process->no_new_privileges = false;
    // (The rest of the init then runs under the filter, as with runc: a profile that refused
    // getcwd, setresuid or capset would fail the create.)
    cfg().linux->seccomp = allow_all_but({rule({"mkdir", "mkdirat"}, "SCMP_ACT_ERRNO", 43u)});
    RunResult r = run_script("sc-nonroot", "grep -E 'Seccomp:|NoNewPrivs:' /proc/self/status; id -u; mkdir /tmp/z");
    ASSERT_NE(r.exit_code, -1) << r.err;
    EXPECT_TRUE(contains(r.out, "1000")) << r.out;
    EXPECT_TRUE(contains(r.err, std::strerror(43))) << r.err;
    EXPECT_TRUE(contains(r.out, "Seccomp:\t2")) << r.out;
    EXPECT_TRUE(contains(r.out, "NoNewPrivs:\t0")) << r.out;
}

TEST_F(Confinement, KillActionEndsTheProgramWithSigsys) {
    cfg().linux->seccomp = allow_all_but({rule({"mkdir", "mkdirat"}, "SCMP_ACT_KILL_PROCESS")});
    cfg().process->args = {"mkdir", "/tmp/y"};
    RunResult r = run("sc-kill");
    EXPECT_EQ(r.exit_code, 128 + SIGSYS) << r.err;
}

TEST_F(Confinement, ArgumentFilterMatchesOnlyTheGivenValue) {
    // kill(pid, SIGUSR1) refused with EACCES; kill(pid, 0) still works.
    spec::SeccompSyscall k = rule({"kill"}, "SCMP_ACT_ERRNO", 13u);
    spec::SeccompArg a;
    a.index = 1;
    a.value = SIGUSR1;
    a.op = "SCMP_CMP_EQ";
    k.args = {a};
    cfg().linux->seccomp = allow_all_but({k});
    RunResult r = run_script("sc-args", "kill -0 $$ && echo zero-ok; kill -USR1 $$; echo usr1-rc=$?");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(r.out, "zero-ok")) << r.out;
    EXPECT_TRUE(contains(r.out, "usr1-rc=1")) << r.out;
}

TEST_F(Confinement, ErrnoRetOnAllowIsRefused) {
    cfg().linux->seccomp = allow_all_but({rule({"getpid"}, "SCMP_ACT_LOG", 5u)});
    RunResult r = run_script("sc-bad", "true");
    EXPECT_NE(r.exit_code, 0);
    EXPECT_TRUE(contains(r.err, "errnoRet is set but SCMP_ACT_LOG does not return an errno")) << r.err;
}

TEST_F(Confinement, NotifyListenerReceivesTheFdAndState) {
    std::string sock_path = tmp() + "/agent.sock";
    int lfd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(lfd, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, sock_path.c_str());
    ASSERT_EQ(::bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(lfd, 1), 0);

    std::string received;
    int handled = 0;
    // The agent: take the fd, answer every mkdir with "success" without making anything.
    std::thread agent([&] {
        int c = ::accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
        if (c < 0) return;
        char buf[8192];
        alignas(cmsghdr) char ctl[CMSG_SPACE(sizeof(int))];
        iovec iov{buf, sizeof buf};
        msghdr mh{};
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        mh.msg_control = ctl;
        mh.msg_controllen = sizeof ctl;
        ssize_t n = ::recvmsg(c, &mh, MSG_CMSG_CLOEXEC);
        int nfd = -1;
        if (n > 0) {
            received.assign(buf, static_cast<size_t>(n));
            for (char tail[4096]; (n = ::read(c, tail, sizeof tail)) > 0;)
                received.append(tail, static_cast<size_t>(n));
            cmsghdr* cm = CMSG_FIRSTHDR(&mh);
            if (cm && cm->cmsg_type == SCM_RIGHTS) std::memcpy(&nfd, CMSG_DATA(cm), sizeof nfd);
        }
        ::close(c);
        if (nfd < 0) return;
        seccomp_notif* req = nullptr;
        seccomp_notif_resp* resp = nullptr;
        if (seccomp_notify_alloc(&req, &resp) != 0) return;
        while (seccomp_notify_receive(nfd, req) == 0) {
            resp->id = req->id;
            resp->val = 0;
            resp->error = 0;
            resp->flags = 0;
            if (seccomp_notify_respond(nfd, resp) == 0) ++handled;
        }
        seccomp_notify_free(req, resp);
        ::close(nfd);
    });

    spec::Seccomp s = allow_all_but({rule({"mkdir", "mkdirat"}, "SCMP_ACT_NOTIFY")});
    s.listener_path = sock_path;
    s.listener_metadata = "agent-metadata-42";
    cfg().linux->seccomp = s;
    copy_rootfs();
    RunResult r = run_script("sc-notify", "mkdir /made && echo mkdir-ok; [ -d /made ] || echo not-really");
    ::shutdown(lfd, SHUT_RDWR);  // unblocks accept() if the runtime never connected
    agent.join();
    ::close(lfd);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(r.out, "mkdir-ok")) << r.out;
    EXPECT_TRUE(contains(r.out, "not-really")) << r.out;
    EXPECT_GE(handled, 1);
    EXPECT_TRUE(contains(received, "\"fds\":[\"seccompFd\"]")) << received;
    EXPECT_TRUE(contains(received, "\"metadata\":\"agent-metadata-42\"")) << received;
    EXPECT_TRUE(contains(received, "\"id\":\"sc-notify\"")) << received;
    EXPECT_TRUE(contains(received, "\"pid\":")) << received;
}

TEST_F(Confinement, DefaultProfileBlocksWhatDockersBlocksAndAShellWorks) {
    const std::string dir = tmp() + "/spec-default";  // the profile `spec --seccomp default` writes
    std::filesystem::create_directories(dir);
    RunResult s = run_cmd({binary_, "spec", "--bundle", dir, "--seccomp", "default"});
    ASSERT_EQ(s.exit_code, 0) << s.err;
    auto loaded = spec::load_config(dir + "/config.json");
    ASSERT_TRUE(loaded) << loaded.error().message();
    ASSERT_TRUE(loaded->linux && loaded->linux->seccomp);
    cfg().linux->seccomp = loaded->linux->seccomp;
    // All capabilities (no process.capabilities): what fails below fails because of seccomp.
    cfg().process->capabilities.reset();
    RunResult r = run_script("sc-default",
                             "echo hello | sed s/hello/shell-works/; ls / >/dev/null && echo ls-ok;"
                             "unshare -m true 2>/dev/null || echo unshare-blocked;"
                             "mount -t tmpfs none /tmp 2>/dev/null || echo mount-blocked;"
                             "grep Seccomp: /proc/self/status");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(r.out, "shell-works")) << r.out;
    EXPECT_TRUE(contains(r.out, "ls-ok")) << r.out;
    EXPECT_TRUE(contains(r.out, "unshare-blocked")) << r.out;
    EXPECT_TRUE(contains(r.out, "mount-blocked")) << r.out;
    EXPECT_TRUE(contains(r.out, "Seccomp:\t2")) << r.out;
}

TEST_F(Confinement, LsmLabelIsRefusedWhereTheHostLacksTheModule) {
    // Decided by the test from the kernel's own flag, not by the lsm.cpp function under test.
    if (test::read_text("/sys/module/apparmor/parameters/enabled").rfind("Y", 0) == 0)
        GTEST_SKIP() << "AppArmor is enabled here";
    cfg().process->apparmor_profile = "docker-default";
    RunResult r = run_script("lsm-aa", "true");
    EXPECT_NE(r.exit_code, 0);
    EXPECT_TRUE(contains(r.err, "process.apparmorProfile \"docker-default\" is set but AppArmor is not enabled"))
        << r.err;
    if (selinux_enabled()) return;
    cfg().process->apparmor_profile.clear();
    cfg().process->selinux_label = "system_u:system_r:container_t:s0";
    r = run_script("lsm-se", "true");
    EXPECT_NE(r.exit_code, 0);
    EXPECT_TRUE(contains(r.err, "SELinux is not enabled on this host")) << r.err;
}

TEST_F(Confinement, FlagThisLibseccompCannotHonourIsRefused) {
    if (seccomp_flag_supported("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV")) GTEST_SKIP() << "libseccomp >= 2.6";
    spec::Seccomp s = allow_all_but({});
    s.flags = {"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
    cfg().linux->seccomp = s;
    RunResult r = run_script("sc-flag", "true");
    EXPECT_NE(r.exit_code, 0);
    EXPECT_TRUE(contains(r.err, "linux.seccomp.flags[1]: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV is not supported"))
        << r.err;
}

TEST_F(Confinement, FeaturesListTheConfinementSupport) {
    RunResult r = run_cmd({binary_, "features"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(r.out, "CAP_CHECKPOINT_RESTORE")) << r.out;
    EXPECT_TRUE(contains(r.out, "SCMP_ACT_NOTIFY"));
    EXPECT_TRUE(contains(r.out, "SCMP_CMP_MASKED_EQ"));
    EXPECT_TRUE(contains(r.out, "SCMP_ARCH_X86_64"));
    EXPECT_TRUE(contains(r.out, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"));
}

}  // namespace
}  // namespace gocker
