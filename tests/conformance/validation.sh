#!/usr/bin/env bash
# The OCI runtime-tools validation suite against a runtime (default: this tree's build/gocker-runtime).
#
#   tests/conformance/validation.sh [--suite DIR|TARBALL] [--runtime PATH] [--expected FILE|none]
#                                   [--only NAME[,NAME...]] [--timeout SECONDS] [--keep]
#
# The suite is opencontainers/runtime-tools at commit 5e639034dcdc2422164e3d7d76a737e2fb451a67,
# as a checkout or a tarball of that tree with its vendor/ directory (default:
# ../shared/conformance/runtime-tools-5e639034.tar.gz next to the repository, when it exists).
# Without it the script says where to get it and exits 77 (skipped).
#
# It builds `runtimetest` and the 58 `validation/<name>/<name>.t` programs offline with a Go from
# lib/go-toolchain.sh (cached in tests/conformance/cache/), then runs each test, one at a time,
# in its own mount, IPC and UTS namespaces, with a timeout, and reads its TAP. Each `ok` is a
# passed point, each `not ok` a failed one, `# SKIP` neither; a test that dies without a complete
# plan, or times out, counts as one failed point named after what happened.
#
# Failures are compared with validation-expected-failures.txt: the run fails on a failure that is
# not listed, and on a listed failure that now passes (unless the entry is marked flaky). The last
# line is exactly `N passed, M failed`: points passed, and the points that fail the run (failures
# not on the list, listed ones that pass); the line before it counts the expected failures.
#
# What it leaves behind: nothing. The runtime is called through a wrapper that gives it a state
# directory of its own (`--root`), so after each test every container the test left is deleted
# with `delete --force`; each test runs in its own process group, which is killed on timeout; the
# bundles live in a private TMPDIR; the cgroups the tests name (/cgrouptest, testdir/cgrouptest/...)
# are removed when the test is over. Each test holds /tmp/gocker-integration.lock while it runs,
# since the tests use fixed cgroup names.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
upstream_repo=https://github.com/opencontainers/runtime-tools
upstream_commit=5e639034dcdc2422164e3d7d76a737e2fb451a67

suite=$repo/../shared/conformance/runtime-tools-5e639034.tar.gz
runtime=${GOCKER_RUNTIME:-$repo/build/gocker-runtime}
expected=$here/validation-expected-failures.txt
only=
timeout_s=${VALIDATION_TIMEOUT:-120}
keep=0
suite_given=0

usage() { sed -n '2,5p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while (( $# )); do
    case $1 in
        --suite) suite=$2; suite_given=1; shift 2 ;;
        --runtime) runtime=$2; shift 2 ;;
        --expected) expected=$2; shift 2 ;;
        --only) only=$2; shift 2 ;;
        --timeout) timeout_s=$2; shift 2 ;;
        --keep) keep=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "validation: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
done

if [[ ! -e $suite ]]; then
    if (( suite_given )); then
        echo "validation: --suite $suite: no such file or directory" >&2; exit 2
    fi
    echo "validation: SKIPPED: the runtime-tools suite was not found at $suite;" \
         "pass --suite with a checkout (or a tarball with vendor/) of $upstream_repo at commit $upstream_commit"
    exit 77
fi
if [[ $(id -u) != 0 ]]; then echo "validation: SKIPPED: must run as root (containers with cgroups)"; exit 77; fi
runtime=$(command -v "$runtime") || { echo "validation: runtime '$runtime' not found (build it with make build)" >&2; exit 2; }
runtime=$(realpath "$runtime")
[[ $expected == none || -r $expected ]] || { echo "validation: expected-failures list $expected not readable" >&2; exit 2; }

# shellcheck source=lib/go-toolchain.sh
source "$here/lib/go-toolchain.sh"
start_time=$SECONDS

# --- the suite's source, unpacked or copied into the cache, and built once per source ---------
suite=$(realpath "$suite")
if [[ -d $suite ]]; then
    if got=$(git -C "$suite" rev-parse HEAD 2>/dev/null) && [[ $got != "$upstream_commit" ]]; then
        echo "validation: warning: $suite is at commit $got, the expected-failures list is for $upstream_commit" >&2
    fi
    key=dir-$(printf '%s' "$suite" | sha256sum | cut -c1-12)
else
    key=tar-$(sha256sum <"$suite" | cut -c1-12)
