#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang, ASan + UBSan) in their own build directory
# and runs each for a set time, starting from seed corpora taken from the repository's configs.
#   tests/fuzz/run-fuzz.sh [--seconds N] [--build DIR] [TARGET...]
# TARGET is config, state, seccomp or sync (default: all). N defaults to $FUZZ_SECONDS, else 60.
# The corpus each run grows is kept in DIR/corpus/TARGET and reused by the next run; an input
# that crashes a target is written to DIR/crashes/ and the script fails (make it a unit test,
# then fix it). Prints one line per target: executions, executions per second, corpus size.
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
seconds=${FUZZ_SECONDS:-60}
build=${FUZZ_BUILD_DIR:-$src/build-fuzz}
targets=()
while (( $# )); do
    case $1 in
        --seconds) seconds=$2; shift 2 ;;
        --build) build=$2; shift 2 ;;
        -h|--help) sed -n '2,9p' "$0" | cut -c3-; exit 0 ;;
        -*) echo "run-fuzz: unknown option $1" >&2; exit 2 ;;
        *) targets+=("$1"); shift ;;
    esac
done
(( ${#targets[@]} )) || targets=(config state seccomp sync)

if ! command -v clang++ >/dev/null; then
    echo "run-fuzz: clang++ not found: install the Debian packages clang and libclang-rt-14-dev (scripts/install-deps)" >&2
    exit 1
fi
cmake -S "$src" -B "$build" -DGOCKER_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"${JOBS:-2}" -- --no-print-directory >/dev/null

# Seeds: what the repository itself holds of each input.
seed_dir() {
    local target=$1 dir=$build/seeds/$1 f
    rm -rf "$dir" && mkdir -p "$dir"
    case $target in
        config)
            cp "$src"/tests/data/configs/good/*.json "$src"/tests/data/configs/bad/*.json "$dir"/
            cp "$src"/bundles/examples/hello/config.json "$dir"/hello.json ;;
        state)
            cp "$src"/tests/data/state/good/*.json "$src"/tests/data/state/bad/*.json "$src"/tests/fuzz/seeds/state/* "$dir"/ ;;
        seccomp)
            cp "$src"/bundles/profiles/seccomp-default.json "$dir"/
            for f in "$src"/tests/data/configs/*/*.json; do
                jq -ce '.linux.seccomp // empty' "$f" >"$dir/$(basename "$f")" 2>/dev/null || rm -f "$dir/$(basename "$f")"
            done ;;
        sync)
            cp "$src"/tests/fuzz/seeds/sync/* "$dir"/ ;;
    esac
    echo "$dir"
}

failed=0
printf '%-8s %12s %10s %8s  %s\n' target executions 'exec/s' corpus verdict
for t in "${targets[@]}"; do
    bin=$build/tests/fuzz/${t}_fuzz
    [[ -x $bin ]] || { echo "run-fuzz: no target $t" >&2; exit 2; }
    seeds=$(seed_dir "$t")
    mkdir -p "$build/corpus/$t" "$build/crashes"
    log=$build/$t.log
    rc=0
    "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$build/crashes/$t-" "$build/corpus/$t" "$seeds" >"$log" 2>&1 || rc=$?
    execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
    rate=$(awk '/stat::average_exec_per_sec/ {print $2}' "$log")
    size=$(find "$build/corpus/$t" -type f | wc -l)
    if (( rc == 0 )); then
        verdict=ok
    else
        verdict="CRASH (exit $rc): $(grep -m1 -o 'Test unit written to .*' "$log" || echo "see $log")"
        failed=1
    fi
    printf '%-8s %12s %10s %8s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "$size" "$verdict"
    (( rc == 0 )) || grep -m5 -E 'ERROR|fuzz:|SUMMARY' "$log" | sed 's/^/    /' >&2 || true
done
exit "$failed"
