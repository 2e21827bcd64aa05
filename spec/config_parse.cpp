// config.json -> Config: JSON types, exact integer ranges and required fields (config.md).
// Semantic checks (enums, paths, consistency) are validate_config()'s job.
#include <fstream>
#include <sstream>

#include "spec/config_io.hpp"
#include "spec/config_parse_linux.hpp"
#include "spec/json_reader.hpp"

namespace gocker::spec {

Status read(Reader& r, const JsonValue& v, Root& out) {
    SPEC_TRY(r.expect_object(v));
    SPEC_TRY(required(r, v, "path", out.path));
    return field(r, v, "readonly", out.readonly);
}

Status read(Reader& r, const JsonValue& v, IdMapping& out) {
    SPEC_TRY(r.expect_object(v));
    SPEC_TRY(required(r, v, "containerID", out.container_id));
    SPEC_TRY(required(r, v, "hostID", out.host_id));
    return required(r, v, "size", out.size);
}

Status read(Reader& r, const JsonValue& v, Mount& out) {
    SPEC_TRY(r.expect_object(v));
    SPEC_TRY(required(r, v, "destination", out.destination));
    SPEC_TRY(field(r, v, "source", out.source));
    SPEC_TRY(field(r, v, "type", out.type));
    SPEC_TRY(field(r, v, "options", out.options));
    SPEC_TRY(field(r, v, "uidMappings", out.uid_mappings));
    return field(r, v, "gidMappings", out.gid_mappings);
}

Status read(Reader& r, const JsonValue& v, ConsoleSize& out) {
    SPEC_TRY(r.expect_object(v));
    SPEC_TRY(required(r, v, "height", out.height));
    return required(r, v, "width", out.width);
}

Status read(Reader& r, const JsonValue& v, User& out) {
    SPEC_TRY(r.expect_object(v));
    SPEC_TRY(required(r, v, "uid", out.uid));
    SPEC_TRY(required(r, v, "gid", out.gid));
    SPEC_TRY(field(r, v, "umask", out.umask));
    SPEC_TRY(field(r, v, "additionalGids", out.additional_gids));
    return field(r, v, "username", out.username);
}

Status read(Reader& r, const JsonValue& v, Capabilities& out) {
    SPEC_TRY(r.expect_object(v));
    SPEC_TRY(field(r, v, "bounding", out.bounding));
    SPEC_TRY(field(r, v, "effective", out.effective));
    SPEC_TRY(field(r, v, "inheritable", out.inheritable));
    SPEC_TRY(field(r, v, "permitted", out.permitted));
    return field(r, v, "ambient", out.ambient);
}

Status read(Reader& r, const JsonValue& v, Rlimit& out) {
    SPEC_TRY(r.expect_object(v));
    SPEC_TRY(required(r, v, "type", out.type));
    SPEC_TRY(required(r, v, "hard", out.hard));
    return required(r, v, "soft", out.soft);
}

Status read(Reader& r, const JsonValue& v, Scheduler& out) {
    SPEC_TRY(r.expect_object(v));
    SPEC_TRY(required(r, v, "policy", out.policy));
    SPEC_TRY(field(r, v, "nice", out.nice));
    SPEC_TRY(field(r, v, "priority", out.priority));
    SPEC_TRY(field(r, v, "flags", out.flags));
    SPEC_TRY(field(r, v, "runtime", out.runtime));
    SPEC_TRY(field(r, v, "deadline", out.deadline));
    return field(r, v, "period", out.period);
}

Status read(Reader& r, const JsonValue& v, IoPriority& out) {
    SPEC_TRY(r.expect_object(v));
    SPEC_TRY(required(r, v, "class", out.io_class));
    return field(r, v, "priority", out.priority);
}

Status read(Reader& r, const JsonValue& v, ExecCpuAffinity& out) {
    SPEC_TRY(r.expect_object(v));
    SPEC_TRY(field(r, v, "initial", out.initial));
    return field(r, v, "final", out.final_);
}

Status read(Reader& r, const JsonValue& v, Process& out) {
    SPEC_TRY(r.expect_object(v));
    SPEC_TRY(field(r, v, "terminal", out.terminal));
    SPEC_TRY(field(r, v, "consoleSize", out.console_size));
    SPEC_TRY(field(r, v, "user", out.user));
    SPEC_TRY(field(r, v, "args", out.args));
    SPEC_TRY(field(r, v, "commandLine", out.command_line));
    SPEC_TRY(field(r, v, "env", out.env));
    SPEC_TRY(required(r, v, "cwd", out.cwd));
    SPEC_TRY(field(r, v, "capabilities", out.capabilities));
    SPEC_TRY(field(r, v, "rlimits", out.rlimits));
    SPEC_TRY(field(r, v, "noNewPrivileges", out.no_new_privileges));
    SPEC_TRY(field(r, v, "apparmorProfile", out.apparmor_profile));
    SPEC_TRY(field(r, v, "selinuxLabel", out.selinux_label));
    SPEC_TRY(field(r, v, "oomScoreAdj", out.oom_score_adj));
    SPEC_TRY(field(r, v, "scheduler", out.scheduler));
    SPEC_TRY(field(r, v, "ioPriority", out.io_priority));
    return field(r, v, "execCPUAffinity", out.exec_cpu_affinity);
}

Status read(Reader& r, const JsonValue& v, Hook& out) {
    SPEC_TRY(r.expect_object(v));
    SPEC_TRY(required(r, v, "path", out.path));
    SPEC_TRY(field(r, v, "args", out.args));
    SPEC_TRY(field(r, v, "env", out.env));
    return field(r, v, "timeout", out.timeout);
}

Status read(Reader& r, const JsonValue& v, Hooks& out) {
    SPEC_TRY(r.expect_object(v));
    SPEC_TRY(field(r, v, "prestart", out.prestart));
    SPEC_TRY(field(r, v, "createRuntime", out.create_runtime));
    SPEC_TRY(field(r, v, "createContainer", out.create_container));
    SPEC_TRY(field(r, v, "startContainer", out.start_container));
    SPEC_TRY(field(r, v, "poststart", out.poststart));
    return field(r, v, "poststop", out.poststop);
}

Status read(Reader& r, const JsonValue& v, Config& out) {
    SPEC_TRY(r.expect_object(v));
    SPEC_TRY(required(r, v, "ociVersion", out.oci_version));
    SPEC_TRY(field(r, v, "root", out.root));
    SPEC_TRY(field(r, v, "mounts", out.mounts));
    SPEC_TRY(field(r, v, "process", out.process));
    SPEC_TRY(field(r, v, "hostname", out.hostname));
    SPEC_TRY(field(r, v, "domainname", out.domainname));
    SPEC_TRY(field(r, v, "hooks", out.hooks));
    SPEC_TRY(field(r, v, "annotations", out.annotations));
    return field(r, v, "linux", out.linux);
}

namespace {
// A whole document read as one object (a config, an exec's process file, or a member of
// config.json given alone, whose errors then name it as there: `at` = "/linux/resources").
template <typename T>
Result<T> parse_document_as(std::string_view json, std::string_view origin, std::string at = {}) {
    rapidjson::Document doc;
    SPEC_TRY(parse_document(doc, json, origin));
    Reader reader(origin, std::move(at));
    T out;
    SPEC_TRY(read(reader, doc, out));
    return out;
}
}  // namespace

Result<Config> parse_config(std::string_view json, std::string_view origin) {
    return parse_document_as<Config>(json, origin);
}

Result<Process> parse_process(std::string_view json, std::string_view origin) {
    return parse_document_as<Process>(json, origin);
}

Result<Resources> parse_resources(std::string_view json, std::string_view origin) {
    return parse_document_as<Resources>(json, origin, "/linux/resources");
}

Result<Seccomp> parse_seccomp(std::string_view json, std::string_view origin) {
    return parse_document_as<Seccomp>(json, origin, "/linux/seccomp");
}

Result<Config> load_config(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return sys_error([&] { return "open " + path; });
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) return sys_error([&] { return "read " + path; });
    // Messages name the file the user knows ("config.json"), not the bundle-qualified path.
    std::string_view origin = path;
    if (auto slash = origin.rfind('/'); slash != std::string_view::npos) origin.remove_prefix(slash + 1);
    auto cfg = parse_config(text.view(), origin);
    if (!cfg) return std::move(cfg).error();
    SPEC_TRY(validate_config(*cfg, origin));
    return cfg;
}

}  // namespace gocker::spec
