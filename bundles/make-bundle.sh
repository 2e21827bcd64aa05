#!/usr/bin/env bash
# Generates an OCI bundle: DIR/config.json (from `gocker-runtime spec`, edited with jq) and
# DIR/rootfs (a copy of a root filesystem, by default the busybox one from rootfs/build-rootfs.sh).
#
# Each option turns into one jq edit of config.json (see add_edit); a new option is one more
# case arm plus one add_edit call.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

usage() {
    cat <<USAGE
usage: $0 [options] DIR [-- CMD ARGS...]
Writes DIR/config.json and DIR/rootfs. Without CMD the container runs the spec's default (sh).
  --rootfs SRC        root filesystem to copy (default: rootfs/out/busybox; 'make rootfs' builds it)
  --copy              copy the rootfs with 'cp -a' (default; the bundle owns its files)
  --link              hard-link the rootfs with 'cp -al' (fast, same file system only; files are
                      shared with SRC, so use it only with --readonly)
  --from-config FILE  start from FILE instead of 'gocker-runtime spec'
  --terminal          process.terminal = true (needs a --console-socket when created)
  --no-terminal       process.terminal = false (default: scripts have no tty)
  --hostname H        hostname
  --env K=V           add or replace an environment variable (repeatable)
  --cwd DIR           process.cwd
  --readonly | --rw   root.readonly true | false (default: what the spec gives)
  -v, --volume SRC:DST[:ro]
                      bind-mount host file or directory SRC at DST in the container (the seed's -v;
                      repeatable; SRC must exist; ':ro' makes it read-only)
  --map-root UID[:GID]
                      a user namespace in which container root is host UID (and GID, default UID):
                      the seed's mapping of root to host uid/gid 1000 (devpts loses its gid=5
                      option, as in 'runc spec --rootless': group 5 is not mapped); the copied
                      rootfs is chowned to UID:GID
  --cpu-limit N       CPUs the container may use: 0.5, 1, 2 or max (cgroup cpu quota/period)
  --memory-limit SIZE memory limit: 512M, 1G or max
  --pids-limit N      maximum number of processes, or max (default 20, the seed's limit)
                      (the three limits are passed to 'gocker-runtime spec', which checks them)
  --seccomp PROFILE   linux.seccomp from PROFILE: 'default' (bundles/profiles/seccomp-default.json,
                      Docker's default allowlist) or a file holding a linux.seccomp object
  --network MODE      none, host, veth or bridge (default: bridge): 'gocker-runtime spec --network' writes
                      the namespace, gocker-net as createRuntime/poststop hook and the annotations, and for
                      host, veth and bridge DIR/hosts and DIR/resolv.conf, bind-mounted at /etc/hosts and
                      /etc/resolv.conf (hooks/README.md)
  --no-network        no network set-up: the container's own namespace holds only lo (what plain
                      'gocker-runtime spec' writes)
  -p, --publish SPEC  publish a port, [HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp|/udp] (repeatable; bridge, veth)
  --net-hook PATH     the gocker-net the hooks run (default: the one beside the runtime binary)
  --force             replace DIR/config.json, DIR/rootfs (and DIR/hosts, DIR/resolv.conf) if they exist
The runtime binary is \$GOCKER_RUNTIME, else build/gocker-runtime, else gocker-runtime on PATH.
USAGE
}

die() { echo "make-bundle: $*" >&2; exit 1; }

# jq edits applied to config.json in order; jq_args carries their --arg/--argjson values.
edits=()
jq_args=()
add_edit() { edits+=("$1"); }

rootfs_src="$repo/rootfs/out/busybox"
copy_mode=copy
from_config=""
force=0
terminal=false
bundle=""
cmd=()
have_cmd=0
env_count=0
vol_count=0
map_root=0
spec_limits=()
pids_given=0
net_mode=bridge
net_args=()
network_given=0

