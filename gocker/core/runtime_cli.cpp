#include "runtime_cli.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include "common/fd.hpp"
#include "common/file_io.hpp"

namespace gocker::core {

std::string self_dir() {
    char buf[PATH_MAX];
    ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return "";
    std::string p(buf, static_cast<size_t>(n));
    return p.substr(0, p.rfind('/'));
}

namespace {

bool executable(const std::string& p) { return ::access(p.c_str(), X_OK) == 0; }

std::string in_path(const std::string& name) {
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    size_t start = 0;
    while (start <= dirs.size()) {
        size_t end = dirs.find(':', start);
        if (end == std::string::npos) end = dirs.size();
        std::string cand = dirs.substr(start, end - start) + "/" + name;
        if (end > start && cand[0] == '/' && executable(cand)) return cand;
        start = end + 1;
    }
    return "";
}

std::string absolute(const std::string& p) {
    if (p.empty() || p[0] == '/') return p;
    char cwd[PATH_MAX];
    return ::getcwd(cwd, sizeof cwd) ? std::string(cwd) + "/" + p : p;
}

}  // namespace

Result<std::string> find_runtime(const std::string& requested) {
    std::string want = requested;
    std::string from = "--runtime";
    if (want.empty()) {
        const char* env = std::getenv("GOCKER_RUNTIME");
        if (env && *env) {
            want = env;
            from = "GOCKER_RUNTIME";
        }
    }
    if (!want.empty()) {
        std::string found = want.find('/') != std::string::npos ? absolute(want) : in_path(want);
        if (found.empty() || !executable(found))
            return Error(from + " " + want + ": not an executable file (nor a program in PATH)", ENOENT);
        return found;
    }
    std::string beside = self_dir() + "/gocker-runtime";
    if (executable(beside)) return beside;
    std::string path = in_path("gocker-runtime");
    if (!path.empty()) return path;
    return Error("find the runtime: no gocker-runtime next to gocker (" + beside +
                     ") nor in PATH; give one with --runtime or GOCKER_RUNTIME",
                 ENOENT);
}

std::string default_runtime_root() {
    const char* env = std::getenv("GOCKER_RUNTIME_ROOT");
    return env && *env ? absolute(env) : "/run/gocker-cli";
}

Result<pid_t> spawn(const std::vector<std::string>& argv, int in, int out, int err) {
    std::vector<char*> cargv;
    for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
    cargv.push_back(nullptr);
    pid_t pid = ::fork();
    if (pid < 0) return sys_error([&] { return "fork for " + argv[0]; });
    if (pid == 0) {
        int null = ::open("/dev/null", O_RDWR);
        int fds[3] = {in, out, err};
        // Move them above 2 first, so that a dup2 never overwrites another of them.
        for (int& fd : fds) fd = ::fcntl(fd >= 0 ? fd : null, F_DUPFD, 3);
        for (int i = 0; i < 3; ++i) ::dup2(fds[i], i);
        ::syscall(SYS_close_range, 3u, ~0u, 0u);
        struct sigaction dfl {};
        dfl.sa_handler = SIG_DFL;
        for (int s = 1; s < NSIG; ++s) ::sigaction(s, &dfl, nullptr);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::execv(cargv[0], cargv.data());
        dprintf(2, "exec %s: %s\n", cargv[0], strerror(errno));
        _exit(127);
    }
    return pid;
}

Result<int> wait_child(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return sys_error([&] { return "wait for process " + std::to_string(pid); });
    return status;
}

int exit_code_of(int st) {
    if (WIFEXITED(st)) return WEXITSTATUS(st);
    if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
    return 255;
}

std::vector<std::string> RuntimeCli::argv(const std::vector<std::string>& args) const {
    std::vector<std::string> v{path_, "--root", root_};
    v.insert(v.end(), args.begin(), args.end());
    return v;
}

Status RuntimeCli::call(const std::vector<std::string>& args, const std::string& what) const {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return sys_error([&] { return what + ": pipe"; });
    UniqueFd rd(p[0]), wr(p[1]);
    auto pid = spawn(argv(args), -1, -1, wr.get());
    if (!pid) return std::move(pid).error().wrap(what);
    wr.reset();
    auto out = read_whole_fd(rd.get(), "the runtime's stderr");
    std::string text = out ? *out : "";
    int st = GK_TRY(wait_child(*pid));
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return ok_status();
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    std::string last = text.substr(text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1);
    if (last.empty())
        last = WIFEXITED(st) ? "exited with status " + std::to_string(WEXITSTATUS(st))
                             : "killed by signal " + std::to_string(WTERMSIG(st));
    return Error(what + ": " + last, 0);
}

}  // namespace gocker::core
