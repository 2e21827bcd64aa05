#include "integration/bundle_fixture.hpp"

#include <rapidjson/pointer.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/file_io.hpp"
#include "linux/terminal.hpp"
#include "security/host_cgroups.hpp"
#include "spec/config_io.hpp"

namespace gocker::test {

namespace fs = std::filesystem;

bool ConfigEditor::load(const std::string& path) { return parse(read_text(path)); }

bool ConfigEditor::parse(const std::string& text) {
    doc_.Parse(text.c_str());
    return !doc_.HasParseError() && doc_.IsObject();
}

std::string ConfigEditor::text() const {
    rapidjson::StringBuffer buf;
    rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buf);
    doc_.Accept(w);
    return buf.GetString();
}

bool ConfigEditor::save(const std::string& path) const {
    std::ofstream out(path, std::ios::trunc);
    out << text();
    return static_cast<bool>(out);
}

static rapidjson::Value parse_value(const std::string& json, rapidjson::Document::AllocatorType& alloc) {
    rapidjson::Document d;
    d.Parse(json.c_str());
    if (d.HasParseError()) ADD_FAILURE() << "test bug: bad JSON value " << json;
    return rapidjson::Value(d, alloc);
}

void ConfigEditor::set(const char* pointer, const std::string& json) {
    rapidjson::Pointer(pointer).Set(doc_, parse_value(json, doc_.GetAllocator()));
}

void ConfigEditor::append(const char* pointer, const std::string& json) {
    rapidjson::Value& arr = rapidjson::Pointer(pointer).GetWithDefault(doc_, rapidjson::kArrayType);
    arr.PushBack(parse_value(json, doc_.GetAllocator()), doc_.GetAllocator());
}

void ConfigEditor::erase(const char* pointer) { rapidjson::Pointer(pointer).Erase(doc_); }

bool ConfigEditor::has(const char* pointer) const { return rapidjson::Pointer(pointer).Get(doc_) != nullptr; }

std::string ConfigEditor::get_string(const char* pointer) const {
    const rapidjson::Value* v = rapidjson::Pointer(pointer).Get(doc_);
    return v && v->IsString() ? v->GetString() : "";
}

void ConfigEditor::drop_namespace(const std::string& type) {
    rapidjson::Value* ns = rapidjson::Pointer("/linux/namespaces").Get(doc_);
    if (!ns || !ns->IsArray()) return;
    for (auto it = ns->Begin(); it != ns->End();) {
        if ((*it)["type"].GetString() == type) it = ns->Erase(it);
        else ++it;
    }
}

std::string read_text(const std::string& path) {
    auto text = read_whole_file(path);
    return text ? *text : "";
}

void write_text(const std::string& path, const std::string& text, int mode) {
    { std::ofstream(path, std::ios::binary | std::ios::trunc) << text; }
    ::chmod(path.c_str(), static_cast<mode_t>(mode));
}

size_t host_mount_count() {
    std::string s = read_text("/proc/self/mountinfo");
    size_t n = 0;
    for (char c : s) n += c == '\n';
    return n;
}

Result<UniqueFd> receive_console_master(int listen_fd) {
    UniqueFd listener(listen_fd);
    UniqueFd conn(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!conn) return sys_error("accept on the console socket");
    return recv_fd(conn.get());
}

bool process_exists(int pid) {
    if (pid <= 0) return false;
    // A zombie still has a /proc entry but is gone for our purposes.
    std::string stat = read_text("/proc/" + std::to_string(pid) + "/stat");
    if (stat.empty()) return false;
    size_t paren = stat.rfind(')');
    return paren == std::string::npos || paren + 2 >= stat.size() || stat[paren + 2] != 'Z';
}

std::string json_str(const std::string& s) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.String(s.c_str(), static_cast<rapidjson::SizeType>(s.size()));
    return buf.GetString();
}

void BundleTest::SetUp() {
    ASSERT_TRUE(tmp_.ok()) << "mkdtemp in /tmp failed";
    cgroup_parent_ = unique_cgroup_parent("it");
    root_ = tmp_ / "root";
    bundle_ = tmp_ / "bundle";
    fs::create_directories(bundle_);
    RunResult r = run_cmd({GOCKER_BINARY, "spec", "--bundle", bundle_});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_TRUE(config_.load(bundle_ + "/config.json"));
    config_.set("/root/path", json_str(GOCKER_ROOTFS));
    config_.set("/root/readonly", "true");
    config_.set("/process/terminal", "false");
}

void BundleTest::TearDown() {
    for (const auto& id : ids_) run_cmd({binary_, "--root", root_, "delete", "--force", id}, "", 10000);
    for (const auto& m : cgroup_mounts())
        if (is_dir(m + cgroup_parent_)) rmdir_cgroup_tree(m + cgroup_parent_);
}

