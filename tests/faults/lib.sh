# shellcheck shell=bash
# The pieces of the fault walk (fault-walk.sh) that one run needs: the bundle, the scenarios and
# the search for what a run left behind. FW_WORK, FW_RUNTIME and FW_TAG come from fault-walk.sh.

# Every file under a directory, with its type, sorted: a new file or directory shows as a line.
listing() { (cd "$1" && find . -printf '%y %p\n' | sort); }

# The config every run starts from: the runtime's own `spec`, a container that sleeps, a user
# namespace, limits, one hook of every phase, and RUN/CGROUP/ROOTFS placeholders for run_one.
make_template() {
    local rootfs=$1 tmp
    tmp=$(mktemp -d)
    (cd "$tmp" && "$FW_RUNTIME" spec) || return 1
    local hook='{"path": "/bin/sh", "args": ["sh", "-c", "cat > /dev/null"], "env": ["GOCKER_FAULT_RUN=RUN"]}'
    jq --arg rootfs "$rootfs" --argjson hook "$hook" '
        .root = {path: $rootfs, readonly: true}
        | .process.args = ["sleep", "1000"]
        | .process.terminal = false
        | .process.env += ["GOCKER_FAULT_RUN=RUN"]
        | .linux.namespaces += [{type: "user"}]
        | .linux.uidMappings = [{containerID: 0, hostID: 0, size: 65536}]
        | .linux.gidMappings = [{containerID: 0, hostID: 0, size: 65536}]
        | .linux.cgroupsPath = "CGROUP"
        | .linux.resources.pids = {limit: 64}
        | .linux.resources.memory = {limit: 67108864}
        | .hooks = {prestart: [$hook], createRuntime: [$hook], createContainer: [$hook],
                    startContainer: [$hook], poststart: [$hook], poststop: [$hook]}' "$tmp/config.json"
    rm -rf "$tmp"
}

# Processes that carry the run's marker in their environment (the runtime, the init, hooks, the
# container's program all do).
marked_pids() {
    grep -lsxz -- "GOCKER_FAULT_RUN=$1" /proc/[0-9]*/environ | sed 's|^/proc/||; s|/environ$||'
}

# What run $1 (state root $2, container $3, cgroup $4, bundle $5) left behind, as words (a state
# directory or file, a cgroup at any level, a process, a mount, an fd, a new file in the bundle);
# nothing when clean.
leftovers() {
    local run=$1 root=$2 id=$3 cg=$4 bundle=$5 h e pids i
    [[ -e $root/$id ]] && echo "state-dir"
    if [[ -d $root ]]; then
        for e in "$root"/* "$root"/.[!.]*; do
            [[ -e $e && ${e##*/} != "$id" && ${e##*/} != .seccomp-cache ]] && echo "state:${e##*/}"
        done
    fi
    for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
        [[ -e $h$cg ]] && echo "cgroup:${h#/sys/fs/cgroup/}$cg"
    done
    # A killed runtime's init dies of its parent-death signal, and hooks of their own: a moment.
    for i in 1 2 3 4 5 6 7 8 9 10; do
        pids=$(marked_pids "$run")
        [[ -z $pids ]] && break
        sleep 0.2
    done
    if [[ -n $pids ]]; then
        echo "process:$(echo "$pids" | tr '\n' ',' | sed 's/,$//')"
        # Ours by the marker: ended here so that the host is left as it was found.
        for i in $pids; do kill -9 "$i" 2>/dev/null; done
    fi
    grep -q "$FW_WORK" /proc/self/mountinfo && echo "mount"
    # An open file of the run's (state root, bundle, cgroup) still held by any process.
    local fds
    fds=$(find /proc/[0-9]*/fd -maxdepth 1 -type l \( -lname "$root" -o -lname "$root/*" -o -lname "$bundle" \
        -o -lname "$bundle/*" -o -lname "/sys/fs/cgroup/*/$cg" -o -lname "/sys/fs/cgroup/*/$cg/*" \) 2> /dev/null |
        cut -d/ -f3 | sort -u | tr '\n' ',' | sed 's/,$//')
    [[ -n $fds ]] && echo "fd:$fds"
    diff -q "$bundle.before" <(listing "$bundle") > /dev/null || echo "bundle-file"
}

