// linux.namespaces: which namespaces the container init gets new (clone3 flags) and which it
// joins by path (setns), with a check that each path really is a namespace of its type.
//
// Who does what (see docs/architecture.md):
//   - new namespaces: clone3 flags (user first by kernel order: the others are owned by it);
//   - joined pid and time namespaces: the parent enters them "for its children" just around
//     clone3 (setns on a pid/time namespace only affects children) and then goes back;
//   - a new time namespace: the parent unshares it for its children and writes timeOffsets
//     before clone3 (offsets can only be set while no process is inside);
//   - other joined namespaces: the child setns()es, user namespace first.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/fd.hpp"
#include "common/result.hpp"
#include "spec/config.hpp"

namespace gocker {

// CLONE_NEW* for an OCI namespace type, 0 when unknown.
uint64_t namespace_clone_flag(std::string_view type);
// The /proc/<pid>/ns/ file name for an OCI namespace type ("network" -> "net", "mount" -> "mnt").
const char* namespace_proc_name(std::string_view type);

struct JoinedNamespace {
    std::string type;
    std::string path;
    UniqueFd fd;
};

struct NamespacePlan {
    uint64_t clone_flags = 0;                  // new namespaces made by clone3 (never CLONE_NEWTIME)
    std::vector<JoinedNamespace> child_joins;  // setns in the child, user first
    UniqueFd join_pid;                         // joined by the parent for its children
    UniqueFd join_time;
    bool new_time = false;  // unshared by the parent for its children
    bool new_user = false, new_pid = false, new_mount = false;
    bool joined_user = false, joined_mount = false;
    uint64_t unshare_after_join = 0;  // with a joined user ns, new namespaces are unshared in the child
};

// Opens every namespace path and checks its type (ioctl NS_GET_NSTYPE). Pure apart from opens.
Result<NamespacePlan> plan_namespaces(const spec::Linux* linux_cfg);

// The parent's namespace switches around clone3, undone when destroyed.
class ParentNamespaceSwitch {
public:
    ParentNamespaceSwitch() = default;
    ParentNamespaceSwitch(const ParentNamespaceSwitch&) = delete;
    ParentNamespaceSwitch& operator=(const ParentNamespaceSwitch&) = delete;
    ParentNamespaceSwitch(ParentNamespaceSwitch&&) = default;
    ParentNamespaceSwitch& operator=(ParentNamespaceSwitch&&) = default;
    ~ParentNamespaceSwitch() { restore(); }

    // Enters the joined pid/time namespaces (or a new time namespace with its offsets).
    Status enter(const NamespacePlan& plan, const spec::Linux* linux_cfg);
    void restore();

private:
    UniqueFd own_pid_, own_time_;
};

// Child side: setns into every namespace in plan.child_joins, user first; then unshare what must
// be new after a joined user namespace.
Status join_namespaces(const NamespacePlan& plan);

// setresgid/setresuid(0) inside a new or joined user namespace (its maps must be written).
Status become_user_namespace_root();

}  // namespace gocker
