// The host's cgroup hierarchies as the tests see them, read from /proc/self/mountinfo here and
// not through the runtime's own detection (a bug there must not make a test look elsewhere), and
// a per-test cgroup parent that only the test makes and removes.
#pragma once

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace gocker::test {

// Mount points of every cgroup and cgroup2 filesystem under /sys/fs/cgroup.
inline std::vector<std::string> cgroup_mounts() {
    std::ifstream in("/proc/self/mountinfo");
    std::set<std::string> out;
    for (std::string line; std::getline(in, line);) {
        std::istringstream f(line);
        std::string id, parent, devno, root, mnt;
        f >> id >> parent >> devno >> root >> mnt;
        auto sep = line.find(" - ");
        if (sep == std::string::npos) continue;
        std::istringstream rest(line.substr(sep + 3));
        std::string type;
        rest >> type;
        if ((type == "cgroup" || type == "cgroup2") && mnt.rfind("/sys/fs/cgroup", 0) == 0) out.insert(mnt);
    }
    return {out.begin(), out.end()};
}

// Whether a v1 hierarchy with controller `c` is mounted (its super options name it).
inline bool host_has_v1_controller(const std::string& c) {
    std::ifstream in("/proc/self/mountinfo");
    for (std::string line; std::getline(in, line);) {
        auto sep = line.find(" - cgroup ");
        if (sep == std::string::npos) continue;
        std::istringstream rest(line.substr(sep + 10));
        std::string source, opts;
        rest >> source >> opts;
        std::istringstream each(opts);
        for (std::string o; std::getline(each, o, ',');)
            if (o == c) return true;
    }
    return false;
}

inline std::string unique_cgroup_parent(const char* what) {
    std::random_device rd;
    return std::string("/gocker-") + what + "-" + std::to_string(::getpid()) + "-" + std::to_string(rd() % 1000000000u);
}

inline bool is_dir(const std::string& p) {
    struct stat st;
    return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// rmdir of `dir` and everything below it (cgroups only: no files to unlink), deepest first,
// retried while exiting tasks are released.
inline void rmdir_cgroup_tree(const std::string& dir) {
    std::vector<std::string> subdirs;
    if (DIR* d = ::opendir(dir.c_str())) {
        while (struct dirent* e = ::readdir(d))
            if (e->d_type == DT_DIR && std::string(e->d_name) != "." && std::string(e->d_name) != "..")
                subdirs.push_back(dir + "/" + e->d_name);
        ::closedir(d);
    }
    for (const auto& s : subdirs) rmdir_cgroup_tree(s);
    for (int i = 0; i < 200 && ::rmdir(dir.c_str()) < 0 && errno == EBUSY; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

// mkdir -p of <mount><rel> in every hierarchy. A new v1 cpuset has no CPUs or memory nodes and
// takes no task until it has: each level made gets its parent's.
inline void make_test_cgroup(const std::string& rel) {
    for (const auto& m : cgroup_mounts()) {
        std::string dir = m;
        for (size_t i = 1; i <= rel.size(); ++i) {
            if (i < rel.size() && rel[i] != '/') continue;
            std::string parent = dir;
            dir = m + rel.substr(0, i);
            if (::mkdir(dir.c_str(), 0755) != 0) continue;
            for (const char* f : {"/cpuset.cpus", "/cpuset.mems"}) {
                std::ifstream in(parent + f);
                std::string v;
                if (in && std::getline(in, v)) std::ofstream(dir + f) << v;
            }
        }
    }
}

// A process of the test's own (`sleep`), to stand for someone else's process in a cgroup.
class Decoy {
public:
    Decoy() {
        pid_ = ::fork();
        if (pid_ == 0) {
            ::execlp("sleep", "sleep", "1000", static_cast<char*>(nullptr));
            ::_exit(127);
        }
    }
    ~Decoy() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
    }
    Decoy(const Decoy&) = delete;
    Decoy& operator=(const Decoy&) = delete;
    pid_t pid() const { return pid_; }
    // Still running (not killed, not a zombie): our child, so waitpid tells.
    bool alive() {
        if (pid_ <= 0) return false;
        int status;
        pid_t w = ::waitpid(pid_, &status, WNOHANG);
        if (w == pid_) pid_ = -1;
        return w == 0;
    }
    // Moves it into `rel` in every hierarchy that has that cgroup (the runtime makes none in a
    // named hierarchy such as name=systemd); false if a move fails or no hierarchy has it.
    bool move_to(const std::string& rel) {
        int moved = 0;
        for (const auto& m : cgroup_mounts()) {
            if (!is_dir(m + rel)) continue;
            std::ofstream f(m + rel + "/cgroup.procs");
            f << pid_;
            f.flush();
            if (!f.good()) return false;
            ++moved;
        }
        return moved > 0;
    }

private:
    pid_t pid_ = -1;
};

}  // namespace gocker::test
