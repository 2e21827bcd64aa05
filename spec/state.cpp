// The state document (runtime.md, State): what `state` prints and hooks read on stdin.
#include "spec/state.hpp"

#include "spec/json_reader.hpp"
#include "spec/json_write.hpp"

namespace gocker::spec {
namespace {

constexpr std::string_view kOrigin = "state.json";

template <class W>
void write_state(W& w, const State& s) {
    w.StartObject();
    member(w, "ociVersion", s.oci_version);
    member(w, "id", s.id);
    member(w, "status", std::string(status_name(s.status)));
    // runtime.md: pid is REQUIRED only while the container process exists.
    member_if_set(w, "pid", s.pid);
    member(w, "bundle", s.bundle);
    member_if_set(w, "annotations", s.annotations);
    w.EndObject();
}

}  // namespace

const char* status_name(ContainerStatus s) {
    switch (s) {
        case ContainerStatus::creating: return "creating";
        case ContainerStatus::created: return "created";
        case ContainerStatus::running: return "running";
        case ContainerStatus::stopped: return "stopped";
        case ContainerStatus::paused: return "paused";
    }
    return "unknown";
}

Result<ContainerStatus> parse_status(std::string_view s) {
    // "paused" is not in runtime.md but runc reports it for a frozen container; clients expect it.
    for (auto st : {ContainerStatus::creating, ContainerStatus::created, ContainerStatus::running,
                    ContainerStatus::stopped, ContainerStatus::paused})
        if (s == status_name(st)) return st;
    return Error("unknown container status \"" + std::string(s) + "\"");
}

std::string state_to_json(const State& s, bool pretty) {
    auto body = [&](auto& w) { write_state(w, s); };
    return pretty ? json::pretty(body) : json::compact(body);
}

Result<State> parse_state(std::string_view json) {
    rapidjson::Document doc;
    SPEC_TRY(parse_document(doc, json, kOrigin));
    Reader r(kOrigin);
    SPEC_TRY(r.expect_object(doc));
    State s;
    SPEC_TRY(required(r, doc, "ociVersion", s.oci_version));
    SPEC_TRY(required(r, doc, "id", s.id));
    std::string status;
    SPEC_TRY(required(r, doc, "status", status));
    {
        auto scope = r.enter("status");
        auto st = parse_status(status);
        if (!st) return r.error(st.error().message());
        s.status = *st;
    }
    uint32_t pid = 0;
    SPEC_TRY(field(r, doc, "pid", pid));
    if (pid > static_cast<uint32_t>(std::numeric_limits<int>::max())) {
        auto scope = r.enter("pid");
        return r.error("out of range: " + std::to_string(pid));
    }
    s.pid = static_cast<int>(pid);
    SPEC_TRY(required(r, doc, "bundle", s.bundle));
    SPEC_TRY(field(r, doc, "annotations", s.annotations));
    return s;
}

}  // namespace gocker::spec