while (( $# )); do
    case "$1" in
        --rootfs) (( $# >= 2 )) || die "--rootfs needs a directory"; rootfs_src=$2; shift ;;
        --copy) copy_mode='copy' ;;
        --link) copy_mode='link' ;;
        --from-config) (( $# >= 2 )) || die "--from-config needs a file"; from_config=$2; shift ;;
        --terminal) terminal=true ;;
        --no-terminal) terminal=false ;;
        --hostname)
            (( $# >= 2 )) || die "--hostname needs a name"
            jq_args+=(--arg hostname "$2"); add_edit '.hostname = $hostname'; shift ;;
        --env)
            (( $# >= 2 )) || die "--env needs K=V"
            [[ $2 == *=* && ${2%%=*} != "" ]] || die "--env '$2': expected KEY=VALUE"
            env_count=$((env_count + 1))
            jq_args+=(--arg "env$env_count" "$2")
            # Replace a variable of the same name rather than adding a second one.
            add_edit "(\$env$env_count | split(\"=\")[0]) as \$k
                      | .process.env = ([(.process.env // [])[] | select(split(\"=\")[0] != \$k)] + [\$env$env_count])"
            shift ;;
        --cwd)
            (( $# >= 2 )) || die "--cwd needs a directory"
            [[ $2 == /* ]] || die "--cwd '$2': must be an absolute path"
            jq_args+=(--arg cwd "$2"); add_edit '.process.cwd = $cwd'; shift ;;
        -v|--volume)
            (( $# >= 2 )) || die "$1 needs SRC:DST[:ro]"
            IFS=: read -r vsrc vdst vmode extra <<<"$2"
            [[ -n $vsrc && -n $vdst && -z ${extra:-} ]] || die "$1 '$2': expected SRC:DST[:ro]"
            [[ $vdst == /* ]] || die "$1 '$2': the container path must be absolute"
            [[ -z $vmode || $vmode == ro || $vmode == rw ]] || die "$1 '$2': the mode must be ro or rw"
            [[ -e $vsrc ]] || die "$1 '$2': $vsrc does not exist"
            vsrc=$(realpath -- "$vsrc")
            vol_count=$((vol_count + 1))
            jq_args+=(--arg "vs$vol_count" "$vsrc" --arg "vd$vol_count" "$vdst" \
                      --argjson "vo$vol_count" "$(if [[ $vmode == ro ]]; then echo '["rbind","ro"]'; else echo '["rbind","rw"]'; fi)")
            add_edit ".mounts += [{destination: \$vd$vol_count, type: \"bind\", source: \$vs$vol_count, options: \$vo$vol_count}]"
            shift ;;
        --map-root)
            (( $# >= 2 )) || die "--map-root needs UID[:GID]"
            [[ $2 =~ ^[0-9]+(:[0-9]+)?$ ]] || die "--map-root '$2': expected UID or UID:GID"
            map_uid=${2%%:*}; map_gid=${2#*:}; map_root=1
            jq_args+=(--argjson mapuid "$map_uid" --argjson mapgid "$map_gid")
            add_edit '.linux.namespaces = ([.linux.namespaces[] | select(.type != "user")] + [{type: "user"}])
                      | .linux.uidMappings = [{containerID: 0, hostID: $mapuid, size: 1}]
                      | .linux.gidMappings = [{containerID: 0, hostID: $mapgid, size: 1}]
                      | .mounts |= map(if .type == "devpts" then .options |= map(select(startswith("gid=") | not)) else . end)'
            shift ;;
        --readonly) add_edit '.root.readonly = true' ;;
        --rw) add_edit '.root.readonly = false' ;;
        --cpu-limit|--memory-limit|--pids-limit)
            (( $# >= 2 )) || die "$1 needs a value"
            [[ $1 == --pids-limit ]] && pids_given=1
            spec_limits+=("$1" "$2"); shift ;;
        --seccomp)
            (( $# >= 2 )) || die "--seccomp needs 'default' or a profile file"
            profile=$2; [[ $profile == default ]] && profile="$repo/bundles/profiles/seccomp-default.json"
            jq -e 'type == "object" and has("defaultAction")' "$profile" >/dev/null 2>&1 ||
                die "--seccomp $2: $profile is not a readable linux.seccomp object"
            jq_args+=(--slurpfile seccomp "$profile"); add_edit '.linux.seccomp = $seccomp[0]'; shift ;;
        --network)
            (( $# >= 2 )) || die "--network needs none, host, veth or bridge"
            net_mode=$2; network_given=1; shift ;;
        --no-network) net_mode=""; network_given=1 ;;
        -p|--publish|--net-hook)
            (( $# >= 2 )) || die "$1 needs a value"
            [[ $1 == --net-hook ]] || network_given=1
            net_args+=("$1" "$2"); shift ;;
        --force) force=1 ;;
        -h|--help) usage; exit 0 ;;
        --) shift; cmd=("$@"); have_cmd=1; break ;;
        -*) usage >&2; die "unknown option '$1'" ;;
        *) [[ -z $bundle ]] || die "two bundle directories given: '$bundle' and '$1' (put the command after --)"
           bundle=$1 ;;
    esac
    shift
done

[[ -n $bundle ]] || { usage >&2; die "no bundle DIR given"; }
(( ! map_root )) || [[ $copy_mode == copy ]] \
    || die "--map-root chowns the bundle's rootfs to the mapped ids: use it with --copy, not --link"
(( ! have_cmd || ${#cmd[@]} > 0 )) || die "nothing after '--': give a command or drop the '--'"
[[ -x $rootfs_src/bin/sh || -x $rootfs_src/bin/busybox ]] \
    || die "rootfs $rootfs_src has no bin/sh: build it with 'make rootfs' or pass --rootfs"
command -v jq >/dev/null || die "jq not found: install the Debian package 'jq' (or run scripts/install-deps)"

add_edit ".process.terminal = $terminal"
if (( have_cmd )); then
    jq_args+=(--argjson args "$(jq -nc '$ARGS.positional' --args -- "${cmd[@]}")")
    add_edit '.process.args = $args'
fi

find_runtime() {
    if [[ -n ${GOCKER_RUNTIME:-} ]]; then
        [[ -x $GOCKER_RUNTIME ]] || die "GOCKER_RUNTIME=$GOCKER_RUNTIME is not an executable"
        echo "$GOCKER_RUNTIME"
    elif [[ -x $repo/build/gocker-runtime ]]; then
        echo "$repo/build/gocker-runtime"
    elif command -v gocker-runtime >/dev/null; then
        command -v gocker-runtime
    else
        die "gocker-runtime not found: run 'make build' or set GOCKER_RUNTIME"
    fi
}

# Look the runtime up before touching DIR, so that a missing binary leaves nothing behind.
runtime=""
[[ -n $from_config ]] || runtime=$(find_runtime)

config="$bundle/config.json"
[[ ! -e $config ]] || (( force )) || die "$config exists (--force replaces it)"

# config.json is generated, edited and checked in a scratch directory and moved over DIR/config.json
# only at the end: a bad option (a limit 'spec' refuses, a jq failure) leaves the old one as it was.
work=$(mktemp -d "${TMPDIR:-/tmp}/make-bundle.XXXXXX") || die "mktemp -d failed"
trap 'rm -rf -- "$work"' EXIT
new_config="$work/config.json"

if [[ -n $from_config ]]; then
    (( ${#spec_limits[@]} == 0 )) || die "--cpu-limit/--memory-limit/--pids-limit edit the generated config; with --from-config put them in FILE"
    (( ! network_given )) || die "--network/-p edit the generated config; with --from-config put the network in FILE"
    [[ -r $from_config ]] || die "--from-config $from_config: cannot read it"
    jq . "$from_config" >"$new_config" || die "--from-config $from_config: not valid JSON"
else
    (( pids_given )) || spec_limits+=(--pids-limit 20)
    spec_network=(${net_mode:+--network "$net_mode"} "${net_args[@]}")
    "$runtime" spec --bundle "$work" "${spec_limits[@]}" "${spec_network[@]}" \
        || die "'$runtime spec ${spec_limits[*]} ${spec_network[*]}' failed"
    [[ -s $new_config ]] || die "'$runtime spec' wrote no config.json"
fi

filter=""
for edit in "${edits[@]}"; do filter+="${filter:+ | }($edit)"; done
jq "${jq_args[@]}" "$filter" <"$new_config" >"$work/edited.json" || die "editing $config with jq failed"
mv -f -- "$work/edited.json" "$new_config"

root_path=$(jq -r '.root.path // empty' "$new_config")
[[ -n $root_path ]] || die "$config: /root/path is missing"
[[ $root_path != /* ]] || die "$config: /root/path is absolute ($root_path); make-bundle only fills a path inside the bundle"
mkdir -p -- "$bundle"
rootfs_dst="$bundle/$root_path"
if [[ -e $rootfs_dst ]]; then
    (( force )) || die "$rootfs_dst exists (--force replaces it)"
    rm -rf -- "$rootfs_dst"
fi
mkdir -p -- "$(dirname "$rootfs_dst")"
case "$copy_mode" in
    copy) cp -a -- "$rootfs_src" "$rootfs_dst" || die "copy $rootfs_src to $rootfs_dst failed" ;;
    link) cp -al -- "$rootfs_src" "$rootfs_dst" \
              || die "hard-link $rootfs_src to $rootfs_dst failed (--link needs both on one file system; use --copy)" ;;
esac

if (( map_root )); then
    # Container root owns its files: host ids map_uid:map_gid, as the seed's containers did.
    chown -R -h -- "$map_uid:$map_gid" "$rootfs_dst" || die "chown $rootfs_dst to $map_uid:$map_gid failed"
fi

# The network's bundle files (spec --network), then last the checked config replaces
# DIR/config.json (the old ones, with --force).
for f in hosts resolv.conf; do
    if [[ -e $work/$f ]]; then
        [[ ! -e $bundle/$f ]] || (( force )) || die "$bundle/$f exists (--force replaces it)"
        mv -f -- "$work/$f" "$bundle/$f" || die "cannot write $bundle/$f"
    fi
done
mv -f -- "$new_config" "$config" || die "cannot write $config"

echo "make-bundle: bundle ready in $bundle (rootfs from $rootfs_src, ${copy_mode})"
