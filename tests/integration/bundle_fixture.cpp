#include "integration/bundle_fixture.hpp"

#include <rapidjson/pointer.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/file_io.hpp"
#include "security/host_cgroups.hpp"

namespace gocker::test {

namespace fs = std::filesystem;

bool ConfigEditor::load(const std::string& path) {
    std::string text = read_text(path);
    doc_.Parse(text.c_str());
    return !doc_.HasParseError() && doc_.IsObject();
}

bool ConfigEditor::save(const std::string& path) const {
    rapidjson::StringBuffer buf;
    rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buf);
    doc_.Accept(w);
    std::ofstream out(path, std::ios::trunc);
    out << buf.GetString();
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
    { std::ofstream(path, std::ios::trunc) << text; }
    ::chmod(path.c_str(), static_cast<mode_t>(mode));
}

size_t host_mount_count() {
    std::string s = read_text("/proc/self/mountinfo");
    size_t n = 0;
    for (char c : s) n += c == '\n';
    return n;
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
    char tmpl[] = "/tmp/gocker-it-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    tmp_ = tmpl;
    cgroup_parent_ = unique_cgroup_parent("it");
    root_ = tmp_ + "/root";
    bundle_ = tmp_ + "/bundle";
    fs::create_directories(bundle_);
    RunResult r = run_cmd({GOCKER_BINARY, "spec", "--bundle", bundle_});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_TRUE(config_.load(bundle_ + "/config.json"));
    config_.set("/root/path", json_str(GOCKER_ROOTFS));
    config_.set("/root/readonly", "true");
    config_.set("/process/terminal", "false");
}

void BundleTest::TearDown() {
    for (const auto& id : ids_) run_cmd({GOCKER_BINARY, "--root", root_, "delete", "--force", id});
    for (const auto& m : cgroup_mounts())
        if (is_dir(m + cgroup_parent_)) rmdir_cgroup_tree(m + cgroup_parent_);
    std::error_code ec;
    fs::remove_all(tmp_, ec);
}

void BundleTest::program(const std::string& shell_script) {
    config_.set("/process/args", "[\"sh\",\"-c\"," + json_str(shell_script) + "]");
    config_.set("/process/terminal", "false");
}

void BundleTest::copy_rootfs() {
    std::string dst = bundle_ + "/rootfs";
    RunResult r = run_cmd({"cp", "-a", GOCKER_ROOTFS, dst});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    config_.set("/root/path", "\"rootfs\"");
    config_.set("/root/readonly", "false");
}

void BundleTest::write_config() { ASSERT_TRUE(config_.save(bundle_ + "/config.json")); }

RunResult BundleTest::gocker(std::vector<std::string> args, const std::string& stdin_data, int timeout_ms) {
    args.insert(args.begin(), {GOCKER_BINARY, "--root", root_});
    if (own_uts_and_net_) args = in_own_uts_and_net(std::move(args));
    return run_cmd(std::move(args), stdin_data, timeout_ms);
}

void BundleTest::use_own_cgroup(const std::string& id) {
    std::string now = config_.get_string("/linux/cgroupsPath");
    if (!now.empty() && now != auto_cgroup_) return;  // the test chose one
    auto_cgroup_ = cgroup_parent_ + "/" + id;
    config_.set("/linux/cgroupsPath", json_str(auto_cgroup_));
}

RunResult BundleTest::create(const std::string& id, std::vector<std::string> extra) {
    use_own_cgroup(id);
    write_config();
    track(id);
    std::vector<std::string> args{"create", "--bundle", bundle_};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(id);
    return gocker(std::move(args));
}

RunResult BundleTest::run(const std::string& id, std::vector<std::string> extra, const std::string& stdin_data) {
    use_own_cgroup(id);
    write_config();
    track(id);
    std::vector<std::string> args{"run", "--bundle", bundle_};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(id);
    return gocker(std::move(args), stdin_data);
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