ConfigEditor& BundleTest::config() {
    if (typed_) {
        config_.parse(spec::config_to_json(*typed_));
        typed_.reset();
    }
    return config_;
}

spec::Config& BundleTest::cfg() {
    if (!typed_) {
        auto parsed = spec::parse_config(config_.text());
        if (!parsed) ADD_FAILURE() << "test bug: the config does not parse: " << parsed.error().message();
        typed_ = parsed ? std::move(*parsed) : spec::default_config();
    }
    return *typed_;
}

void BundleTest::program(const std::string& shell_script) {
    config().set("/process/args", "[\"sh\",\"-c\"," + json_str(shell_script) + "]");
    config().set("/process/terminal", "false");
}

std::string BundleTest::copy_rootfs() {
    std::string dst = bundle_ + "/rootfs";
    RunResult r = run_cmd({"cp", "-a", GOCKER_ROOTFS, dst});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    config().set("/root/path", "\"rootfs\"");
    config().set("/root/readonly", "false");
    return dst;
}

void BundleTest::add_bind(const std::string& source, const std::string& destination, std::vector<std::string> options) {
    spec::Mount m;
    m.destination = destination;
    m.source = source;
    m.type = "bind";
    m.options = std::move(options);
    cfg().mounts.push_back(std::move(m));
}

void BundleTest::write_config() {
    if (typed_) config_.parse(spec::config_to_json(*typed_));
    ASSERT_TRUE(config_.save(bundle_ + "/config.json"));
}

void BundleTest::write_config_for(const std::string& id) {
    if (typed_) config_.parse(spec::config_to_json(*typed_));
    use_own_cgroup(id);
    track(id);
    ASSERT_TRUE(config_.save(bundle_ + "/config.json"));
}

void BundleTest::use_own_cgroup(const std::string& id) {
    // A cgroupsPath the test chose (even "", the runtime's default) stays; ours follows the id.
    // (auto_cgroup_ is empty until the first one is set: a chosen "" must not look like ours.)
    if (config_.has("/linux/cgroupsPath") &&
        (auto_cgroup_.empty() || config_.get_string("/linux/cgroupsPath") != auto_cgroup_))
        return;
    auto_cgroup_ = cgroup_parent_ + "/" + id;
    config_.set("/linux/cgroupsPath", json_str(auto_cgroup_));
}

void BundleTest::run_from_decoy_copy() {
    fs::create_directories(tmp_ / "decoy");
    decoy_ = tmp_ / "decoy/gocker-runtime";
    fs::copy_file(GOCKER_BINARY, decoy_);
    ::chmod(decoy_.c_str(), 0755);
    original_ = read_text(decoy_);
    ASSERT_FALSE(original_.empty());
    binary_ = decoy_;
}

RunResult BundleTest::gocker(std::vector<std::string> args, const std::string& stdin_data, int timeout_ms) {
    args.insert(args.begin(), {binary_, "--root", root_});
    if (own_uts_and_net_) args = in_own_uts_and_net(std::move(args));
    return run_cmd(std::move(args), stdin_data, timeout_ms);
}

RunResult BundleTest::create(const std::string& id, std::vector<std::string> extra) {
    write_config_for(id);
    std::vector<std::string> args{"create", "--bundle", bundle_};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(id);
    return gocker(std::move(args));
}

RunResult BundleTest::run(const std::string& id, std::vector<std::string> extra, const std::string& stdin_data) {
    write_config_for(id);
    std::vector<std::string> args{"run", "--bundle", bundle_};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(id);
    return gocker(std::move(args), stdin_data);
}

RunResult BundleTest::run_script(const std::string& id, const std::string& script) {
    cfg().process->args = {"sh", "-c", script};
    return run(id);
}

RunResult BundleTest::del(const std::string& id, bool force) {
    if (force) return gocker({"delete", "--force", id});
    return gocker({"delete", id});
}

std::string BundleTest::status_of(const std::string& id) {
    RunResult r = state(id);
    rapidjson::Document d;
    d.Parse(r.out.c_str());
    if (r.exit_code != 0 || d.HasParseError() || !d.IsObject() || !d.HasMember("status")) return "";
    return d["status"].GetString();
}

int BundleTest::pid_of(const std::string& id) {
    RunResult r = state(id);
    rapidjson::Document d;
    d.Parse(r.out.c_str());
    if (r.exit_code != 0 || d.HasParseError() || !d.IsObject() || !d.HasMember("pid")) return -1;
    return d["pid"].GetInt();
}

bool BundleTest::wait_status(const std::string& id, const std::string& want) {
    for (int i = 0; i < 250; ++i) {
        if (status_of(id) == want) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

}  // namespace gocker::test
