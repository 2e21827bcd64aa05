# shellcheck shell=bash disable=SC2154
# What the scripts of tests/faults share. usage and check_prerequisites serve all four; the rest
# serves concurrency.sh, disk-trouble.sh and fault-checks.sh, which set, before calling it: work
# (their temporary directory), root (the runtime's --root), runtime, rootfs, mark (NAME=VALUE put
# in the environment of everything they start) and cgparent (the cgroup parent of their
# containers). (SC2154 is off here: these names come from the sourcing script.)

# For -h: the script's header comment, from its second line up to `set -uo pipefail`.
usage() { sed -n '2,/^set -uo pipefail$/p' "$0" | sed '$d'; }

# What every script checks once its arguments are read: NAME ROOTFS [DEFAULT-RUNTIME]. $runtime
# must be given (else DEFAULT-RUNTIME, when there is one) and is made absolute; the script must run
# as root (else it exits 77: skipped) and ROOTFS must hold /bin/sh. NAME starts the messages.
check_prerequisites() {
    local name=$1 rootfs_dir=$2
    [[ -n $runtime ]] || runtime=${3:-}
    [[ -n $runtime ]] || { echo "$name: --runtime BIN is required (a -DGOCKER_FAULT_POINTS=ON build)" >&2; exit 2; }
    runtime=$(readlink -f "$runtime")
    (( EUID == 0 )) || { echo "$name: SKIP: needs root" >&2; exit 77; }
    [[ -x $rootfs_dir/bin/sh ]] || { echo "$name: no rootfs at $rootfs_dir (make rootfs)" >&2; exit 2; }
}

# The runtime with the marker and a time limit. Output through a file: a created container's
# init keeps the create's stdout and stderr open.
rt() {
    local out=$work/out.$BASHPID rc
    env "$mark" timeout 60 "$runtime" --root "$root" "$@" > "$out" 2>&1 < /dev/null
    rc=$?
    cat "$out"
    rm -f "$out"
    return $rc
}

# Ends what is ours by the marker, and removes the cgroup parent's tree in every hierarchy.
end_marked_and_cgroups() {
    local pids p h
    pids=$(grep -lsxz -- "$mark" /proc/[0-9]*/environ | sed 's|^/proc/||; s|/environ$||')
    for p in $pids; do kill -9 "$p" 2>/dev/null; done
    sleep 0.2
    for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
        [[ -d $h$cgparent ]] && find "$h$cgparent" -depth -type d -exec rmdir {} + 2>/dev/null
    done
    return 0
}

# $work/template.json from the runtime's own `spec` written in directory $1: the rootfs read-only,
# `sleep 1000`, no terminal, the marker in the environment.
make_sleeper_template() {
    (cd "$1" && "$runtime" spec) || return 1
    jq --arg rootfs "$rootfs" --arg mark "$mark" '
        .root = {path: $rootfs, readonly: true}
        | .process.args = ["sleep", "1000"] | .process.terminal = false
        | .process.env += [$mark]' "$1/config.json" > "$work/template.json"
}

# A bundle $work/b/ID whose container's cgroup is /$cgparent/ID; prints its path.
bundle_for() {
    mkdir -p "$work/b/$1"
    jq --arg cg "/$cgparent/$1" '.linux.cgroupsPath = $cg' "$work/template.json" > "$work/b/$1/config.json"
    echo "$work/b/$1"
}
