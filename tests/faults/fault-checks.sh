#!/usr/bin/env bash
# Targeted checks that need the fault points (a -DGOCKER_FAULT_POINTS=ON build): a command held
# or broken at one exact step, which no ordinary test can reach on purpose.
#
#   tests/faults/fault-checks.sh --runtime build-faults/gocker-runtime [--keep]
#
# 1. `run` holds the container's lock from its create through its start. `run --detach` is
#    stopped at run.created (fault mode `stop`); the container directory's flock must be held by
#    it, and a `delete --force`, a `start` and a `kill` of the same id must wait for that lock
#    (they show as waiters in /proc/locks) instead of acting on the half-run container. Once
#    `run` goes on, it must have started the container, `start` must fail with one line, `kill`
#    must succeed or (when the delete came first) fail with one line, and `delete --force` must
#    leave nothing.
# 2. `exec` whose helper dies before its execve (kill-init at exec.helper.process kills the
#    helper itself) fails, --detach or not, with a non-zero status and one line saying that the
#    process did not start; `exec` of a program that exits at once, or is killed right after
#    its execve, is not mistaken for that.
# 3. `exec` stopped once it has let go of the container's lock (exec.unlocked), the container's
#    init killed meanwhile: the exec fails with one line saying the container stopped (the
#    kernel's ENOMEM for a new member of a dead pid namespace is not passed on as it is).
# Root only. State under its own temporary --root, cgroups under /gocker-fchk-PID/, processes
# found and ended only by their marker (GOCKER_FAULT_CHECKS=PID in their environment).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=tests/faults/script_common.sh
source "$here/script_common.sh"
runtime="" keep=0
rootfs=${GOCKER_ROOTFS:-$top/rootfs/out/busybox}
while (( $# )); do
    case $1 in
        --runtime) runtime=$2; shift ;;
        --rootfs) rootfs=$2; shift ;;
        --keep) keep=1 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "fault-checks: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
check_prerequisites fault-checks "$rootfs"
"$runtime" --list-fault-points | grep -qx run.created ||
    { echo "fault-checks: $runtime has no fault point run.created: build it with -DGOCKER_FAULT_POINTS=ON" >&2; exit 2; }

work=$(mktemp -d /tmp/gocker-fault-checks.XXXXXX)
root=$work/root
mark="GOCKER_FAULT_CHECKS=$$"
cgparent=gocker-fchk-$$
failures=0
pass() { echo "ok: $*"; }
fail() { echo "FAILED: $*"; failures=$((failures + 1)); }
finish() {
    end_marked_and_cgroups
    (( keep )) || rm -rf "$work"
}
trap finish EXIT
make_sleeper_template "$work" || exit 1

# The runtime in the background with the marker (and GOCKER_FAULT when set); its pid is $!
# (env execs it).
rt_bg() {
    local out=$1
    shift
    env "$mark" GOCKER_FAULT="${GOCKER_FAULT:-}" "$runtime" --root "$root" "$@" > "$out" 2>&1 < /dev/null &
}
# Waits up to $2 tenths of a second for the command $1 (evaluated) to succeed.
wait_for() {
    local i
    for ((i = 0; i < $2; i++)); do
        eval "$1" && return 0
        sleep 0.1
    done
    return 1
}
state_of() { awk '{ sub(/.*\) /, ""); print substr($0, 1, 1) }' "/proc/$1/stat" 2>/dev/null; }
alive() { [[ -e /proc/$1 && $(state_of "$1") != Z ]]; }
# The pid holding, and the pids waiting for, the flock on the file with inode $1 (/proc/locks:
# "N: FLOCK ADVISORY WRITE PID MAJ:MIN:INODE ..."; a waiter has "->" before FLOCK).
lock_holder() { awk -v ino="$1" '$2 == "FLOCK" { split($6, f, ":"); if (f[3] == ino) print $5 }' /proc/locks; }
lock_waiters() { awk -v ino="$1" '$2 == "->" { split($7, f, ":"); if (f[3] == ino) print $6 }' /proc/locks; }
# The output without the fault points' own lines.
said() { grep -v '^gocker-fault-point:' "$1"; }
# Nothing of container $1 left: no state, no process of ours, no cgroup.
nothing_left() {
    local h
    [[ -e $root/$1 ]] && { echo "state directory $root/$1"; return 1; }
    wait_for '[[ -z $(grep -lsxz -- "$mark" /proc/[0-9]*/environ) ]]' 50 ||
        { echo "processes $(grep -lsxz -- "$mark" /proc/[0-9]*/environ | tr '\n' ' ')"; return 1; }
    for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
        [[ -e $h$cgparent/$1 ]] && { echo "cgroup $h$cgparent/$1"; return 1; }
    done
    return 0
}

# --- 1. run holds the lock between create and start --------------------------------------------
id=runlock
b=$(bundle_for $id)
GOCKER_FAULT=run.created:stop rt_bg "$work/run.out" run --detach --bundle "$b" $id
runpid=$!
if ! wait_for '[[ $(state_of $runpid) == T ]]' 300; then
    fail "run did not stop at run.created: $(said "$work/run.out")"
    kill -9 $runpid 2>/dev/null
