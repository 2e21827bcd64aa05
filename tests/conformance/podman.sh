#!/bin/bash
# Client conformance: podman 4.3 (through conmon 2.1) and buildah 1.28 (`run`, `bud`) from Debian,
# each pointed at the built runtime: podman through the containers.conf runtime table of
# docs/integrations.md (podman --runtime gocker), buildah with --runtime PATH.
#
#   sudo tests/conformance/podman.sh                          # the built build/gocker-runtime
#   sudo GOCKER_RUNTIME=/usr/sbin/runc tests/conformance/podman.sh   # check the scenarios
#   sudo CONF_PODMAN_ONLY='pause|buildah' tests/conformance/podman.sh   # only the matching scenarios
#
# environment: GOCKER_RUNTIME=PATH    the runtime to test (default build/gocker-runtime)
#              EXEC_XFAIL=REASON      the exec scenarios become expected failures
#              CONF_PODMAN_ONLY=REGEX only the scenarios whose description matches (and the
#                                     final clean-up check)
#              CONF_TIMEOUT=SECONDS   for each client command (default 120)
#
# Everything runs in a private mount + network namespace (lib/common.sh): podman's storage, run
# root, containers.conf, network config and events live under $CONF_TMP; the bridge network and
# its firewall rules exist only in the private network namespace; published ports are reached on
# 127.0.0.1 of that namespace. Prints one line per scenario and ends with "N passed, M failed".
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/common.sh
source "$HERE/lib/common.sh"

# The scenarios that need the runtime's `exec` are plain checks. EXEC_XFAIL="reason" in the
# environment makes them expected failures, for a runtime under test that has no exec.
EXEC_XFAIL=${EXEC_XFAIL-}

PACKAGES=(podman buildah conmon catatonit netavark aardvark-dns iptables uidmap bsdutils)   # bsdutils: script(1)

# The packages come from the network, which the private namespace does not have: install first.
if [[ -z ${_CONF_IN_NS:-} ]]; then
    # shellcheck disable=SC2034  # read by lib/common.sh
    CONF_NAME=podman
    (( EUID == 0 )) || conf_die "must run as root"
    conf_install_packages "${PACKAGES[@]}" || conf_die "installing ${PACKAGES[*]} failed"
fi
conf_init podman "$@"
SECONDS=0

RT=$(conf_runtime)
# conmon writes files such as "oom" into its working directory: keep them in the run's own.
cd "$CONF_TMP" || conf_die "cd $CONF_TMP"
LOG=$CONF_TMP/last.log
IMG=localhost/conf/busybox:latest
COPYUP_IMG=localhost/conf/busybox-copyup:latest
BUD_IMG=localhost/conf/bud:latest
SCRIPT_PID=$$

# Podman raises the containers' RLIMIT_NOFILE and RLIMIT_NPROC to 1048576 by default; this sandbox
# has no CAP_SYS_RESOURCE, so no runtime can raise a hard limit. Containers get the suite's own
# limits instead (podman itself caps its RLIMIT_NPROC at 32768, so the suite starts below that).
NOFILE=$(ulimit -Hn)
NPROC=$(ulimit -Hu)
[[ $NPROC == unlimited ]] || (( NPROC > 32768 )) && NPROC=32768
ulimit -u "$NPROC" || conf_die "cannot set RLIMIT_NPROC to $NPROC"

mkdir -p "$CONF_TMP"/{storage,runroot,networks,tmp,vol,bud,scratch}
# buildah writes its bundles to $TMPDIR (else /var/tmp), podman its scratch files.
export TMPDIR=$CONF_TMP/scratch
cat >"$CONF_TMP/containers.conf" <<EOF
[containers]
log_driver = "k8s-file"
default_ulimits = ["nofile=$NOFILE:$NOFILE", "nproc=$NPROC:$NPROC"]
init_path = "/usr/bin/catatonit"

[network]
network_backend = "netavark"
network_config_dir = "$CONF_TMP/networks"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$CONF_TMP/events.log"
tmp_dir = "$CONF_TMP/tmp"

EOF
# The runtime: the documented [engine.runtimes] table, and its name for podman --runtime.
runtimes_table=$(conf_doc_snippet podman-containers-conf "$RT") || exit 1
printf '%s\n' "$runtimes_table" >>"$CONF_TMP/containers.conf"
RT_NAME=$(awk -F' *= *' '/^\[engine.runtimes\]/ { on = 1; next } on && NF { print $1; exit }' <<<"$runtimes_table")
[[ -n $RT_NAME ]] || conf_die "no runtime name in the [engine.runtimes] snippet of docs/integrations.md"
export CONTAINERS_CONF=$CONF_TMP/containers.conf
export CONTAINERS_STORAGE_CONF=$CONF_TMP/storage.conf
cat >"$CONTAINERS_STORAGE_CONF" <<EOF
[storage]
driver = "overlay"
graphroot = "$CONF_TMP/storage"
runroot = "$CONF_TMP/runroot"
EOF
export CONTAINERS_REGISTRIES_CONF=$CONF_TMP/registries.conf
: >"$CONTAINERS_REGISTRIES_CONF"

