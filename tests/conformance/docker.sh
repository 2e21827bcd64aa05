#!/usr/bin/env bash
# docker 20.10 (Debian's docker.io) driving gocker-runtime: dockerd with the daemon.json of
# docs/integrations.md (the "gocker" runtime) and --default-runtime gocker, with its own containerd,
# both started here inside a private mount + network namespace (conf_init), with every state, run
# and config directory under $CONF_TMP.
# docker0 and the NAT rules dockerd makes exist only in that private network namespace.
#
# usage: sudo tests/conformance/docker.sh
# environment: GOCKER_RUNTIME=PATH      the runtime to test (default build/gocker-runtime; /usr/sbin/runc
#                                       checks the scenarios themselves)
#              EXEC_XFAIL=REASON        the exec scenarios become expected failures
#              CONF_DOCKER_ONLY=REGEX   only the scenarios whose description matches
#              CONF_DOCKER_STORAGE=vfs  another storage driver than overlay2
#              CONF_DOCKER_FORCE_PRIVILEGED=1  run --privileged even where the bounding set is not full
#              CONF_DOCKER_LOGS=DIR     keep dockerd.log and containerd.log there (the run's directory is removed)
#              CONF_TIMEOUT=SECONDS     for each client command (default 120)
set -uo pipefail

# The scenarios that need the runtime's `exec` are plain checks. EXEC_XFAIL="reason" in the
# environment makes them expected failures, for a runtime under test that has no exec.
EXEC_XFAIL=${EXEC_XFAIL-}

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

conf_init docker "$@"     # from here on: private mount + network namespaces (conf_init checks it)

RUNTIME=$(conf_runtime)
conf_install_packages docker.io tini iptables bsdutils   # bsdutils: script(1), for -t

DOCKER_BIN=/usr/bin/docker          # Debian's client (another docker may come first in PATH)
IMG=gocker-conf/busybox:latest
CGROUP_PARENT=/gocker-conf-docker-$$  # every container cgroup of this run lives under it
HOST_PIDNS=$(readlink /proc/self/ns/pid)
MY_NETNS=$(readlink /proc/self/ns/net)

D=$CONF_TMP
mkdir -p "$D/bin" "$D/cli" "$D/containerd/root" "$D/containerd/state" "$D/containerd/opt" \
    "$D/docker/data" "$D/docker/exec"
ln -s "$DOCKER_BIN" "$D/bin/docker"
export PATH="$D/bin:/usr/sbin:/usr/bin:/sbin:/bin"
export DOCKER_HOST="unix://$D/docker.sock" DOCKER_CONFIG="$D/cli"
# dockerd writes its trust key to /etc/docker/key.json whatever its flags say (docker.io ships the
# directory): in this mount namespace it is an empty tmpfs.
mount -t tmpfs -o mode=755 tmpfs /etc/docker || conf_die "cannot mount a tmpfs on /etc/docker"

CONTAINERD_PID='' DOCKERD_PID=''

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

keep_logs() {
    [[ -n ${CONF_DOCKER_LOGS:-} ]] || return 0
    mkdir -p "$CONF_DOCKER_LOGS" && cp "$D/dockerd.log" "$D/containerd.log" "$CONF_DOCKER_LOGS/" 2>/dev/null
}