else
    ino=$(stat -c %i "$root/$id")
    holder=$(lock_holder "$ino")
    if [[ $holder == "$runpid" ]]; then pass "run holds the lock of $id between create and start"
    else fail "the lock of $id is held by '${holder}', not by run ($runpid), between create and start"; fi
    rt_bg "$work/delete.out" delete --force $id
    delpid=$!
    rt_bg "$work/start.out" start $id
    startpid=$!
    rt_bg "$work/kill.out" kill $id KILL
    killpid=$!
    for cmd in delete:$delpid start:$startpid kill:$killpid; do
        name=${cmd%%:*} pid=${cmd#*:}
        if wait_for "lock_waiters $ino | grep -qx $pid" 100; then
            pass "$name waits for run's lock"
        elif ! alive "$pid"; then
            fail "$name finished while run held $id between create and start: $(said "$work/$name.out")"
        else
            fail "$name is neither waiting for the lock of $id nor done"
        fi
    done
    kill -CONT $runpid
    wait $runpid
    rc=$?
    if (( rc == 0 )); then pass "run started $id after the others waited"
    else fail "run exited $rc: $(said "$work/run.out")"; fi
    wait_for "! alive $delpid && ! alive $startpid && ! alive $killpid" 300 ||
        fail "delete, start or kill still running 30 s after run"
    wait $delpid
    rc=$?
    (( rc == 0 )) && pass "delete --force succeeded after run" || fail "delete --force exited $rc: $(said "$work/delete.out")"
    wait $startpid
    rc=$?
    lines=$(said "$work/start.out" | wc -l)
    if (( rc != 0 && lines == 1 )) && said "$work/start.out" | grep -q "^start $id: "; then
        pass "start of the container run started fails with one line: $(said "$work/start.out")"
    else
        fail "start after run: exit $rc, output: $(said "$work/start.out")"
    fi
    wait $killpid
    rc=$?
    if (( rc == 0 )); then
        pass "kill after run succeeded"
    elif [[ $(said "$work/kill.out") == "kill $id: container \"$id\" does not exist" ]]; then
        pass "kill after run and delete fails with one line: $(said "$work/kill.out")"
    else
        fail "kill after run: exit $rc, output: $(said "$work/kill.out")"
    fi
    if why=$(nothing_left $id); then pass "nothing left of $id"; else fail "left of $id: $why"; fi
fi

# --- 2. exec whose helper dies before execve ---------------------------------------------------
id=execdeath
b=$(bundle_for $id)
if ! out=$(rt run --detach --bundle "$b" $id); then
    fail "run --detach $id: $out"
else
    for mode in "--detach" ""; do
        # shellcheck disable=SC2086  # an empty mode is no word
        out=$(GOCKER_FAULT=exec.helper.process:kill-init rt exec $mode $id true)
        rc=$?
        text=$(grep -v '^gocker-fault-point:' <<< "$out")
        if (( rc != 0 )) && [[ $(wc -l <<< "$text") == 1 && $text == "exec $id: "*"before"* ]]; then
            pass "exec ${mode:-(foreground)} whose helper is killed before execve fails: $text"
        else
            fail "exec ${mode:-(foreground)} whose helper is killed before execve: exit $rc, output: $out"
        fi
    done
    ok=0
    for i in $(seq 1 20); do
        out=$(rt exec --detach $id true) && ok=$((ok + 1)) || echo "exec --detach $id true ($i): $out"
    done
    (( ok == 20 )) && pass "exec --detach of a program that exits at once: 20 of 20 succeed" ||
        fail "exec --detach of a program that exits at once: $ok of 20 succeed"
    out=$(rt exec $id sh -c 'kill -9 $$')
    rc=$?
    (( rc == 137 )) && pass "exec of a program killed after its execve exits 137" ||
        fail "exec of a program killed after its execve: exit $rc, output: $out"
    out=$(rt delete --force $id) || fail "delete --force $id: $out"
    if why=$(nothing_left $id); then pass "nothing left of $id"; else fail "left of $id: $why"; fi
fi

# --- 3. exec racing the end of the container ------------------------------------------------------
id=execlate
b=$(bundle_for $id)
if ! out=$(rt run --detach --bundle "$b" $id); then
    fail "run --detach $id: $out"
else
    GOCKER_FAULT=exec.unlocked:stop rt_bg "$work/exec.out" exec $id true
    execpid=$!
    if ! wait_for '[[ $(state_of $execpid) == T ]]' 300; then
        fail "exec did not stop at exec.unlocked: $(said "$work/exec.out")"
        kill -9 $execpid 2>/dev/null
    else
        out=$(rt kill $id KILL) || fail "kill $id while exec waits: $out"
        wait_for "[[ \$(rt state $id) == *'\"stopped\"'* ]]" 100 || fail "$id did not stop after kill"
        kill -CONT $execpid
        wait $execpid
        rc=$?
        text=$(said "$work/exec.out")
        if (( rc != 0 )) && [[ $(wc -l <<< "$text") == 1 && $text == "exec $id: cannot exec in a stopped container"* ]]; then
            pass "exec whose container stopped while it started fails with one line: $text"
        else
            fail "exec whose container stopped while it started: exit $rc, output: $text"
        fi
    fi
    out=$(rt delete --force $id) || fail "delete --force $id: $out"
    if why=$(nothing_left $id); then pass "nothing left of $id"; else fail "left of $id: $why"; fi
fi

echo "fault-checks: $failures failed"
(( failures == 0 ))
