#!/usr/bin/env bash
# Disk trouble (issue 16): the state directory (--root) full, read-only, or one container's files
# truncated or corrupted. Each gives a clear one-line error ("<command> <id>: ... <reason>") and
# loses no other container: `list`, `state`, `kill` and `delete --force` still work on the others.
#
#   tests/faults/disk-trouble.sh --runtime build/gocker-runtime
#
# Root only. --root is a small tmpfs mounted in a private mount namespace the script makes for
# itself; containers get cgroups under /gocker-disk-PID/; processes are found and ended only by
# their marker (GOCKER_DISK_RUN=PID in their environment).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=tests/faults/script_common.sh
source "$here/script_common.sh"
runtime="" rootfs=${GOCKER_ROOTFS:-$top/rootfs/out/busybox}
while (( $# )); do
    case $1 in
        --runtime) runtime=$2; shift ;;
        --rootfs) rootfs=$2; shift ;;
        --in-namespace) in_ns=1 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "disk-trouble: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
check_prerequisites disk-trouble "$rootfs" "$top/build/gocker-runtime"
if [[ -z ${in_ns:-} ]]; then
    # Everything below mounts only in this private mount namespace.
    exec unshare -m --propagation private "$0" --runtime "$runtime" --rootfs "$rootfs" --in-namespace
fi

work=$(mktemp -d /tmp/gocker-disk.XXXXXX)
root=$work/root
mark="GOCKER_DISK_RUN=$$"
cgparent=gocker-disk-$$
failures=0 checks=0
fail() { echo "FAILED: $*"; failures=$((failures + 1)); }

finish() {
    end_marked_and_cgroups
    umount "$root" 2>/dev/null
    rm -rf "$work"
}
trap finish EXIT

mkdir -p "$root" "$work/b"
mount -t tmpfs -o size=512k,mode=0700 gocker-disk "$root" || exit 1
make_sleeper_template "$work/b" || exit 1
make_running() {  # ID
    local out
    out=$(rt create --bundle "$(bundle_for "$1")" "$1") || { fail "create $1: $out"; return 1; }
    out=$(rt start "$1") || { fail "start $1: $out"; return 1; }
}

# A refused command: exit status 1 and one line "<command> <id>: ... <reason>".
expect_error() {  # WHAT REASON-REGEX CMD...
    local what=$1 reason=$2 out rc
    shift 2
    out=$(rt "$@")
    rc=$?
    checks=$((checks + 1))
    if (( rc == 0 )); then
        fail "$what: succeeded: $out"
    elif [[ $(grep -c . <<< "$out") -ne 1 || ! $out =~ ^$1\ .*:\ .*($reason) ]]; then
        fail "$what: not one clear line (exit $rc): $(tr '\n' '|' <<< "$out")"
    else
        echo "ok: $what: $out"
    fi
}
expect_ok() {  # WHAT CMD...
    local what=$1 out
    shift
    checks=$((checks + 1))
    if ! out=$(rt "$@"); then fail "$what: $(tr '\n' '|' <<< "$out")"; else echo "ok: $what"; fi
}
# The others still answer: listed (json), state, kill (SIGCONT, harmless to `sleep`).
others_fine() {  # WHEN ID...
    local when=$1 id out
    shift
    out=$(rt list --format json | grep -v '^warning: ')
    for id in "$@"; do
        checks=$((checks + 1))
        jq -e --arg id "$id" 'any(.[]; .id == $id and .status == "running")' <<< "$out" > /dev/null ||
            fail "$when: list --format json lost $id: $out"
        out2=$(rt state "$id")
        [[ $(jq -r .status <<< "$out2" 2>/dev/null) == running ]] || fail "$when: state $id: $out2"
        rt kill "$id" CONT > /dev/null || fail "$when: kill $id CONT"
    done
}
dir_gone() {  # WHAT ID
    checks=$((checks + 1))
    [[ -e $root/$2 || -n $(compgen -G "$root/.new-$2-*") ]] && fail "$1: $root/$2 left behind"
}

for id in a1 a2 a3 a4 a5; do make_running "$id" || exit 1; done
echo "five containers running in a $(df -h --output=size "$root" | tail -1 | tr -d ' ') tmpfs --root"

# 1. Full: a new container is refused with the reason, the others live on.
dd if=/dev/zero of="$root/.filler" bs=4k 2>/dev/null
expect_error "full: create" "no space left on device" create --bundle "$(bundle_for f1)" f1
dir_gone "full: create f1" f1
others_fine "full" a1 a2 a3 a4 a5
expect_ok "full: delete --force a5" delete --force a5
dir_gone "full: delete --force a5" a5
rm -f "$root/.filler"

# 2. Read-only: create and delete refused with the reason, nothing lost.
mount -o remount,ro "$root" || exit 1
expect_error "read-only: create" "read-only file system" create --bundle "$(bundle_for r1)" r1
expect_error "read-only: delete --force a4" "read-only file system" delete --force a4
mount -o remount,rw "$root" || exit 1
others_fine "read-only" a1 a2 a3 a4
dir_gone "read-only: create r1" r1

# 3. One container's files truncated or corrupted: it is reported, the others are not lost,
#    and delete --force still removes it (and its processes, through its cgroup).
truncate -s 0 "$root/a1/state.json"
printf '{"id": "a2", "pid": 12' > "$root/a2/state.json"
printf 'garbage' > "$root/a3/cgroup.json"
for id in a1 a2; do
    expect_error "corrupt state.json: state $id" "state.json" state "$id"
done
out=$(rt list)
checks=$((checks + 1))
if [[ $out =~ a1 && $out =~ a2 ]]; then echo "ok: list names the broken ones: $(grep -E 'a1|a2' <<< "$out" | tr '\n' '|')"; else fail "list does not say a1 and a2 are broken: $out"; fi
others_fine "corrupt files" a4
out=$(rt state a3)
checks=$((checks + 1))
[[ $(jq -r .status <<< "$out" 2>/dev/null) == running ]] || fail "corrupt cgroup.json: state a3: $out"
for id in a1 a2 a3; do
    expect_ok "corrupt: delete --force $id" delete --force "$id"
    dir_gone "corrupt: delete --force $id" "$id"
done
expect_ok "delete --force a4" delete --force a4
sleep 0.3
left=$(grep -lsxz -- "$mark" /proc/[0-9]*/environ | wc -l)
checks=$((checks + 1))
(( left )) && fail "$left container processes left after delete --force of every container"
for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
    [[ -d $h$cgparent ]] && [[ -n $(find "$h$cgparent" -mindepth 1 -type d) ]] && fail "cgroups left under $h$cgparent"
done
echo "disk-trouble: $checks checks, $failures failed"
(( failures == 0 ))
