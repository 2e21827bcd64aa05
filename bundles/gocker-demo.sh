#!/usr/bin/env bash
# `make demo`, second part: the seed's workflow with gocker, the command line over the runtime:
# run in the foreground, run -d, ps, logs, stop, rm. Uses $GOCKER or build/gocker (with the
# gocker-runtime beside it) and rootfs/out/busybox. Its containers live in a temporary state root
# (GOCKER_ROOT) and cgroup parent, removed at the end, and use --network none: the demo changes
# nothing of the host's network.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
gocker=${GOCKER:-$repo/build/gocker}
rootfs=$repo/rootfs/out/busybox
[[ -x $gocker ]] || { echo "gocker demo: $gocker not found: run 'make build' first" >&2; exit 1; }
[[ -x $rootfs/bin/sh ]] || { echo "gocker demo: no rootfs at $rootfs: run 'make rootfs' first" >&2; exit 1; }

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '\033[2m$ %s\033[0m\n' "$*" >&2; "$@"; }

GOCKER_ROOT=$(mktemp -d)
export GOCKER_ROOT GOCKER_RUNTIME_ROOT=$GOCKER_ROOT/runtime GOCKER_CGROUP_PARENT=/gocker-demo-$$
cleanup() {
    for id in $("$gocker" ps -aq 2>/dev/null); do "$gocker" rm -f "$id" >/dev/null 2>&1 || true; done
    rm -rf -- "$GOCKER_ROOT"
}
trap cleanup EXIT
chmod 711 "$GOCKER_ROOT"  # the container's root (host uid 1000) walks down to its rootfs

step "gocker run: the seed's defaults (own namespaces, root = host uid 1000, 20 processes at most)"
show "$gocker" run --network none --cpu-limit 0.5 --memory-limit 512M "$rootfs" sh -c \
    'echo "hostname: $(hostname)"; echo "uid map: $(cat /proc/self/uid_map | tr -s " ")"; echo "pid: $$"; exit 3' \
    || echo "(exit code $?: the container's)"

step "gocker run -d: in the background, output kept by the container's monitor"
id=$(show "$gocker" run -d --name ticker --network none "$rootfs" sh -c \
    'trap "" TERM; i=0; while true; do echo "tick $i"; i=$((i+1)); sleep 0.5; done')
echo "$id"
sleep 1.2
show "$gocker" ps
show "$gocker" logs ticker

step "gocker stop -t 1: SIGTERM (ignored here), then SIGKILL after 1 s"
show "$gocker" stop -t 1 ticker
show "$gocker" ps -a

step "gocker rm: the record, overlay, bundle and log go"
show "$gocker" rm ticker
show "$gocker" ps -a
