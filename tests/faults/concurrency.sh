#!/usr/bin/env bash
# Concurrency (issue 16): many containers at once, and many commands on one container at once.
#
#   tests/faults/concurrency.sh --runtime build/gocker-runtime [--containers 50] [--rounds 3]
#                               [--race-rounds 5] [--racers 20]
#
# 1. N containers are created, started, killed and deleted in parallel, R rounds: every command
#    must succeed.
# 2. `racers` commands (start, kill, delete --force, state, pause, resume, exec) are started at
#    once on ONE created container, several rounds: each succeeds, or fails with one line that
#    says which command on which container failed and why ("<command> <id>: <reason>"); after
#    them the container is in one consistent state (gone, or its state, its process and its
#    cgroup agree), and `delete --force` leaves nothing. Every other round there is no container
#    at first: one racer is `run --detach`, and the kills repeat until they reach the container
#    (so they come as soon as its record exists, while `run` still holds its lock between the
#    create and the start); `run` must succeed: no other command may act on the container
#    before it has started.
# 3. Meanwhile `list` and `list --format json` run in a loop; every output is parsed and must
#    hold only whole records.
# Root only. State under its own temporary --root, cgroups under /gocker-conc-PID/, processes
# found and ended only by their marker (GOCKER_CONC_RUN=PID in their environment).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=tests/faults/script_common.sh
source "$here/script_common.sh"
runtime="" containers=50 rounds=3 race_rounds=5 racers=20
rootfs=${GOCKER_ROOTFS:-$top/rootfs/out/busybox}
while (( $# )); do
    case $1 in
        --runtime) runtime=$2; shift ;;
        --containers) containers=$2; shift ;;
        --rounds) rounds=$2; shift ;;
        --race-rounds) race_rounds=$2; shift ;;
        --racers) racers=$2; shift ;;
        --rootfs) rootfs=$2; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "concurrency: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
check_prerequisites concurrency "$rootfs" "$top/build/gocker-runtime"

work=$(mktemp -d /tmp/gocker-conc.XXXXXX)
root=$work/root
mark="GOCKER_CONC_RUN=$$"
cgparent=gocker-conc-$$
failures=0
fail() { echo "FAILED: $*"; failures=$((failures + 1)); }

finish() {
    [[ -n ${lister:-} ]] && kill "$lister" 2>/dev/null && wait "$lister" 2>/dev/null
    end_marked_and_cgroups
    rm -rf "$work"
}
trap finish EXIT

make_sleeper_template "$work" || exit 1

# --- the list watcher: runs until killed, parses every output ---------------------------------
list_watch() {
    local n=0 bad=0 out
    while :; do
        out=$(rt list --format json 2>&1) || { echo "list --format json failed: $out" >> "$work/list.bad"; }
        if ! jq -e 'type == "array" and all(.[]; (.id | type == "string") and (.pid | type == "number")
                    and (.status | IN("created", "running", "stopped", "paused"))
                    and (.bundle | type == "string") and (.created | type == "string"))' <<< "$out" > /dev/null 2>&1; then
            echo "list --format json: not whole records: $out" >> "$work/list.bad"
        fi
        out=$(rt list 2>&1) || echo "list failed: $out" >> "$work/list.bad"
        # The header, then: ID PID STATUS BUNDLE CREATED [OWNER].
        awk 'NR == 1 { if ($1 != "ID") bad = 1; next }
             NF < 5 || NF > 6 || $2 !~ /^[0-9]+$/ || $3 !~ /^(created|running|stopped|paused)$/ ||
             $4 !~ /^\// || $5 !~ /^[0-9]{4}-/ { bad = 1 }
             END { exit bad }' <<< "$out" || echo "list: not whole records: $out" >> "$work/list.bad"
        n=$((n + 1))
        echo "$n" > "$work/list.count"
    done
}
list_watch &
lister=$!

# --- 1. many containers at once ----------------------------------------------------------------
lifecycle() {  # ID: create, start, kill, wait for stopped, delete; prints failures
    local id=$1 b out i st
    b=$(bundle_for "$id")
    out=$(rt create --bundle "$b" "$id" 2>&1) || { echo "create $id: $out"; return; }
    out=$(rt start "$id" 2>&1) || { echo "start $id: $out"; return; }
    out=$(rt kill "$id" KILL 2>&1) || { echo "kill $id: $out"; return; }
    for i in $(seq 1 100); do
        st=$(rt state "$id" 2>&1 | jq -r .status 2>/dev/null)
        [[ $st == stopped ]] && break
        sleep 0.05
    done
    [[ $st == stopped ]] || { echo "state $id: not stopped 5 s after SIGKILL ($st)"; return; }
    out=$(rt delete "$id" 2>&1) || { echo "delete $id: $out"; return; }
}
started=$SECONDS
for r in $(seq 1 "$rounds"); do
    t=$SECONDS
    for i in $(seq 1 "$containers"); do lifecycle "c$r-$i" > "$work/life-$r-$i" 2>&1 & done
    wait_all=$(jobs -p | grep -vx "$lister")
    # shellcheck disable=SC2086
    wait $wait_all
    bad=$(cat "$work"/life-"$r"-* | grep -c .)
    cat "$work"/life-"$r"-* | sed 's/^/    /' | head -20
    left=$(rt list -q | wc -l)
    echo "round $r: $containers containers created, started, killed, deleted in parallel: $bad failed, $left left ($((SECONDS - t)) s)"
    (( bad || left )) && fail "round $r"
done

