# shellcheck shell=bash
# Shared by the client suites in tests/conformance/ (podman.sh, containerd.sh, cri.sh, docker.sh...).
# Source it from a bash script that runs as root:
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
#   conf_init podman "$@"          # re-enters the script in private namespaces, sets CONF_* vars
#   conf_check "run prints hello" conf_expect_output hello podman run ... echo hello
#   conf_xfail "exec" "exec does not exist yet (issue #12)" podman exec ...
#   conf_summary                   # prints "N passed, M failed" and returns non-zero on failure
#
# Every client runs inside a private mount + network namespace (so daemons, their bridges and
# their firewall rules never reach the host), with a private tmpfs on /run and its state under
# CONF_TMP, which is removed at exit.

CONF_ROOT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
CONF_TIMEOUT=${CONF_TIMEOUT:-120}     # seconds, for every client command

conf_log() { printf '%s: %s\n' "$CONF_NAME" "$*" >&2; }
conf_die() { conf_log "$*"; exit 1; }

# The runtime under test: $GOCKER_RUNTIME, else the Release build of this tree.
conf_runtime() {
    local rt=${GOCKER_RUNTIME:-$CONF_ROOT_DIR/build/gocker-runtime}
    [[ -x $rt ]] || conf_die "runtime $rt not found (build it with 'make build' or set GOCKER_RUNTIME)"
    printf '%s\n' "$(realpath "$rt")"
}

