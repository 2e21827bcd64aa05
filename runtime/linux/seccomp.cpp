#include "linux/seccomp.hpp"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <set>

#include "common/json_writer.hpp"
#include "common/log.hpp"
#include "linux/terminal.hpp"
#include "spec/oci_names.hpp"

namespace gocker {
namespace {

std::string libseccomp_version() {
    const scmp_version* v = seccomp_version();
    return std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->micro);
}

bool carries_errno(const std::string& action) { return action == "SCMP_ACT_ERRNO" || action == "SCMP_ACT_TRACE"; }

// Every linux.seccomp.flags value this build can honour: the libseccomp attribute that sets it
// when the filter is built, and the seccomp(2) flag bit the cached program is loaded with.
struct SeccompFlag {
    const char* name;
    scmp_filter_attr attr;
    unsigned int kernel_bit;
};
constexpr SeccompFlag kSeccompFlags[] = {
    {"SECCOMP_FILTER_FLAG_TSYNC", SCMP_FLTATR_CTL_TSYNC, SECCOMP_FILTER_FLAG_TSYNC},
    {"SECCOMP_FILTER_FLAG_LOG", SCMP_FLTATR_CTL_LOG, SECCOMP_FILTER_FLAG_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SCMP_FLTATR_CTL_SSB, SECCOMP_FILTER_FLAG_SPEC_ALLOW},
#if (SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 6)) && \
    defined(SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SCMP_FLTATR_CTL_WAITKILL, SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
#endif
};

const SeccompFlag* find_flag(const std::string& name) {
    for (const auto& f : kSeccompFlags)
        if (name == f.name) return &f;
    return nullptr;
}

// The attribute that implements a flag, or nothing when this libseccomp lacks it.
std::optional<scmp_filter_attr> flag_attr(const std::string& name) {
    if (const SeccompFlag* f = find_flag(name)) return f->attr;
    return std::nullopt;
}

}  // namespace

Result<SeccompAction> seccomp_action(const std::string& name, std::optional<uint32_t> errno_ret) {
    if (errno_ret && !carries_errno(name))
        return Error("errnoRet is set but " + name + " does not return an errno", EINVAL);
    uint32_t err = errno_ret.value_or(EPERM);
    if (err > 0xffff) return Error("errnoRet " + std::to_string(err) + " is out of range (0..65535)", EINVAL);
    if (name == "SCMP_ACT_KILL" || name == "SCMP_ACT_KILL_THREAD") return SeccompAction{SCMP_ACT_KILL_THREAD};
    if (name == "SCMP_ACT_KILL_PROCESS") return SeccompAction{SCMP_ACT_KILL_PROCESS};
    if (name == "SCMP_ACT_TRAP") return SeccompAction{SCMP_ACT_TRAP};
    if (name == "SCMP_ACT_ERRNO") return SeccompAction{SCMP_ACT_ERRNO(err)};
    if (name == "SCMP_ACT_TRACE") return SeccompAction{SCMP_ACT_TRACE(err)};
    if (name == "SCMP_ACT_ALLOW") return SeccompAction{SCMP_ACT_ALLOW};
    if (name == "SCMP_ACT_LOG") return SeccompAction{SCMP_ACT_LOG};
    if (name == "SCMP_ACT_NOTIFY") return SeccompAction{SCMP_ACT_NOTIFY, true};
    return Error("unknown seccomp action \"" + name + "\"", EINVAL);
}

Result<uint32_t> seccomp_arch(const std::string& name) {
    constexpr std::string_view prefix = "SCMP_ARCH_";
    if (!std::string_view(name).starts_with(prefix) || !spec::names::contains(spec::names::seccomp_archs, name))
        return Error("unknown seccomp architecture \"" + name + "\"", EINVAL);
    std::string lower = name.substr(prefix.size());
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    uint32_t arch = seccomp_arch_resolve_name(lower.c_str());
    if (arch == 0)
        return Error("seccomp architecture " + name + " is not supported by libseccomp " + libseccomp_version(),
                     EINVAL);
    return arch;
}

Result<std::vector<uint32_t>> profile_architectures(const spec::Seccomp& profile) {
    std::vector<uint32_t> archs;
    for (size_t i = 0; i < profile.architectures.size(); ++i) {
        auto a = seccomp_arch(profile.architectures[i]);
        if (!a) return std::move(a).error().wrap("linux.seccomp.architectures[" + std::to_string(i) + "]");
        archs.push_back(*a);
    }
    return archs;
}

Result<int> seccomp_operator(const std::string& name) {
    static const std::pair<const char*, scmp_compare> ops[] = {{"SCMP_CMP_NE", SCMP_CMP_NE},
                                                               {"SCMP_CMP_LT", SCMP_CMP_LT},
                                                               {"SCMP_CMP_LE", SCMP_CMP_LE},
                                                               {"SCMP_CMP_EQ", SCMP_CMP_EQ},
                                                               {"SCMP_CMP_GE", SCMP_CMP_GE},
                                                               {"SCMP_CMP_GT", SCMP_CMP_GT},
                                                               {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ}};
    for (const auto& [n, op] : ops)
        if (name == n) return static_cast<int>(op);
    return Error("unknown seccomp operator \"" + name + "\"", EINVAL);
}

bool seccomp_flag_supported(const std::string& name) { return find_flag(name) != nullptr; }

unsigned int seccomp_kernel_flag(const std::string& name) {
    const SeccompFlag* f = find_flag(name);
    return f ? f->kernel_bit : 0;
}

std::vector<std::string> supported_seccomp_actions() {
    std::vector<std::string> out;
    for (auto a : spec::names::seccomp_actions)
        if (seccomp_action(std::string(a), std::nullopt)) out.emplace_back(a);
    return out;
}

std::vector<std::string> supported_seccomp_operators() {
    std::vector<std::string> out;
    for (auto o : spec::names::seccomp_operators)
        if (seccomp_operator(std::string(o))) out.emplace_back(o);
    return out;
}

std::vector<std::string> supported_seccomp_archs() {
    std::vector<std::string> out;
    for (auto a : spec::names::seccomp_archs)
        if (seccomp_arch(std::string(a))) out.emplace_back(a);
    return out;
}

std::vector<std::string> supported_seccomp_flags() {
    std::vector<std::string> out;
    for (auto f : spec::names::seccomp_flags)
        if (seccomp_flag_supported(std::string(f))) out.emplace_back(f);
    return out;
}

bool seccomp_uses_notify(const spec::Seccomp& cfg) {
    if (cfg.default_action == "SCMP_ACT_NOTIFY") return true;
    return std::any_of(cfg.syscalls.begin(), cfg.syscalls.end(),
                       [](const spec::SeccompSyscall& s) { return s.action == "SCMP_ACT_NOTIFY"; });
}

struct SeccompFilter::Impl {
    scmp_filter_ctx ctx = nullptr;
    ~Impl() {
        if (ctx) seccomp_release(ctx);
    }
};

SeccompFilter::SeccompFilter() : impl_(std::make_unique<Impl>()) {}
SeccompFilter::~SeccompFilter() = default;
SeccompFilter::SeccompFilter(SeccompFilter&&) noexcept = default;
SeccompFilter& SeccompFilter::operator=(SeccompFilter&&) noexcept = default;

Result<SeccompFilter> compile_seccomp(const spec::Seccomp& cfg) {
    auto def = seccomp_action(cfg.default_action, cfg.default_errno_ret);
    if (!def) return std::move(def).error().wrap("linux.seccomp.defaultAction");
    SeccompFilter f;
    f.notify_ = def->notify;
    f.impl_->ctx = seccomp_init(def->value);
    if (!f.impl_->ctx) return Error("seccomp_init with default action " + cfg.default_action, EINVAL);
    scmp_filter_ctx ctx = f.impl_->ctx;
    // libseccomp would otherwise set no_new_privs itself at load: that is process.noNewPrivileges'
    // decision, not the filter's.
    if (int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0); rc < 0)
        return Error("seccomp: clear the no_new_privs attribute", -rc);
    const std::vector<uint32_t> archs = GK_TRY(profile_architectures(cfg));
    for (size_t i = 0; i < archs.size(); ++i) {
        int rc = seccomp_arch_add(ctx, archs[i]);
        if (rc < 0 && rc != -EEXIST) return Error("seccomp: add architecture " + cfg.architectures[i], -rc);
    }
    for (size_t i = 0; i < cfg.flags.size(); ++i) {
        auto attr = flag_attr(cfg.flags[i]);
        if (!attr)
            return Error("linux.seccomp.flags[" + std::to_string(i) + "]: " + cfg.flags[i] +
                             " is not supported by libseccomp " + libseccomp_version(),
                         EINVAL);
        if (int rc = seccomp_attr_set(ctx, *attr, 1); rc < 0) return Error("seccomp: set flag " + cfg.flags[i], -rc);
    }
    for (size_t i = 0; i < cfg.syscalls.size(); ++i) {
        const spec::SeccompSyscall& call = cfg.syscalls[i];
        std::string where = "linux.seccomp.syscalls[" + std::to_string(i) + "]";
        auto act = seccomp_action(call.action, call.errno_ret);
        if (!act) return std::move(act).error().wrap(where);
        f.notify_ = f.notify_ || act->notify;
        // The kernel would apply the default anyway; libseccomp refuses such a rule.
        if (act->value == def->value) continue;
        std::vector<scmp_arg_cmp> conds;
        std::set<uint32_t> indexes;
        for (size_t j = 0; j < call.args.size(); ++j) {
            const spec::SeccompArg& a = call.args[j];
            auto op = seccomp_operator(a.op);
            if (!op) return std::move(op).error().wrap(where + ".args[" + std::to_string(j) + "]");
            if (a.index > 5)
                return Error(where + ".args[" + std::to_string(j) + "]: index " + std::to_string(a.index) +
                                 " is beyond the 6 syscall arguments",
                             EINVAL);
            conds.push_back({a.index, static_cast<scmp_compare>(*op), a.value, a.value_two});
            indexes.insert(a.index);
        }
        // libseccomp cannot AND two comparisons of the same argument; like runc, such a list
        // becomes one rule per comparison (any of them matches).
        bool same_arg_twice = indexes.size() != conds.size();
        for (const std::string& name : call.names) {
            int nr = seccomp_syscall_resolve_name(name.c_str());
            if (nr == __NR_SCMP_ERROR) {
                log::debug("seccomp: skipping syscall \"" + name + "\" (unknown to libseccomp " + libseccomp_version() +
                           ")");
                ++f.skipped_;
                continue;
            }
            auto add = [&](const scmp_arg_cmp* c, unsigned n) -> Status {
                int rc = seccomp_rule_add_array(ctx, act->value, nr, n, c);
                if (rc < 0) return Error(where + ": add rule for syscall \"" + name + "\"", -rc);
                ++f.rules_;
                return {};
            };
            if (!same_arg_twice) {
                GK_TRY(add(conds.data(), static_cast<unsigned>(conds.size())));
            } else {
                for (const auto& c : conds) GK_TRY(add(&c, 1));
            }
        }
    }
    return f;
}

