#!/usr/bin/env bash
# containerd 1.6's CRI plugin driven by crictl: the path of a Kubernetes node (kubelet -> containerd
# CRI -> containerd-shim-runc-v2 -> the runtime named by the handler's BinaryName), with the built
# gocker-runtime as the runtime handler of docs/integrations.md, named by every pod.
#
#   sudo tests/conformance/cri.sh [--cri-tools DIR_OR_TARBALL]
#
# crictl is built from kubernetes-sigs/cri-tools v1.26.1 (a checkout or a `git archive` tarball with
# its vendor/ directory; default ../shared/conformance/cri-tools-v1.26.1.tar.gz) with Go >= 1.21
# (lib/go-toolchain.sh) and cached in tests/conformance/cache/. Without a source the suite is
# skipped (exit 77). Everything else runs in conf_init's private mount + network namespace:
# containerd with its own config, root, state and socket under $CONF_TMP, a locally built pause
# image, CNI (Debian's bridge + host-local + portmap) on a bridge inside that namespace. Pods get a
# cgroup parent with a unique name, so the last scenario can check that nothing is left.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib/common.sh"
source "$HERE/lib/go-toolchain.sh"

CRI_TOOLS_TAG=v1.26.1
CRI_TOOLS_COMMIT=300f0781645f12437b43fba5dd232733e0f2f82f
# The scenarios that need the runtime's `exec` are plain checks. EXEC_XFAIL="reason" in the
# environment makes them expected failures, for a runtime under test that has no exec.
EXEC_XFAIL=${EXEC_XFAIL-}

