#include "store.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>

#include <rapidjson/document.h>

#include "common/file_io.hpp"
#include "common/json_writer.hpp"
#include "linux/proc_info.hpp"

namespace gocker::core {
namespace {

template <class W>
void write_record(W& w, const Record& r, const RecordExtras& extras) {
    using json::member;
    w.StartObject();
    member(w, "id", r.id);
    member(w, "name", r.name);
    member(w, "rootfs", r.rootfs);
    member(w, "args", r.args);
    member(w, "created", r.created);
    member(w, "status", r.status);
    member(w, "startedAt", r.started_at);
    member(w, "finishedAt", r.finished_at);
    member(w, "exitCode", r.exit_code);
    member(w, "pid", r.pid);
    member(w, "monitorPid", r.monitor_pid);
    member(w, "monitorStartTime", r.monitor_start);
    member(w, "runtime", r.runtime);
    member(w, "runtimeRoot", r.runtime_root);
    member(w, "storage", r.storage);
    member(w, "network", r.network);
    member(w, "ports", r.ports);
    member(w, "hostname", r.hostname);
    member(w, "cgroupsPath", r.cgroups_path);
    member(w, "cpuLimit", r.cpu_limit);
    member(w, "memoryLimit", r.memory_limit);
    member(w, "pidsLimit", r.pids_limit);
    member(w, "volumes", r.volumes);
    member(w, "userns", r.userns);
    member(w, "tty", r.tty);
    member(w, "interactive", r.interactive);
    member(w, "readOnly", r.read_only);
    member(w, "autoRemove", r.auto_remove);
    member(w, "logMaxSize", r.log_max_size);
    for (const auto& [k, v] : extras) member(w, k, v);
    w.EndObject();
}

std::string get_str(const rapidjson::Value& o, const char* key) {
    auto it = o.FindMember(key);
    return it != o.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}
std::vector<std::string> get_strs(const rapidjson::Value& o, const char* key) {
    std::vector<std::string> out;
    auto it = o.FindMember(key);
    if (it != o.MemberEnd() && it->value.IsArray())
        for (const auto& e : it->value.GetArray())
            if (e.IsString()) out.emplace_back(e.GetString());
    return out;
}
template <class T>
T get_num(const rapidjson::Value& o, const char* key) {
    auto it = o.FindMember(key);
    if (it == o.MemberEnd() || !it->value.IsNumber()) return T{};
    if constexpr (std::is_signed_v<T>) return static_cast<T>(it->value.GetInt64());
    else return static_cast<T>(it->value.GetUint64());
}
bool get_bool(const rapidjson::Value& o, const char* key) {
    auto it = o.FindMember(key);
    return it != o.MemberEnd() && it->value.IsBool() && it->value.GetBool();
}

std::string ago(const std::string& rfc3339) {
    struct tm tm {};
    if (!strptime(rfc3339.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return "";
    long long secs = static_cast<long long>(std::time(nullptr) - timegm(&tm));
    if (secs < 0) secs = 0;
    auto plural = [](long long n, const char* unit) {
        return std::to_string(n) + " " + unit + (n == 1 ? "" : "s") + " ago";
    };
    if (secs < 60) return plural(secs, "second");
    if (secs < 3600) return plural(secs / 60, "minute");
    if (secs < 86400) return plural(secs / 3600, "hour");
    return plural(secs / 86400, "day");
}

}  // namespace

std::string record_to_json(const Record& r, bool pretty, const RecordExtras& extras) {
    auto body = [&](auto& w) { write_record(w, r, extras); };
    return (pretty ? json::pretty(body) : json::compact(body)) + "\n";
}

std::string records_to_json(const std::vector<RecordView>& views, bool pretty) {
    auto body = [&](auto& w) {
        w.StartArray();
        for (const auto& v : views) write_record(w, v.record, v.extras);
        w.EndArray();
    };
    return pretty ? json::pretty(body) : json::compact(body);
}

Result<Record> record_from_json(const std::string& json, const std::string& origin) {
    rapidjson::Document d;
    d.Parse(json.c_str(), json.size());
    if (d.HasParseError() || !d.IsObject()) return Error(origin + ": not a JSON object", EINVAL);
    Record r;
    r.id = get_str(d, "id");
    if (r.id.empty()) return Error(origin + ": /id: missing", EINVAL);
    r.name = get_str(d, "name");
    r.rootfs = get_str(d, "rootfs");
    r.args = get_strs(d, "args");
    r.created = get_str(d, "created");
    r.status = get_str(d, "status");
    r.started_at = get_str(d, "startedAt");
    r.finished_at = get_str(d, "finishedAt");
    if (auto it = d.FindMember("exitCode"); it != d.MemberEnd() && it->value.IsInt()) r.exit_code = it->value.GetInt();
    r.pid = get_num<pid_t>(d, "pid");
    r.monitor_pid = get_num<pid_t>(d, "monitorPid");
    r.monitor_start = get_num<unsigned long long>(d, "monitorStartTime");
    r.runtime = get_str(d, "runtime");
    r.runtime_root = get_str(d, "runtimeRoot");
    r.storage = get_str(d, "storage");
    r.network = get_str(d, "network");
    r.ports = get_strs(d, "ports");
    r.hostname = get_str(d, "hostname");
    r.cgroups_path = get_str(d, "cgroupsPath");
    r.cpu_limit = get_str(d, "cpuLimit");
    r.memory_limit = get_str(d, "memoryLimit");
    r.pids_limit = get_str(d, "pidsLimit");
    r.volumes = get_strs(d, "volumes");
    r.userns = get_str(d, "userns");
    r.tty = get_bool(d, "tty");
    r.interactive = get_bool(d, "interactive");
    r.read_only = get_bool(d, "readOnly");
    r.auto_remove = get_bool(d, "autoRemove");
    r.log_max_size = get_num<uint64_t>(d, "logMaxSize");
    return r;
}

std::string Store::default_root() {
    const char* env = std::getenv("GOCKER_ROOT");
    return env && *env ? env : "/var/lib/gocker";
}

Status Store::ensure() const {
    // Searchable by others (0711): a container's root user in a user namespace is another host
    // user, and must reach its root filesystem below. What is inside stays private (0600 files).
    for (const std::string& d : {root_, root_ + "/containers"})
        if (::mkdir(d.c_str(), 0711) != 0 && errno != EEXIST)
            return sys_error([&] { return "make state directory " + d; });
    return ok_status();
}

Result<UniqueFd> Store::lock() const {
    GK_TRY(ensure());
    std::string path = root_ + "/lock";
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd) return sys_error([&] { return "open lock " + path; });
    while (::flock(fd.get(), LOCK_EX) != 0)
        if (errno != EINTR) return sys_error([&] { return "lock " + path; });
    return fd;
}

Status Store::save(const Record& r) const {
    return write_file_atomic(file(r.id, "record.json"), record_to_json(r, true), 0600);
}

Result<Record> Store::load(const std::string& id) const {
    std::string path = file(id, "record.json");
    std::string text = GK_TRY(read_whole_file(path, O_NOFOLLOW));
    return record_from_json(text, path);
}

std::vector<Record> Store::list() const {
    std::vector<Record> out;
    std::string base = root_ + "/containers";
    DIR* d = ::opendir(base.c_str());
    if (!d) return out;
    while (struct dirent* e = ::readdir(d)) {
        if (e->d_name[0] == '.') continue;
        auto r = load(e->d_name);
        if (r) out.push_back(std::move(*r));
    }
    ::closedir(d);
    std::sort(out.begin(), out.end(), [](const Record& a, const Record& b) { return a.created < b.created; });
    return out;
}

Result<Record> Store::resolve(const std::string& ref) const {
    if (ref.empty()) return Error("no container named", EINVAL);
    auto all = list();
    for (auto& r : all)
        if (r.id == ref || r.name == ref) return std::move(r);
    const Record* found = nullptr;
    for (const auto& r : all)
        if (r.id.compare(0, ref.size(), ref) == 0) {
            if (found) return Error("container " + ref + ": the id prefix is ambiguous", EINVAL);
            found = &r;
        }
    if (!found) return Error("no such container: " + ref, ENOENT);
    return *found;
}

Result<std::string> Store::claim_new_id() const {
    GK_TRY(ensure());
    for (int attempt = 0; attempt < 16; ++attempt) {
        unsigned char bytes[6];
        if (::getrandom(bytes, sizeof bytes, 0) != sizeof bytes) return sys_error("getrandom");
        std::string id;
        static const char* hex = "0123456789abcdef";
        for (unsigned char b : bytes) {
            id += hex[b >> 4];
            id += hex[b & 15];
        }
        if (::mkdir(dir(id).c_str(), 0711) == 0) return id;
        if (errno != EEXIST) return sys_error([&] { return "make container directory " + dir(id); });
    }
    return Error("make container directory: no free id after 16 attempts", EEXIST);
}

bool monitor_alive(const Record& r) { return r.monitor_pid > 0 && process_alive(r.monitor_pid, r.monitor_start); }

std::string live_status(const Record& r) {
    if ((r.status == "running" || r.status == "created") && !monitor_alive(r)) return "unknown (monitor gone)";
    return r.status;
}

std::string status_text(const Record& r) {
    std::string s = live_status(r);
    if (s != "exited") return s;
    std::string code = r.exit_code ? std::to_string(*r.exit_code) : "?";
    return "exited (" + code + ") " + ago(r.finished_at);
}

}  // namespace gocker::core