fi
src=$CONFORMANCE_CACHE/runtime-tools-$key
if [[ ! -f $src/.built ]] || [[ -d $suite && -n $(find "$suite" -newer "$src/.built" -name '*.go' -print -quit) ]]; then
    rm -rf "$src" && mkdir -p "$src" || exit 1
    if [[ -d $suite ]]; then
        cp -a "$suite/." "$src/" || exit 1
    else
        tar -xzf "$suite" -C "$src" || { echo "validation: cannot unpack $suite" >&2; exit 1; }
        # A tarball made with a top-level directory: use the directory holding the Makefile.
        if [[ ! -f $src/Makefile ]]; then
            inner=$(find "$src" -mindepth 2 -maxdepth 2 -name Makefile -printf '%h\n' -quit)
            [[ -n $inner ]] || { echo "validation: $suite has no Makefile" >&2; exit 1; }
            mv "$inner"/* "$inner"/.[!.]* "$src/" 2>/dev/null; rmdir "$inner"
        fi
    fi
    [[ -d $src/vendor ]] || { echo "validation: $suite has no vendor/ directory: it cannot build offline" >&2; exit 1; }
    conformance_go_toolchain >/dev/null || { echo "validation: no Go >= 1.21 toolchain" >&2; exit 1; }
    echo "validation: building runtimetest and the validation tests with $(go version | cut -d' ' -f3) ..."
    if ! make -C "$src" runtimetest validation-executables >"$src/build.log" 2>&1; then
        tail -20 "$src/build.log" >&2; echo "validation: build failed (log: $src/build.log)" >&2; exit 1
    fi
    touch "$src/.built"
fi
build_s=$(( SECONDS - start_time ))

# The tests untar ./rootfs-amd64.tar.gz (a busybox tree) and copy ./runtimetest into each bundle.
[[ -f $src/rootfs-amd64.tar.gz ]] || { echo "validation: the suite has no rootfs-amd64.tar.gz" >&2; exit 1; }

# --- the work directory: run dir, runtime wrapper, private TMPDIR and state --------------------
work=$(mktemp -d /tmp/gocker-validation.XXXXXX) && chmod 755 "$work" || exit 1  # searchable, as /tmp is, by ids a user namespace maps
mkdir -p "$work/tmp" "$work/state" "$work/logs"
cp "$src/runtimetest" "$work/runtimetest"  # the tests copy it into each bundle as it is: no symlink
ln -s "$src/rootfs-amd64.tar.gz" "$work/rootfs-amd64.tar.gz"
cat >"$work/runtime" <<EOF
#!/bin/sh
# The runtime under test, with a state directory of this run's own; every call is logged.
printf '%s\n' "\$*" >>"\${VALIDATION_CALLS:-/dev/null}"
exec '$runtime' --root '$work/state' "\$@"
EOF
chmod +x "$work/runtime"

# The cgroup directories the tests name, in every v1 hierarchy and the unified one: absolute
# /cgrouptest, and the relative testdir/cgrouptest/container under wherever a runtime puts
# relative paths (the hierarchy's root, its /gocker, or the caller's own cgroup), and gocker-runtime's
# default parent /gocker itself, which the runtime keeps once made (removed here when a test made it).
cgroup_candidates() {
    local line hier path
    while IFS=: read -r _ hier path; do
        local dir=/sys/fs/cgroup/${hier#name=}
        if [[ -z $hier ]]; then
            dir=/sys/fs/cgroup/unified
            [[ -e /sys/fs/cgroup/cgroup.controllers ]] && dir=/sys/fs/cgroup  # pure v2
        fi
        [[ -d $dir ]] || continue
        printf '%s\n' "$dir/cgrouptest" "$dir/testdir" "$dir/gocker" "$dir/gocker/testdir" "$dir/gocker/cgrouptest"
        [[ $path != / ]] && printf '%s\n' "$dir$path/testdir"
    done </proc/self/cgroup | sort -u
}
mapfile -t cg_names < <(cgroup_candidates)
declare -A cg_before=()
test_ran=0
note_cgroups() {  # before each test, under the lock: what exists already is not ours to remove
    cg_before=()
    for d in "${cg_names[@]}"; do
        [[ -d $d ]] && { cg_before[$d]=1; echo "validation: $d exists before $t (left over, or made outside the lock): not touching it" >&2; }
    done
}

cleanup_test() {  # after each test: its containers, then its cgroups (rmdir only, deepest first)
    local id
    for id in $("$work/runtime" list -q 2>/dev/null); do
        "$work/runtime" delete --force "$id" >/dev/null 2>&1 ||
            echo "validation: cleanup: delete --force $id failed" >&2
    done
    rm -rf "${work:?}/tmp/"* 2>/dev/null
    (( test_ran )) || return 0
    test_ran=0
    for d in "${cg_names[@]}"; do
        [[ -n ${cg_before[$d]:-} ]] && continue
        [[ -d $d ]] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
        [[ -d $d ]] && echo "validation: cleanup: could not remove cgroup $d" >&2
    done
}
current_pgid=
lock_wait=${VALIDATION_LOCK_WAIT:-1800}
lock_holders() {  # the processes that have the lock file open, for the message when it never comes
    local d fd
    [[ -e /tmp/gocker-integration.lock ]] || return
    for d in /proc/[0-9]*; do
        for fd in "$d"/fd/*; do
            [[ $(readlink "$fd" 2>/dev/null) == /tmp/gocker-integration.lock ]] || continue
            printf '%s ' "${d#/proc/}:$(tr '\0\n' '  ' <"$d/cmdline" | cut -c1-60)"
            break
        done
    done
}
on_exit() {
    [[ -n $current_pgid ]] && kill -KILL -- "-$current_pgid" 2>/dev/null
    cleanup_test
    if (( keep )); then echo "validation: work directory kept: $work"; else rm -rf "$work"; fi
}
trap on_exit EXIT
trap 'exit 130' INT TERM

# --- expected failures: "TEST | POINT | host|suite|flaky | REASON" ------------------------------
declare -A expect_kind=()
if [[ $expected != none ]]; then
    while IFS= read -r line; do
        [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
        IFS='|' read -r t p k _ <<<"$line"
        t=$(echo $t); k=$(echo $k); p=${p# }; p=${p% }
        case $k in host|suite|flaky) ;; *) echo "validation: $expected: bad kind '$k' in: $line" >&2; exit 2 ;; esac
        expect_kind["$t|$p"]=$k
    done <"$expected"
fi

# Points carry run-specific values (bundle paths, ids): make them comparable.
normalize() {
    sed -E -e 's#/tmp/gocker-validation\.[A-Za-z0-9]+/tmp/ocitest[0-9]+#BUNDLE#g' -e 's#ocitest[0-9]+#ocitestN#g' \
        -e 's#[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}#UUID#g'
}

# --- run ---------------------------------------------------------------------------------------
mapfile -t tests < <(cd "$src/validation" && for d in */; do d=${d%/}; [[ -x $d/$d.t ]] && echo "$d"; done)
if [[ -n $only ]]; then
    IFS=, read -ra wanted <<<"$only"
    for w in "${wanted[@]}"; do [[ -x $src/validation/$w/$w.t ]] || { echo "validation: no test '$w'" >&2; exit 2; }; done
    tests=("${wanted[@]}")