# --- 2. many commands on one container at once ------------------------------------------------
# A failure is one line "<command> <id>: <reason>" (no usage text, no second line).
racer() {  # N ID [RUN-OUTPUT]: with RUN-OUTPUT, a round that racer 0 runs the container in
    local n=$1 id=$2 cmd out rc
    case $(( n % 7 )) in
        0) cmd=(start "$id") ;;
        1) cmd=(kill "$id" KILL) ;;
        2) cmd=(delete --force "$id") ;;
        3) cmd=(state "$id") ;;
        4) cmd=(pause "$id") ;;
        5) cmd=(exec "$id" true) ;;
        6) cmd=(resume "$id") ;;
    esac
    [[ -n ${3:-} ]] && (( n == 0 )) && cmd=(run --detach --bundle "$work/b/$id" "$id")
    out=$(rt "${cmd[@]}" 2>&1 < /dev/null)
    rc=$?
    # In a run round a kill tries again until it gets through or `run` has returned (its racer's
    # output is written): the first one that finds the record comes while `run` holds the lock.
    while [[ -n ${3:-} && ${cmd[0]} == kill && ! -s ${3:-} ]] && (( rc != 0 )); do
        out=$(rt "${cmd[@]}" 2>&1 < /dev/null)
        rc=$?
    done
    local name=${cmd[0]}
    if (( rc == 0 )); then
        echo "ok $name"
    elif (( rc == 124 )); then
        echo "HUNG $name"
    elif [[ $name == exec && $rc == 137 && -z $out ]]; then
        # exec exits with its process's status: `true` was SIGKILLed with the container by a kill
        # or a delete --force that came while it ran.
        echo "ok exec (its process killed with the container)"
    elif [[ $(wc -l <<< "$out") -eq 1 && $out =~ ^$name\ $id:\ .+ ]]; then
        echo "refused $name: ${out#"$name $id: "}"
    else
        echo "BAD-MESSAGE $name (exit $rc): $(tr '\n' '|' <<< "$out")"
    fi
}
# The state the container ended in must agree with itself: gone, or its status, process and
# cgroup tell the same story.
consistent() {  # ID
    local id=$1 out status pid
    out=$(rt state "$id" 2>&1)
    if [[ $out =~ does\ not\ exist ]]; then
        [[ -e $root/$id ]] && { echo "state says gone but $root/$id exists"; return 1; }
        for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
            [[ -e $h$cgparent/$id ]] && { echo "deleted, but its cgroup ${h}$cgparent/$id is left"; return 1; }
        done
        return 0
    fi
    status=$(jq -r .status <<< "$out" 2>/dev/null) || { echo "state is not JSON: $out"; return 1; }
    pid=$(jq -r .pid <<< "$out")
    case $status in
        created|running|paused) [[ -d /proc/$pid ]] || { echo "$status but pid $pid is gone"; return 1; } ;;
        stopped) ;;
        *) echo "unknown status: $out"; return 1 ;;
    esac
    [[ -f $root/$id/state.json ]] || { echo "$status without state.json"; return 1; }
    return 0
}
declare -A tally=()
for r in $(seq 1 "$race_rounds"); do
    id=race-$r
    b=$(bundle_for "$id")
    run_out=""
    if (( r % 2 == 0 )); then
        run_out=$work/race-$r-0
    else
        out=$(rt create --bundle "$b" "$id" 2>&1) || { fail "race $r: create: $out"; continue; }
    fi
    for n in $(seq 0 $((racers - 1))); do racer "$n" "$id" "$run_out" > "$work/race-$r-$n" & done
    wait_all=$(jobs -p | grep -vx "$lister")
    # shellcheck disable=SC2086
    wait $wait_all
    while read -r verdict rest; do
        key="$verdict ${rest%%:*}"
        tally[$key]=$(( ${tally[$key]:-0} + 1 ))
        [[ $verdict == ok || $verdict == refused ]] || fail "race $r: $verdict $rest"
    done < <(cat "$work"/race-"$r"-*)
    [[ -z $run_out ]] || grep -qx 'ok run' "$run_out" ||
        fail "race $r: run did not get its container started: $(cat "$work/race-$r-0")"
    why=$(consistent "$id") || fail "race $r: inconsistent end state: $why"
    out=$(rt delete --force "$id" 2>&1) || fail "race $r: delete --force: $out"
    why=$(consistent "$id") || fail "race $r: after delete --force: $why"
    [[ -e $root/$id ]] && fail "race $r: state directory left"
done
echo "race on one id, $race_rounds rounds of $racers commands:"
for k in "${!tally[@]}"; do echo "    ${tally[$k]} x $k"; done | sort -k3
grep -h '^refused' "$work"/race-* | sed 's/^refused [a-z]*: //; s/[0-9]\{3,\}/N/g' | sort | uniq -c | sort -rn | sed 's/^/    reason: /' | head -12

kill "$lister" 2>/dev/null
wait "$lister" 2>/dev/null
lister=""
lists=$(cat "$work/list.count" 2>/dev/null || echo 0)
if [[ -s $work/list.bad ]]; then
    fail "list printed something else than whole records:"
    head -5 "$work/list.bad" | cut -c1-300
fi
echo "list: $lists pairs of list / list --format json parsed during the run"
pids=$(grep -lsxz -- "$mark" /proc/[0-9]*/environ | wc -l)
(( pids )) && fail "$pids processes of the test left"
for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
    [[ -d $h$cgparent ]] && [[ -n $(find "$h$cgparent" -mindepth 1 -type d) ]] && fail "cgroups left under $h$cgparent"
done
echo "concurrency: $((SECONDS - started)) s, $failures failures"
(( failures == 0 ))
