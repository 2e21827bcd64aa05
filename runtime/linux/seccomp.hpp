// linux.seccomp with libseccomp: the config is compiled into a filter in the container init
// before "ready" (so a bad profile is reported by `create`), and loaded as late as possible
// before execve (load_seccomp_filter). With SCMP_ACT_NOTIFY the listener fd and the container
// process state go to listenerPath (config-linux.md, "The Container Process State").
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/fd.hpp"
#include "common/result.hpp"
#include "spec/config.hpp"

namespace gocker {

// Plain data for one action, so that the mapping can be unit-tested without libseccomp.
struct SeccompAction {
    bool operator==(const SeccompAction&) const = default;
    uint32_t value = 0;  // SCMP_ACT_* with the errno/trace data folded in
    bool notify = false;
};

// "SCMP_ACT_ERRNO" + errnoRet -> SCMP_ACT_ERRNO(errnoRet or EPERM). errnoRet with an action
// that carries no errno is an error (config-linux.md: "the runtime MUST print an error and fail").
Result<SeccompAction> seccomp_action(const std::string& name, std::optional<uint32_t> errno_ret);
// "SCMP_ARCH_X86_64" -> SCMP_ARCH_X86_64; an architecture this libseccomp does not know is an error.
Result<uint32_t> seccomp_arch(const std::string& name);
// linux.seccomp.architectures in order, each through seccomp_arch(); an error names its index.
Result<std::vector<uint32_t>> profile_architectures(const spec::Seccomp& profile);
// "SCMP_CMP_EQ" -> SCMP_CMP_EQ (enum scmp_compare).
Result<int> seccomp_operator(const std::string& name);
// Whether this libseccomp (and kernel API level) can honour a flag name.
bool seccomp_flag_supported(const std::string& name);
// The SECCOMP_FILTER_FLAG_* bit for seccomp(2) of a supported flag name; 0 otherwise.
unsigned int seccomp_kernel_flag(const std::string& name);

// What this build supports, for `features` (names in OCI spelling).
std::vector<std::string> supported_seccomp_actions();
std::vector<std::string> supported_seccomp_operators();
std::vector<std::string> supported_seccomp_archs();
std::vector<std::string> supported_seccomp_flags();

// A compiled, not yet loaded filter.
class SeccompFilter {
public:
    SeccompFilter();
    ~SeccompFilter();
    SeccompFilter(SeccompFilter&&) noexcept;
    SeccompFilter& operator=(SeccompFilter&&) noexcept;
    bool uses_notify() const { return notify_; }
    size_t rules_added() const { return rules_; }
    size_t names_skipped() const { return skipped_; }
    // Installs the filter on the calling thread. Returns the notify fd when the profile uses
    // SCMP_ACT_NOTIFY, an empty UniqueFd otherwise.
    Result<UniqueFd> load();
    // The BPF program (for tests and the benchmark).
    Result<std::vector<uint8_t>> export_bpf() const;

private:
    friend Result<SeccompFilter> compile_seccomp(const spec::Seccomp& cfg);
    struct Impl;
    std::unique_ptr<Impl> impl_;
    bool notify_ = false;
    size_t rules_ = 0, skipped_ = 0;
};

// Syscall names unknown to libseccomp are skipped with a debug-log line (as runc does).
Result<SeccompFilter> compile_seccomp(const spec::Seccomp& cfg);

// The runtime connects before clone (like --console-socket); the init sends on it.
Result<UniqueFd> connect_seccomp_listener(const std::string& path);

// The message for the listener: {"ociVersion","fds":["seccompFd"],"pid","metadata","state"}.
// Built before the filter is loaded, so that sending it needs no allocation under the filter.
std::string seccomp_listener_message(int pid, const std::string& metadata, const std::string& state_json);

// Sends `message` with the notify fd as SCM_RIGHTS (on the first sendmsg) over the already
// connected listener socket. Nothing but sendmsg on success; closes nothing (both descriptors
// are close-on-exec).
Status send_seccomp_notify_fd(int listener, int notify_fd, const std::string& message);

// Does the profile use SCMP_ACT_NOTIFY anywhere (so that the runtime connects to listenerPath)?
bool seccomp_uses_notify(const spec::Seccomp& cfg);

}  // namespace gocker