Result<UniqueFd> SeccompFilter::load() {
    if (int rc = seccomp_load(impl_->ctx); rc < 0) return Error("load the seccomp filter", -rc);
    if (!notify_) return UniqueFd();
    int fd = seccomp_notify_fd(impl_->ctx);
    if (fd < 0) return Error("get the seccomp notify fd", -fd);
    return UniqueFd(fd);
}

Result<std::vector<uint8_t>> SeccompFilter::export_bpf() const {
    int pipefd[2];
    if (::pipe(pipefd) < 0) return sys_error("export seccomp bpf: pipe");
    UniqueFd rd(pipefd[0]), wr(pipefd[1]);
    if (int rc = seccomp_export_bpf(impl_->ctx, wr.get()); rc < 0) return Error("seccomp_export_bpf", -rc);
    wr.reset();
    std::vector<uint8_t> out;
    uint8_t buf[4096];
    ssize_t n;
    while ((n = ::read(rd.get(), buf, sizeof buf)) > 0) out.insert(out.end(), buf, buf + n);
    return out;
}

Result<UniqueFd> connect_seccomp_listener(const std::string& path) {
    return connect_unix_socket(path, "connect to linux.seccomp.listenerPath \"" + path + "\"");
}

std::string seccomp_listener_message(int pid, const std::string& metadata, const std::string& state_json) {
    return json::compact([&](auto& w) {
        w.StartObject();
        json::member(w, "ociVersion", spec::kOciVersion);
        json::key(w, "fds");
        w.StartArray();
        json::write(w, "seccompFd");
        w.EndArray();
        json::member(w, "pid", pid);
        json::member_if_set(w, "metadata", metadata);
        json::key(w, "state");
        json::raw(w, state_json);
        w.EndObject();
    });
}

Status send_seccomp_notify_fd(int listener, int notify_fd, const std::string& msg) {
    size_t off = 0;
    bool first = true;
    while (off < msg.size()) {
        struct iovec iov {
            const_cast<char*>(msg.data()) + off, msg.size() - off
        };
        alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
        struct msghdr mh {};
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        // The fd travels with the first sendmsg only (config-linux.md).
        if (first) {
            mh.msg_control = control;
            mh.msg_controllen = sizeof control;
            struct cmsghdr* c = CMSG_FIRSTHDR(&mh);
            c->cmsg_level = SOL_SOCKET;
            c->cmsg_type = SCM_RIGHTS;
            c->cmsg_len = CMSG_LEN(sizeof(int));
            std::memcpy(CMSG_DATA(c), &notify_fd, sizeof(int));
        }
        ssize_t n = ::sendmsg(listener, &mh, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return sys_error("send the seccomp notify fd to linux.seccomp.listenerPath");
        first = false;
        off += static_cast<size_t>(n);
    }
    return {};
}

}  // namespace gocker
