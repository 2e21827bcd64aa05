// A directory of the test's own under /tmp, removed with everything in it when the object goes.
//
//   TempDir dir("gocker-hooks");        // /tmp/gocker-hooks.XXXXXX
//   ASSERT_TRUE(dir.ok());
//   std::ofstream(dir / "config.json") << "{}";
//
// Removal is std::filesystem::remove_all: symlinks in it are removed, never followed, so a test
// that plants links out of its directory cannot make the clean-up reach elsewhere.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace gocker::test {

class TempDir {
public:
    explicit TempDir(const std::string& prefix = "gocker-test") {
        std::string tmpl = "/tmp/" + prefix + ".XXXXXX";
        if (::mkdtemp(tmpl.data())) path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        if (!path_.empty()) std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    // False when mkdtemp failed (path() is then "").
    bool ok() const { return !path_.empty(); }
    const std::string& path() const { return path_; }
    // <path>/<name>
    std::string operator/(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

}  // namespace gocker::test
