#include "linux/seccomp_cache.hpp"

#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <optional>

#include "common/fd.hpp"
#include "common/file_io.hpp"
#include "common/log.hpp"
#include "linux/seccomp.hpp"
#include "linux/seccomp_enosys.hpp"

namespace gocker {
namespace {

uint64_t fnv1a(const std::string& s, uint64_t h) {
    for (unsigned char c : s) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    return h;
}

std::string hex(uint64_t v) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

void add(std::string& k, const std::string& s) { k += std::to_string(s.size()) + ":" + s + ";"; }

unsigned int filter_flags(const spec::Seccomp& p, bool notify) {
    unsigned int f = 0;
    for (const auto& name : p.flags) f |= seccomp_kernel_flag(name);
    if (notify) {
        f |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
        // TSYNC and NEW_LISTENER together need TSYNC_ESRCH (libseccomp does the same).
        if (f & SECCOMP_FILTER_FLAG_TSYNC) f |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
    }
    return f;
}

// The cached file `name`, nullopt when there is none. The program in it is loaded into the
// container as is, so the directory and the file must be the runtime user's own and writable by
// no one else: otherwise the create is refused, naming the path.
Result<std::optional<std::string>> read_cached(const std::string& dir, const std::string& name) {
    struct stat st;
    if (::lstat(dir.c_str(), &st) < 0) {
        if (errno == ENOENT) return std::optional<std::string>();
        return sys_error([&] { return "seccomp cache " + dir; });
    }
    GK_TRY(check_private("seccomp cache " + dir, st, S_IFDIR));
    std::string path = dir + "/" + name;
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT) return std::optional<std::string>();
        if (errno == ELOOP) return Error("seccomp cache " + path + ": a symbolic link: refusing to trust it", 0);
        return sys_error([&] { return "seccomp cache: open " + path; });
    }
    if (::fstat(fd.get(), &st) < 0) return sys_error([&] { return "seccomp cache: stat " + path; });
    GK_TRY(check_private("seccomp cache " + path, st, S_IFREG));
    return std::optional<std::string>(GK_TRY(read_whole_fd(fd.get(), path)));
}

}  // namespace

std::string seccomp_cache_key(const spec::Seccomp& p) {
    const scmp_version* v = seccomp_version();
    // "2": programs carry the ENOSYS prologue, which also depends on the native architecture
    // (always filtered) and on libseccomp's syscall tables (its version).
    std::string k = "gocker-seccomp-2;libseccomp " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
                    std::to_string(v->micro) + ";native " + std::to_string(seccomp_arch_native()) + ";";
    add(k, p.default_action);
    add(k, p.default_errno_ret ? std::to_string(*p.default_errno_ret) : "-");
    for (const auto& a : p.architectures) add(k, "arch=" + a);
    for (const auto& f : p.flags) add(k, "flag=" + f);
    for (const auto& s : p.syscalls) {
        add(k, "rule");
        for (const auto& n : s.names) add(k, n);
        add(k, s.action);
        add(k, s.errno_ret ? std::to_string(*s.errno_ret) : "-");
        for (const auto& a : s.args)
            add(k, std::to_string(a.index) + " " + a.op + " " + std::to_string(a.value) + " " +
                       std::to_string(a.value_two));
    }
    return k;
}

Result<SeccompProgram> seccomp_program(const spec::Seccomp& profile, const std::string& cache_dir) {
    SeccompProgram out;
    out.notify = seccomp_uses_notify(profile);
    out.flags = filter_flags(profile, out.notify);
    out.listener_metadata = profile.listener_metadata;
    std::string key = seccomp_cache_key(profile);
    std::string name = hex(fnv1a(key, 0xcbf29ce484222325ULL)) + hex(fnv1a(key, 0x84222325cbf29ce4ULL)) + ".bpf";
    if (!cache_dir.empty()) {
        auto text = GK_TRY(read_cached(cache_dir, name));
        // Layout: the key, '\0', the program. A hit needs the exact key.
        if (text && text->size() > key.size() + 1 && text->compare(0, key.size(), key) == 0 &&
            (*text)[key.size()] == '\0' && (text->size() - key.size() - 1) % sizeof(sock_filter) == 0) {
            out.bpf.assign(text->begin() + static_cast<std::ptrdiff_t>(key.size() + 1), text->end());
            out.from_cache = true;
            log::debug("seccomp: compiled program from the cache " + cache_dir + "/" + name);
            return out;
        }
    }
    SeccompFilter filter = GK_TRY(compile_seccomp(profile));
    out.bpf = GK_TRY(add_enosys_prologue(profile, GK_TRY(filter.export_bpf())));
    if (!cache_dir.empty()) {
        std::string data = key;
        data.push_back('\0');
        data.append(out.bpf.begin(), out.bpf.end());
        Status st = (::mkdir(cache_dir.c_str(), 0700) < 0 && errno != EEXIST)
                        ? sys_error([&] { return "mkdir " + cache_dir; })
                        : write_file_atomic(cache_dir + "/" + name, data, 0600, O_NOFOLLOW);
        if (!st) log::debug("seccomp: not cached: " + st.error().message());
    }
    return out;
}

Result<UniqueFd> load_seccomp_program(const SeccompProgram& program) {
    if (program.bpf.empty() || program.bpf.size() % sizeof(sock_filter) != 0)
        return Error("load the seccomp filter: malformed program", EINVAL);
    sock_fprog prog{};
    prog.len = static_cast<unsigned short>(program.bpf.size() / sizeof(sock_filter));
    prog.filter = reinterpret_cast<sock_filter*>(const_cast<uint8_t*>(program.bpf.data()));
    long rc = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, program.flags, &prog);
    if (rc < 0) return sys_error("load the seccomp filter");
    if (!program.notify) return UniqueFd();
    return UniqueFd(static_cast<int>(rc));
}

}  // namespace gocker
