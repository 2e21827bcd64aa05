#!/bin/sh
# Runs inside the cgroup v2 VM (tests/vm/cgroup2-vm.sh), as PID 1's child, with busybox sh.
# Bundles are made by the harness under /ctr/<name>. Each check prints "ok - NAME" or
# "not ok - NAME: why"; the last line is "VM-RESULT: N passed, M failed".
R="gocker-runtime --root /run/gocker-vm"
pass=0
fail=0
ok() { echo "ok - $1"; pass=$((pass + 1)); }
notok() { echo "not ok - $1"; fail=$((fail + 1)); }
check() { # NAME EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then ok "$1"; else notok "$1: expected '$2', got '$3'"; fi
}
cg=/sys/fs/cgroup

# 1. A container runs on a pure v2 host, and its init is in its own cgroup from the start.
out=$($R run -b /ctr/basic basic 2>&1)
check "run on a pure cgroup v2 host" "hello-v2" "$(echo "$out" | head -n 1)"
case "$(echo "$out" | sed -n 2p)" in
    0::/*) ok "the container sees a cgroup v2 path" ;;
    *) notok "the container sees a cgroup v2 path: got '$(echo "$out" | sed -n 2p)'" ;;
esac
check "basic: nothing left in state" "" "$($R list -q)"

# 2. Limits are written before create returns, and the init is placed in the cgroup.
if $R create -b /ctr/limits limits; then
    pid=$($R state limits | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
    dir=$cg/gocker-vm/limits
    check "the init is in its cgroup (CLONE_INTO_CGROUP)" "0::/gocker-vm/limits" "$(cat /proc/$pid/cgroup 2>&1)"
    check "memory.max" "67108864" "$(cat $dir/memory.max 2>&1)"
    check "pids.max" "20" "$(cat $dir/pids.max 2>&1)"
    check "cpu.max" "50000 100000" "$(cat $dir/cpu.max 2>&1)"
    # runc's conversion (docs/cgroup-v2.md there): weight = 1 + (shares - 2) * 9999 / 262142.
    check "cpu.weight from shares 1024" "39" "$(cat $dir/cpu.weight 2>&1)"
    $R start limits
    $R pause limits
    check "pause: cgroup.freeze" "1" "$(cat $dir/cgroup.freeze 2>&1)"
    case "$($R state limits)" in *'"paused"'*) ok "state shows paused" ;; *) notok "state shows paused: $($R state limits)" ;; esac
    $R resume limits
    check "resume: cgroup.freeze" "0" "$(cat $dir/cgroup.freeze 2>&1)"
    $R update --memory 33554432 --pids-limit 30 limits
    check "update memory.max" "33554432" "$(cat $dir/memory.max 2>&1)"
    check "update pids.max" "30" "$(cat $dir/pids.max 2>&1)"
    check "ps lists the init" "$pid" "$($R ps --format json limits | tr -d '[] ')"
    # exec: the process joins the container's v2 cgroup; the exit status is the process's.
    $R exec -d --pid-file /tmp/exec.pid limits sleep 30
    epid=$(cat /tmp/exec.pid 2>/dev/null)
    check "exec: the process is in the container's cgroup" "0::/gocker-vm/limits" "$(cat /proc/$epid/cgroup 2>&1)"
    check "exec: ps lists it" "$pid,$epid" "$($R ps --format json limits | tr -d '[] ')"
    check "exec: foreground exit status" "3" "$($R exec limits sh -c 'exit 3' >/dev/null 2>&1; echo $?)"
    # Usage from the v2 files (what `events --stats` and gocker's console read: linux/cgroups/stats).
    st=$($R events --stats limits 2>&1)
    case "$st" in *'"cpu":{"usage":{"total":'[1-9]*) ok "stats: cpu usage from cpu.stat" ;; *) notok "stats: cpu usage from cpu.stat: $st" ;; esac
    case "$st" in *'"memory":{"cache":'*'"usage":{"usage":'[1-9]*'"limit":33554432}'*) ok "stats: memory usage and limit" ;; *) notok "stats: memory usage and limit: $st" ;; esac
    case "$st" in *'"pids":{"current":'[1-9]*',"limit":30}'*) ok "stats: pids current and limit" ;; *) notok "stats: pids current and limit: $st" ;; esac
    $R delete --force limits
    if [ -e "$dir" ]; then notok "delete removes the cgroup"; else ok "delete removes the cgroup"; fi
    if [ -e "$cg/gocker-vm" ]; then notok "delete removes the parent it made"; else ok "delete removes the parent it made"; fi
else
    notok "create with limits"
fi

# 3. The memory limit is enforced: the allocating process is OOM-killed, the init survives.
out=$($R run -b /ctr/oom oom 2>&1)
case "$out" in *survived*) ok "memory limit: the init survives the OOM kill" ;; *) notok "memory limit: the init survives the OOM kill: $out" ;; esac
case "$out" in *"oom_kill 1"*|*"oom_kill 2"*) ok "memory.events counts the OOM kill" ;; *) notok "memory.events counts the OOM kill: $out" ;; esac

# 4. The pids limit is enforced: forks past it fail (counted with shell builtins only: no fork
#    is left for ls or wc once the limit is reached).
out=$($R run -b /ctr/pids pids 2>&1)
n=$(echo "$out" | tail -n 1)
if [ "$n" -le 10 ] 2>/dev/null; then ok "pids limit: at most 10 processes ($n)"; else notok "pids limit: at most 10 processes: $out"; fi

# 5. Rootless: user 1000 with a delegated subtree (a directory it owns, controllers enabled),
#    as systemd delegates user@1000.service. The test shell moves into a leaf of it (its own
#    cgroup), so containers go below the leaf's parent, /rl-deleg, with their limits.
echo "rl:x:1000:1000::/tmp/rl:/bin/sh" >>/etc/passwd
echo "rl:x:1000:" >>/etc/group
mkdir -p /tmp/rl/run && chown -R 1000:1000 /tmp/rl && chmod 700 /tmp/rl/run
echo "+memory +pids" >$cg/cgroup.subtree_control
mkdir -p $cg/rl-deleg/shell
chown 1000:1000 $cg/rl-deleg $cg/rl-deleg/cgroup.procs $cg/rl-deleg/cgroup.subtree_control \
    $cg/rl-deleg/shell $cg/rl-deleg/shell/cgroup.procs
echo "+memory +pids" >$cg/rl-deleg/cgroup.subtree_control
echo $$ >$cg/rl-deleg/shell/cgroup.procs
as_rl() { su -s /bin/sh rl -c "XDG_RUNTIME_DIR=/tmp/rl/run gocker-runtime $*"; }
if as_rl create -b /ctr/rlimits rl1; then
    pid=$(as_rl state rl1 | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
    check "rootless: the init is in the delegated subtree" "0::/rl-deleg/rl1" "$(cat /proc/$pid/cgroup 2>&1)"
    check "rootless: memory.max" "67108864" "$(cat $cg/rl-deleg/rl1/memory.max 2>&1)"
    check "rootless: pids.max" "20" "$(cat $cg/rl-deleg/rl1/pids.max 2>&1)"
    check "rootless: the init runs as user 1000 on the host" "1000" "$(stat -c %u /proc/$pid)"
    as_rl delete --force rl1
    if [ -e $cg/rl-deleg/rl1 ]; then notok "rootless: delete removes the cgroup"; else ok "rootless: delete removes the cgroup"; fi
else
    notok "rootless: create with limits in a delegated subtree"
fi
out=$(as_rl run -b /ctr/rlpids rl2 2>&1)
n=$(echo "$out" | tail -n 1)
if [ "$n" -le 10 ] 2>/dev/null; then ok "rootless: pids limit enforced ($n)"; else notok "rootless: pids limit enforced: $out"; fi
check "rootless: nothing left in state" "" "$(as_rl list -q)"

echo "VM-RESULT: $pass passed, $fail failed"