PODMAN=(podman --root "$CONF_TMP/storage" --runroot "$CONF_TMP/runroot" --storage-driver overlay
        --runtime "$RT_NAME" --cgroup-manager cgroupfs --events-backend file)
BUILDAH=(buildah --root "$CONF_TMP/storage" --runroot "$CONF_TMP/runroot" --storage-driver overlay)

# ---- helpers -------------------------------------------------------------------------------

begin() { : >"$LOG"; }
say() { printf '%s\n' "$*" >>"$LOG"; }

# out CMD...: CMD under the suite timeout; its stdout goes to stdout and to the log, its stderr
# to the log only. Returns CMD's status.
out() {
    printf '+ %s\n' "$*" >>"$LOG"
    timeout --kill-after=10 "$CONF_TIMEOUT" "$@" 2>>"$LOG" | tee -a "$LOG"
    return "${PIPESTATUS[0]}"
}
pm() { out "${PODMAN[@]}" "$@"; }
bah() { out "${BUILDAH[@]}" "$@"; }

want_eq() { [[ $2 == "$1" ]] || { say "expected '$1', got '$2'"; return 1; }; }
want_has() { [[ $2 == *"$1"* ]] || { say "expected output containing '$1', got '$2'"; return 1; }; }

# wait_until SECONDS CMD...: polls CMD (quietly) every 0.2 s until it succeeds.
wait_until() {
    local deadline=$(( SECONDS + $1 )); shift
    until "$@" >/dev/null 2>&1; do
        (( SECONDS < deadline )) || { say "timed out waiting for: $*"; return 1; }
        sleep 0.2
    done
}
logs_have() { "${PODMAN[@]}" logs "$1" 2>&1 | grep -qF -- "$2"; }
status_is() { [[ $("${PODMAN[@]}" inspect -f '{{.State.Status}}' "$1" 2>/dev/null) == "$2" ]]; }
cpid() { "${PODMAN[@]}" inspect -f '{{.State.Pid}}' "$1"; }

