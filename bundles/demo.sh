#!/usr/bin/env bash
# `make demo`: what gocker-runtime knows about this host, then a real container that shows its
# isolation (hostname, PID 1, its own namespaces, the uid map, a volume) and the lifecycle.
# Run from anywhere; uses $GOCKER_RUNTIME or build/gocker-runtime and rootfs/out/busybox.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runtime=${GOCKER_RUNTIME:-$repo/build/gocker-runtime}
[[ -x $runtime ]] || { echo "demo: $runtime not found: run 'make build' first" >&2; exit 1; }
export GOCKER_RUNTIME=$runtime
bundle="$repo/bundles/out/demo"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "gocker-runtime --version"
"$runtime" --version

step "gocker-runtime check: what this host offers a container"
"$runtime" check

step "bundles/make-bundle.sh: a bundle = config.json + a root filesystem"
"$repo/bundles/make-bundle.sh" --force --no-network --hostname demo "$bundle" -- \
    sh -c 'echo hello from gocker-runtime; echo "I am pid $$ on host $(hostname)"'

step "gocker-runtime check --bundle: could this host run it?"
"$runtime" check --bundle "$bundle"

step "$bundle/config.json"
cat "$bundle/config.json"

# A real container, the seed's way: its own pid, uts, ipc, mount, network, cgroup and user
# namespaces, container root mapped to host uid/gid 1000, a host directory as a read-only volume.
ctr_bundle="$repo/bundles/out/demo-isolation"
volume=""
state_root=""
# shellcheck source=scripts/kept-cgroup-parent.sh
source "$repo/scripts/kept-cgroup-parent.sh"
parent_before=$(kept_parents)
cleanup() {
    [[ -z $state_root ]] || "$runtime" --root "$state_root" delete --force demo >/dev/null 2>&1 || true
    rm -rf -- ${volume:+"$volume"} ${state_root:+"$state_root"}
    remove_kept_parents_made "$parent_before"
}
volume=$(mktemp -d)
trap cleanup EXIT  # set before anything else can fail, so no temp dir is left behind
state_root=$(mktemp -d)
echo "a file from the host" >"$volume/hello.txt"
chmod 755 "$volume"; chmod 644 "$volume/hello.txt"  # readable by the container's root (host uid 1000)

step "bundles/make-bundle.sh: root mapped to host uid 1000, $volume mounted read-only at /data"
"$repo/bundles/make-bundle.sh" --force --no-network --readonly --hostname gocker-demo --map-root 1000 \
    -v "$volume:/data:ro" "$ctr_bundle" -- sh -c '
echo "hostname:          $(hostname)"
echo "my pid:            $$ (the first process of a new pid namespace)"
echo "processes I see:   $(ls -d /proc/[0-9]* | wc -l)"
echo "who am I:          $(id)"
echo "my uid map:        $(cat /proc/self/uid_map | tr -s " ")"
echo "network devices:   $(ls /sys/class/net | tr "\n" " ")"
echo "the volume:        $(cat /data/hello.txt)"
for ns in pid uts ipc mnt net cgroup user; do echo "namespace $ns: $(readlink /proc/self/ns/$ns)"; done'

step "gocker-runtime run demo: the container's view"
"$runtime" --root "$state_root" run --bundle "$ctr_bundle" demo

step "the host's view, for comparison"
echo "hostname:          $(hostname)"
echo "who am I:          $(id)"
for ns in pid uts ipc mnt net cgroup user; do echo "namespace $ns: $(readlink /proc/self/ns/$ns)"; done

step "the lifecycle, one command at a time: create, state, start, state, delete"
# The container's program writes to create's stdout: silenced here, so the lifecycle shows.
"$runtime" --root "$state_root" create --bundle "$ctr_bundle" demo >/dev/null
"$runtime" --root "$state_root" state demo
"$runtime" --root "$state_root" list
"$runtime" --root "$state_root" start demo >/dev/null
sleep 0.2
"$runtime" --root "$state_root" state demo
"$runtime" --root "$state_root" delete demo
echo "deleted: $("$runtime" --root "$state_root" list --quiet | wc -l) containers left"

# The network (issue #13): as root, in a private network + mount namespace that plays the host,
# never the machine's own network.
if (( EUID == 0 )) && [[ -x $(dirname "$runtime")/gocker-net ]]; then
    step "the network: a bridge container behind NAT, and a published port (bundles/net-demo.sh)"
    unshare --net --mount --propagation private bash "$repo/bundles/net-demo.sh"
else
    step "the network demo needs root and gocker-net beside the runtime: skipped"
fi
