#!/usr/bin/env bash
# `make demo`: what gocker-runtime knows about this host, and the bundle it would run.
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
"$repo/bundles/make-bundle.sh" --force --hostname demo "$bundle" -- \
    sh -c 'echo hello from gocker-runtime; echo "I am pid $$ on host $(hostname)"'

step "gocker-runtime check --bundle: could this host run it?"
"$runtime" check --bundle "$bundle"

step "$bundle/config.json"
cat "$bundle/config.json"
