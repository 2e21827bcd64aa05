# shellcheck shell=bash
# Shared by containerd.sh and cri.sh: a containerd private to the suite (config, root, state, socket
# and opt directory under $CONF_TMP, inside conf_init's namespaces), stopped at the end together
# with everything it started. Source it after conf_init:
#
#   source "$HERE/lib/containerd.sh"
#   ctrd_config [PLUGIN...] && cat >>"$CTRD_CONFIG" <<EOF ... EOF   # the suite's own sections
#   ctrd_start ctr --address "$CTRD_SOCK" version                    # starts it, waits for the command
#   conf_on_exit ctrd_stop CGROUP_NAME                               # after the suite's own clean-up

CTRD_SOCK=$CONF_TMP/containerd.sock
CTRD_CONFIG=$CONF_TMP/containerd.toml

# ctrd_config [PLUGIN...]: writes the base of $CTRD_CONFIG, with these plugins disabled besides the
# snapshotters and tracing exporters this host has no use for.
ctrd_config() {
    local disabled=(io.containerd.snapshotter.v1.aufs io.containerd.snapshotter.v1.btrfs
                    io.containerd.snapshotter.v1.zfs io.containerd.snapshotter.v1.devmapper
                    io.containerd.tracing.processor.v1.otlp io.containerd.internal.v1.tracing "$@")
    local list; list=$(printf '"%s", ' "${disabled[@]}")
    cat >"$CTRD_CONFIG" <<EOF
version = 2
root = "$CONF_TMP/root"
state = "$CONF_TMP/state"
disabled_plugins = [${list%, }]
[grpc]
  address = "$CTRD_SOCK"
[ttrpc]
  address = "$CTRD_SOCK.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$CONF_TMP/opt"
EOF
}

# ctrd_start CMD...: starts containerd on $CTRD_CONFIG, then waits up to 30 s for CMD to succeed.
ctrd_start() {
    containerd --config "$CTRD_CONFIG" --log-level info >"$CONF_TMP/containerd.log" 2>&1 &
    CTRD_PID=$!
    for _ in $(seq 150); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
    tail -n 20 "$CONF_TMP/containerd.log" >&2
    conf_die "containerd did not answer '$*'"
}

# ctrd_shims: the PIDs of the shims this containerd started (they outlive it; their command line
# carries its socket address).
ctrd_shims() {
    local p
    for p in /proc/[0-9]*; do
        { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | grep -qF -- "-address $CTRD_SOCK " && echo "${p#/proc/}"
    done
}

# ctrd_cgroups NAME: the cgroup directories /sys/fs/cgroup/*/NAME and below, deepest first.
ctrd_cgroups() { find /sys/fs/cgroup/*/"$1" -depth -type d 2>/dev/null; }

# ctrd_stop CGROUP_NAME: stops containerd (TERM, KILL after 15 s), kills the shims it left and
# whatever is still in the cgroups under CGROUP_NAME (all made by this run), removes those cgroups.
ctrd_stop() {
    local pid dir
    if [[ -n ${CTRD_PID:-} ]]; then
        kill -TERM "$CTRD_PID" 2>/dev/null
        timeout 15 tail --pid="$CTRD_PID" -f /dev/null || kill -KILL "$CTRD_PID"
    fi
    for pid in $(ctrd_shims); do kill -KILL "$pid"; done
    for dir in $(ctrd_cgroups "$1"); do
        for pid in $(cat "$dir/cgroup.procs" 2>/dev/null); do kill -KILL "$pid"; done
    done
    sleep 0.5
    for dir in $(ctrd_cgroups "$1"); do rmdir "$dir"; done
}

# ctrd_print_errors: after a failed scenario, containerd's last distinct errors (the runtime's own
# message, read by the shim from its --log file, is quoted in them; container ids become <id>).
ctrd_print_errors() {
    (( CONF_FAILED )) || return 0
    conf_log "containerd's last errors (each once):"
    grep 'level=error' "$CONF_TMP/containerd.log" | sed -E 's/^.* error=//; t; s/^.* msg=//' |
        sed -E 's/[0-9a-f]{64}/<id>/g' | cut -c1-500 | awk '!seen[$0]++' | tail -n 8 | sed 's/^/    /' >&2
}