# conf_doc_snippet NAME [RUNTIME]: the fenced block that follows the line "<!-- snippet: NAME -->"
# in docs/integrations.md, so that the suites configure their clients with what the docs say.
# RUNTIME (default: conf_runtime) replaces the documented path /usr/bin/gocker-runtime.
CONF_DOC=$CONF_ROOT_DIR/docs/integrations.md
conf_doc_snippet() {
    local rt=${2:-} text
    [[ -n $rt ]] || rt=$(conf_runtime) || return 1
    text=$(awk -v marker="<!-- snippet: $1 -->" '
        $0 == marker { found = 1; next }
        found && /^```/ { if (inside) exit; inside = 1; next }
        found && !inside && NF { exit }
        inside { print }' "$CONF_DOC")
    [[ -n $text ]] || conf_die "no snippet '$1' (a fenced block after '<!-- snippet: $1 -->') in $CONF_DOC"
    printf '%s\n' "${text//\/usr\/bin\/gocker-runtime/$rt}"
}

# Installs Debian packages without letting their maintainer scripts start any service.
conf_install_packages() {
    local missing=() pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    (( ${#missing[@]} == 0 )) && return 0
    local made_policy=0   # removed again after the install: the host keeps its own settings
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\n# gocker conformance: no service starts from package scripts\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        made_policy=1
    fi
    conf_log "installing ${missing[*]}"
    # Inside conf_init's private network namespace the mirror is unreachable: apt runs in the
    # network namespace the suite was started from (conf_init keeps it open on an inherited fd).
    local net=()
    [[ -n ${_CONF_OUTER_NET_FD:-} && -e /proc/self/fd/$_CONF_OUTER_NET_FD ]] &&
        net=(nsenter "--net=/proc/self/fd/$_CONF_OUTER_NET_FD")
    DEBIAN_FRONTEND=noninteractive "${net[@]}" apt-get -o DPkg::Lock::Timeout=900 update -qq >/dev/null
    local rc=0
    DEBIAN_FRONTEND=noninteractive "${net[@]}" apt-get -o DPkg::Lock::Timeout=900 install -y -qq \
        --no-install-recommends "${missing[@]}" >/dev/null || rc=$?
    (( made_policy )) && rm -f /usr/sbin/policy-rc.d
    return "$rc"
}

# conf_init NAME [script args]: run once at the top of a suite. Re-executes the script inside a
# private mount + network namespace (unless already there), then sets CONF_TMP and the counters.
conf_init() {
    CONF_NAME=$1; shift
    (( EUID == 0 )) || conf_die "must run as root"
    if [[ ${_CONF_IN_NS:-} != "$CONF_NAME" ]]; then
        local outer_net
        exec {outer_net}</proc/self/ns/net
        exec env _CONF_IN_NS="$CONF_NAME" _CONF_OUTER_NET_FD="$outer_net" \
            _CONF_OUTER_MNTNS="$(readlink /proc/self/ns/mnt)" _CONF_OUTER_NETNS="$(readlink /proc/self/ns/net)" \
            unshare --mount --net --propagation private --fork --kill-child=TERM bash "$0" "$@"
    fi
    # _CONF_IN_NS alone is not trusted (it could come from the caller's environment): the tmpfs on
    # /run below must never land in the namespaces the suite was started in, nor in pid 1's.
    local ns mine outer
    for ns in mnt net; do
        mine=$(readlink "/proc/self/ns/$ns")
        [[ $ns == mnt ]] && outer=${_CONF_OUTER_MNTNS:-} || outer=${_CONF_OUTER_NETNS:-}
        [[ -n $outer && $mine != "$outer" && $mine != "$(readlink "/proc/1/ns/$ns")" ]] ||
            conf_die "not in a private $ns namespace (set up by conf_init): refusing to go on"
    done
    ip link set lo up
    mount -t tmpfs -o mode=755 tmpfs /run
    CONF_TMP=$(mktemp -d "/tmp/gocker-conformance-$CONF_NAME.XXXXXX")
    CONF_PASSED=0 CONF_FAILED=0 CONF_SKIPPED=0 CONF_XFAILED=0
    CONF_FAILURES=()
    CONF_CLEANUPS=()
    trap conf_cleanup EXIT
    # A signal (or the death of the unshare process above, which sends TERM) ends the suite through
    # its EXIT trap, so that its daemons are still stopped and its files removed.
    trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 143' TERM
}

# conf_on_exit CMD...: run CMD at exit (last registered first), even when the suite fails.
conf_on_exit() { CONF_CLEANUPS+=("$(printf '%q ' "$@")"); }

conf_cleanup() {
    local i
    for (( i = ${#CONF_CLEANUPS[@]} - 1; i >= 0; i-- )); do
        eval "${CONF_CLEANUPS[i]}" >/dev/null 2>&1 || true
    done
    [[ -n ${CONF_TMP:-} && -d $CONF_TMP ]] && rm -rf "$CONF_TMP"
}

# conf_run CMD...: CMD with the suite's timeout; output goes to $CONF_TMP/last.log and, on
# failure, to stderr.
conf_run() {
    timeout --kill-after=10 "$CONF_TIMEOUT" "$@" >"$CONF_TMP/last.log" 2>&1
}

# conf_expect_output TEXT CMD...: CMD succeeds and its output contains TEXT.
conf_expect_output() {
    local text=$1; shift
    conf_run "$@" && grep -qF -- "$text" "$CONF_TMP/last.log"
}

# conf_expect_status N CMD...: CMD exits with status N.
conf_expect_status() {
    local want=$1 got=0; shift
    conf_run "$@" || got=$?
    (( got == want )) || { echo "exit status $got, expected $want" >>"$CONF_TMP/last.log"; return 1; }
}

# conf_check DESC CMD...: one scenario; passes when CMD succeeds.
conf_check() {
    local desc=$1; shift
    if "$@"; then
        (( ++CONF_PASSED )); printf 'ok      %s\n' "$desc"
    else
        (( ++CONF_FAILED )); CONF_FAILURES+=("$desc"); printf 'FAILED  %s\n' "$desc"
        sed 's/^/        | /' "$CONF_TMP/last.log" 2>/dev/null | tail -n 20
    fi
}

# conf_xfail DESC REASON CMD...: a scenario expected to fail for REASON. It counts as failed if
# it passes, so that the expectation is removed as soon as it stops being true.
conf_xfail() {
    local desc=$1 reason=$2; shift 2
    if "$@"; then
        (( ++CONF_FAILED )); CONF_FAILURES+=("$desc (expected to fail: $reason; now passes)")
        printf 'XPASS   %s (expected to fail: %s)\n' "$desc" "$reason"
    else
        (( ++CONF_XFAILED )); printf 'xfail   %s (%s)\n' "$desc" "$reason"
    fi
}

# conf_check_or_xfail DESC REASON CMD...: conf_xfail with REASON, or conf_check when REASON is empty
# (e.g. EXEC_XFAIL= in the environment turns a suite's exec scenarios into plain checks).
conf_check_or_xfail() {
    local desc=$1 reason=$2; shift 2
    if [[ -n $reason ]]; then conf_xfail "$desc" "$reason" "$@"; else conf_check "$desc" "$@"; fi
}

# conf_skip DESC REASON: a scenario this host cannot run, with the reason.
conf_skip() { (( ++CONF_SKIPPED )); printf 'skip    %s (%s)\n' "$1" "$2"; }

# conf_summary: the closing line; returns 1 when any scenario failed.
conf_summary() {
    local f
    for f in "${CONF_FAILURES[@]}"; do printf '%s: failed: %s\n' "$CONF_NAME" "$f"; done
    printf '%s: %d expected failures, %d skipped\n' "$CONF_NAME" "$CONF_XFAILED" "$CONF_SKIPPED"
    printf '%d passed, %d failed\n' "$CONF_PASSED" "$CONF_FAILED"
    (( CONF_FAILED == 0 ))
}

# conf_http_get HOST PORT [PATH]: prints the answer (headers and body) to an HTTP/1.0 GET, made with
# bash's /dev/tcp (the rootfs's static busybox wget segfaults when run on this host); fails when
# nothing answers within 5 s.
conf_http_get() {
    timeout 5 bash -c 'exec 3<>"/dev/tcp/$1/$2" && printf "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n" "$3" "$1" >&3 && cat <&3' \
        conf_http_get "$1" "$2" "${3:-/}"
}

# conf_rootfs_tar OUT.tar: the project's busybox rootfs as a plain tar (for `podman import`,
# `docker import`, or a layer). Builds the rootfs when it is missing.
conf_rootfs_tar() {
    local rootfs=$CONF_ROOT_DIR/rootfs/out/busybox
    [[ -x $rootfs/bin/sh ]] || "$CONF_ROOT_DIR/rootfs/build-rootfs.sh" --out "$rootfs" >&2
    tar -C "$rootfs" --numeric-owner -cf "$1" .
}

# conf_oci_image_tar OUT.tar REF [CMD...]: an OCI image archive (oci-layout, index.json with the
# org.opencontainers.image.ref.name annotation, one gzip layer) made from the busybox rootfs, for
# `ctr images import` and other importers of OCI archives. CMD is the image's default command.
conf_oci_image_tar() {
    local out=$1 ref=$2; shift 2
    local cmd_json='["/bin/sh"]'
    (( $# )) && cmd_json=$(printf '%s\n' "$@" | jq -R . | jq -cs .)
    local dir; dir=$(mktemp -d "$CONF_TMP/oci.XXXXXX")
    mkdir -p "$dir/blobs/sha256"
    conf_rootfs_tar "$dir/layer.tar"
    local diff_id; diff_id=$(sha256sum "$dir/layer.tar" | cut -d' ' -f1)
    gzip -n "$dir/layer.tar"
    local layer; layer=$(sha256sum "$dir/layer.tar.gz" | cut -d' ' -f1)
    local layer_size; layer_size=$(stat -c %s "$dir/layer.tar.gz")
    mv "$dir/layer.tar.gz" "$dir/blobs/sha256/$layer"
    jq -cn --arg d "sha256:$diff_id" --argjson cmd "$cmd_json" \
        '{architecture:"amd64",os:"linux",config:{Env:["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],Cmd:$cmd},rootfs:{type:"layers",diff_ids:[$d]}}' \
        >"$dir/config.json"
    local config; config=$(sha256sum "$dir/config.json" | cut -d' ' -f1)
    local config_size; config_size=$(stat -c %s "$dir/config.json")
    mv "$dir/config.json" "$dir/blobs/sha256/$config"
    jq -cn --arg c "sha256:$config" --argjson cs "$config_size" --arg l "sha256:$layer" --argjson ls "$layer_size" \
        '{schemaVersion:2,mediaType:"application/vnd.oci.image.manifest.v1+json",
          config:{mediaType:"application/vnd.oci.image.config.v1+json",digest:$c,size:$cs},
          layers:[{mediaType:"application/vnd.oci.image.layer.v1.tar+gzip",digest:$l,size:$ls}]}' \
        >"$dir/manifest.json"
    local manifest; manifest=$(sha256sum "$dir/manifest.json" | cut -d' ' -f1)
    local manifest_size; manifest_size=$(stat -c %s "$dir/manifest.json")
    mv "$dir/manifest.json" "$dir/blobs/sha256/$manifest"
    printf '{"imageLayoutVersion":"1.0.0"}' >"$dir/oci-layout"
    jq -cn --arg m "sha256:$manifest" --argjson ms "$manifest_size" --arg ref "$ref" \
        '{schemaVersion:2,manifests:[{mediaType:"application/vnd.oci.image.manifest.v1+json",digest:$m,size:$ms,
          annotations:{"org.opencontainers.image.ref.name":$ref,"io.containerd.image.name":$ref}}]}' \
        >"$dir/index.json"
    tar -C "$dir" -cf "$out" oci-layout index.json blobs
    rm -rf "$dir"
}