cri_tools=$CONF_ROOT_DIR/../shared/conformance/cri-tools-$CRI_TOOLS_TAG.tar.gz
args=("$@")
while (( $# )); do
    case $1 in
        --cri-tools) (( $# >= 2 )) || { echo "cri: --cri-tools needs a directory or tarball" >&2; exit 2; }
                     cri_tools=$2; shift ;;
        --cri-tools=*) cri_tools=${1#--cri-tools=} ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        *) echo "cri: unknown argument '$1'" >&2; exit 2 ;;
    esac
    shift
done

# crictl, built once per source (outside the private namespaces: fetching Go needs the network).
build_crictl() {
    local src=$1 key out work
    if [[ -f $src ]]; then
        key=$(sha256sum "$src" | cut -c1-16)
    else
        key=dir-$(printf '%s' "$(realpath "$src")" | sha256sum | cut -c1-16)
    fi
    out=$CONFORMANCE_CACHE/crictl-$CRI_TOOLS_TAG-$key/crictl
    if [[ -x $out && -f $src ]]; then echo "$out"; return 0; fi
    conformance_go_toolchain >/dev/null || return 1
    mkdir -p "$(dirname "$out")"
    if [[ -f $src ]]; then
        work=$(mktemp -d "$CONFORMANCE_CACHE/cri-tools-src.XXXXXX")
        tar -xzf "$src" -C "$work" || { rm -rf "$work"; return 1; }
    else
        work=$src
    fi
    echo "cri: building crictl $CRI_TOOLS_TAG from $src" >&2
    (cd "$work" && CGO_ENABLED=0 go build -trimpath -o "$out.tmp" \
        -ldflags "-X github.com/kubernetes-sigs/cri-tools/pkg/version.Version=${CRI_TOOLS_TAG#v}" ./cmd/crictl) >&2
    local rc=$?
    [[ -f $src ]] && rm -rf "$work"
    (( rc == 0 )) && mv "$out.tmp" "$out" && echo "$out"
}

if [[ -z ${_CONF_IN_NS:-} ]]; then
    (( EUID == 0 )) || { echo "cri: must run as root" >&2; exit 1; }
    if [[ ! -e $cri_tools ]]; then
        echo "cri: SKIP: no cri-tools source at $cri_tools; get kubernetes-sigs/cri-tools at tag" \
             "$CRI_TOOLS_TAG (commit $CRI_TOOLS_COMMIT, with vendor/) and pass --cri-tools DIR_OR_TARBALL" >&2
        exit 77
    fi
    CRI_CRICTL=$(build_crictl "$cri_tools") || { echo "cri: building crictl from $cri_tools failed" >&2; exit 1; }
    export CRI_CRICTL
fi
conf_init cri "${args[@]}"
[[ -x ${CRI_CRICTL:-} ]] || conf_die "no crictl (CRI_CRICTL)"
source "$HERE/lib/containerd.sh"

SECONDS=0
conf_install_packages containerd containernetworking-plugins iptables || conf_die "cannot install containerd and the CNI plugins"
RT=$(conf_runtime) || exit 1
conf_log "runtime: $RT; $(containerd --version); crictl $("$CRI_CRICTL" --version | awk '{print $3}')"

TAG=${CONF_TMP##*.}
CGROUP_PARENT=gocker-cri-$TAG              # every pod's cgroups live under /sys/fs/cgroup/*/this
SOCK=$CTRD_SOCK
PAUSE_IMAGE=localhost/gocker-conformance/pause:1
IMAGE=localhost/gocker-conformance/busybox:1
POD_SUBNET=10.88.77
mkdir -p "$CONF_TMP/bin" "$CONF_TMP/cni/net.d" "$CONF_TMP/logs" "$CONF_TMP/json"

CRICTL=$CONF_TMP/bin/crictl
CTR=$CONF_TMP/bin/ctr
printf 'runtime-endpoint: unix://%s\nimage-endpoint: unix://%s\ntimeout: 30\n' "$SOCK" "$SOCK" >"$CONF_TMP/crictl.yaml"
printf '#!/bin/sh\nexec %q --config %q "$@"\n' "$CRI_CRICTL" "$CONF_TMP/crictl.yaml" >"$CRICTL"
printf '#!/bin/sh\nexec ctr --address %q --namespace k8s.io "$@"\n' "$SOCK" >"$CTR"
chmod 755 "$CRICTL" "$CTR"

# ---- CNI and containerd, private to this run --------------------------------------------------
cat >"$CONF_TMP/cni/net.d/10-gocker-conf.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "gocker-conf",
  "plugins": [
    { "type": "bridge", "bridge": "gkcni0", "isGateway": true, "ipMasq": false, "hairpinMode": true,
      "ipam": { "type": "host-local", "dataDir": "$CONF_TMP/cni/ipam",
                "ranges": [[{ "subnet": "$POD_SUBNET.0/24" }]], "routes": [{ "dst": "0.0.0.0/0" }] } },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
EOF

# The runtime handler, the RuntimeClass and the pod of docs/integrations.md: every pod of the suite
# is started with the class's handler (crictl runp --runtime, what the kubelet sends for a pod
# that names the class); containerd's default handler stays runc.
# (Each snippet is read into a variable first: a reader that stops early would make the writer
# die of SIGPIPE, which pipefail reports as a failure.)
runtime_class=$(conf_doc_snippet k8s-runtimeclass "$RT") || exit 1
pod_yaml=$(conf_doc_snippet k8s-pod "$RT") || exit 1
cri_toml=$(conf_doc_snippet containerd-cri "$RT") || exit 1
HANDLER=$(awk '/^handler:/ { print $2 }' <<<"$runtime_class")
CLASS=$(awk '/^  name:/ { print $2; exit }' <<<"$runtime_class")
POD_CLASS=$(awk '/^  runtimeClassName:/ { print $2 }' <<<"$pod_yaml")
[[ -n $HANDLER && $POD_CLASS == "$CLASS" ]] ||
    conf_die "docs/integrations.md: RuntimeClass '$CLASS' (handler '$HANDLER'), the pod names '$POD_CLASS'"
grep -qF "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.$HANDLER]" <<<"$cri_toml" ||
    conf_die "docs/integrations.md: the CRI snippet defines no handler '$HANDLER' (the RuntimeClass's)"

ctrd_config
cat >>"$CTRD_CONFIG" <<EOF
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  restrict_oom_score_adj = true
  disable_apparmor = true
  enable_selinux = false
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    # A config that names any runtime replaces containerd's built-in table: runc, the default
    # handler, is named again (as containerd config default does).
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
$cri_toml
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$CONF_TMP/cni/net.d"
    max_conf_num = 1
EOF

our_mounts() { awk -v t="$CONF_TMP/" 'index($5, "/run/netns/") == 1 || index($5, t) == 1 { print $5 }' /proc/self/mountinfo; }

# Before containerd stops: every pod goes through crictl; the mounts (which live in this private
# mount namespace and go with it) are unmounted anyway, deepest first.
remove_all() {
    local id
    for id in $("$CRICTL" pods -q 2>/dev/null); do
        timeout 30 "$CRICTL" stopp "$id"; timeout 30 "$CRICTL" rmp -f "$id"
    done
}
unmount_all() { local dir; for dir in $(our_mounts | sort -r); do umount -l "$dir"; done; }
conf_on_exit unmount_all
conf_on_exit ctrd_stop "$CGROUP_PARENT"
conf_on_exit remove_all
ctrd_start "$CRICTL" version

# The pause image: busybox, sleeping until it is killed (CRI stops a sandbox with SIGKILL).
conf_oci_image_tar "$CONF_TMP/pause.tar" "$PAUSE_IMAGE" /bin/sh -c 'trap "exit 0" TERM INT; while :; do sleep 3600; done'
conf_oci_image_tar "$CONF_TMP/busybox.tar" "$IMAGE" /bin/sh
for tar in pause busybox; do
    conf_run "$CTR" images import "$CONF_TMP/$tar.tar" || { cat "$CONF_TMP/last.log" >&2; conf_die "ctr images import $tar failed"; }
done
conf_log "containerd with CRI up, images imported (${SECONDS}s)"

# ---- helpers ------------------------------------------------------------------------------------
note() { printf '%s\n' "$*" >>"$CONF_TMP/last.log"; }
expect_eq() { [[ $2 == "$3" ]] || { note "$1: got '$2', expected '$3'"; return 1; }; }

# pod_json NAME [extra jq filter]: a pod sandbox config file; prints its path.
pod_json() {
    local name=$1 filter=${2:-.} f=$CONF_TMP/json/pod-$1.json
    jq -n --arg n "$name" --arg logs "$CONF_TMP/logs/$name" --arg cg "/$CGROUP_PARENT/$name" \
        '{metadata: {name: $n, namespace: "conformance", uid: ($n + "-uid"), attempt: 0},
          hostname: $n, log_directory: $logs, linux: {cgroup_parent: $cg}}' | jq "$filter" >"$f"
    echo "$f"
}

# ctr_json NAME [extra jq filter] -- CMD...: a container config file; prints its path.
ctr_json() {
    local name=$1 filter=. f=$CONF_TMP/json/ctr-$1.json; shift
    [[ $1 != -- ]] && { filter=$1; shift; }
    shift
    printf '%s\n' "$@" | jq -R . | jq -s --arg n "$name" --arg img "$IMAGE" \
        '{metadata: {name: $n}, image: {image: $img}, command: ., log_path: ($n + ".log"), linux: {}}' |
        jq "$filter" >"$f"
    echo "$f"
}

# runp NAME [filter]: starts a pod; sets POD (its id). Logs of failures in last.log.
runp() {
    POD=""
    conf_run "$CRICTL" runp --runtime "$HANDLER" "$(pod_json "$@")" || return 1
    POD=$(tail -n 1 "$CONF_TMP/last.log")
}

# create_start NAME [filter] -- CMD...: creates and starts a container in $POD; sets CID.
create_start() {
    local name=$1 cfg; cfg=$(ctr_json "$@")
    CID=""
    conf_run "$CRICTL" create "$POD" "$cfg" "$CONF_TMP/json/pod-$POD_NAME.json" || return 1
    CID=$(tail -n 1 "$CONF_TMP/last.log")
    conf_run "$CRICTL" start "$CID"
}

# ctr_field CID JQ: a field of `crictl inspect`.
ctr_field() { "$CRICTL" inspect "$1" 2>/dev/null | jq -r "$2"; }
ctr_state() { ctr_field "$1" .status.state; }

# wait_state CID STATE [seconds, default 20]: polls `crictl inspect`.
wait_state() {
    local i n=$(( ${3:-20} * 5 ))
    for (( i = 0; i < n; i++ )); do [[ $(ctr_state "$1") == "$2" ]] && return 0; sleep 0.2; done
    note "container $1 is '$(ctr_state "$1")', expected $2"
    "$CRICTL" inspect "$1" 2>&1 | jq -c '.status | del(.mounts, .labels, .annotations)' >>"$CONF_TMP/last.log" 2>&1
    return 1
}

# wait_logs CID TEXT: up to 20 s for TEXT in `crictl logs`.
wait_logs() {
    local i
    for i in $(seq 100); do
        "$CRICTL" logs "$1" 2>&1 | grep -qF -- "$2" && return 0; sleep 0.2
    done
    note "'$2' not in the logs of $1:"; "$CRICTL" logs "$1" >>"$CONF_TMP/last.log" 2>&1; return 1
}

# cg_value CONTROLLER CID FILE: a container's cgroup file, read on the host.
cg_value() { cat "/sys/fs/cgroup/$1/$CGROUP_PARENT/$POD_NAME/$2/$3" 2>/dev/null; }

# ---- scenarios ------------------------------------------------------------------------------------
POD_NAME=pod1
HOST_PORT=18081
sc_runp() {
    runp pod1 ".port_mappings = [{protocol: 0, container_port: 8080, host_port: $HOST_PORT}]" || return 1
    expect_eq "pod state" "$("$CRICTL" inspectp "$POD" | jq -r .status.state)" SANDBOX_READY
}
conf_check "runp starts a pod sandbox (SANDBOX_READY)" sc_runp
# The shim's runtime is the one under test: it knows the sandbox (the shim's root for k8s.io).
conf_check "the runtime under test runs the pod's sandbox container ('state' says running)" \
    conf_expect_output '"status": "running"' "$RT" --root /run/containerd/runc/k8s.io state "$POD"

sc_logs() {
    create_start hello -- sh -c 'echo "hello from a pod"; echo "to stderr" >&2' &&
        wait_logs "$CID" "hello from a pod" && wait_logs "$CID" "to stderr"
}
conf_check "create + start a container; crictl logs shows its stdout and stderr" sc_logs

# The pod's containers share its network namespace: one serves, the other reaches 127.0.0.1.
SERVE='mkdir -p /www && echo "served in $(hostname)" >/www/index.html && exec httpd -f -p 8080 -h /www'
sc_shared_net() {
    create_start server -- sh -c "$SERVE" && wait_state "$CID" CONTAINER_RUNNING || return 1
    SERVER=$CID
    create_start client -- sh -c 'for i in $(seq 50); do wget -q -O- http://127.0.0.1:8080/ && exit 0; sleep 0.2; done; exit 1' &&
        wait_logs "$CID" "served in pod1"
}
conf_check "two containers of a pod share its network (one fetches 127.0.0.1:8080 from the other)" sc_shared_net

# node_get HOST PORT TEXT: the node's side (this network namespace) fetches / and finds TEXT.
node_get() {
    local i
    for i in $(seq 25); do
        conf_http_get "$1" "$2" >"$CONF_TMP/http.out" 2>&1 && grep -qF -- "$3" "$CONF_TMP/http.out" && return 0
        sleep 0.2
    done
    note "GET http://$1:$2/ did not answer '$3':"; cat "$CONF_TMP/http.out" >>"$CONF_TMP/last.log"; return 1
}
sc_bridge() {
    local ip; ip=$("$CRICTL" inspectp "$POD" | jq -r .status.network.ip)
    [[ $ip == "$POD_SUBNET".* ]] || { note "pod IP '$ip' is not in $POD_SUBNET.0/24"; return 1; }
    node_get "$ip" 8080 "served in pod1"
}
conf_check "bridge network: the pod has an IP on the CNI bridge, reachable from the node" sc_bridge
sc_host_port() {
    node_get "$POD_SUBNET.1" "$HOST_PORT" "served in pod1"
}
conf_check "published port: hostPort $HOST_PORT (CNI portmap) reaches the pod's server" sc_host_port

# Exit codes and reasons, as the kubelet reads them.
FINISHED=()               # containers whose command ends, for crictl rm
sc_exit() {
    local name=$1 code=$2 reason=$3 filter=$4; shift 4
    create_start "$name" "$filter" -- "$@" || return 1
    FINISHED+=("$CID")
    wait_state "$CID" CONTAINER_EXITED || return 1
    expect_eq "exit code" "$(ctr_field "$CID" .status.exitCode)" "$code" &&
        expect_eq reason "$(ctr_field "$CID" .status.reason)" "$reason"
}
conf_check "exit 0: CONTAINER_EXITED, exit code 0, reason Completed" sc_exit "done" 0 Completed . true
conf_check "exit 3: CONTAINER_EXITED, exit code 3, reason Error" sc_exit fail 3 Error . sh -c 'exit 3'
conf_check "memory hog over a 16 MiB limit: exit code 137, reason OOMKilled" \
    sc_exit hog 137 OOMKilled '.linux.resources = {memory_limit_in_bytes: 16777216}' sh -c 'tail /dev/zero'

# Limits in the container's cgroup (read on the host), then crictl update.
sc_limits() {
    create_start limits '.linux.resources = {memory_limit_in_bytes: 67108864, cpu_period: 100000, cpu_quota: 50000, cpu_shares: 512}' \
        -- sh -c 'trap "" TERM; while :; do sleep 1; done' && wait_state "$CID" CONTAINER_RUNNING || return 1
    LIMITS=$CID
    expect_eq memory.limit_in_bytes "$(cg_value memory "$CID" memory.limit_in_bytes)" 67108864 &&
        expect_eq cpu.cfs_quota_us "$(cg_value cpu "$CID" cpu.cfs_quota_us)" 50000 &&
        expect_eq cpu.cfs_period_us "$(cg_value cpu "$CID" cpu.cfs_period_us)" 100000 &&
        expect_eq cpu.shares "$(cg_value cpu "$CID" cpu.shares)" 512
}
conf_check "container limits are set in its cgroup (memory, cpu quota/period/shares)" sc_limits
sc_update() {
    conf_run "$CRICTL" update --memory 100663296 --cpu-quota 20000 --cpu-period 100000 --cpu-share 256 "$LIMITS" || return 1
    expect_eq memory.limit_in_bytes "$(cg_value memory "$LIMITS" memory.limit_in_bytes)" 100663296 &&
        expect_eq cpu.cfs_quota_us "$(cg_value cpu "$LIMITS" cpu.cfs_quota_us)" 20000 &&
        expect_eq cpu.shares "$(cg_value cpu "$LIMITS" cpu.shares)" 256
}
conf_check "crictl update changes them in the cgroup" sc_update

# crictl stats: the shim reads the container's cgroup.
sc_stats() {
    conf_run "$CRICTL" stats -o json --id "$LIMITS" || return 1
    local ws; ws=$(jq -r '.stats[0].memory.workingSetBytes.value // empty' "$CONF_TMP/last.log")
    [[ $ws =~ ^[0-9]+$ ]] && (( ws > 0 )) || { note "workingSetBytes '$ws'"; return 1; }
}
conf_check "crictl stats reports the container's memory (working set > 0)" sc_stats

# A Kubernetes securityContext: runAsUser/Group, readOnlyRootFilesystem, capabilities drop + add.
# CRI's default bounding set is 0xa80425fb (docker's); without CHOWN and with NET_ADMIN: 0xa80435fa.
sc_security_context() {
    create_start secure '.linux.security_context = {run_as_user: {value: 1000}, run_as_group: {value: 1000},
            readonly_rootfs: true, capabilities: {drop_capabilities: ["CHOWN"], add_capabilities: ["NET_ADMIN"]}}' \
        -- sh -c 'echo "ids=$(id -u):$(id -g)"; grep CapBnd /proc/self/status; touch /probe 2>&1; echo "touch rc=$?"' &&
        wait_logs "$CID" "touch rc=" || return 1
    "$CRICTL" logs "$CID" >"$CONF_TMP/secure.log" 2>&1
    grep -qF "ids=1000:1000" "$CONF_TMP/secure.log" && grep -q "CapBnd:.*00000000a80435fa" "$CONF_TMP/secure.log" &&
        grep -q "Read-only file system" "$CONF_TMP/secure.log" ||
        { note "logs:"; cat "$CONF_TMP/secure.log" >>"$CONF_TMP/last.log"; return 1; }
    FINISHED+=("$CID")
}
conf_check "securityContext: runAsUser/Group 1000, read-only root, capabilities drop CHOWN add NET_ADMIN" sc_security_context

# exec: crictl 1.26's `exec -s` prints a non-zero exit code instead of passing it on.
conf_check_or_xfail "crictl exec -s runs a command in a running container" "$EXEC_XFAIL" \
    conf_expect_output "exec in pod1" "$CRICTL" exec -s "$SERVER" sh -c 'echo "exec in $(hostname)"'
conf_check_or_xfail "crictl exec -s: the command reaches the pod's network on 127.0.0.1" "$EXEC_XFAIL" \
    conf_expect_output "served in pod1" "$CRICTL" exec -s "$LIMITS" wget -q -O- http://127.0.0.1:8080/

# stop: SIGTERM to a container whose trap exits 0; SIGKILL after the timeout to one that ignores it.
sc_stop_term() {
    create_start graceful -- sh -c 'trap "echo got-TERM; exit 0" TERM; while :; do sleep 0.2; done' &&
        wait_state "$CID" CONTAINER_RUNNING && conf_run "$CRICTL" stop -t 20 "$CID" &&
        wait_state "$CID" CONTAINER_EXITED && wait_logs "$CID" got-TERM &&
        expect_eq "exit code" "$(ctr_field "$CID" .status.exitCode)" 0
}
conf_check "crictl stop: SIGTERM reaches the container's trap, exit code 0" sc_stop_term
sc_stop_kill() {
    conf_run "$CRICTL" stop -t 2 "$LIMITS" && wait_state "$LIMITS" CONTAINER_EXITED &&
        expect_eq "exit code" "$(ctr_field "$LIMITS" .status.exitCode)" 137
}
conf_check "crictl stop -t 2 of a container ignoring SIGTERM: killed, exit code 137" sc_stop_kill
sc_rm() {
    local id
    (( ${#FINISHED[@]} )) || { note "no container to remove"; return 1; }
    for id in "${FINISHED[@]}"; do
        conf_run "$CRICTL" rm "$id" || return 1
        ! "$CRICTL" ps -a -q | grep -qx "$id" || { note "$id is still listed"; return 1; }
    done
}
conf_check "crictl rm removes the containers that exited (exit 0, exit 3, OOMKilled, securityContext)" sc_rm
sc_rm_force() {
    create_start doomed -- sleep 300 && wait_state "$CID" CONTAINER_RUNNING &&
        conf_run "$CRICTL" rm -f "$CID" && ! "$CRICTL" ps -a -q | grep -qx "$CID"
}
conf_check "crictl rm -f of a running container" sc_rm_force

sc_stopp() {
    conf_run "$CRICTL" stopp "$POD" &&
        expect_eq "pod state" "$("$CRICTL" inspectp "$POD" | jq -r .status.state)" SANDBOX_NOTREADY &&
        expect_eq "server state" "$(ctr_state "$SERVER")" CONTAINER_EXITED
}
conf_check "crictl stopp stops the pod and its running container" sc_stopp
sc_rmp() {
    conf_run "$CRICTL" rmp "$POD" && [[ -z $("$CRICTL" pods -q) && -z $("$CRICTL" ps -a -q) ]] ||
        { note "pods: $("$CRICTL" pods -q) containers: $("$CRICTL" ps -a -q)"; return 1; }
}
conf_check "crictl rmp removes the pod and its containers" sc_rmp

# Nothing left: no pod, container, shim, container cgroup, mount or network namespace.
sc_nothing_left() {
    local left
    sleep 1
    left=$("$CRICTL" pods -q; "$CRICTL" ps -a -q)
    [[ -z $left ]] || { note "pods or containers left: $left"; return 1; }
    left=$(ctrd_shims)
    [[ -z $left ]] || { note "shims still running: $left"; return 1; }
    left=$(find /sys/fs/cgroup/*/"$CGROUP_PARENT" -mindepth 2 -type d 2>/dev/null)
    [[ -z $left ]] || { note "cgroups left: $left"; return 1; }
    left=$(our_mounts)
    [[ -z $left ]] || { note "mounts left: $left"; return 1; }
    left=$(ls /run/netns 2>/dev/null; ip netns list 2>/dev/null)
    [[ -z $left ]] || { note "network namespaces left: $left"; return 1; }
}
conf_check "nothing left: no pod, container, shim, container cgroup, mount or netns" sc_nothing_left

ctrd_print_errors
conf_log "done in ${SECONDS}s"

conf_summary
