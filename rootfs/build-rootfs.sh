#!/usr/bin/env bash
# Builds the busybox root filesystem that the examples, the demo and the integration tests run in.
#
# Offline from Debian: the busybox-static .deb is fetched once with `apt-get download` into
# rootfs/cache/ and unpacked with dpkg-deb; nothing is installed on the host. Applets are hard
# links to bin/busybox, so they work the same inside the container and when inspected from the
# host (absolute symlinks would point at the host's /bin/busybox).
#
# usage: rootfs/build-rootfs.sh [--force] [--out DIR] [--alpine]
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache="$repo/rootfs/cache"
out=""
force=0
flavour=busybox

usage() {
    cat <<USAGE
usage: $0 [--force] [--out DIR] [--alpine]
  --out DIR   where to build (default: rootfs/out/busybox, or rootfs/out/alpine with --alpine)
  --force     rebuild even when DIR already holds a root filesystem
  --alpine    export an alpine container from a docker engine instead of using Debian's busybox-static
USAGE
}

die() { echo "build-rootfs: $*" >&2; exit 1; }

while (( $# )); do
    case "$1" in
        --force) force=1 ;;
        --out) (( $# >= 2 )) || die "--out needs a directory"; out=$2; shift ;;
        --out=*) out=${1#--out=} ;;
        --alpine) flavour=alpine ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument '$1'" ;;
    esac
    shift
done
[[ -n $out ]] || out="$repo/rootfs/out/$flavour"
out=$(realpath -m -- "$out")

if [[ -x $out/bin/busybox || -x $out/bin/sh ]] && (( ! force )); then
    echo "build-rootfs: $out already built (--force rebuilds it)"
    exit 0
fi

# Build next to the target and rename at the end, so that an interrupted run never leaves a
# half-made rootfs that the idempotence check above would take for a finished one.
mkdir -p "$(dirname "$out")"
staging=$(mktemp -d "$out.tmp.XXXXXX")
unpacked=""
cleanup() {
    rm -rf -- "$staging"
    [[ -z $unpacked ]] || rm -rf -- "$unpacked"
}
trap cleanup EXIT

fetch_busybox_deb() {
    mkdir -p "$cache"
    local deb
    deb=$(find "$cache" -maxdepth 1 -name 'busybox-static_*.deb' | sort -V | tail -n 1)
    if [[ -z $deb ]]; then
        local apt_opts=()
        # As root, apt drops to the _apt user for downloads, which cannot write into a cache
        # owned by root with 0755; downloading as root avoids a misleading warning.
        (( EUID == 0 )) && apt_opts=(-o APT::Sandbox::User=root)
        if ! (cd "$cache" && apt-get download -qq "${apt_opts[@]}" busybox-static) >&2; then
            # A fresh machine has no package lists yet.
            (( EUID == 0 )) || die "apt-get download busybox-static failed; run 'apt-get update' as root and retry"
            echo "build-rootfs: apt-get download failed; running apt-get update and retrying" >&2
            apt-get update -qq >&2
            (cd "$cache" && apt-get download -qq "${apt_opts[@]}" busybox-static) >&2 \
                || die "apt-get download busybox-static failed after apt-get update"
        fi
        deb=$(find "$cache" -maxdepth 1 -name 'busybox-static_*.deb' | sort -V | tail -n 1)
        [[ -n $deb ]] || die "apt-get download busybox-static left no .deb in $cache"
    fi
    echo "$deb"
}

build_busybox() {
    local deb
    deb=$(fetch_busybox_deb)
    unpacked=$(mktemp -d)
    dpkg-deb -x "$deb" "$unpacked" || die "unpack $deb: dpkg-deb failed"
    local busybox="$unpacked/bin/busybox"
    [[ -x $busybox ]] || die "$deb holds no bin/busybox"

    mkdir -p "$staging/bin"
    install -m 0755 "$busybox" "$staging/bin/busybox"

    local applet
    while IFS= read -r applet; do
        case "$applet" in
            bin/busybox|linuxrc|"") continue ;;  # linuxrc is an initrd entry point, not a tool
        esac
        mkdir -p "$staging/$(dirname "$applet")"
        ln -f "$staging/bin/busybox" "$staging/$applet"
    done < <("$busybox" --list-full)
    [[ -e $staging/bin/sh ]] || die "busybox --list-full did not list bin/sh"

    mkdir -p "$staging/etc"
    cat >"$staging/etc/passwd" <<PASSWD
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
    cat >"$staging/etc/group" <<GROUP
root:x:0:
nogroup:x:65534:
GROUP
    echo gocker >"$staging/etc/hostname"
    printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' >"$staging/etc/hosts"
    chmod 0644 "$staging/etc/passwd" "$staging/etc/group" "$staging/etc/hostname" "$staging/etc/hosts"

    # Mount points and the directories programs expect; the runtime mounts over the first four.
    mkdir -p "$staging"/{proc,sys,dev,tmp,root,run,var/tmp,var/log}
    chmod 1777 "$staging/tmp" "$staging/var/tmp"
    chmod 0700 "$staging/root"
    chmod 0755 "$staging"
}

build_alpine() {
    # The seed's way: export the file system of an alpine container.
    command -v docker >/dev/null 2>&1 && timeout 20 docker info >/dev/null 2>&1 \
        || die "--alpine needs a running docker engine ('docker info' failed); without --alpine the busybox rootfs needs none"
    local cid
    cid=$(docker create alpine:latest /bin/true) || die "docker create alpine:latest failed"
    if ! docker export "$cid" | tar -x -C "$staging"; then
        docker rm -f "$cid" >/dev/null 2>&1 || true
        die "docker export of alpine container $cid failed"
    fi
    docker rm -f "$cid" >/dev/null
    chmod 0755 "$staging"
}

case "$flavour" in
    busybox) build_busybox ;;
    alpine) build_alpine ;;
esac

rm -rf -- "$out"
mv -T -- "$staging" "$out"
trap - EXIT
[[ -z $unpacked ]] || rm -rf -- "$unpacked"
echo "build-rootfs: built $flavour rootfs in $out"
