#!/usr/bin/env bash
# containerd 1.6 (Debian bookworm) with `ctr`, through the runc v2 shim (containerd-shim-runc-v2),
# driving the built gocker-runtime as the shim's runc binary (`ctr run --runc-binary`).
#
#   sudo tests/conformance/containerd.sh        # GOCKER_RUNTIME=/path/to/runtime to test another build
#
# containerd runs inside the private mount + network namespace that conf_init makes, with its own
# config, root, state, socket and /run under $CONF_TMP; it is stopped by PID at exit, and so are the
# shims it started (found by the socket address on their command line). Containers live in a
# containerd namespace with a unique name, so their cgroups are /sys/fs/cgroup/<controller>/<that
# name>/<id> and the last scenario can check that none is left.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
conf_init containerd "$@"

EXEC_XFAIL="gocker-runtime has no exec yet (issue #12)"

SECONDS=0
conf_install_packages containerd || conf_die "cannot install containerd"
RT=$(conf_runtime) || exit 1
conf_log "runtime: $RT; $(containerd --version)"

NS=gocker-conf-${CONF_TMP##*.}          # containerd namespace, also the cgroup parent
SOCK=$CONF_TMP/containerd.sock
IMAGE=localhost/gocker-conformance/busybox:latest
mkdir -p "$CONF_TMP/bin" "$CONF_TMP/logs" "$CONF_TMP/vol"

# ctr as an executable (conf_run's timeout needs one), bound to our daemon and namespace.
CTR=$CONF_TMP/bin/ctr
printf '#!/bin/sh\nexec ctr --address %q --namespace %q "$@"\n' "$SOCK" "$NS" >"$CTR"
chmod 755 "$CTR"
RUN=("$CTR" run --rm --runc-binary "$RT")                 # a foreground run that removes itself
RUND=("$CTR" run -d --runc-binary "$RT")                  # a detached run

# ---- containerd, private to this run -----------------------------------------------------------
cat >"$CONF_TMP/containerd.toml" <<EOF
version = 2
root = "$CONF_TMP/root"
state = "$CONF_TMP/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$SOCK"
[ttrpc]
  address = "$SOCK.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$CONF_TMP/opt"
EOF

# Processes this run started that outlive containerd: the shims carry our socket address.
our_shims() {
    local p
    for p in /proc/[0-9]*; do
        tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qF -- "-address $SOCK " && echo "${p#/proc/}"
    done
}

# Our containers' cgroup directories (deepest first), in every hierarchy.
our_cgroups() { find /sys/fs/cgroup/*/"$NS" -depth -type d 2>/dev/null; }

stop_everything() {
    local id pid
    for id in $("$CTR" task ls -q 2>/dev/null); do
        timeout 20 "$CTR" task kill -a -s SIGKILL "$id"; sleep 0.2
        timeout 20 "$CTR" task delete -f "$id"
    done
    for id in $("$CTR" container ls -q 2>/dev/null); do timeout 20 "$CTR" container delete "$id"; done
    if [[ -n ${CONTAINERD_PID:-} ]]; then
        kill -TERM "$CONTAINERD_PID" 2>/dev/null
        timeout 15 tail --pid="$CONTAINERD_PID" -f /dev/null || kill -KILL "$CONTAINERD_PID"
    fi
    for pid in $(our_shims); do kill -KILL "$pid"; done
    # Whatever is still in our cgroups was started by this run.
    local dir
    for dir in $(our_cgroups); do
        for pid in $(cat "$dir/cgroup.procs" 2>/dev/null); do kill -KILL "$pid"; done
    done
    sleep 0.5
    for dir in $(our_cgroups); do rmdir "$dir"; done
}
conf_on_exit stop_everything

containerd --config "$CONF_TMP/containerd.toml" --log-level info >"$CONF_TMP/containerd.log" 2>&1 &
CONTAINERD_PID=$!
for _ in $(seq 100); do "$CTR" version >/dev/null 2>&1 && break; sleep 0.1; done
"$CTR" version >/dev/null 2>&1 || { tail -n 20 "$CONF_TMP/containerd.log" >&2; conf_die "containerd did not start"; }

conf_oci_image_tar "$CONF_TMP/image.tar" "$IMAGE" /bin/sh
conf_run "$CTR" images import "$CONF_TMP/image.tar" || { cat "$CONF_TMP/last.log" >&2; conf_die "ctr images import failed"; }
conf_log "containerd up, image imported (${SECONDS}s)"

# ---- helpers ------------------------------------------------------------------------------------
note() { printf '%s\n' "$*" >>"$CONF_TMP/last.log"; }

# task_status ID: RUNNING, STOPPED, PAUSED, CREATED... (empty when there is no task)
task_status() { "$CTR" task ls 2>/dev/null | awk -v id="$1" '$1 == id { print $3 }'; }
task_pid() { "$CTR" task ls 2>/dev/null | awk -v id="$1" '$1 == id { print $2 }'; }

# wait_status ID STATUS: up to 20 s.
wait_status() {
    local i
    for i in $(seq 100); do [[ $(task_status "$1") == "$2" ]] && return 0; sleep 0.2; done
    note "task $1 is '$(task_status "$1")', expected $2"; return 1
}

# wait_log FILE TEXT: up to 20 s for TEXT to appear in a detached task's log.
wait_log() {
    local i
    for i in $(seq 100); do grep -qF -- "$2" "$1" 2>/dev/null && return 0; sleep 0.2; done
    note "'$2' not in $1:"; cat "$1" >>"$CONF_TMP/last.log" 2>/dev/null; return 1
}

# remove ID: the task (if any) and the container; the exit status of `ctr task delete` is the task's.
remove() { "$CTR" task delete "$1" >/dev/null 2>&1; "$CTR" container delete "$1" >/dev/null 2>&1; }

# cg_value CONTROLLER ID FILE: a cgroup file of a container, read on the host.
cg_value() { cat "/sys/fs/cgroup/$1/$NS/$2/$3" 2>/dev/null; }

# expect_eq WHAT GOT WANT
expect_eq() { [[ $2 == "$3" ]] || { note "$1: got '$2', expected '$3'"; return 1; }; }

# start_detached ID [ctr run options] -- CMD...: a detached task logging to $CONF_TMP/logs/ID.log
start_detached() {
    local id=$1 opts=(); shift
    while [[ $1 != -- ]]; do opts+=("$1"); shift; done; shift
    conf_run "${RUND[@]}" --log-uri "file://$CONF_TMP/logs/$id.log" "${opts[@]}" "$IMAGE" "$id" "$@" &&
        wait_status "$id" RUNNING
}

# ---- scenarios ------------------------------------------------------------------------------------
conf_check "run prints the command's output" \
    conf_expect_output "hello from gocker" "${RUN[@]}" "$IMAGE" out1 echo hello from gocker

conf_check "run returns the command's exit code (3)" \
    conf_expect_status 3 "${RUN[@]}" "$IMAGE" exit1 sh -c 'exit 3'

sc_stdin() {
    conf_run sh -c 'echo "line through stdin" | "$@"' sh "${RUN[@]}" "$IMAGE" stdin1 sh -c 'read l; echo "got: $l"' &&
        grep -qF "got: line through stdin" "$CONF_TMP/last.log"
}
conf_check "run passes stdin to the container" sc_stdin

# -t needs a terminal on ctr's side: script(1) gives it one.
sc_tty() {
    local cmd
    cmd=$(printf '%q ' "${RUN[@]}" -t "$IMAGE" tty1 sh -c '[ -t 0 ] && [ -t 1 ] && echo "tty: $(tty)"')
    conf_run script -qec "$cmd" /dev/null </dev/null && grep -q "tty: /dev/pts/[0-9]" "$CONF_TMP/last.log"
}
conf_check "run -t gives the container a terminal" sc_tty

conf_check "run --env sets the environment" \
    conf_expect_output "FOO=bar baz" "${RUN[@]}" --env "FOO=bar baz" "$IMAGE" env1 sh -c 'echo "FOO=$FOO"'

conf_check "run --cwd sets the working directory" \
    conf_expect_output "cwd=/etc" "${RUN[@]}" --cwd /etc "$IMAGE" cwd1 sh -c 'echo "cwd=$(pwd)"'

conf_summary
