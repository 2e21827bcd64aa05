// Typed reading of a RapidJSON DOM with RFC 6901 paths in every error.
//
// The parsers (config, state, features) are sets of `read(Reader&, const Value&, T&)` overloads;
// the templates here handle scalars with exact integer ranges, std::optional, std::vector and
// string-keyed std::map, so that a struct's reader is just a list of field() calls. All overloads
// live in gocker::spec so that argument-dependent lookup finds the struct readers declared later.
// Private to spec/.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "common/result.hpp"

namespace gocker::spec {

using JsonValue = rapidjson::Value;

// "a string", "an object", "a number", ... for "expected X, got Y" messages.
const char* json_kind(const JsonValue& v);
// The number's JSON text (for range errors: "expected a uint32, got -1").
std::string json_number_text(const JsonValue& v);

class Reader {
public:
    explicit Reader(std::string_view origin) : origin_(origin) {}
    // A reader of an object that stands at `at` (a JSON pointer such as "/linux/resources") in the
    // document its errors name: a member of config.json given alone.
    Reader(std::string_view origin, std::string at) : origin_(origin), path_(std::move(at)) {}

    // Keeps the path while a field or element is being read, restores it on scope exit.
    class Scope {
    public:
        Scope(std::string& path, size_t restore) : path_(path), restore_(restore) {}
        ~Scope() { path_.resize(restore_); }
        Scope(const Scope&) = delete;
        Scope& operator=(const Scope&) = delete;

    private:
        std::string& path_;
        size_t restore_;
    };
    [[nodiscard]] Scope enter(std::string_view key);
    [[nodiscard]] Scope enter(size_t index);

    const std::string& path() const { return path_; }
    // "<origin>: <path>: <what>" (the path is omitted at the document root).
    Error error(std::string_view what) const;
    Error type_error(std::string_view expected, const JsonValue& got) const;

    Status expect_object(const JsonValue& v) const {
        if (v.IsObject()) return {};
        return type_error("an object", v);
    }

private:
    std::string_view origin_;
    std::string path_;
};

// Parses `text` (whole document; trailing garbage is an error) and reports syntax errors as
// "<origin>: line L, column C: <reason>".
Status parse_document(rapidjson::Document& doc, std::string_view text, std::string_view origin);

// ---- scalars -------------------------------------------------------------------------------

Status read(Reader& r, const JsonValue& v, std::string& out);
Status read(Reader& r, const JsonValue& v, bool& out);

template <class T>
constexpr const char* integer_name() {
    if constexpr (std::is_same_v<T, uint16_t>) return "a uint16";
    else if constexpr (std::is_same_v<T, uint32_t>) return "a uint32";
    else if constexpr (std::is_same_v<T, uint64_t>) return "a uint64";
    else if constexpr (std::is_same_v<T, int32_t>) return "an int32";
    else if constexpr (std::is_same_v<T, int64_t>) return "an int64";
    else return "an integer";
}

template <class T>
requires(std::is_integral_v<T> && !std::is_same_v<T, bool>) Status read(Reader& r, const JsonValue& v, T& out) {
    if (!v.IsNumber()) return r.type_error(integer_name<T>(), v);
    if constexpr (std::is_signed_v<T>) {
        if (v.IsInt64()) {
            int64_t x = v.GetInt64();
            if (x >= std::numeric_limits<T>::min() && x <= std::numeric_limits<T>::max()) {
                out = static_cast<T>(x);
                return {};
            }
        }
    } else {
        if (v.IsUint64()) {
            uint64_t x = v.GetUint64();
            if (x <= std::numeric_limits<T>::max()) {
                out = static_cast<T>(x);
                return {};
            }
        }
    }
    return r.error(std::string("expected ") + integer_name<T>() + ", got " + json_number_text(v));
}

// ---- containers ----------------------------------------------------------------------------

template <class T>
Status read(Reader& r, const JsonValue& v, std::optional<T>& out) {
    out.emplace();
    return read(r, v, *out);
}

template <class T>
Status read(Reader& r, const JsonValue& v, std::vector<T>& out) {
    if (!v.IsArray()) {
        if constexpr (std::is_same_v<T, std::string>) return r.type_error("an array of strings", v);
        else return r.type_error("an array", v);
    }
    out.clear();
    out.resize(v.Size());
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
        auto scope = r.enter(i);
        auto st = read(r, v[i], out[i]);
        if (!st) return st;
    }
    return {};
}

template <class T>
Status read(Reader& r, const JsonValue& v, std::map<std::string, T>& out) {
    if (!v.IsObject()) return r.type_error("an object", v);
    out.clear();
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
        std::string key(it->name.GetString(), it->name.GetStringLength());
        auto scope = r.enter(key);
        auto st = read(r, it->value, out[key]);
        if (!st) return st;
    }
    return {};
}

// ---- fields --------------------------------------------------------------------------------

inline const JsonValue* find_member(const JsonValue& obj, std::string_view name) {
    auto it = obj.FindMember(rapidjson::StringRef(name.data(), name.size()));
    return it == obj.MemberEnd() ? nullptr : &it->value;
}

// Reads obj[name] into out if present; unknown fields are never an error (config.md,
// extensibility).
template <class T>
Status field(Reader& r, const JsonValue& obj, std::string_view name, T& out) {
    const JsonValue* v = find_member(obj, name);
    if (v == nullptr) return {};
    auto scope = r.enter(name);
    return read(r, *v, out);
}

template <class T>
Status required(Reader& r, const JsonValue& obj, std::string_view name, T& out) {
    const JsonValue* v = find_member(obj, name);
    if (v == nullptr) return r.error("missing required field \"" + std::string(name) + "\"");
    auto scope = r.enter(name);
    return read(r, *v, out);
}

}  // namespace gocker::spec

// Returns the Status from the enclosing function when it failed (plain C++, no GNU extension).
#define SPEC_TRY(expr)                                              \
    do {                                                            \
        if (auto st_ = (expr); !st_) return std::move(st_).error(); \
    } while (0)
