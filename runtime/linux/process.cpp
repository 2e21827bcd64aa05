// The last steps of the container init before the user's program runs: become the configured
// user, enter the working directory (and prove it is inside the root), find the executable,
// and execve it with only the descriptors the caller asked to keep.
#include "linux/process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <string>
#include <string_view>
#include <vector>

#include "common/fd.hpp"
#include "linux/cpu_list.hpp"

namespace gocker {

namespace {

constexpr std::string_view kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
constexpr mode_t kDefaultUmask = 022;

// "deny" in /proc/self/setgroups: we are in a user namespace whose gid map was written without
// setgroups permission, so the kernel refuses setgroups(2) for everyone, root included.
bool setgroups_denied() {
    UniqueFd fd(open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC));
    if (!fd) return false;
    char buf[16] = {};
    const ssize_t n = read(fd.get(), buf, sizeof(buf) - 1);
    return n >= 4 && std::string_view(buf, 4) == "deny";
}

std::string gid_list_text(const std::vector<uint32_t>& gids) {
    std::string out = "[";
    for (size_t i = 0; i < gids.size(); ++i) out += (i ? " " : "") + std::to_string(gids[i]);
    return out + "]";
}

// The PATH value from the container's environment (the first PATH= wins, like getenv).
std::string_view path_from_env(const std::vector<std::string>& env) {
    for (const auto& e : env)
        if (std::string_view(e).starts_with("PATH=")) return std::string_view(e).substr(5);
    return kDefaultPath;
}

// Go's exec.LookPath rules, which runc follows: a regular file executable by the current
// (effective) user. Returns 0 or the errno that explains why `path` is not usable.
int check_executable(const std::string& path) {
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) return errno;
    if (S_ISDIR(st.st_mode)) return EISDIR;
    if (!S_ISREG(st.st_mode)) return EACCES;
    if (faccessat(AT_FDCWD, path.c_str(), X_OK, AT_EACCESS) != 0) return errno;
    return 0;
}

}  // namespace

Status switch_user(const spec::Process& proc) {
    const spec::User& user = proc.user;
    if (!user.additional_gids.empty()) {
        std::vector<gid_t> gids(user.additional_gids.begin(), user.additional_gids.end());
        if (setgroups(gids.size(), gids.data()) != 0) {
            const int err = errno;
            std::string what = "setgroups " + gid_list_text(user.additional_gids) + " for process.user.additionalGids";
            if (err == EPERM && setgroups_denied()) what += " (setgroups is denied in this user namespace)";
            return Error(what, err);
        }
    } else if (setgroups(0, nullptr) != 0) {
        // Dropping inherited supplementary groups is only impossible where setgroups is
        // denied, and there the process has none worth dropping (they map to nobody).
        const int err = errno;
        if (!(err == EPERM && setgroups_denied())) return Error("setgroups [] (clear supplementary groups)", err);
    }
    // gid first: after setresuid to a non-root uid we could no longer change it.
    if (setresgid(user.gid, user.gid, user.gid) != 0)
        return sys_error([&] { return "setresgid to process.user.gid " + std::to_string(user.gid); });
    if (setresuid(user.uid, user.uid, user.uid) != 0)
        return sys_error([&] { return "setresuid to process.user.uid " + std::to_string(user.uid); });
    // runc applies 0022 when no umask is given (the spec would leave ours alone); we follow
    // runc because images and tools expect runc's behaviour.
    umask(user.umask ? static_cast<mode_t>(*user.umask & 0777) : kDefaultUmask);
    return ok_status();
}