stop_daemons() {   # idempotent
    if [[ -n $DOCKERD_PID ]] && kill -0 "$DOCKERD_PID" 2>/dev/null; then
        local ids; ids=$(timeout 30 docker ps -aq 2>/dev/null)
        [[ -n $ids ]] && timeout 60 docker rm -f $ids >/dev/null 2>&1
    fi
    stop_pid "$DOCKERD_PID" dockerd
    stop_pid "$CONTAINERD_PID" containerd
    DOCKERD_PID='' CONTAINERD_PID=''
}
# What dockerd mounted under $CONF_TMP (the network namespace files in exec-root/netns, ...):
# in this private mount namespace, unmounted before $CONF_TMP is removed.
unmount_tmp() {
    local mnt
    awk '{print $5}' /proc/self/mountinfo | grep "^$D/" | sort -r | while read -r mnt; do
        umount -l "$mnt" 2>/dev/null
    done
}
conf_on_exit unmount_tmp
conf_on_exit keep_logs
conf_on_exit remove_cgroups
conf_on_exit kill_shims_and_containers
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

    # The runtime comes from the documented daemon.json, the rest of the set-up from flags.
    conf_doc_snippet docker-daemon-json "$RUNTIME" >"$D/daemon.json" || return 1
    dockerd --config-file "$D/daemon.json" \
        --data-root "$D/docker/data" --exec-root "$D/docker/exec" --pidfile "$D/docker.pid" \
        --host "unix://$D/docker.sock" --containerd "$D/containerd/containerd.sock" \
        --default-runtime gocker \
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
# Helpers for the scenarios. Each scenario's function asserts what it claims; conf_run keeps the
# last client output in $CONF_TMP/last.log, which conf_check prints on failure.

LOG=$D/last.log
note() { printf '%s\n' "$*" >>"$LOG"; }
has() { grep -qF -- "$1" "$LOG" || { note "expected \"$1\" in the output"; return 1; }; }
lacks() { ! grep -qF -- "$1" "$LOG" || { note "did not expect \"$1\" in the output"; return 1; }; }
out() { tr -d '\r' <"$LOG"; }

# cg CONTROLLER NAME FILE: a file of container NAME's cgroup, read on the host
cg() {
    local id; id=$(docker inspect -f '{{.Id}}' "$2") || return 1
    cat "/sys/fs/cgroup/$1$CGROUP_PARENT/$id/$3" 2>&1
}
logs_have() { docker logs "$1" 2>&1 | grep -qF -- "$2"; }
state_is() { [[ $(docker inspect -f '{{.State.Status}}' "$1" 2>/dev/null) == "$2" ]]; }
# detached NAME [docker run options] -- CMD...: a detached container, running
detached() {
    local name=$1; shift
    local opts=()
    while [[ $1 != -- ]]; do opts+=("$1"); shift; done; shift
    conf_run docker run -d --name "$name" "${opts[@]}" "$IMG" "$@" && wait_for 30 state_is "$name" running ||
        { note "container $name is not running"; docker logs "$name" >>"$LOG" 2>&1; return 1; }
}
rm_ctr() { timeout 60 docker rm -f "$@" >/dev/null 2>&1 || true; }

