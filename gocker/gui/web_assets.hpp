// The console's page, embedded at build time from gocker/gui/web/ (cmake/embed_web.cmake).
#pragma once

#include <cstddef>
#include <string_view>

namespace gocker::gui {

struct WebAsset {
    const char* path;          // "/index.html", "/app.js"...
    const char* content_type;  // with charset for text
    std::string_view data;
};

// nullptr when there is no such file.
const WebAsset* find_asset(std::string_view path);

}  // namespace gocker::gui