Status enter_cwd(const spec::Process& proc) {
    const std::string cwd = proc.cwd.empty() ? "/" : proc.cwd;
    if (chdir(cwd.c_str()) != 0) return sys_error([&] { return "chdir to cwd (\"" + cwd + "\") set in config.json"; });
    // CVE-2024-21626: a leaked directory fd (or a cwd outside the pivoted root) makes the
    // kernel report the path as "(unreachable)/..."; a process started there can walk the host.
    char buf[PATH_MAX];
    const char* got = getcwd(buf, sizeof(buf));
    if (got == nullptr && errno != ENOENT)
        return sys_error([&] { return "getcwd after chdir to cwd (\"" + cwd + "\")"; });
    // glibc turns the kernel's "(unreachable)/..." into ENOENT; the check on '/' covers a libc
    // that passes it through.
    if (got == nullptr || buf[0] != '/')
        return Error("cwd (\"" + cwd + "\") is outside of the container root: possible container breakout", EPERM);
    return ok_status();
}

Result<std::string> resolve_executable(const spec::Process& proc) {
    if (proc.args.empty() || proc.args[0].empty()) return Error("process.args: no program to run", EINVAL);
    const std::string& name = proc.args[0];
    if (name.find('/') != std::string::npos) {
        const int err = check_executable(name);
        if (err == ENOENT || err == ENOTDIR) return Error("exec: \"" + name + "\": stat " + name, err);
        if (err != 0) return Error("exec: \"" + name + "\"", err);
        return name;
    }
    std::string_view path = path_from_env(proc.env);
    while (true) {
        const size_t colon = path.find(':');
        const std::string_view dir = path.substr(0, colon);
        // Empty and relative PATH entries would resolve against the container's cwd; Go (and so
        // runc) refuses such results (exec.ErrDot), and so do we.
        if (!dir.empty() && dir.front() == '/') {
            std::string candidate(dir);
            if (candidate.back() != '/') candidate += '/';
            candidate += name;
            if (check_executable(candidate) == 0) return candidate;
        }
        if (colon == std::string_view::npos) break;
        path.remove_prefix(colon + 1);
    }
    return Error("exec: \"" + name + "\": executable file not found in $PATH");
}

Result<PreparedExec> prepare_exec(const spec::Process& proc, const std::string& path, int preserve_fds) {
    if (proc.exec_cpu_affinity)
        GK_TRY(set_cpu_affinity(proc.exec_cpu_affinity->final_, "process.execCPUAffinity.final"));
    if (preserve_fds < 0) return Error("--preserve-fds " + std::to_string(preserve_fds), EINVAL);
    const unsigned first_closed = 3 + static_cast<unsigned>(preserve_fds);
    // Marking instead of closing (as runc does): the caller's O_CLOEXEC error pipe stays usable
    // until the execve succeeds, and everything else the runtime held disappears with it.
    if (close_range(first_closed, ~0U, CLOSE_RANGE_CLOEXEC) != 0)
        return sys_error([&] { return "close_range(" + std::to_string(first_closed) + ", ~0, CLOSE_RANGE_CLOEXEC)"; });
    // The kept descriptors must survive the exec even if they were opened O_CLOEXEC.
    for (unsigned fd = 3; fd < first_closed; ++fd) {
        const int flags = fcntl(static_cast<int>(fd), F_GETFD);
        if (flags >= 0 && (flags & FD_CLOEXEC)) fcntl(static_cast<int>(fd), F_SETFD, flags & ~FD_CLOEXEC);
    }
    PreparedExec px;
    px.path = path;
    for (const auto& a : proc.args) px.argv.push_back(const_cast<char*>(a.c_str()));
    px.argv.push_back(nullptr);
    for (const auto& e : proc.env) px.envp.push_back(const_cast<char*>(e.c_str()));
    px.envp.push_back(nullptr);
    return px;
}

int exec_prepared(const PreparedExec& px) {
    execve(px.path.c_str(), px.argv.data(), px.envp.data());
    return errno;
}

Error exec_failure(const PreparedExec& px, int err) { return Error("exec \"" + px.path + "\"", err); }

Error exec_process(const spec::Process& proc, const std::string& path, int preserve_fds) {
    auto px = prepare_exec(proc, path, preserve_fds);
    if (!px) return std::move(px).error();
    return exec_failure(*px, exec_prepared(*px));
}

}  // namespace gocker
