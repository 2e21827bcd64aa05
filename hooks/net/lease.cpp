#include "net/lease.hpp"

#include <rapidjson/document.h>

#include "common/json_writer.hpp"

namespace gocker::net {

std::string lease_to_json(const Lease& l) {
    return json::compact([&](auto& w) {
               w.StartObject();
               json::member(w, "container", l.container);
               json::member(w, "state", l.releasing ? "releasing" : l.active ? "active" : "pending");
               json::member(w, "ownerPid", l.owner_pid);
               json::member(w, "ownerStart", l.owner_start);
               json::member(w, "veth", l.veth);
               if (l.veth_index) json::member(w, "vethIndex", l.veth_index);
               json::member(w, "ifname", l.ifname);
               if (!l.ports.empty()) {
                   json::key(w, "ports");
                   w.StartArray();
                   for (const auto& m : l.ports) json::write(w, to_string(m));
                   w.EndArray();
               }
               w.EndObject();
           }) +
           "\n";
}

Result<Lease> parse_lease(std::string_view json, Ipv4 address, const std::string& origin) {
    rapidjson::Document d;
    d.Parse(json.data(), json.size());
    auto str = [&](const char* k) -> const char* {
        return d.IsObject() && d.HasMember(k) && d[k].IsString() ? d[k].GetString() : nullptr;
    };
    const char* state = str("state");
    if (d.HasParseError() || !str("container") || !str("veth") || !state ||
        (std::string_view(state) != "active" && std::string_view(state) != "pending" &&
         std::string_view(state) != "releasing") ||
        !d.HasMember("ownerPid") || !d["ownerPid"].IsInt() || !d.HasMember("ownerStart") || !d["ownerStart"].IsUint64())
        return Error("read lease " + origin + ": not a gocker-net lease");
    Lease l{address,
            str("container"),
            std::string_view(state) == "active",
            std::string_view(state) == "releasing",
            d["ownerPid"].GetInt(),
            d["ownerStart"].GetUint64(),
            str("veth"),
            str("ifname") ? str("ifname") : "eth0",
            {}};
    if (d.HasMember("vethIndex")) {
        if (!d["vethIndex"].IsInt()) return Error("read lease " + origin + ": /vethIndex is not an integer");
        l.veth_index = d["vethIndex"].GetInt();
    }
    if (d.HasMember("ports")) {
        if (!d["ports"].IsArray()) return Error("read lease " + origin + ": /ports is not an array");
        for (const auto& p : d["ports"].GetArray()) {
            if (!p.IsString()) return Error("read lease " + origin + ": /ports holds a non-string");
            l.ports.push_back(GK_TRY_CTX(parse_port_mapping(p.GetString()), "read lease " + origin));
        }
    }
    return l;
}

}  // namespace gocker::net