scn_output() { conf_run docker run --rm "$IMG" echo hello-from-gocker && has hello-from-gocker; }
# The proof command of docs/integrations.md, with this suite's image for busybox.
scn_documented_run() {
    local cmd; cmd=$(conf_doc_snippet docker-run "$RUNTIME") || return 1
    [[ $cmd == "docker run "*" busybox "* ]] || { note "unexpected snippet: $cmd"; return 1; }
    conf_run bash -c "${cmd/ busybox / $IMG }" && has "hello from gocker"
}
# docker reads the "commit:" line of the default runtime's --version (runc's shape).
scn_runtime_commit() {
    local want; want=$("$RUNTIME" --version | sed -n 's/^commit: //p')
    conf_run docker info -f '{{.RuncCommit.ID}}' && [[ -n $want && $(out) == "$want" ]] ||
        { note "docker info's RuncCommit.ID is '$(out)', the runtime's commit '$want'"; return 1; }
}
scn_exit_code() { conf_expect_status 42 docker run --rm "$IMG" sh -c 'exit 42'; }
scn_stdin() {
    printf 'one\ntwo\nthree\n' | conf_run docker run -i --rm "$IMG" sh -c 'wc -l; echo done' &&
        [[ $(out | head -1 | tr -d ' ') == 3 ]] && has "done"
}
scn_tty() {
    conf_run script -qec "docker run -t --rm $IMG sh -c 'tty; [ -t 1 ] && echo stdout-is-a-tty'" /dev/null </dev/null &&
        has /dev/pts/ && has stdout-is-a-tty
}
scn_interactive_tty() {   # docker run -it: what is typed reaches a shell on a terminal
    printf 'echo typed-$((6 * 7)); exit 5\n' |
        conf_run script -qec "docker run -it --rm $IMG sh" /dev/null
    local rc=$?
    has typed-42 && { (( rc == 5 )) || { note "exit status $rc, expected 5"; return 1; }; }
}
scn_no_tty() {   # the other side of the tty check: without -t, no terminal
    conf_run docker run --rm "$IMG" sh -c '[ -t 1 ] && echo stdout-is-a-tty; echo checked' && has checked && lacks stdout-is-a-tty
}
scn_env() { conf_run docker run --rm -e GREETING=bonjour "$IMG" sh -c 'echo "GREETING=$GREETING"' && has GREETING=bonjour; }
scn_workdir() {
    conf_run docker run --rm -w /made/by/docker "$IMG" pwd && [[ $(out) == /made/by/docker ]] || { note "pwd: $(out)"; return 1; }
}
scn_user() {
    conf_run docker run --rm -u 1000:1000 "$IMG" id && has 'uid=1000 gid=1000' &&
        conf_run docker run --rm -u nobody "$IMG" id && has 'uid=65534'
}
scn_read_only() {
    conf_run docker run --rm --read-only --tmpfs /tmp "$IMG" sh -c \
        'touch /in-root 2>/dev/null && echo root-writable; touch /tmp/in-tmpfs && echo tmpfs-writable' &&
        has tmpfs-writable && lacks root-writable
}
scn_cap_drop() {
    conf_run docker run --rm "$IMG" sh -c 'chown 1 /tmp && echo chown-allowed' && has chown-allowed &&
        conf_run docker run --rm --cap-drop CHOWN "$IMG" sh -c 'chown 1 /tmp 2>/dev/null && echo chown-allowed; echo checked' &&
        has checked && lacks chown-allowed
}
scn_cap_add() {
    conf_run docker run --rm "$IMG" sh -c 'ip link set lo mtu 1300 2>/dev/null && echo net-admin; echo checked' &&
        has checked && lacks net-admin &&
        conf_run docker run --rm --cap-add NET_ADMIN "$IMG" sh -c 'ip link set lo mtu 1300 && echo net-admin' && has net-admin
}
scn_privileged() {
    conf_run docker run --rm --privileged "$IMG" sh -c 'mount -t tmpfs none /mnt && echo mounted; ls /dev' &&
        has mounted && has loop-control
}
scn_limits() {
    conf_run docker run --rm -m 64m --cpus 0.5 --pids-limit 64 "$IMG" sh -c \
        'echo mem=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes); echo quota=$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us);
         echo period=$(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us); echo pids=$(cat /sys/fs/cgroup/pids/pids.max)' &&
        has mem=67108864 && has quota=50000 && has period=100000 && has pids=64
}
# docker sends cpu.shares 0 and blockIO.weight 0 for "not set": the cgroup keeps the kernel's defaults
scn_no_limits() {
    conf_run docker run --rm "$IMG" sh -c 'echo shares=$(cat /sys/fs/cgroup/cpu/cpu.shares)' && has shares=1024
}
scn_ulimit() {
    conf_run docker run --rm --ulimit nofile=512:1024 "$IMG" sh -c 'echo soft=$(ulimit -Sn) hard=$(ulimit -Hn)' &&
        has 'soft=512 hard=1024'
}
scn_sysctl() {
    conf_run docker run --rm --sysctl net.ipv4.ip_unprivileged_port_start=42 "$IMG" cat /proc/sys/net/ipv4/ip_unprivileged_port_start &&
        [[ $(out) == 42 ]]
}
scn_shm_size() { conf_run docker run --rm --shm-size 8m "$IMG" df -k /dev/shm && grep -qE '^shm +8192 ' "$LOG"; }
scn_wait() {
    conf_run docker run -d --name wt "$IMG" sh -c 'sleep 1; exit 3' && conf_run docker wait wt && [[ $(out) == 3 ]]
}
scn_cap_drop_all() {
    conf_run docker run --rm --cap-drop ALL "$IMG" grep -E '^Cap(Prm|Eff|Bnd)' /proc/self/status &&
        [[ $(grep -c ':[[:space:]]*0000000000000000$' "$LOG") == 3 ]]
}
scn_no_new_privs() {
    conf_run docker run --rm --security-opt no-new-privileges "$IMG" grep NoNewPrivs /proc/self/status &&
        grep -qE 'NoNewPrivs:[[:space:]]+1' "$LOG"
}
scn_uts_ipc_host() {
    conf_run docker run --rm --uts host --ipc host "$IMG" sh -c 'hostname; readlink /proc/self/ns/ipc' &&
        has "$(hostname)" && has "$(readlink /proc/self/ns/ipc)"
}
scn_device() {
    conf_run docker run --rm --device /dev/null:/dev/xnull "$IMG" sh -c 'stat -c "%F %t:%T" /dev/xnull; echo x >/dev/xnull && echo wrote' &&
        has 'character special file 1:3' && has wrote
}
scn_group_add() { conf_run docker run --rm -u 1000:1000 --group-add 1234 "$IMG" id -G && has 1234; }
scn_oom_score() {
    conf_run docker run --rm --oom-score-adj 500 "$IMG" cat /proc/self/oom_score_adj && [[ $(out) == 500 ]]
}
scn_cpuset() {
    conf_run docker run --rm --cpuset-cpus 0 "$IMG" cat /sys/fs/cgroup/cpuset/cpuset.cpus && [[ $(out) == 0 ]]
}
scn_oom_killed() {
    conf_run docker run --name oom -m 16m --memory-swap 16m "$IMG" tail /dev/zero
    [[ $(docker inspect -f '{{.State.OOMKilled}} {{.State.ExitCode}}' oom) == 'true 137' ]] ||
        { note "state: $(docker inspect -f '{{.State.OOMKilled}} {{.State.ExitCode}}' oom)"; return 1; }
}
scn_net_container() {
    detached netc -- sleep 300 &&
        conf_run docker run --rm --network container:netc "$IMG" readlink /proc/self/ns/net &&
        [[ $(out) == "$(readlink "/proc/$(docker inspect -f '{{.State.Pid}}' netc)/ns/net")" ]]
}
scn_named_volume() {
    conf_run docker run --rm -v gocker-vol:/data "$IMG" sh -c 'echo kept >/data/f' &&
        conf_run docker run --rm -v gocker-vol:/data "$IMG" cat /data/f && [[ $(out) == kept ]]
}
scn_hostname() { conf_run docker run --rm --hostname gocker-box "$IMG" hostname && [[ $(out) == gocker-box ]]; }
scn_volume() {
    mkdir -p "$D/vol" && echo from-host >"$D/vol/in" &&
        conf_run docker run --rm -v "$D/vol:/data" "$IMG" sh -c 'cat /data/in; echo from-container >/data/out' &&
        has from-host && [[ $(cat "$D/vol/out" 2>/dev/null) == from-container ]] &&
        conf_run docker run --rm -v "$D/vol:/data:ro" "$IMG" sh -c 'echo x >/data/out2 2>/dev/null && echo wrote; echo checked' &&
        has checked && lacks wrote
}
scn_init() {
    conf_run docker run --rm --init "$IMG" sh -c 'echo "pid1=$(tr "\0" " " </proc/1/cmdline)"; echo "mypid=$$"' &&
        has 'pid1=/sbin/docker-init' && lacks 'mypid=1'
}
scn_pid_host() {
    conf_run docker run --rm --pid host "$IMG" readlink /proc/self/ns/pid && has "$HOST_PIDNS" &&
        conf_run docker run --rm "$IMG" readlink /proc/self/ns/pid && lacks "$HOST_PIDNS"
}
scn_detached_ps_logs() {
    detached det -- sh -c 'echo hello-detached; exec sleep 300' &&
        conf_run docker ps --filter name=det --format '{{.Names}} {{.Status}}' && has 'det Up' &&
        wait_for 10 logs_have det hello-detached && conf_run docker logs det && has hello-detached
}
# The runtime under test holds the container: docker's shim gives it --root EXEC-ROOT/runtime-runc/moby.
scn_runtime_state() {
    local id; id=$(docker inspect -f '{{.Id}}' det) &&
        conf_run "$RUNTIME" --root "$D/docker/exec/runtime-runc/moby" state "$id" &&
        grep -qE '"status": *"running"' "$LOG"
}
scn_exec() { conf_run docker exec det sh -c 'echo exec-in-$(hostname)' && has exec-in-; }
scn_top() { conf_run docker top det && has 'sleep 300'; }
scn_pause() {
    conf_run docker pause det && state_is det paused && [[ $(cg freezer det freezer.state) == FROZEN ]] ||
        { note "paused: state $(docker inspect -f '{{.State.Status}}' det), freezer $(cg freezer det freezer.state)"; return 1; }
    conf_run docker unpause det && state_is det running && [[ $(cg freezer det freezer.state) == THAWED ]] ||
        { note "unpaused: state $(docker inspect -f '{{.State.Status}}' det), freezer $(cg freezer det freezer.state)"; return 1; }
}
scn_update() {
    detached upd -m 64m --memory-swap 256m -- sleep 300 &&
        [[ $(cg memory upd memory.limit_in_bytes) == 67108864 ]] &&
        conf_run docker update -m 128m upd &&
        [[ $(cg memory upd memory.limit_in_bytes) == 134217728 ]] ||
        { note "memory.limit_in_bytes: $(cg memory upd memory.limit_in_bytes)"; return 1; }
}
scn_kill_signal() {
    detached sig -- sh -c 'trap "echo got-usr1" USR1; echo ready; while :; do sleep 0.2; done' &&
        wait_for 10 logs_have sig ready && conf_run docker kill -s USR1 sig &&
        wait_for 10 logs_have sig got-usr1 || { note "logs: $(docker logs sig 2>&1)"; return 1; }
}
scn_stop() {
    detached stp -- sh -c 'trap "echo got-term; exit 7" TERM; echo ready; while :; do sleep 0.2; done' &&
        wait_for 10 logs_have stp ready && conf_run docker stop -t 20 stp && state_is stp exited &&
        [[ $(docker inspect -f '{{.State.ExitCode}}' stp) == 7 ]] && logs_have stp got-term ||
        { note "state $(docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' stp); logs: $(docker logs stp 2>&1)"; return 1; }
}
scn_restart() {
    detached rst -- sh -c 'echo started; trap "exit 0" TERM; while :; do sleep 0.2; done' &&
        wait_for 10 logs_have rst started &&
        conf_run docker restart -t 20 rst && wait_for 30 state_is rst running &&
        wait_for 10 eval '[[ $(docker logs rst 2>&1 | grep -c started) == 2 ]]' ||
        { note "state $(docker inspect -f '{{.State.Status}}' rst); logs: $(docker logs rst 2>&1)"; return 1; }
}
scn_rm_force() {
    detached rmf -- sleep 300 || return 1
    local id; id=$(docker inspect -f '{{.Id}}' rmf)
    local pid; pid=$(docker inspect -f '{{.State.Pid}}' rmf)
    conf_run docker rm -f rmf && ! docker inspect rmf >/dev/null 2>&1 &&
        wait_for 10 eval "! kill -0 $pid" && [[ ! -e /sys/fs/cgroup/memory$CGROUP_PARENT/$id ]] ||
        { note "after rm -f: pid $pid $(kill -0 "$pid" 2>/dev/null && echo alive), cgroup $(ls -d /sys/fs/cgroup/*$CGROUP_PARENT/$id 2>/dev/null)"; return 1; }
}
scn_net_none() { conf_run docker run --rm --network none "$IMG" ls /sys/class/net && [[ $(out) == lo ]] || { note "links: $(out)"; return 1; }; }
scn_net_host() {
    conf_run docker run --rm --network host "$IMG" sh -c 'readlink /proc/self/ns/net; ls /sys/class/net' &&
        has "$MY_NETNS" && has docker0
}
# http_get PORT: GET / from 127.0.0.1:PORT with bash's /dev/tcp (no client needed on the host)
http_get() {
    timeout 5 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && printf "GET / HTTP/1.0\r\n\r\n" >&3 && cat <&3' _ "$1"
}
page_served() { http_get "$1" | grep -q served-by-gocker-httpd; }
scn_bridge_port() {
    detached web -p 18080:80 -- sh -c 'mkdir -p /www && echo served-by-gocker-httpd >/www/index.html && exec httpd -f -p 80 -h /www' &&
        conf_run docker inspect -f '{{.NetworkSettings.IPAddress}}' web && grep -q '^172\.' "$LOG" &&
        wait_for 20 page_served 18080 && http_get 18080 >"$LOG" 2>&1 && has served-by-gocker-httpd
}

