// The one way this project writes JSON: RapidJSON's writers, with overloads of `write(W&, const T&)`
// for scalars and containers, and member helpers that omit absent/empty values (config.md: absent
// optionals stay absent). Every document the runtime, gocker-net and gocker print or store goes
// through here, so every string is escaped the same way (quote, backslash and control characters;
// other bytes, UTF-8 included, are copied as they are). Never build JSON by concatenating strings.
#pragma once

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace gocker::json {

using Pretty = rapidjson::PrettyWriter<rapidjson::StringBuffer>;
using Compact = rapidjson::Writer<rapidjson::StringBuffer>;

template <class W>
void write(W& w, std::string_view s) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

// A literal is a string, not a bool (the pointer would otherwise convert to bool first).
template <class W>
void write(W& w, const char* s) {
    write(w, std::string_view(s));
}

template <class W>
void write(W& w, bool b) {
    w.Bool(b);
}

template <class W, class T>
requires(std::is_integral_v<T> && !std::is_same_v<T, bool>) void write(W& w, T x) {
    if constexpr (std::is_signed_v<T>) w.Int64(static_cast<int64_t>(x));
    else w.Uint64(static_cast<uint64_t>(x));
}

template <class W, class T>
void write(W& w, const std::optional<T>& v) {
    if (v) write(w, *v);
    else w.Null();
}

template <class W, class T>
void write(W& w, const std::vector<T>& v) {
    w.StartArray();
    for (const auto& e : v) write(w, e);
    w.EndArray();
}

template <class W, class T>
void write(W& w, const std::map<std::string, T>& m) {
    w.StartObject();
    for (const auto& [k, e] : m) {
        w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
        write(w, e);
    }
    w.EndObject();
}

template <class W>
void key(W& w, std::string_view name) {
    w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
}

// A value that is already JSON (written by this header elsewhere), inserted as it is.
template <class W>
void raw(W& w, std::string_view json) {
    w.RawValue(json.data(), json.size(), rapidjson::kObjectType);
}

// Always written (required fields, numbers whose zero is meaningful).
template <class W, class T>
void member(W& w, std::string_view name, const T& v) {
    key(w, name);
    write(w, v);
}

template <class T>
bool is_unset(const T& v) {
    if constexpr (std::is_same_v<T, bool>) return !v;
    else if constexpr (std::is_integral_v<T>) return v == 0;
    else if constexpr (requires { v.has_value(); }) return !v.has_value();
    else return v.empty();
}

// Written only when set: non-empty string/array/map, engaged optional, true, non-zero.
template <class W, class T>
void member_if_set(W& w, std::string_view name, const T& v) {
    if (!is_unset(v)) member(w, name, v);
}

// The document `body(writer)` writes, on one line.
template <class Body>
std::string compact(Body&& body) {
    rapidjson::StringBuffer buf;
    Compact w(buf);
    std::forward<Body>(body)(w);
    return std::string(buf.GetString(), buf.GetSize());
}

// The same, indented with `count` copies of `indent` per level.
template <class Body>
std::string pretty(Body&& body, char indent = ' ', unsigned count = 2) {
    rapidjson::StringBuffer buf;
    Pretty w(buf);
    w.SetIndent(indent, count);
    std::forward<Body>(body)(w);
    return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace gocker::json
