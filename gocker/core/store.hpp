// gocker's own state: one directory per container under the store root (default /var/lib/gocker,
// `--root` or GOCKER_ROOT), holding the container's record, bundle, rootfs layer and log.
//
//   ROOT/lock                     flock: every change of a record or of the set of names
//   ROOT/containers/ID/record.json the Record, written atomically (temp file + rename)
//   ROOT/containers/ID/bundle/    config.json (made with the typed model)
//   ROOT/containers/ID/{upper,work,merged} or rootfs/   the overlay, or the copy
//   ROOT/containers/ID/container.log[.1]  the log the monitor writes
//   ROOT/containers/ID/attach.sock, console.sock, init.pid
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/fd.hpp"
#include "common/result.hpp"

namespace gocker::core {

struct Record {
    std::string id;
    std::string name;
    std::string rootfs;  // the ROOTFS given to run
    std::vector<std::string> args;
    std::string created;  // RFC 3339
    std::string status;   // created, running, exited
    std::string started_at, finished_at;
    std::optional<int> exit_code;
    pid_t pid = 0;  // the container's init
    pid_t monitor_pid = 0;
    unsigned long long monitor_start = 0;
    std::string runtime, runtime_root;
    std::string storage;  // overlay or copy
    std::string network;  // none, host, bridge
    std::vector<std::string> ports;
    std::string hostname;
    std::string cgroups_path;
    std::string cpu_limit, memory_limit, pids_limit;
    std::vector<std::string> volumes;  // SRC:DST[:ro]
    std::string userns;                // CTR:HOST:SIZE,... or empty
    bool tty = false, interactive = false, read_only = false, auto_remove = false;
    uint64_t log_max_size = 0;
};

// Members written after a record's own, in this order (a view's statusText, address...).
using RecordExtras = std::vector<std::pair<std::string, std::string>>;
struct RecordView {
    Record record;
    RecordExtras extras;
};

// One record (and a newline), or an array of them (no newline).
std::string record_to_json(const Record& r, bool pretty, const RecordExtras& extras = {});
std::string records_to_json(const std::vector<RecordView>& views, bool pretty);
Result<Record> record_from_json(const std::string& json, const std::string& origin);

class Store {
public:
    explicit Store(std::string root) : root_(std::move(root)) {}
    // --root, else $GOCKER_ROOT, else /var/lib/gocker.
    static std::string default_root();

    const std::string& root() const { return root_; }
    std::string dir(const std::string& id) const { return root_ + "/containers/" + id; }
    std::string file(const std::string& id, const char* name) const { return dir(id) + "/" + name; }

    // Makes ROOT and ROOT/containers (0700) when missing.
    Status ensure() const;
    // An exclusive flock on ROOT/lock, held while the returned fd lives.
    Result<UniqueFd> lock() const;

    Status save(const Record& r) const;
    Result<Record> load(const std::string& id) const;
    // Every readable record, oldest first.
    std::vector<Record> list() const;
    // An exact id, an exact name, or a unique id prefix: "no such container: REF" otherwise.
    Result<Record> resolve(const std::string& ref) const;
    // A fresh id (12 hex digits) whose directory this call made (mkdir is the claim).
    Result<std::string> claim_new_id() const;

private:
    std::string root_;
};

// What a record's container is now: its stored status, checked against the monitor that keeps
// it (a "running" container whose monitor is gone is reported as "unknown (monitor gone)").
std::string live_status(const Record& r);
// "running", "created", "exited (0) 5 minutes ago".
std::string status_text(const Record& r);
bool monitor_alive(const Record& r);

}  // namespace gocker::core
