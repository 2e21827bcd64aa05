#!/usr/bin/env bash
# docker 20.10 (Debian's docker.io) driving gocker-runtime: dockerd --add-runtime gocker=RUNTIME
# --default-runtime gocker, with its own containerd, both started here inside a private mount +
# network namespace (conf_init), with every state, run and config directory under $CONF_TMP.
# docker0 and the NAT rules dockerd makes exist only in that private network namespace.
#
# usage: sudo tests/conformance/docker.sh        (GOCKER_RUNTIME=/path/to/runtime to test another one;
#                                                  CONF_TIMEOUT=seconds per client command, default 120)
set -uo pipefail

EXEC_XFAIL="gocker-runtime has no exec yet (issue #12)"

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

# The namespaces we start in: dockerd must never run in these.
if [[ -z ${_CONF_IN_NS:-} ]]; then
    export CONF_DOCKER_HOST_NETNS=$(readlink /proc/self/ns/net)
    export CONF_DOCKER_HOST_MNTNS=$(readlink /proc/self/ns/mnt)
fi
conf_init docker "$@"

[[ $(readlink /proc/self/ns/net) != "${CONF_DOCKER_HOST_NETNS:-}" ]] ||
    conf_die "still in the starting network namespace: refusing to start dockerd"
[[ $(readlink /proc/self/ns/mnt) != "${CONF_DOCKER_HOST_MNTNS:-}" ]] ||
    conf_die "still in the starting mount namespace: refusing to start dockerd"

RUNTIME=$(conf_runtime)
conf_install_packages docker.io tini iptables util-linux

DOCKER_BIN=/usr/bin/docker          # Debian's client (another docker may come first in PATH)
IMG=gocker-conf/busybox:latest
CGROUP_PARENT=/gocker-conf-docker-$$  # every container cgroup of this run lives under it
HOST_PIDNS=$(readlink /proc/self/ns/pid)
MY_NETNS=$(readlink /proc/self/ns/net)

D=$CONF_TMP
mkdir -p "$D/bin" "$D/cli" "$D/containerd/root" "$D/containerd/state" "$D/containerd/opt" \
    "$D/docker/data" "$D/docker/exec" "$D/etc-docker"
ln -s "$DOCKER_BIN" "$D/bin/docker"
export PATH="$D/bin:/usr/sbin:/usr/bin:/sbin:/bin"
export DOCKER_HOST="unix://$D/docker.sock" DOCKER_CONFIG="$D/cli"
# dockerd and containerd also look at these default paths; in this mount namespace they are empty.
mount -t tmpfs -o mode=755 tmpfs /etc/docker 2>/dev/null || true

CONTAINERD_PID= DOCKERD_PID=

# stop_pid PID NAME: TERM, then KILL after 20 s; the daemons are our children, so `wait` reaps them.
stop_pid() {
    local pid=$1 name=$2 i
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null
    for (( i = 0; i < 200; i++ )); do
        kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
        sleep 0.1
    done
    conf_log "$name (pid $pid) ignored TERM for 20 s: killing it"
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
}

# The shims containerd started (each wrote shim.pid in its bundle) and what is left in the
# containers' cgroups: killed by PID.
kill_shims_and_containers() {
    local f pid
    for f in "$D"/containerd/state/io.containerd.runtime.v2.task/*/*/shim.pid; do
        [[ -f $f ]] || continue
        pid=$(<"$f")
        [[ $pid =~ ^[0-9]+$ ]] && grep -q containerd-shim "/proc/$pid/cmdline" 2>/dev/null && kill -KILL "$pid"
    done
    for f in /sys/fs/cgroup/*"$CGROUP_PARENT"/*/cgroup.procs; do
        [[ -f $f ]] || continue
        while read -r pid; do kill -KILL "$pid" 2>/dev/null; done <"$f"
    done
}

# rmdir the (empty) cgroup directories of this run, deepest first.
remove_cgroups() {
    local dir
    for dir in /sys/fs/cgroup/*"$CGROUP_PARENT"; do
        [[ -d $dir ]] || continue
        find "$dir" -depth -type d -exec rmdir {} \; 2>/dev/null
    done
}

stop_daemons() {
    if [[ -n $DOCKERD_PID ]] && kill -0 "$DOCKERD_PID" 2>/dev/null; then
        local ids; ids=$(timeout 30 docker ps -aq 2>/dev/null)
        [[ -n $ids ]] && timeout 60 docker rm -f $ids >/dev/null 2>&1
    fi
    stop_pid "$DOCKERD_PID" dockerd
    stop_pid "$CONTAINERD_PID" containerd
    kill_shims_and_containers
    DOCKERD_PID= CONTAINERD_PID=
}
conf_on_exit remove_cgroups
conf_on_exit stop_daemons

wait_for() {   # wait_for SECONDS CMD...: CMD succeeds within SECONDS
    local end=$(( SECONDS + $1 )); shift
    local rc
    until "$@" >/dev/null 2>&1; do
        rc=$?
        (( rc == 2 || SECONDS >= end )) && return 1
        sleep 0.2
    done
}

daemon_answers() {   # fails at once (status 2 ends wait_for) when dockerd has died
    kill -0 "$DOCKERD_PID" 2>/dev/null || return 2
    docker version
}

start_daemons() {
    cat >"$D/containerd.toml" <<EOF
version = 2
root = "$D/containerd/root"
state = "$D/containerd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.devmapper"]
[grpc]
  address = "$D/containerd/containerd.sock"
[ttrpc]
  address = "$D/containerd/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$D/containerd/opt"
EOF
    containerd --config "$D/containerd.toml" >"$D/containerd.log" 2>&1 &
    CONTAINERD_PID=$!
    wait_for 30 test -S "$D/containerd/containerd.sock" || { tail -20 "$D/containerd.log" >&2; return 1; }

    printf '{}\n' >"$D/daemon.json"
    dockerd --config-file "$D/daemon.json" \
        --data-root "$D/docker/data" --exec-root "$D/docker/exec" --pidfile "$D/docker.pid" \
        --host "unix://$D/docker.sock" --containerd "$D/containerd/containerd.sock" \
        --add-runtime "gocker=$RUNTIME" --default-runtime gocker \
        --cgroup-parent "$CGROUP_PARENT" --storage-driver "${CONF_DOCKER_STORAGE:-overlay2}" \
        --init-path /usr/bin/docker-init --userland-proxy-path /usr/sbin/docker-proxy \
        >"$D/dockerd.log" 2>&1 &
    DOCKERD_PID=$!
    wait_for 60 daemon_answers || { tail -20 "$D/dockerd.log" >&2; return 1; }
}

start_daemons || conf_die "dockerd did not start (logs above)"
conf_log "dockerd $(docker version -f '{{.Server.Version}}') up (pid $DOCKERD_PID, containerd pid $CONTAINERD_PID), runtime $RUNTIME"

conf_rootfs_tar "$D/rootfs.tar"
docker import -c 'CMD ["/bin/sh"]' "$D/rootfs.tar" "$IMG" >/dev/null || conf_die "docker import failed"
rm -f "$D/rootfs.tar"

# ---------------------------------------------------------------------------------------------
conf_check "dockerd's default runtime is gocker ($RUNTIME)" \
    conf_expect_output "gocker" docker info -f '{{.DefaultRuntime}}'
conf_check "run prints the container's output" \
    conf_expect_output hello-from-gocker docker run --rm "$IMG" echo hello-from-gocker

# ---------------------------------------------------------------------------------------------
stop_daemons
remove_cgroups
conf_summary
