#include "container/state_store.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>

#include <rapidjson/document.h>

#include "common/json_writer.hpp"

namespace gocker {

Status validate_container_id(std::string_view id) {
    if (id.empty()) return Error("container id must not be empty", 0);
    if (id.size() > 1024) return Error("container id is longer than 1024 bytes", 0);
    auto ok_first = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
    auto ok_rest = [&](char c) { return ok_first(c) || c == '_' || c == '.' || c == '+' || c == '-'; };
    bool valid = ok_first(id[0]) && std::all_of(id.begin() + 1, id.end(), ok_rest);
    if (!valid)
        return Error("invalid container id \"" + std::string(id) + "\": must match [A-Za-z0-9][A-Za-z0-9_.+-]*", 0);
    return {};
}

std::string now_rfc3339_nano() {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    // The calendar arithmetic of <chrono>, not gmtime_r() or strftime(): both make glibc read
    // /etc/localtime on first use (seven system calls) for a UTC time that needs no zone.
    using namespace std::chrono;
    const sys_seconds secs{seconds{ts.tv_sec}};
    const auto day = floor<days>(secs);
    const year_month_day ymd{day};
    const hh_mm_ss<seconds> hms{secs - day};
    char buf[128];
    snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ld.%09ldZ", static_cast<int>(ymd.year()),
             static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
             static_cast<long>(hms.hours().count()), static_cast<long>(hms.minutes().count()),
             static_cast<long>(hms.seconds().count()), ts.tv_nsec);
    return buf;
}

std::string record_to_json(const ContainerRecord& r) {
    using json::member;
    return json::compact([&](auto& w) {
        w.StartObject();
        member(w, "id", r.id);
        member(w, "bundle", r.bundle);
        member(w, "rootfs", r.rootfs);
        member(w, "pid", r.pid);
        member(w, "startTime", r.start_time);
        member(w, "created", r.created);
        member(w, "owner", r.owner);
        member(w, "cgroupPath", r.cgroup_path);
        member(w, "pidNamespace", r.has_pid_ns);
        member(w, "userNamespace", r.user_ns);
        member(w, "annotations", r.annotations);
        w.EndObject();
    });
}

Result<ContainerRecord> record_from_json(std::string_view json) {
    rapidjson::Document d;
    d.Parse(json.data(), json.size());
    if (d.HasParseError() || !d.IsObject()) return Error("state.json: not a valid state document", 0);
    ContainerRecord r;
    auto str = [&](const char* k, std::string& out) {
        auto it = d.FindMember(k);
        if (it != d.MemberEnd() && it->value.IsString()) out = it->value.GetString();
    };
    str("id", r.id);
    str("bundle", r.bundle);
    str("rootfs", r.rootfs);
    str("created", r.created);
    str("owner", r.owner);
    str("cgroupPath", r.cgroup_path);
    if (auto it = d.FindMember("pid"); it != d.MemberEnd() && it->value.IsInt()) r.pid = it->value.GetInt();
    if (auto it = d.FindMember("startTime"); it != d.MemberEnd() && it->value.IsUint64())
        r.start_time = it->value.GetUint64();
    if (auto it = d.FindMember("pidNamespace"); it != d.MemberEnd() && it->value.IsBool())
        r.has_pid_ns = it->value.GetBool();
    if (auto it = d.FindMember("userNamespace"); it != d.MemberEnd() && it->value.IsBool())
        r.user_ns = it->value.GetBool();
    if (auto it = d.FindMember("annotations"); it != d.MemberEnd() && it->value.IsObject())
        for (auto& m : it->value.GetObject())
            if (m.value.IsString()) r.annotations[m.name.GetString()] = m.value.GetString();
    if (r.id.empty()) return Error("state.json: missing id", 0);
    return r;
}

// Missing parents (e.g. /run/containerd/runc/<ns>) are made 0711, the root itself 0700: the
// state holds each container's config (its environment, secrets included) and its exec FIFO.
static Status ensure_root(const std::string& root, mode_t mode = 0700) {
    if (::mkdir(root.c_str(), mode) == 0 || errno == EEXIST) return {};
    auto slash = root.rfind('/');
    if (errno == ENOENT && slash != std::string::npos && slash > 0) {
        GK_TRY(ensure_root(root.substr(0, slash), 0711));
        if (::mkdir(root.c_str(), mode) == 0 || errno == EEXIST) return {};
    }
    return sys_error([&] { return "create state root " + root; });
}

Status StateStore::check_root() const {
    if (root_checked_) return {};
    struct stat st;
    if (::stat(root_.c_str(), &st) < 0) {
        if (errno == ENOENT) return {};  // nothing to trust yet; create_dir makes it
        return sys_error([&] { return "state root " + root_; });
    }
    GK_TRY(check_private("state root " + root_, st, S_IFDIR));
    root_checked_ = true;
    return {};
}

