#include "spec/json_reader.hpp"

#include <rapidjson/error/en.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace gocker::spec {

const char* json_kind(const JsonValue& v) {
    switch (v.GetType()) {
        case rapidjson::kNullType: return "null";
        case rapidjson::kFalseType:
        case rapidjson::kTrueType: return "a boolean";
        case rapidjson::kObjectType: return "an object";
        case rapidjson::kArrayType: return "an array";
        case rapidjson::kStringType: return "a string";
        case rapidjson::kNumberType: return "a number";
    }
    return "a value";
}

std::string json_number_text(const JsonValue& v) {
    if (v.IsInt64()) return std::to_string(v.GetInt64());
    if (v.IsUint64()) return std::to_string(v.GetUint64());
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, v.GetDouble());
    return std::string(buf, res.ptr);
}

Reader::Scope Reader::enter(std::string_view key) {
    size_t restore = path_.size();
    path_ += '/';
    // RFC 6901: '~' and '/' inside a key are escaped so that the pointer stays unambiguous.
    for (char c : key) {
        if (c == '~') path_ += "~0";
        else if (c == '/') path_ += "~1";
        else path_ += c;
    }
    return Scope(path_, restore);
}

Reader::Scope Reader::enter(size_t index) {
    size_t restore = path_.size();
    path_ += '/';
    path_ += std::to_string(index);
    return Scope(path_, restore);
}

Error Reader::error(std::string_view what) const {
    std::string msg(origin_);
    msg += ": ";
    if (!path_.empty()) {
        msg += path_;
        msg += ": ";
    }
    msg += what;
    return Error(std::move(msg));
}

Error Reader::type_error(std::string_view expected, const JsonValue& got) const {
    std::string what = "expected ";
    what += expected;
    what += ", got ";
    what += json_kind(got);
    return error(what);
}

Status parse_document(rapidjson::Document& doc, std::string_view text, std::string_view origin) {
    doc.Parse(text.data(), text.size());
    if (!doc.HasParseError()) return {};
    size_t offset = std::min(doc.GetErrorOffset(), text.size());
    size_t line = 1, column = 1;
    for (size_t i = 0; i < offset; ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    std::string reason = rapidjson::GetParseError_En(doc.GetParseError());
    if (!reason.empty() && reason.back() == '.') reason.pop_back();
    if (!reason.empty()) reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(reason[0])));
    return Error(std::string(origin) + ": line " + std::to_string(line) + ", column " + std::to_string(column) + ": " +
                 reason);
}

Status read(Reader& r, const JsonValue& v, std::string& out) {
    if (!v.IsString()) return r.type_error("a string", v);
    out.assign(v.GetString(), v.GetStringLength());
    return {};
}

Status read(Reader& r, const JsonValue& v, bool& out) {
    if (!v.IsBool()) return r.type_error("a boolean", v);
    out = v.GetBool();
    return {};
}

}  // namespace gocker::spec