# CONF_DOCKER_ONLY=REGEX runs only the scenarios whose description matches (the others are not counted).
selected() { [[ -z ${CONF_DOCKER_ONLY:-} || $1 =~ $CONF_DOCKER_ONLY ]]; }
check() { selected "$1" && conf_check "$@"; }
check_exec() {   # a scenario that needs the runtime's exec
    selected "$1" || return 0
    if [[ -n $EXEC_XFAIL ]]; then conf_xfail "$1" "$EXEC_XFAIL" "${@:2}"; else conf_check "$@"; fi
}

# ---------------------------------------------------------------------------------------------
conf_check "dockerd's default runtime is gocker ($RUNTIME)" \
    conf_expect_output "gocker" docker info -f '{{.DefaultRuntime}}'
check "run: output"                                  scn_output
check "docs/integrations.md: docker run --runtime gocker" scn_documented_run
check "docker info reads the runtime's commit (--version)" scn_runtime_commit
check "run: exit code 42"                            scn_exit_code
check "run -i: stdin reaches the container"          scn_stdin
check "run -t: a terminal (under script)"            scn_tty
check "run -it: an interactive shell on a terminal"  scn_interactive_tty
check "run without -t: no terminal"                  scn_no_tty
check "run -e: environment"                          scn_env
check "run -w: working directory (created)"          scn_workdir
check "run -u: uid:gid and user name"                scn_user
check "run --read-only --tmpfs /tmp"                 scn_read_only
check "run --cap-drop CHOWN"                         scn_cap_drop
check "run --cap-add NET_ADMIN"                      scn_cap_add
if [[ -n ${CONF_DOCKER_FORCE_PRIVILEGED:-} ]] || (( $(( 0x$(awk '/^CapBnd/ {print $2}' /proc/self/status) )) == (1 << ($(cat /proc/sys/kernel/cap_last_cap) + 1)) - 1 )); then
    check "run --privileged"                         scn_privileged