static Result<UniqueFd> open_locked(const std::string& dir) {
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return sys_error([&] { return "open " + dir; });
    while (::flock(fd.get(), LOCK_EX) < 0) {
        if (errno != EINTR) return sys_error([&] { return "lock " + dir; });
    }
    return fd;
}

namespace {

constexpr std::string_view kNewPrefix = ".new-";

// `name` in the root is ".new-<id>-<pid>", the directory a create makes, locks
// at once and renames to <id>: left behind when that create was killed in
// between. It is removed when nobody holds its lock and it was made (its mtime:
// it is always empty) more than kStaleNewDirSeconds ago: a create holds the
// lock from a moment after the mkdir until the rename, so only that moment is
// unlocked. The pid in the name is not looked at: a create in another PID
// namespace that shares the root has a pid that means nothing here. rmdir is
// enough and never removes more. (A create stopped for that long between its
// mkdir and its flock then fails: its directory is gone.)
constexpr time_t kStaleNewDirSeconds = 10;

void remove_if_stale(int root_fd, const char* name) {
    if (!std::string_view(name).starts_with(kNewPrefix)) return;
    UniqueFd fd(::openat(root_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd || ::flock(fd.get(), LOCK_EX | LOCK_NB) < 0) return;
    struct stat st;
    if (::fstat(fd.get(), &st) < 0 || ::time(nullptr) - st.st_mtime <= kStaleNewDirSeconds) return;
    ::unlinkat(root_fd, name, AT_REMOVEDIR);
}

// Every such directory under `root` (create_dir and list also remove them).
void remove_stale_new_dirs(const std::string& root) {
    DIR* d = ::opendir(root.c_str());
    if (!d) return;
    while (struct dirent* e = ::readdir(d))
        if (std::string_view(e->d_name).starts_with(kNewPrefix)) remove_if_stale(::dirfd(d), e->d_name);
    ::closedir(d);
}

}  // namespace

// The directory is made and locked under a hidden temporary name, then renamed into place
// (never over an existing one): no other command can find <root>/<id> before it is locked, so
// none can take it for a half-made container and remove it under the create.
Result<ContainerLock> StateStore::create_dir(std::string_view id) const {
    GK_TRY(validate_container_id(id));
    GK_TRY(ensure_root(root_));
    GK_TRY(check_root());
    remove_stale_new_dirs(root_);
    std::string d = dir(id);
    // An existing id: the rename below fails with EEXIST (no check first, one call less per create).
    std::string tmp = root_ + "/" + std::string(kNewPrefix) + std::string(id) + "-" + std::to_string(::getpid());
    if (::mkdir(tmp.c_str(), 0700) < 0) return sys_error([&] { return "create state directory " + tmp; });
    auto fd = open_locked(tmp);
    if (fd && ::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, d.c_str(), RENAME_NOREPLACE) == 0)
        return ContainerLock(std::string(id), std::move(*fd));
    int err = fd ? errno : 0;
    ::rmdir(tmp.c_str());
    if (!fd) return std::move(fd).error();
    if (err == EEXIST) return Error("container \"" + std::string(id) + "\" already exists", 0);
    return Error("create state directory " + d, err);
}

namespace {

void on_alarm(int) {}

// flock(LOCK_EX) that gives up after `seconds` (-1, EWOULDBLOCK). The wait is broken once a
// second by SIGALRM (a handler that does nothing, installed without SA_RESTART) to look at the
// clock: a repeating timer, so an alarm that fires before the call is not lost. The uncontended
// case is one call, as without a limit. The caller's SIGALRM handler and timer are restored.
int flock_within(int fd, unsigned seconds) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return 0;
    if (errno != EWOULDBLOCK) return -1;
    struct sigaction quiet = {}, caller_action;
    quiet.sa_handler = on_alarm;
    sigemptyset(&quiet.sa_mask);
    if (::sigaction(SIGALRM, &quiet, &caller_action) < 0) return -1;
    struct itimerval tick = {{1, 0}, {1, 0}}, caller_timer;
    ::setitimer(ITIMER_REAL, &tick, &caller_timer);
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int rc;
    while ((rc = ::flock(fd, LOCK_EX)) < 0 && errno == EINTR) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        long long waited_ms = (now.tv_sec - start.tv_sec) * 1000LL + (now.tv_nsec - start.tv_nsec) / 1000000;
        if (waited_ms >= seconds * 1000LL) {
            errno = EWOULDBLOCK;
            break;
        }
    }
    int err = errno;
    ::setitimer(ITIMER_REAL, &caller_timer, nullptr);
    ::sigaction(SIGALRM, &caller_action, nullptr);
    errno = err;
    return rc;
}

}  // namespace

