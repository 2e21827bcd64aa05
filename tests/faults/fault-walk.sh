#!/usr/bin/env bash
# The fault walk (issue 16): every fault point of a runtime built with -DGOCKER_FAULT_POINTS=ON,
# at every time it is reached, x {fail, SIGKILL of the runtime, SIGKILL of the container's init};
# after each, `delete --force ID` (and with --recreate, first a `create` of the same id) must
# leave nothing: no state, no cgroup directory at any level of any hierarchy, no mount, no
# process, no pid file of a failed create or run, no new file in the bundle or the rootfs.
#
#   tests/faults/fault-walk.sh --runtime build-faults/gocker-runtime [--quick] [--recreate]
#                              [--jobs N] [--only REGEX] [--keep]
#
# --quick walks only the 1st and the last time of a point reached many times (each cgroup
# level, each mount); without it every time. The list of points comes from the runtime itself
# (`--list-fault-points`): a point that no scenario reaches fails the walk. Root only; it uses
# cgroups of its own (/gocker-faults-PID-N/...) and its own --root under a temporary directory,
# and kills only processes that carry its marker (GOCKER_FAULT_RUN=<run> in their environment).
# Prints one table row per point and time, then the counts; exits 1 when anything was left.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=tests/faults/script_common.sh
source "$here/script_common.sh"

if [[ ${1:-} == --one ]]; then
    shift
    # shellcheck source=tests/faults/lib.sh
    source "$here/lib.sh"
    run_one "$@"
    exit 0
fi

runtime="" quick=0 recreate=0 jobs=2 only="" keep=0
rootfs_src=${GOCKER_ROOTFS:-$top/rootfs/out/busybox}
while (( $# )); do
    case $1 in
        --runtime) runtime=$2; shift ;;
        --quick) quick=1 ;;
        --recreate) recreate=1 ;;
        --jobs) jobs=$2; shift ;;
        --only) only=$2; shift ;;
        --rootfs) rootfs_src=$2; shift ;;
        --keep) keep=1 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "fault-walk: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
check_prerequisites fault-walk "$rootfs_src"
mapfile -t points < <("$runtime" --list-fault-points)
(( ${#points[@]} > 0 )) || { echo "fault-walk: $runtime lists no fault points: build it with -DGOCKER_FAULT_POINTS=ON" >&2; exit 2; }

work=$(mktemp -d /tmp/gocker-faults.XXXXXX)
export FW_WORK=$work FW_RUNTIME=$runtime FW_TAG="fw$$"
# shellcheck source=tests/faults/lib.sh
source "$here/lib.sh"
cleanup() { (( keep )) || rm -rf "$work"; }
trap cleanup EXIT

cp -a "$rootfs_src" "$work/rootfs"
make_template "$work/rootfs" > "$work/template.json"
listing "$work/rootfs" > "$work/rootfs.before"
started=$SECONDS

# 1. Which points each scenario reaches, and how many times (GOCKER_FAULT_TRACE=1).
declare -A reached=() scenario_of=() no_init=()
for scenario in lifecycle halfmade run; do
    run_one 0 "-" 0 trace delete "$scenario" > /dev/null
    grep -ao 'gocker-fault-point: [A-Za-z0-9_.-]*$' "$work/run-0/log" | cut -d' ' -f2 > "$work/trace"
    while read -r count name; do
        [[ -n ${reached[$name]:-} ]] && continue
        reached[$name]=$count
        scenario_of[$name]=$scenario
    done < <(sort "$work/trace" | uniq -c)
    # The points of create reached before its clone3, and the delete of a half-made container,
    # have no container init for kill-init to kill.
    while read -r name; do
        [[ $name == create.clone ]] && break
        no_init[$name]=1
    done < "$work/trace"
    [[ $scenario == halfmade ]] && while read -r name; do no_init[$name]=1; done < <(grep '^delete\.' "$work/trace")
    rm -rf "$work/run-0"
done

# 2. The jobs: point, time, mode, clean-up.
n=0
: > "$work/jobs"
for p in "${points[@]}"; do
    [[ -n $only && ! $p =~ $only ]] && continue
    c=${reached[$p]:-0}
    if (( c == 0 )); then
        echo "$p 0 - - -" >> "$work/not-reached"
        continue
    fi
    times=$(seq 1 "$c")
    (( quick && c > 2 )) && times="1 $c"
    for k in $times; do
        for mode in fail kill kill-init; do
            # Not applicable, so not run (the runtime would only say so): kill of the runtime at
            # a point in the init or exec's helper, kill-init where there is no init yet.
            if [[ ($mode == kill && $p =~ \.(init|helper)\.) || ($mode == kill-init && -n ${no_init[$p]:-}) ]]; then
                echo "$p $k $mode - n/a clean" >> "$work/skipped"
                continue
            fi
            variants=delete
            (( recreate )) && variants="delete recreate"
            for v in $variants; do
                n=$((n + 1))
                echo "$n $p $k $mode $v ${scenario_of[$p]}" >> "$work/jobs"
            done
        done
    done
done
total=$n
echo "fault-walk: ${#points[@]} fault points, $total runs, $jobs at a time ($runtime)"

# 3. Run them; each prints "point time mode variant outcome verdict".
xargs -P "$jobs" -L1 "$0" --one < "$work/jobs" > "$work/results"
[[ -f $work/skipped ]] && cat "$work/skipped" >> "$work/results"

# 4. The table.
failed=0 clean=0 skipped=0
declare -A cell=()
while read -r p k mode v outcome verdict; do
    key="$p#$k"
    label="$outcome/$verdict"
    [[ $v == recreate ]] && label="re:$label"
    cell[$key,$mode]="${cell[$key,$mode]:+${cell[$key,$mode]} }$label"
    if [[ $v == - ]]; then skipped=$((skipped + 1))
    elif [[ $verdict == clean ]]; then clean=$((clean + 1)); else failed=$((failed + 1)); fi
done < "$work/results"
printf '%-40s %-24s %-24s %-24s\n' "point#time" fail kill kill-init
for p in "${points[@]}"; do
    [[ -n $only && ! $p =~ $only ]] && continue
    c=${reached[$p]:-0}
    if (( c == 0 )); then
        printf '%-40s %s\n' "$p" "NOT REACHED by any scenario"
        failed=$((failed + 1))
        continue
    fi
    for k in $(seq 1 "$c"); do
        [[ -z ${cell[$p#$k,fail]:-} ]] && continue
        printf '%-40s %-24s %-24s %-24s\n' "$p#$k" "${cell[$p#$k,fail]}" "${cell[$p#$k,kill]}" "${cell[$p#$k,kill-init]}"
    done
done
if ! diff -q "$work/rootfs.before" <(listing "$work/rootfs") > /dev/null; then
    echo "LEFT in the rootfs:"; diff "$work/rootfs.before" <(listing "$work/rootfs") | grep '^>'
    failed=$((failed + 1))
fi
echo "outcome: err = the command failed with the injected or a consequent error, killed = SIGKILLed,"
echo "ok = the command succeeded (the fault hit a step that only warns), n/a = not applicable there"
(( failed )) && echo "details: rerun with --keep --only POINT and read /tmp/gocker-faults.*/run-N/log"
echo "fault-walk: $total runs in $((SECONDS - started)) s: $clean clean, $failed failed ($skipped not applicable, not run)"
(( failed == 0 ))
