// Device access for a container: the rules of linux.resources.devices, completed the way runc
// does it, and their two enforcements: devices.allow/deny lines on cgroup v1 (resource_plan)
// and, on cgroup v2, an eBPF program of type BPF_PROG_TYPE_CGROUP_DEVICE attached to the
// container's cgroup. The program is built as data (device_program) so that unit tests can run
// it; load_and_attach_device_program does the two bpf(2) calls.
#pragma once

#include <linux/bpf.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "common/result.hpp"
#include "spec/config.hpp"

namespace gocker::cgroups {

// linux.resources.devices, then (only when that list is not empty, so that a config without
// rules keeps the kernel's allow-all) an allow rule for every linux.devices entry and for the
// devices every container needs: /dev/{null,zero,full,random,urandom,tty,ptmx,pts/*,net/tun}
// and mknod of any device (creating a node is harmless; opening it is what the rules decide).
std::vector<spec::DeviceCgroupRule> effective_device_rules(const spec::Linux* lnx);

// Later rules override earlier ones (OCI order). The program walks them from last to first and
// returns the verdict of the first that matches; no match allows (the kernel's default for a
// cgroup without a program). An allow rule matches when every requested access is in its
// access; a deny rule when any requested access is.
std::vector<struct bpf_insn> device_program(const std::vector<spec::DeviceCgroupRule>& rules);

// The access bits the kernel passes in bpf_cgroup_dev_ctx (BPF_DEVCG_ACC_*) for "rwm".
uint32_t device_access_bits(const std::string& access);

// Loads `prog` and attaches it to the cgroup v2 directory `cgroup_fd`.
Status load_and_attach_device_program(int cgroup_fd, const std::vector<struct bpf_insn>& prog);

}  // namespace gocker::cgroups