# cg_file CONTAINER CONTROLLER FILE: the value of FILE in the cgroup of the container's init,
# read from the host's hierarchy of CONTROLLER (cgroup v1 here; the unified one otherwise).
cg_file() {
    local pid path
    pid=$(cpid "$1") || return 1
    path=$(awk -F: -v c="$2" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$pid/cgroup")
    if [[ -n $path && -e /sys/fs/cgroup/$2$path/$3 ]]; then
        cat "/sys/fs/cgroup/$2$path/$3"
    else
        path=$(awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup")
        cat "/sys/fs/cgroup/unified$path/$3" 2>/dev/null || cat "/sys/fs/cgroup$path/$3"
    fi
}

# run_detached NAME ARGS...: podman run -d --name NAME ARGS, removed at the end of the suite.
run_detached() { local name=$1; shift; pm run -d --name "$name" "$@" >/dev/null; }

# The cgroup directories podman's containers live in (libpod_parent/libpod-<id>) and buildah's
# ($BUILDAH_CG, given to buildah as --cgroup-parent below).
container_cgroups() {
    find /sys/fs/cgroup -mindepth 2 -maxdepth 4 -type d \( -name 'libpod-*' -o -name "${BUILDAH_CG#/}" \) 2>/dev/null | sort
}
BUILDAH_CG=/gocker-conformance-podman-buildah-$$

# check DESC FN / xfail DESC REASON FN: conf_check / conf_xfail, for the scenarios that
# CONF_PODMAN_ONLY selects.
selected() { [[ -z ${CONF_PODMAN_ONLY:-} || $1 =~ $CONF_PODMAN_ONLY ]]; }
check() { selected "$1" && conf_check "$@"; return 0; }
xfail() { selected "$1" && conf_xfail "$@"; return 0; }
# exec_check DESC FN: a scenario that needs the runtime's exec.
exec_check() {
    if [[ -n $EXEC_XFAIL ]]; then xfail "$1" "$EXEC_XFAIL" "$2"; else check "$1" "$2"; fi
}

# ---- clean-up (runs even when a client hangs) ---------------------------------------------

# Podman's own parent cgroups (libpod_parent and its conmon child) are removed only if this run
# made them.
PARENT_CGROUPS_BEFORE=$(find /sys/fs/cgroup -mindepth 2 -maxdepth 3 -type d -path '*/libpod_parent*' 2>/dev/null | sort)
cleanup_cgroups() {
    local d
    while read -r d; do
        [[ -n $d ]] || continue
        grep -qxF -- "$d" <<<"$PARENT_CGROUPS_BEFORE" || rmdir "$d" 2>/dev/null
    done < <(find /sys/fs/cgroup -mindepth 2 -maxdepth 3 -type d -path '*/libpod_parent*' 2>/dev/null | sort -r)
    rmdir /sys/fs/cgroup/*"$BUILDAH_CG" 2>/dev/null
    return 0
}
# Processes started from this suite's state (conmon, containers' processes) are killed by PID.
suite_pids() {
    local p
    for p in /proc/[0-9]*; do
        p=${p#/proc/}
        (( p == SCRIPT_PID || p == BASHPID )) && continue
        tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline" | grep -qF -- "$CONF_TMP" && echo "$p"
    done
}
kill_suite_pids() { local p; for p in $(suite_pids); do kill -9 "$p" 2>/dev/null; done; }
unmount_suite() {
    local m
    while read -r m; do umount -l "$m" 2>/dev/null; done < <(awk -v t="$CONF_TMP" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo | sort -r)
}
conf_on_exit unmount_suite
conf_on_exit cleanup_cgroups
conf_on_exit kill_suite_pids
conf_on_exit timeout 60 "${BUILDAH[@]}" rm --all
conf_on_exit timeout 120 "${PODMAN[@]}" rm --all --force --time 0

# ---- images ------------------------------------------------------------------------------

conf_log "runtime $RT; podman $(podman --version | awk '{print $3}'), buildah $(buildah --version | awk '{print $3}')"
conf_rootfs_tar "$CONF_TMP/rootfs.tar"
conf_run "${PODMAN[@]}" import "$CONF_TMP/rootfs.tar" "$IMG" || { cat "$LOG" >&2; conf_die "podman import failed"; }
# The same image with a file in /tmp (owner 1234, mode 0640), for --read-only's tmpcopyup.
mkdir -p "$CONF_TMP/copyup/tmp"
echo copied-up >"$CONF_TMP/copyup/tmp/marker"
chown 1234:1234 "$CONF_TMP/copyup/tmp/marker"
chmod 0640 "$CONF_TMP/copyup/tmp/marker"
cp "$CONF_TMP/rootfs.tar" "$CONF_TMP/copyup.tar"
tar -C "$CONF_TMP/copyup" --numeric-owner -rf "$CONF_TMP/copyup.tar" ./tmp/marker
conf_run "${PODMAN[@]}" import "$CONF_TMP/copyup.tar" "$COPYUP_IMG" || { cat "$LOG" >&2; conf_die "podman import (copyup image) failed"; }
CGROUPS_BEFORE=$(container_cgroups)

# ---- podman: run ---------------------------------------------------------------------------

s_info() {
    begin
    local o; o=$(pm info --format '{{.Host.OCIRuntime.Path}}') || return 1
    want_eq "$RT" "$o"
}
check "podman info names the runtime under test" s_info

# The proof command of docs/integrations.md, with this suite's storage and image.
s_documented_run() {
    begin
    local cmd; cmd=$(conf_doc_snippet podman-run "$RT") || return 1
    [[ $cmd == "podman --runtime $RT_NAME "*" busybox "* ]] || { say "unexpected snippet: $cmd"; return 1; }
    cmd=${cmd/#podman /$(printf '%q ' "${PODMAN[@]}")}
    local o; o=$(out bash -c "${cmd/ busybox / $IMG }") || return 1
    want_eq "hello from gocker" "$o"
}
check "docs/integrations.md: podman --runtime gocker run" s_documented_run

s_output() {
    begin
    local o; o=$(pm run --rm "$IMG" echo hello from podman) || return 1
    want_eq "hello from podman" "$o"
}
check "run: output" s_output

s_exit_code() {
    begin
    local rc=0; pm run --rm "$IMG" sh -c 'exit 3' || rc=$?
    want_eq 3 "$rc"
}
check "run: exit code 3 comes back" s_exit_code

s_stdin() {
    begin
    local o; o=$(printf 'one\ntwo\nthree\n' | pm run -i --rm "$IMG" sh -c 'wc -l | tr -d " "') || return 1
    want_eq 3 "$o"
}
check "run -i: stdin from a pipe" s_stdin

s_tty() {
    begin
    local cmd o
    cmd=$(printf '%q ' "${PODMAN[@]}" run -it --rm "$IMG" sh -c '[ -t 0 ] && [ -t 1 ] && echo "is-a-tty $(tty)"')
    o=$(out script -qec "$cmd" /dev/null </dev/null | tr -d '\r') || return 1
    want_has "is-a-tty /dev/pts/0" "$o"
}
check "run -it: a terminal (through script)" s_tty

s_env() {
    begin
    local o; o=$(pm run --rm -e CONF_A=1 -e 'CONF_B=two words' "$IMG" sh -c 'echo "$CONF_A|$CONF_B"') || return 1
    want_eq "1|two words" "$o"
}
check "run -e: environment" s_env

s_workdir() {
    begin
    local o; o=$(pm run --rm -w /usr/sbin "$IMG" pwd) || return 1
    want_eq /usr/sbin "$o"
}
check "run -w: working directory" s_workdir

s_user() {
    begin
    local o; o=$(pm run --rm --user 1234:5678 --group-add 4321 "$IMG" sh -c 'echo "$(id -u) $(id -g) $(id -G)"') || return 1
    want_eq "1234 5678 5678 4321" "$o"
}
check "run --user uid:gid --group-add" s_user

s_hostname() {
    begin
    local o; o=$(pm run --rm --hostname conf-host "$IMG" sh -c 'hostname; cat /etc/hostname') || return 1
    want_eq $'conf-host\nconf-host' "$o"
}
check "run --hostname" s_hostname

s_missing_command() {
    begin
    local rc=0; pm run --rm "$IMG" /no/such/program || rc=$?
    want_eq 127 "$rc" || return 1
    grep -q '/no/such/program' "$LOG" || { say "the reason does not name the program"; return 1; }
}
check "run of a missing program: exit code 127 and the reason" s_missing_command

s_ulimit() {
    begin
    local o; o=$(pm run --rm --ulimit nofile=1000:1500 --ulimit "nproc=$NPROC:$NPROC" "$IMG" sh -c 'echo "$(ulimit -Sn) $(ulimit -Hn)"') || return 1
    want_eq "1000 1500" "$o"
}
check "run --ulimit nofile=1000:1500" s_ulimit

s_sysctl() {
    begin
    local o; o=$(pm run --rm --sysctl net.ipv4.ip_unprivileged_port_start=1234 --sysctl kernel.shmmni=1000 "$IMG" sh -c 'cat /proc/sys/net/ipv4/ip_unprivileged_port_start /proc/sys/kernel/shmmni') || return 1
    want_eq $'1234\n1000' "$o"
}
check "run --sysctl (network and ipc namespaced)" s_sysctl

s_tmpfs() {
    begin
    local o; o=$(pm run --rm --tmpfs /scratch:size=2m,mode=1770 "$IMG" sh -c 'grep " /scratch " /proc/mounts | cut -d" " -f3; stat -c %a /scratch; df -k /scratch | awk "NR==2 {print \$2}"') || return 1
    want_eq $'tmpfs\n1770\n2048' "$o"
}
check "run --tmpfs /scratch:size=2m,mode=1770" s_tmpfs

s_uidmap() {
    begin
    local o; o=$(pm run --rm --uidmap 0:100000:65536 --gidmap 0:100000:65536 "$IMG" sh -c 'cat /proc/self/uid_map /proc/self/gid_map | tr -s " " | sed "s/^ //"; id -u; stat -c %u /bin/busybox') || return 1
    want_eq $'0 100000 65536\n0 100000 65536\n0\n0' "$o"
}
check "run --uidmap/--gidmap: a user namespace, the image owned by its root" s_uidmap

s_oom() {
    begin
    local rc=0
    local o
    o=$(pm run --rm --memory 16m --memory-swap 16m "$IMG" sh -c 'a=$(head -c 67108864 /dev/zero | tr "\\0" x); echo "survived ${#a}"') || rc=$?
    # (conmon 2.1 on cgroup v1 does not report OOMKilled here, with runc either.)
    want_eq 137 "$rc" || return 1
    want_eq "" "$o"
}
check "run --memory 16m of a program that needs more: killed, exit code 137" s_oom

s_read_only() {
    begin
    local o
    o=$(pm run --rm --read-only "$IMG" sh -c 'touch /rootfile 2>/dev/null && echo root-writable || echo root-read-only; touch /tmp/f /run/f /var/tmp/f && echo tmpfs-writable') || return 1
    want_eq $'root-read-only\ntmpfs-writable' "$o"
}
check "run --read-only: read-only root, writable /tmp /run /var/tmp" s_read_only

s_tmpcopyup() {
    begin
    local o; o=$(pm run --rm --read-only "$COPYUP_IMG" sh -c 'stat -c "%u %a" /tmp/marker; cat /tmp/marker; grep " /tmp " /proc/mounts | cut -d" " -f3') || return 1
    want_eq $'1234 640\ncopied-up\ntmpfs' "$o"
}
check "run --read-only: the tmpfs on /tmp holds the image's /tmp (tmpcopyup, owner and mode kept)" s_tmpcopyup

s_cap_drop() {
    begin
    local o
    o=$(pm run --rm "$IMG" sh -c 'touch /f && chown 1 /f && echo chown-ok') || return 1
    want_eq chown-ok "$o" || return 1
    o=$(pm run --rm --cap-drop CHOWN "$IMG" sh -c 'touch /f; chown 1 /f 2>/dev/null && echo chown-ok || echo chown-denied; c=$(sed -n "s/^CapEff:\t//p" /proc/self/status); echo $(( 0x$c & 1 ))') || return 1
    want_eq $'chown-denied\n0' "$o"
}
check "run --cap-drop CHOWN: chown denied (allowed without it)" s_cap_drop

s_cap_add() {
    begin
    local o
    o=$(pm run --rm --network none "$IMG" sh -c 'ip link set lo mtu 1400 2>/dev/null && echo set || echo denied') || return 1
    want_eq denied "$o" || return 1
    o=$(pm run --rm --network none --cap-add NET_ADMIN "$IMG" sh -c 'ip link set lo mtu 1400 && cat /sys/class/net/lo/mtu') || return 1
    want_eq 1400 "$o"
}
check "run --cap-add NET_ADMIN: link MTU can be set (denied without it)" s_cap_add

s_privileged() {
    begin
    local o host_bnd
    host_bnd=$(sed -n 's/^CapBnd:\t//p' /proc/self/status)
    o=$(pm run --rm --privileged "$IMG" sh -c 'sed -n "s/^CapEff:\t//p" /proc/self/status; [ -c /dev/loop-control ] && echo host-devices; ip link set lo mtu 1400 && echo net-admin') || return 1
    want_eq "$host_bnd"$'\nhost-devices\nnet-admin' "$o"
}
check "run --privileged: every capability of the host's bounding set, host devices" s_privileged

# ---- podman: limits, update --------------------------------------------------------------

limits_container() { run_detached conf-limits --memory 64m --cpus 0.5 --pids-limit 123 "$IMG" sleep 1000; }
s_limits_host() {
    begin
    limits_container || return 1
    local mem quota period pids
    mem=$(cg_file conf-limits memory memory.limit_in_bytes)
    quota=$(cg_file conf-limits cpu cpu.cfs_quota_us)
    period=$(cg_file conf-limits cpu cpu.cfs_period_us)
    pids=$(cg_file conf-limits pids pids.max)
    say "memory.limit_in_bytes=$mem cpu.cfs_quota_us=$quota cpu.cfs_period_us=$period pids.max=$pids"
    want_eq "67108864 50000 100000 123" "$mem $quota $period $pids"
}
check "run --memory 64m --cpus 0.5 --pids-limit 123: values in the container's cgroup" s_limits_host

s_limits_inside() {
    begin
    local o
    o=$(pm run --rm --memory 64m --pids-limit 123 "$IMG" sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max') || return 1
    want_eq $'67108864\n123' "$o"
}
check "run --memory --pids-limit: the limits visible inside the container (/sys/fs/cgroup)" s_limits_inside

s_update() {
    begin
    "${PODMAN[@]}" container exists conf-limits || limits_container || return 1
    status_is conf-limits running || { say "conf-limits is not running"; return 1; }
    pm update --memory 128m --cpus 1.5 conf-limits >/dev/null || return 1
    local mem quota
    mem=$(cg_file conf-limits memory memory.limit_in_bytes)
    quota=$(cg_file conf-limits cpu cpu.cfs_quota_us)
    say "memory.limit_in_bytes=$mem cpu.cfs_quota_us=$quota"
    want_eq "134217728 150000" "$mem $quota"
}
check "update --memory 128m --cpus 1.5: new values in the cgroup" s_update

# ---- podman: detached containers ---------------------------------------------------------

# conf-detached: the container that top, exec, pause and unpause work on.
detached_container() {
    "${PODMAN[@]}" container exists conf-detached ||
        run_detached conf-detached "$IMG" sh -c 'echo started-detached; exec sleep 1000'
}
s_detached() {
    begin
    detached_container || return 1
    wait_until 10 status_is conf-detached running || return 1
    local o
    o=$(pm ps --filter name=conf-detached --format '{{.Names}} {{.Status}}') || return 1
    want_has "conf-detached Up" "$o" || return 1
    wait_until 10 logs_have conf-detached started-detached
}
check "run -d, then ps and logs" s_detached

s_wait() {
    begin
    run_detached conf-wait "$IMG" sh -c 'sleep 1; exit 9' || return 1
    local o; o=$(pm wait conf-wait) || return 1
    want_eq 9 "$o"
}
check "run -d, then wait: exit code 9" s_wait

s_top() {
    begin
    detached_container || return 1
    local o; o=$(pm top conf-detached pid args) || return 1
    want_has "sleep 1000" "$o"
}
check "top" s_top

s_exec() {
    begin
    detached_container || return 1
    local o; o=$(pm exec conf-detached sh -c 'echo exec-ok; hostname') || return 1
    want_has exec-ok "$o"
}
s_exec_status() {
    begin
    detached_container || return 1
    local rc=0; pm exec conf-detached sh -c 'exit 6' || rc=$?
    want_eq 6 "$rc"
}
s_healthcheck() {
    begin
    run_detached conf-health --health-cmd 'test -e /tmp/healthy' --health-interval 0 "$IMG" sh -c 'touch /tmp/healthy; exec sleep 1000' || return 1
    pm healthcheck run conf-health >/dev/null
}
s_exec_tty() {
    begin
    detached_container || return 1
    local cmd o
    cmd=$(printf '%q ' "${PODMAN[@]}" exec -it conf-detached sh -c '[ -t 0 ] && echo is-a-tty')
    o=$(out script -qec "$cmd" /dev/null </dev/null | tr -d '\r') || return 1
    want_has is-a-tty "$o"
}
exec_check "exec: output" s_exec
exec_check "exec: exit code" s_exec_status
exec_check "exec -it: a terminal" s_exec_tty
exec_check "healthcheck run (an exec)" s_healthcheck

s_pause() {
    begin
    detached_container || return 1
    pm pause conf-detached >/dev/null || return 1
    local st frozen
    st=$("${PODMAN[@]}" inspect -f '{{.State.Status}}' conf-detached)
    frozen=$(cg_file conf-detached freezer freezer.state 2>/dev/null || cg_file conf-detached freezer cgroup.freeze)
    say "status=$st freezer=$frozen"
    want_eq "paused" "$st" || return 1
    [[ $frozen == FROZEN || $frozen == 1 ]] || { say "the cgroup is not frozen"; return 1; }
    pm unpause conf-detached >/dev/null || return 1
    st=$("${PODMAN[@]}" inspect -f '{{.State.Status}}' conf-detached)
    frozen=$(cg_file conf-detached freezer freezer.state 2>/dev/null || cg_file conf-detached freezer cgroup.freeze)
    say "status=$st freezer=$frozen"
    want_eq running "$st" || return 1
    [[ $frozen == THAWED || $frozen == 0 ]] || { say "the cgroup is still frozen"; return 1; }
}
check "pause and unpause (freezer state in the cgroup)" s_pause

s_kill_usr1() {
    begin
    run_detached conf-trap "$IMG" sh -c 'trap "echo got-USR1" USR1; echo ready; while :; do sleep 0.1; done' || return 1
    wait_until 10 logs_have conf-trap ready || return 1
    pm kill -s USR1 conf-trap >/dev/null || return 1
    wait_until 10 logs_have conf-trap got-USR1 || return 1
    status_is conf-trap running || { say "the container did not survive USR1"; return 1; }
}
check "kill -s USR1: the container's trap sees it" s_kill_usr1

# stop_and_expect NAME TRAP_ACTION TIMEOUT WANT [RUN OPTIONS...]: a container whose shell runs
# `trap TRAP_ACTION TERM` is stopped with `podman stop -t TIMEOUT`; then its "status exit-code"
# must be WANT.
stop_and_expect() {
    local name=$1 action=$2 t=$3 want=$4; shift 4
    run_detached "$name" "$@" "$IMG" sh -c "trap '$action' TERM; echo ready; while :; do sleep 0.1; done" || return 1
    wait_until 10 logs_have "$name" ready || return 1
    pm stop -t "$t" "$name" >/dev/null || return 1
    want_eq "$want" "$("${PODMAN[@]}" inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$name")"
}
s_stop() {
    begin
    stop_and_expect conf-stop 'echo got-TERM; exit 7' 20 "exited 7" || return 1
    logs_have conf-stop got-TERM || { say "no got-TERM in the logs"; return 1; }
}
check "stop: SIGTERM reaches the trap, exit code 7 recorded" s_stop

s_stop_kill() { begin; stop_and_expect conf-stubborn '' 1 "exited 137"; }
check "stop -t 1 of a container that ignores SIGTERM: SIGKILL, exit code 137" s_stop_kill

s_restart() {
    begin
    run_detached conf-restart "$IMG" sh -c 'echo run-once; exec sleep 1000' || return 1
    wait_until 10 logs_have conf-restart run-once || return 1
    local pid1 pid2
    pid1=$(cpid conf-restart)
    pm restart -t 1 conf-restart >/dev/null || return 1
    wait_until 10 status_is conf-restart running || return 1
    pid2=$(cpid conf-restart)
    wait_until 10 bash -c '(( $('"$(printf '%q ' "${PODMAN[@]}")"' logs conf-restart | grep -c run-once) == 2 ))' || return 1
    say "pid before $pid1, after $pid2"
    [[ $pid2 != 0 && $pid2 != "$pid1" ]] || { say "not a new process"; return 1; }
    kill -0 "$pid1" 2>/dev/null && { say "the old process $pid1 still runs"; return 1; }
    return 0
}
check "restart: a new process, the old one gone" s_restart

s_rm_force() {
    begin
    run_detached conf-rmf "$IMG" sleep 1000 || return 1
    wait_until 10 status_is conf-rmf running || return 1
    local pid; pid=$(cpid conf-rmf)
    pm rm -f conf-rmf >/dev/null || return 1
    "${PODMAN[@]}" container exists conf-rmf && { say "conf-rmf still exists"; return 1; }
    wait_until 10 bash -c "! kill -0 $pid" || { say "process $pid still runs"; return 1; }
}
check "rm -f of a running container" s_rm_force

# ---- podman: namespaces, init, volumes -----------------------------------------------------

s_pid_host() {
    begin
    local o
    o=$(pm run --rm --pid host "$IMG" sh -c "tr '\0' ' ' </proc/$SCRIPT_PID/cmdline") || return 1
    want_has podman.sh "$o"
}
check "run --pid host: the host's processes are visible" s_pid_host

s_pid_host_stop() { begin; stop_and_expect conf-pidhost 'exit 0' 20 "exited 0" --pid host; }
check "stop of a --pid host container (kill --all)" s_pid_host_stop

s_init() {
    begin
    local o rc=0
    o=$(pm run --rm --init "$IMG" sh -c 'cat /proc/1/comm; [ $$ != 1 ] && echo not-pid-1') || return 1
    want_eq $'podman-init\nnot-pid-1' "$o" || return 1
    pm run --rm --init "$IMG" sh -c 'exit 5' || rc=$?
    want_eq 5 "$rc"
}
check "run --init: catatonit (as podman-init) is pid 1, exit code passed on" s_init

s_bind_volume() {
    begin
    echo from-host >"$CONF_TMP/vol/in"
    local o
    o=$(pm run --rm -v "$CONF_TMP/vol:/data" "$IMG" sh -c 'cat /data/in; echo from-container >/data/out') || return 1
    want_eq from-host "$o" || return 1
    want_eq from-container "$(cat "$CONF_TMP/vol/out" 2>/dev/null)" || return 1
    o=$(pm run --rm -v "$CONF_TMP/vol:/data:ro" "$IMG" sh -c 'echo x >/data/out2 2>/dev/null && echo writable || echo read-only') || return 1
    want_eq read-only "$o"
}
check "run -v HOSTDIR:/data (rw, then :ro)" s_bind_volume

s_named_volume() {
    begin
    pm volume create confvol >/dev/null || return 1
    pm run --rm -v confvol:/v "$IMG" sh -c 'echo kept >/v/f' >/dev/null || return 1
    local o; o=$(pm run --rm -v confvol:/v "$IMG" cat /v/f) || return 1
    want_eq kept "$o"
}
check "run -v NAMED:/v: data kept between containers" s_named_volume

# ---- podman: networks ----------------------------------------------------------------------

s_net_none() {
    begin
    local o; o=$(pm run --rm --network none "$IMG" sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "') || return 1
    want_eq lo "$o"
}
check "run --network none: only lo" s_net_none

s_net_host() {
    begin
    # A link that exists only in the suite's network namespace (there is no dummy driver here).
    ip link show conf-veth0 >/dev/null 2>&1 || out ip link add conf-veth0 type veth peer name conf-veth1 || return 1
    local o
    o=$(pm run --rm --network host "$IMG" sh -c 'grep -c conf-veth0 /proc/net/dev') || return 1
    want_eq 1 "$o" || return 1
    run_detached conf-hostnet --network host "$IMG" sh -c 'mkdir /www && echo served-on-host-net >/www/index.html && exec httpd -f -p 127.0.0.1:18081 -h /www' || return 1
    wait_until 15 wget -q -T 2 -O /dev/null http://127.0.0.1:18081/ || return 1
    o=$(out wget -q -T 5 -O - http://127.0.0.1:18081/) || return 1
    want_eq served-on-host-net "$o"
}
check "run --network host: the namespace's links, a server on 127.0.0.1" s_net_host

s_net_bridge() {
    begin
    run_detached conf-bridge -p 127.0.0.1:18080:8080 "$IMG" sh -c 'mkdir /www && echo served-through-bridge >/www/index.html && exec httpd -f -p 8080 -h /www' || return 1
    local o ip
    ip=$("${PODMAN[@]}" inspect -f '{{.NetworkSettings.IPAddress}}' conf-bridge)
    say "container address $ip"
    [[ -n $ip ]] || return 1
    wait_until 15 wget -q -T 2 -O /dev/null http://127.0.0.1:18080/ || return 1
    o=$(out wget -q -T 5 -O - http://127.0.0.1:18080/) || return 1
    want_eq served-through-bridge "$o" || return 1
    o=$(out wget -q -T 5 -O - "http://$ip:8080/") || return 1
    want_eq served-through-bridge "$o"
}
check "run -p 127.0.0.1:18080:8080 on the bridge network: published port answers" s_net_bridge

# ---- buildah -----------------------------------------------------------------------------

# buildah gives its containers no cgroupsPath unless told: gocker-runtime would then use its
# default parent /gocker, which the project's integration tests own. --cgroup-parent makes it
# the suite's own cgroup (buildah uses the parent itself as the container's cgroup).

s_buildah_run() {
    begin
    local ctr o rc=0
    ctr=$(bah from --pull-never --cgroup-parent "$BUILDAH_CG" --name conf-buildah "$IMG") || return 1
    o=$(bah run --runtime "$RT" "$ctr" -- sh -c 'echo from buildah run; id -u') || return 1
    want_eq $'from buildah run\n0' "$o" || return 1
    bah run --runtime "$RT" "$ctr" -- sh -c 'exit 4' || rc=$?
    want_eq 4 "$rc" || return 1
    o=$(BUILDAH_RUNTIME=$RT bah run --user 1234:1234 --workingdir /tmp "$ctr" -- sh -c 'echo "$(id -u) $(pwd)"') || return 1
    want_eq "1234 /tmp" "$o"
}
check "buildah run: output, exit code 4, --user and --workingdir" s_buildah_run

s_buildah_bud() {
    begin
    cat >"$CONF_TMP/bud/Containerfile" <<EOF
FROM $IMG
RUN echo built-by-bud >/built.txt && id -u >>/built.txt
RUN test -s /built.txt
ENV CONF_BUD=yes
CMD ["cat", "/built.txt"]
EOF
    bah bud --pull-never --cgroup-parent "$BUILDAH_CG" --runtime "$RT" -t "$BUD_IMG" "$CONF_TMP/bud" >/dev/null || return 1
    local o; o=$(pm run --rm "$BUD_IMG") || return 1
    want_eq $'built-by-bud\n0' "$o"
}
check "buildah bud: RUN steps, the image then runs in podman" s_buildah_bud

s_podman_build() {
    begin
    printf 'FROM %s\nRUN echo built-by-podman >/p.txt\n' "$IMG" >"$CONF_TMP/bud/Containerfile.podman"
    pm build --pull-never --cgroup-parent "$BUILDAH_CG" -f "$CONF_TMP/bud/Containerfile.podman" -t localhost/conf/pbuild:latest "$CONF_TMP/bud" >/dev/null || return 1
    local o; o=$(pm run --rm localhost/conf/pbuild:latest cat /p.txt) || return 1
    want_eq built-by-podman "$o"
}
check "podman build: a RUN step" s_podman_build

# ---- nothing left ------------------------------------------------------------------------

s_nothing_left() {
    begin
    pm rm --all --force --time 0 >/dev/null || return 1
    bah rm --all >/dev/null || return 1
    local left
    left=$("${PODMAN[@]}" ps -aq)
    [[ -z $left ]] || { say "containers left: $left"; return 1; }
    sleep 1
    left=$(comm -13 <(echo "$CGROUPS_BEFORE") <(container_cgroups))
    [[ -z $left ]] || { say "cgroups left: $left"; return 1; }
    left=$(suite_pids)
    [[ -z $left ]] || { say "processes left:"; local p; for p in $left; do say "$p $(tr '\0' ' ' <"/proc/$p/cmdline")"; done; return 1; }
    # Podman's own parents (libpod_parent, its conmon child): podman never removes them, the
    # suite does, which works only when nothing is left in them.
    cleanup_cgroups
    left=$(comm -13 <(echo "$PARENT_CGROUPS_BEFORE") <(find /sys/fs/cgroup -mindepth 2 -maxdepth 3 -type d -path '*/libpod_parent*' 2>/dev/null | sort))
    [[ -z $left ]] || { say "cgroups that cannot be removed: $left"; return 1; }
}
conf_check "nothing left: no container, cgroup (the container's, podman's parents) or process" s_nothing_left

conf_log "took ${SECONDS}s"
conf_summary