fi

echo "validation: runtime $runtime ($("$runtime" --version 2>/dev/null | head -1))"
echo "validation: suite $suite ($upstream_repo at $upstream_commit), ${#tests[@]} tests, timeout ${timeout_s}s each"
total_ok=0 total_fail=0 total_skip=0 unexpected=0 stale=0 expected_hit=0
tests_clean=0 tests_bad=0
declare -A seen_fail=()
for t in "${tests[@]}"; do
    out=$work/logs/$t.tap
    export VALIDATION_CALLS=$work/logs/$t.calls
    # The lock is taken here, not in the test's command line, so that waiting for it does not count
    # against the timeout and the cleanup after the test still holds it; the test does not inherit it.
    exec {lock_fd}>/tmp/gocker-integration.lock
    if ! flock -w "$lock_wait" "$lock_fd"; then
        echo "validation: /tmp/gocker-integration.lock still held after ${lock_wait}s (processes with it open: $(lock_holders)); stopping" >&2
        exit 1
    fi
    note_cgroups
    test_ran=1
    t0=$SECONDS
    # A background job of a script is not a process-group leader, so setsid(1) makes the new
    # session in place: $! is the group of the test and of every runtime call, killed on timeout.
    ( exec {lock_fd}>&- && cd "$work" && exec setsid unshare -miu --propagation private \
        env RUNTIME="$work/runtime" TMPDIR="$work/tmp" "$src/validation/$t/$t.t" ) >"$out" 2>"$work/logs/$t.err" &
    pid=$! current_pgid=$! rc=
    while kill -0 "$pid" 2>/dev/null; do
        if (( SECONDS - t0 >= timeout_s )); then
            kill -KILL -- "-$pid" 2>/dev/null
            rc=timeout
            break
        fi
        sleep 0.2
    done
    wait "$pid" 2>/dev/null; status=$?
    [[ -z $rc ]] && rc=$status
    cleanup_test
    current_pgid=
    exec {lock_fd}>&-

    # TAP: "ok N - point", "not ok N - point", "ok N # SKIP why", plans "1..N" (some tests print
    # two TAP streams), YAML diagnostics between "  ---" and "  ...". A diagnostic with an "error"
    # that follows no test point is how some tests report a failure without a point (hooks,
    # poststart...): it counts as a failed point named "(error: <its first line>)".
    ok=0 fail=0 skip=0 strays=0 plan=
    fails=()
    while IFS=$'\t' read -r kind text; do
        case $kind in
            ok) ((ok++)) ;; skip) ((skip++)) ;; plan) plan=$(( ${plan:-0} + text )) ;;
            fail) ((fail++)); fails+=("$text") ;;
            stray) ((strays++)); fails+=("$text") ;;
        esac
    done < <(normalize <"$out" | awk '
        /^TAP version/ { last = "start"; next }
        /^ok [0-9]+ # (SKIP|skip)/ { print "skip\t"; last = "point"; next }
        /^ok [0-9]+/ { print "ok\t"; last = "point"; next }
        /^not ok [0-9]+/ { sub(/^not ok [0-9]+( -)? ?/, ""); print "fail\t" $0; last = "point"; next }
        /^1\.\.[0-9]+/ { sub(/^1\.\./, ""); sub(/[^0-9].*/, ""); print "plan\t" $0; next }
        /^  ---/ { yaml = 1; stray = (last != "point"); next }
        /^  \.\.\./ { yaml = 0; last = "yaml"; next }
        yaml && stray && /"error": "/ { e = $0; sub(/.*"error": "/, "", e); sub(/(\\n|").*/, "", e); print "stray\t(error: " e ")"; stray = 0 }
    ')
    # A test that only checks that the runtime refuses a config (process_rlimits_fail) prints no
    # TAP at all: exit status 0 is its one passed point, anything else its one failed point.
    points=$(( ok + fail + skip ))
    if [[ $rc == timeout ]]; then fails+=("(timed out after ${timeout_s}s)"); ((fail++))
    elif [[ -z $plan ]] && (( points == 0 && strays == 0 && rc == 0 )) && [[ ! -s $out ]]; then ((ok++))
    elif [[ -z $plan ]]; then fails+=("(no TAP plan; exit status $rc)"); ((fail++))
    else
        (( plan != points )) && { fails+=("(plan of $plan points, $points reported)"); ((fail++)); }
        (( rc != 0 )) && { fails+=("(exit status $rc)"); ((fail++)); }
    fi
    ((fail += strays))
    ((total_ok += ok, total_fail += fail, total_skip += skip))

    bad=()
    for p in "${fails[@]}"; do
        seen_fail["$t|$p"]=1
        if [[ -n ${expect_kind["$t|$p"]:-} ]]; then ((expected_hit++)); else bad+=("unexpected failure: $p"); fi
    done
    for k in "${!expect_kind[@]}"; do
        [[ ${k%%|*} == "$t" && -z ${seen_fail[$k]:-} && ${expect_kind[$k]} != flaky ]] &&
            bad+=("listed failure now passes: ${k#*|}")
    done
    verdict=PASS; (( fail )) && verdict="PASS (failures as listed)"
    if (( ${#bad[@]} )) && [[ $expected != none ]]; then verdict=FAIL; ((tests_bad++)); else ((tests_clean++)); fi
    [[ $expected == none ]] && { verdict=DONE; (( fail )) && verdict=FAILED; }
    printf '%-40s %-26s %4d ok %3d not ok %3d skip  %3ds\n' "$t" "$verdict" "$ok" "$fail" "$skip" $(( SECONDS - t0 ))
    if [[ $expected == none ]]; then
        for p in "${fails[@]}"; do printf '    not ok: %s\n' "$p"; done
    else
        for b in "${bad[@]}"; do
            printf '    %s\n' "$b"
            [[ $b == unexpected* ]] && ((unexpected++)) || ((stale++))
        done
        if (( ${#bad[@]} )); then
            # the failing points' diagnostics, and how the runtime was called
            grep -A12 '^not ok' "$out" | grep -E 'error:|stderr:|^ {4,}\S' | head -12 | sed 's/^/      /'
            [[ -s $work/logs/$t.err ]] && head -5 "$work/logs/$t.err" | sed 's/^/      stderr: /'
        fi
    fi
done

echo "validation: ${#tests[@]} tests in $(( SECONDS - start_time ))s (build ${build_s}s): $tests_clean as expected, $tests_bad not;" \
     "points: $total_ok ok, $total_fail not ok ($expected_hit expected), $total_skip skipped;" \
     "$unexpected unexpected failures, $stale listed failures that now pass"
# The closing line counts what fails the run: with a list, the failures not on it and the listed
# failures that now pass (the expected ones are in the line above); without one, every failure.
if [[ $expected == none ]]; then
    echo "$total_ok passed, $total_fail failed"
    exit 0
fi
echo "$total_ok passed, $(( unexpected + stale )) failed"
(( unexpected == 0 && stale == 0 ))
