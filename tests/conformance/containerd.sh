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
source "$(dirname "${BASH_SOURCE[0]}")/lib/containerd.sh"

# The scenarios that need the runtime's `exec` are plain checks. EXEC_XFAIL="reason" in the
# environment makes them expected failures, for a runtime under test that has no exec.
EXEC_XFAIL=${EXEC_XFAIL-}

SECONDS=0
conf_install_packages containerd || conf_die "cannot install containerd"
RT=$(conf_runtime) || exit 1
conf_log "runtime: $RT; $(containerd --version)"

NS=gocker-conf-${CONF_TMP##*.}          # containerd namespace, also the cgroup parent
IMAGE=localhost/gocker-conformance/busybox:latest
mkdir -p "$CONF_TMP/bin" "$CONF_TMP/logs" "$CONF_TMP/vol"

# ctr as an executable (conf_run's timeout needs one), bound to our daemon and namespace.
CTR=$CONF_TMP/bin/ctr
printf '#!/bin/sh\nexec ctr --address %q --namespace %q "$@"\n' "$CTRD_SOCK" "$NS" >"$CTR"
chmod 755 "$CTR"
RUN=("$CTR" run --rm --runc-binary "$RT")                 # a foreground run that removes itself
RUND=("$CTR" run -d --runc-binary "$RT")                  # a detached run

# ---- containerd, private to this run -----------------------------------------------------------
ctrd_config io.containerd.grpc.v1.cri

# Before containerd stops: every task and container of our namespace goes through ctr.
remove_all() {
    local id
    for id in $("$CTR" task ls -q 2>/dev/null); do
        timeout 20 "$CTR" task kill -a -s SIGKILL "$id"; sleep 0.2
        timeout 20 "$CTR" task delete -f "$id"
    done
    for id in $("$CTR" container ls -q 2>/dev/null); do timeout 20 "$CTR" container delete "$id"; done
}
conf_on_exit ctrd_stop "$NS"
conf_on_exit remove_all
ctrd_start "$CTR" version

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
    for _ in $(seq 100); do [[ $(task_status "$1") == "$2" ]] && return 0; sleep 0.2; done
    note "task $1 is '$(task_status "$1")', expected $2"; return 1
}