# One run: N POINT TIME MODE VARIANT SCENARIO. MODE `trace` only records the points reached.
# Prints "POINT TIME MODE VARIANT OUTCOME VERDICT".
run_one() {
    local n=$1 point=$2 k=$3 mode=$4 variant=$5 scenario=$6
    local d=$FW_WORK/run-$n id=$FW_TAG-$n run=$FW_TAG-$n cg=gocker-faults-${FW_TAG#fw}-$n
    local root=$d/root fault="" trace=0 outcome=ok faulted_cmd="" rc=0 left=() step
    mkdir -p "$d/bundle"
    sed -e "s|\"RUN\"|\"$run\"|; s|GOCKER_FAULT_RUN=RUN|GOCKER_FAULT_RUN=$run|g" \
        -e "s|\"CGROUP\"|\"/$cg/level2/$id\"|" "$FW_WORK/template.json" > "$d/bundle/config.json"
    listing "$d/bundle" > "$d/bundle.before"
    if [[ $mode == trace ]]; then trace=1; else fault="$point:$mode:$k"; fi

    rt() {  # FAULT CMD ARGS...: the runtime, with the marker, its fault and a time limit
        local f=$1
        shift
        # In a subshell: bash's "Killed" notice for a runtime that dies of SIGKILL stays out of
        # the table.
        (env GOCKER_FAULT_RUN="$run" GOCKER_FAULT="$f" GOCKER_FAULT_TRACE="$trace" \
            timeout 30 "$FW_RUNTIME" --root "$root" "$@" >> "$d/log" 2>&1 < /dev/null; exit $?) 2> /dev/null
    }
    local steps=()
    case $scenario in
        lifecycle) steps=("create --bundle $d/bundle --pid-file $d/pid $id" "start $id"
                              "exec --pid-file $d/exec.pid $id true" "delete --force $id") ;;
        halfmade)
            # A create killed once its cgroups exist, then the delete under test.
            rt "create.cgroup:kill" create --bundle "$d/bundle" --pid-file "$d/pid" "$id"
            steps=("delete --force $id") ;;
        # run: create and start in one process, the container locked in between.
        run) steps=("run --detach --bundle $d/bundle --pid-file $d/pid $id" "delete --force $id") ;;
    esac
    for step in "${steps[@]}"; do
        # shellcheck disable=SC2086  # the step is words
        rt "$fault" $step
        rc=$?
        if (( rc != 0 )); then
            faulted_cmd=${step%% *}
            break
        fi
    done
    case $rc in
        0) outcome=ok ;;
        137) outcome=killed ;;
        124) outcome=hung ;;
        *) outcome=err ;;
    esac
    grep -q "gocker-fault-point: $point: $mode: not applicable" "$d/log" && outcome=n/a
    if [[ $mode == fail && $outcome != n/a ]] && ! grep -q "fault point $point: injected failure" "$d/log"; then
        left+=("error-not-reported")
    fi
    [[ $mode != trace && $outcome != n/a ]] && ! grep -q "gocker-fault-point: $point: $mode" "$d/log" && left+=("not-hit")

    # A create or run that failed (and was not killed) must have undone everything itself.
    if [[ ($faulted_cmd == create || $faulted_cmd == run) && $outcome == err ]]; then
        [[ -e $d/pid ]] && left+=("pid-file")
        local early
        early=$(leftovers "$run" "$root" "$id" "$cg" "$d/bundle")
        local word
        for word in $early; do left+=("failed-$faulted_cmd:$word"); done
    fi
    if [[ $variant == recreate ]]; then
        # The next create of the same id: it works, or refuses because the id still exists.
        rt "" create --bundle "$d/bundle" --pid-file "$d/pid2" "$id"
        rc=$?
        (( rc != 0 )) && ! grep -q "already exists" "$d/log" && left+=("recreate-failed:$rc")
    fi
    rt "" delete --force "$id" || left+=("delete-force-failed")
    local after
    after=$(leftovers "$run" "$root" "$id" "$cg" "$d/bundle")
    local word
    for word in $after; do left+=("$word"); done
    local verdict=clean
    (( ${#left[@]} )) && verdict="LEFT:$(IFS=,; echo "${left[*]}")"
    echo "$point $k $mode $variant $outcome $verdict"
    [[ $verdict == clean && $mode != trace && -z ${FW_KEEP_RUNS:-} ]] && rm -rf "$d"
    return 0
}