else
    selected "run --privileged" && conf_skip "run --privileged" "this host's capability bounding set lacks some capabilities ($(awk '/^CapBnd/ {print $2}' /proc/self/status)); docker asks for all of them"
fi
check "run -m/--cpus/--pids-limit: in the container's cgroup" scn_limits
check "run without limits: cpu.shares stays 1024"   scn_no_limits
check "run --ulimit nofile=512:1024"                 scn_ulimit
check "run --sysctl (a network namespace sysctl)"    scn_sysctl
check "run --shm-size 8m"                            scn_shm_size
check "run -d, then wait gives the exit code"        scn_wait
check "run --cap-drop ALL: no capability left"      scn_cap_drop_all
check "run --security-opt no-new-privileges"         scn_no_new_privs
check "run --uts host --ipc host"                    scn_uts_ipc_host
check "run --device /dev/null:/dev/xnull"            scn_device
check "run --group-add"                              scn_group_add
check "run --oom-score-adj 500"                      scn_oom_score
check "run --cpuset-cpus 0 (in the cgroup)"          scn_cpuset
check "run -m 16m: OOM kill seen by docker"          scn_oom_killed
check "run --network container:NAME"                 scn_net_container
check "run -v NAMED:/data persists"                  scn_named_volume
check "run --hostname"                               scn_hostname
check "run -v: read-write and :ro volumes"           scn_volume
check "run --init: docker-init is pid 1"             scn_init
check "run --pid host"                               scn_pid_host
check "run -d, ps, logs"                             scn_detached_ps_logs
check "the runtime's own state says running"         scn_runtime_state
check_exec "exec in a running container"             scn_exec
check "top"                                          scn_top
check "pause and unpause (freezer state)"            scn_pause
check "update -m (memory.limit_in_bytes)"            scn_update
check "kill -s USR1: the container's trap sees it"   scn_kill_signal
check "stop: TERM reaches the trap, exit code kept"  scn_stop
check "restart"                                      scn_restart
check "rm -f of a running container"                 scn_rm_force
check "network none: only lo"                        scn_net_none
check "network host: dockerd's network namespace"    scn_net_host
check "bridge network, -p 18080:80 reached at 127.0.0.1:18080" scn_bridge_port
rm_ctr det upd sig stp rst rmf web wt oom netc