# wait_log FILE TEXT: up to 20 s for TEXT to appear in a detached task's log.
wait_log() {
    for _ in $(seq 100); do grep -qF -- "$2" "$1" 2>/dev/null && return 0; sleep 0.2; done
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

# The proof command of docs/integrations.md, with this suite's ctr wrapper and image.
sc_documented_run() {
    local cmd; cmd=$(conf_doc_snippet containerd-ctr "$RT") || return 1
    [[ $cmd == "ctr run "*" docker.io/library/busybox:latest "* ]] || { note "unexpected snippet: $cmd"; return 1; }
    cmd=${cmd/#ctr /$(printf '%q ' "$CTR")}
    conf_expect_output "hello from gocker" bash -c "${cmd/ docker.io\/library\/busybox:latest / $IMAGE }"
}
conf_check "docs/integrations.md: ctr run --runc-binary" sc_documented_run

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

# user and hostname: ctr 1.6 has no --user/--hostname; people pass a whole runtime spec with
# --config (ctr's default spec from `ctr oci spec`, edited), whose root is a directory.
sc_user_hostname() {
    cp -a "$CONF_ROOT_DIR/rootfs/out/busybox" "$CONF_TMP/user-rootfs" || return 1
    "$CTR" oci spec | jq --arg cg "/$NS/user1" --arg root "$CONF_TMP/user-rootfs" \
        '.process.user = {uid: 1000, gid: 1000} | .hostname = "conf-host" | .linux.cgroupsPath = $cg |
         .root = {path: $root, readonly: true} |
         .process.env = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"] | .process.args = ["/bin/sh", "-c", "echo \"ids=$(id -u):$(id -g) host=$(hostname)\""]' >"$CONF_TMP/user-spec.json"
    conf_expect_output "ids=1000:1000 host=conf-host" "${RUN[@]}" --config "$CONF_TMP/user-spec.json" user1
}
conf_check "run --config with process.user and hostname (uid/gid 1000, hostname)" sc_user_hostname

sc_readonly() {
    conf_run "${RUN[@]}" --read-only "$IMAGE" ro1 sh -c 'touch /probe 2>&1; echo "rc=$?"; touch /dev/shm/probe && echo shm-ok' &&
        grep -q "Read-only file system" "$CONF_TMP/last.log" && grep -qF "rc=1" "$CONF_TMP/last.log"
}
conf_check "run --read-only: the root filesystem refuses writes" sc_readonly

# ctr's default capabilities: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP
# NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP = 0xa80425fb.
cap_eff() { conf_run "${RUN[@]}" "$@" sh -c 'grep CapEff /proc/self/status'; }
sc_caps_default() { cap_eff "$IMAGE" cap0 && grep -q "CapEff:.*00000000a80425fb" "$CONF_TMP/last.log"; }
sc_cap_drop() {
    cap_eff --cap-drop CAP_CHOWN "$IMAGE" cap1 && grep -q "CapEff:.*00000000a80425fa" "$CONF_TMP/last.log" &&
        conf_expect_output "chown refused" "${RUN[@]}" --cap-drop CAP_CHOWN "$IMAGE" cap2 \
            sh -c 'chown 1 /tmp 2>/dev/null && echo chown allowed || echo chown refused'
}
sc_cap_add() {
    cap_eff --cap-add CAP_SYS_ADMIN "$IMAGE" cap3 && grep -q "CapEff:.*00000000a82425fb" "$CONF_TMP/last.log" &&
        conf_expect_output "mount allowed" "${RUN[@]}" --cap-add CAP_SYS_ADMIN "$IMAGE" cap4 \
            sh -c 'mkdir /m && mount -t tmpfs none /m && echo mount allowed'
}
conf_check "default capabilities are ctr's set (CapEff a80425fb)" sc_caps_default
conf_check "run --cap-drop CAP_CHOWN removes it (CapEff, chown refused)" sc_cap_drop
conf_check "run --cap-add CAP_SYS_ADMIN adds it (CapEff, mount allowed)" sc_cap_add

# --privileged: every capability ctr itself has, writable /sys.
sc_privileged() {
    local want; want=$(awk '/^CapEff/ { print $2 }' /proc/self/status)
    conf_run "${RUN[@]}" --privileged "$IMAGE" priv1 \
        sh -c 'grep CapEff /proc/self/status; grep " /sys " /proc/self/mounts' || return 1
    grep -q "CapEff:.*$want" "$CONF_TMP/last.log" || { note "expected CapEff $want"; return 1; }
    grep -q " /sys sysfs rw" "$CONF_TMP/last.log" || { note "expected a writable /sys"; return 1; }
}
conf_check "run --privileged: all of ctr's capabilities, writable /sys" sc_privileged

# Limits, read on the host in the container's cgroup (cgroupsPath /<namespace>/<id>).
sc_limits() {
    start_detached lim1 --memory-limit 67108864 --cpus 0.5 --cpu-shares 512 -- sleep 300 || return 1
    expect_eq memory.limit_in_bytes "$(cg_value memory lim1 memory.limit_in_bytes)" 67108864 &&
        expect_eq cpu.cfs_quota_us "$(cg_value cpu lim1 cpu.cfs_quota_us)" 50000 &&
        expect_eq cpu.cfs_period_us "$(cg_value cpu lim1 cpu.cfs_period_us)" 100000 &&
        expect_eq cpu.shares "$(cg_value cpu lim1 cpu.shares)" 512 &&
        expect_eq "task in its memory cgroup" "$(grep -c "^$(task_pid lim1)\$" "/sys/fs/cgroup/memory/$NS/lim1/cgroup.procs")" 1
}
conf_check "memory and cpu limits are set in the container's cgroup" sc_limits
"$CTR" task kill -s SIGKILL lim1 >/dev/null 2>&1; wait_status lim1 STOPPED >/dev/null; remove lim1

sc_metrics() {
    start_detached met1 --memory-limit 67108864 -- sleep 300 || return 1
    conf_run "$CTR" task metrics --format json met1 &&
        expect_eq "metrics memory limit" "$(jq -r '.memory.usage.limit' "$CONF_TMP/last.log")" 67108864
}
conf_check "task metrics reads the container's cgroup (memory limit)" sc_metrics
"$CTR" task kill -s SIGKILL met1 >/dev/null 2>&1; wait_status met1 STOPPED >/dev/null; remove met1

conf_skip "update of a running task's limits" "ctr 1.6 has no 'task update'"

sc_volumes() {
    echo "from the host" >"$CONF_TMP/vol/in.txt"
    conf_run "${RUN[@]}" --mount "type=bind,src=$CONF_TMP/vol,dst=/data,options=rbind:rw" "$IMAGE" vol1 \
        sh -c 'cat /data/in.txt && echo "from the container" >/data/out.txt' &&
        grep -qF "from the host" "$CONF_TMP/last.log" &&
        { grep -qF "from the container" "$CONF_TMP/vol/out.txt" || { note "out.txt not written on the host"; false; }; }
}
conf_check "--mount bind (rw): the container reads and writes a host directory" sc_volumes
sc_volume_ro() {
    conf_run "${RUN[@]}" --mount "type=bind,src=$CONF_TMP/vol,dst=/data,options=rbind:ro" "$IMAGE" vol2 \
        sh -c 'cat /data/in.txt; touch /data/new 2>&1; echo "rc=$?"' &&
        grep -qF "from the host" "$CONF_TMP/last.log" && grep -q "Read-only file system" "$CONF_TMP/last.log" &&
        [[ ! -e $CONF_TMP/vol/new ]]
}
conf_check "--mount bind (ro): the container cannot write to it" sc_volume_ro

# Host pid namespace: the container sees this script's process.
sc_host_pid() {
    conf_run "${RUN[@]}" --with-ns "pid:/proc/$$/ns/pid" "$IMAGE" hpid1 \
        sh -c "[ -d /proc/$$ ] && echo \"sees pid $$\"; echo \"own pid \$\$\"" &&
        grep -qF "sees pid $$" "$CONF_TMP/last.log" && ! grep -qx "own pid 1" "$CONF_TMP/last.log"
}
conf_check "--with-ns pid:<this script's> joins the host pid namespace" sc_host_pid
# Without a pid namespace of its own, the shim kills what the init left behind when it exits
# (`kill --all ID 9` on the stopped container, as runc's libcontainer allows).
sc_host_pid_leftovers() {
    local child
    start_detached hpid2 --with-ns "pid:/proc/$$/ns/pid" -- sh -c 'sleep 300 & echo "child=$!"; sleep 3' &&
        wait_log "$CONF_TMP/logs/hpid2.log" child= && wait_status hpid2 STOPPED || return 1
    child=$(sed -n 's/^child=//p' "$CONF_TMP/logs/hpid2.log")
    for _ in $(seq 25); do [[ -d /proc/$child ]] || return 0; sleep 0.2; done
    note "the init's child $child still runs after the init exited"; return 1
}
conf_check "host pid namespace: the init's leftover child is killed when the init exits" sc_host_pid_leftovers
remove hpid2
conf_skip "--init" "ctr 1.6 has no --init"

# Detached: ps, logs, a signal its trap sees, pause/resume, exec, kill --all.
TRAP='trap "echo got-USR1" USR1; trap "echo got-TERM; exit 0" TERM; echo ready; while :; do sleep 0.2; done'
sc_detached() {
    start_detached det1 -- sh -c "$TRAP" && wait_log "$CONF_TMP/logs/det1.log" ready
}
conf_check "run -d: the task runs detached, its output goes to --log-uri" sc_detached
# The shim's runtime is the one under test: it knows the task (the shim's root for our namespace).
conf_check "the runtime under test runs the task ('state' says running)" \
    conf_expect_output '"status": "running"' "$RT" --root "/run/containerd/runc/$NS" state det1
sc_ps() {
    conf_run "$CTR" task ps det1 && grep -qw "$(task_pid det1)" "$CONF_TMP/last.log" &&
        (( $(grep -cE '^[0-9]+' "$CONF_TMP/last.log") >= 2 ))
}
conf_check "task ps lists the task's processes (init and its child)" sc_ps
sc_kill_usr1() {
    conf_run "$CTR" task kill -s SIGUSR1 det1 && wait_log "$CONF_TMP/logs/det1.log" got-USR1 &&
        expect_eq "status after USR1" "$(task_status det1)" RUNNING
}
conf_check "task kill -s SIGUSR1: the container's trap sees it" sc_kill_usr1
sc_pause() {
    conf_run "$CTR" task pause det1 && expect_eq status "$(task_status det1)" PAUSED &&
        expect_eq freezer.state "$(cg_value freezer det1 freezer.state)" FROZEN
}
conf_check "task pause freezes the container" sc_pause
sc_resume() {
    conf_run "$CTR" task resume det1 && expect_eq status "$(task_status det1)" RUNNING &&
        expect_eq freezer.state "$(cg_value freezer det1 freezer.state)" THAWED &&
        conf_run "$CTR" task kill -s SIGUSR1 det1 &&
        for _ in $(seq 100); do (( $(grep -c got-USR1 "$CONF_TMP/logs/det1.log") >= 2 )) && return 0; sleep 0.2; done
    note "no second got-USR1 after resume"; return 1
}
conf_check "task resume thaws it (it handles a signal again)" sc_resume
conf_check_or_xfail "task exec runs a process in the container" "$EXEC_XFAIL" \
    conf_expect_output "exec says hi" "$CTR" task exec --exec-id e1 det1 sh -c 'echo exec says hi'
sc_stop() {
    conf_run "$CTR" task kill det1 && wait_status det1 STOPPED && wait_log "$CONF_TMP/logs/det1.log" got-TERM &&
        conf_run "$CTR" task delete det1 && ! grep -q "non-zero exit code" "$CONF_TMP/last.log"
}
conf_check "task kill (SIGTERM) stops it: its trap runs, exit code 0, task delete" sc_stop
sc_restart() {
    conf_run "$CTR" task start -d det1 && wait_status det1 RUNNING
}
conf_check "task start -d starts the container again (restart)" sc_restart
sc_kill_all() {
    conf_run "$CTR" task kill -a -s SIGKILL det1 && wait_status det1 STOPPED &&
        conf_expect_output "exit code 137" "$CTR" task delete det1 && conf_run "$CTR" container delete det1
}
conf_check "task kill -a -s SIGKILL kills every process; delete reports exit code 137" sc_kill_all

sc_rm_force() {
    start_detached rmf1 -- sleep 300 || return 1
    conf_run "$CTR" task delete -f rmf1 && conf_run "$CTR" container delete rmf1 &&
        [[ -z $(task_status rmf1) ]] && ! "$CTR" container ls -q | grep -qx rmf1 &&
        [[ ! -d /sys/fs/cgroup/memory/$NS/rmf1 ]] || { note "rmf1 left behind"; return 1; }
}
conf_check "task delete -f of a running task, then container delete" sc_rm_force

# Networks: by default a new network namespace with only lo; --net-host shares this namespace.
sc_net_none() {
    conf_run "${RUN[@]}" "$IMAGE" net1 sh -c 'ls /sys/class/net' &&
        expect_eq "interfaces" "$(tr -s '\n ' ' ' <"$CONF_TMP/last.log" | xargs)" lo
}
conf_check "default network: only lo" sc_net_none
sc_net_host() {
    start_detached web1 --net-host -- sh -c 'mkdir /www && echo served-by-ctr >/www/index.html && exec httpd -f -p 127.0.0.1:18080 -h /www' || return 1
    for _ in $(seq 25); do
        conf_http_get 127.0.0.1 18080 >"$CONF_TMP/web1.out" 2>&1 && grep -qF served-by-ctr "$CONF_TMP/web1.out" && break
        sleep 0.2
    done
    grep -qF served-by-ctr "$CONF_TMP/web1.out" || { note "GET http://127.0.0.1:18080/ failed"; return 1; }
    conf_run "${RUN[@]}" --net-host "$IMAGE" net2 readlink /proc/self/ns/net &&
        expect_eq "network namespace" "$(tail -n 1 "$CONF_TMP/last.log")" "$(readlink /proc/self/ns/net)"
}
conf_check "--net-host: the container is in this network namespace and serves on its 127.0.0.1" sc_net_host
"$CTR" task kill -s SIGKILL web1 >/dev/null 2>&1; wait_status web1 STOPPED >/dev/null; remove web1

# Nothing left: no task, no container, no shim, no cgroup.
sc_nothing_left() {
    local left
    left=$("$CTR" task ls -q; "$CTR" container ls -q)
    [[ -z $left ]] || { note "left: $left"; return 1; }
    sleep 1
    left=$(ctrd_shims)
    [[ -z $left ]] || { note "shims still running: $left"; return 1; }
    left=$(find /sys/fs/cgroup/*/"$NS" -mindepth 1 -type d 2>/dev/null)
    [[ -z $left ]] || { note "cgroups left: $left"; return 1; }
    left=$(awk -v t="$CONF_TMP/" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo)
    [[ -z $left ]] || { note "mounts left: $left"; return 1; }
}
conf_check "nothing left: no task, container, shim process, container cgroup or rootfs mount" sc_nothing_left

ctrd_print_errors
conf_log "done in ${SECONDS}s"
conf_summary