Result<ContainerLock> StateStore::lock(std::string_view id, unsigned wait_seconds) const {
    GK_TRY(validate_container_id(id));
    GK_TRY(check_root());
    std::string d = dir(id);
    UniqueFd fd(::open(d.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT) return Error("container \"" + std::string(id) + "\" does not exist");
        return sys_error([&] { return "open " + d; });
    }
    if (wait_seconds > 0) {
        if (flock_within(fd.get(), wait_seconds) < 0) {
            if (errno == EWOULDBLOCK)
                return Error("another command on container \"" + std::string(id) + "\" has held its lock for " +
                             std::to_string(wait_seconds) + " s (a create, start or delete still under way?)");
            return sys_error([&] { return "lock " + d; });
        }
    } else {
        while (::flock(fd.get(), LOCK_EX) < 0)
            if (errno != EINTR) return sys_error([&] { return "lock " + d; });
    }
    // The directory may have been removed by a delete that held the lock before us.
    struct stat st;
    if (::fstat(fd.get(), &st) < 0 || st.st_nlink == 0)
        return Error("container \"" + std::string(id) + "\" does not exist");
    return ContainerLock(std::string(id), std::move(fd));
}

bool StateStore::exists(std::string_view id) const {
    if (!validate_container_id(id)) return false;
    return ::access(dir(id).c_str(), F_OK) == 0;
}

Status StateStore::write_file(const ContainerLock& lock, std::string_view name, std::string_view data) const {
    // The caller holds the container's lock, so the rename cannot race another writer.
    return write_file_atomic(dir(lock.id()) + "/" + std::string(name), data, 0600);
}

Status StateStore::write_record(const ContainerLock& lock, const ContainerRecord& r) const {
    return write_file(lock, "state.json", record_to_json(r));
}

Result<ContainerRecord> StateStore::read_record(std::string_view id) const {
    GK_TRY(validate_container_id(id));
    GK_TRY(check_root());
    auto text = read_whole_file(dir(id) + "/state.json");
    if (!text) {
        if (text.error().sys_errno() == ENOENT) {
            if (!exists(id)) return Error("container \"" + std::string(id) + "\" does not exist");
        }
        return std::move(text).error();
    }
    return record_from_json(*text);
}

Result<std::string> StateStore::read_file(std::string_view id, std::string_view name) const {
    return read_whole_file(dir(id) + "/" + std::string(name));
}

static Status remove_tree_at(int parent, const char* name) {
    UniqueFd fd(::openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOTDIR || errno == ELOOP) {
            if (::unlinkat(parent, name, 0) < 0 && errno != ENOENT)
                return sys_error([&] { return std::string("remove ") + name; });
            return {};
        }
        if (errno == ENOENT) return {};
        return sys_error([&] { return std::string("open ") + name; });
    }
    DIR* d = ::fdopendir(::dup(fd.get()));
    if (!d) return sys_error([&] { return std::string("read directory ") + name; });
    std::vector<std::string> names;
    while (struct dirent* e = ::readdir(d)) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        names.emplace_back(e->d_name);
    }
    ::closedir(d);
    for (const auto& n : names) {
        if (::unlinkat(fd.get(), n.c_str(), 0) == 0 || errno == ENOENT) continue;
        if (errno == EISDIR || errno == EPERM) {
            GK_TRY(remove_tree_at(fd.get(), n.c_str()));
            continue;
        }
        return sys_error([&] { return "remove " + n; });
    }
    if (::unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
        return sys_error([&] { return std::string("remove ") + name; });
    return {};
}

Status StateStore::remove(std::string_view id) const {
    GK_TRY(validate_container_id(id));
    auto st = remove_tree_at(AT_FDCWD, dir(id).c_str());
    if (!st) return std::move(st).error().wrap("remove state directory " + dir(id));
    return {};
}

Result<std::vector<std::string>> StateStore::list() const {
    GK_TRY(check_root());
    std::vector<std::string> ids;
    DIR* d = ::opendir(root_.c_str());
    if (!d) {
        if (errno == ENOENT) return ids;
        return sys_error([&] { return "read state root " + root_; });
    }
    while (struct dirent* e = ::readdir(d)) {
        if (e->d_name[0] == '.') {
            remove_if_stale(::dirfd(d), e->d_name);
            continue;
        }
        if (validate_container_id(e->d_name) && e->d_type == DT_DIR) ids.emplace_back(e->d_name);
    }
    ::closedir(d);
    std::sort(ids.begin(), ids.end());
    return ids;
}

}  // namespace gocker