# ---------------------------------------------------------------------------------------------
# Tear-down, checked: nothing of this run may be left once dockerd and containerd are stopped.
scn_no_container() { conf_run docker ps -a --format "{{.Names}} {{.Status}}" && [[ ! -s $LOG ]]; }
# Our daemons, their shims and proxies (they all live in this run's private network namespace),
# and whatever is still in a container cgroup of this run.
leftover_pids() {
    local p comm
    for p in /proc/[0-9]*; do
        [[ $(readlink "$p/ns/net" 2>/dev/null) == "$MY_NETNS" ]] || continue
        comm=$(<"$p/comm") 2>/dev/null || continue
        [[ $comm =~ ^(dockerd|containerd|containerd-shim|docker-proxy|docker-init)$ ]] && echo "${p#/proc/} $comm"
    done
    cat /sys/fs/cgroup/*"$CGROUP_PARENT"/*/cgroup.procs 2>/dev/null | sed 's/$/ (in a container cgroup)/'
}
no_leftover_pids() { [[ -z $(leftover_pids) ]]; }
scn_no_process() {
    wait_for 10 no_leftover_pids && return 0
    note "left running: $(leftover_pids | tr '\n' ',')"
    return 1
}
scn_no_cgroup() {
    local left; left=$(find /sys/fs/cgroup/*"$CGROUP_PARENT" -mindepth 1 -type d 2>/dev/null)
    [[ -z $left ]] || note "container cgroups left: $left"
    [[ -z $left ]]
}
conf_check "teardown: docker ps -a is empty"            scn_no_container
stop_daemons
conf_check "teardown: no daemon, shim or container process left" scn_no_process
conf_check "teardown: no container cgroup left under $CGROUP_PARENT" scn_no_cgroup
kill_shims_and_containers
remove_cgroups
conf_summary
