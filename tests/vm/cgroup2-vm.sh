#!/usr/bin/env bash
# Runs tests/vm/v2-tests.sh inside a small VM whose kernel has a pure cgroup v2 hierarchy with every
# controller: this host's cgroups are hybrid and belong to the sandbox, so a pure v2 host can only
# be had this way (GUIDE.md, "Testing on a pure cgroup v2 kernel").
#
# Debian's kernel (linux-image-*-amd64, downloaded and unpacked, never installed) boots an
# initramfs made of the busybox rootfs + the runtime + its libraries under qemu's software
# emulation (TCG) in a few seconds. The verdict is read from the serial console: the script prints
# "ok - NAME" / "not ok - NAME" lines and a final "VM-RESULT: N passed, M failed".
#
# usage: tests/vm/cgroup2-vm.sh [--runtime PATH] [--keep]      (as root; needs qemu-system-x86)
# exit: 0 all passed, 1 a test failed, 2 the VM could not be built or gave no verdict,
#       77 skipped (qemu or the kernel package cannot be had: says why)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
runtime=$repo/build/gocker-runtime
keep=0
while (( $# )); do
    # shellcheck disable=SC2034  # keep is read by the EXIT trap
    case "$1" in
        --runtime) runtime=$2; shift ;;
        --keep) keep=1 ;;
        *) echo "cgroup2-vm: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done

cache=$repo/tests/vm/cache
rootfs=$repo/rootfs/out/busybox
[[ -x $runtime ]] || { echo "cgroup2-vm: $runtime not found (make build)" >&2; exit 2; }
[[ -x $rootfs/bin/busybox ]] || { echo "cgroup2-vm: $rootfs not found (make rootfs)" >&2; exit 2; }
if ! command -v qemu-system-x86_64 >/dev/null; then
    echo "cgroup2-vm: SKIP: qemu-system-x86_64 is not installed (Debian package qemu-system-x86)"
    exit 77
fi

# The kernel: the newest linux-image-*-amd64 the package lists know, unpacked once into the cache.
mkdir -p "$cache"
kernel=$(ls "$cache"/vmlinuz-* 2>/dev/null | sort -V | tail -n 1 || true)
if [[ -z $kernel ]]; then
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
    if [[ -z $pkg ]]; then
        apt-get update -qq >/dev/null 2>&1 || true
        pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
    fi
    [[ -n $pkg ]] || { echo "cgroup2-vm: SKIP: no linux-image-*-amd64 package is known to apt"; exit 77; }
    (cd "$cache" && apt-get download "$pkg" >/dev/null 2>&1) \
        || { echo "cgroup2-vm: SKIP: apt-get download $pkg failed"; exit 77; }
    deb=$(ls "$cache"/"$pkg"_*.deb | head -n 1)
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$cache" --wildcards './boot/vmlinuz-*'
    mv "$cache"/boot/vmlinuz-* "$cache"/ && rmdir "$cache/boot" && rm -f "$deb"
    kernel=$(ls "$cache"/vmlinuz-* | sort -V | tail -n 1)
fi

work=$(mktemp -d)
trap '(( keep )) || rm -rf -- "$work"' EXIT
initrd=$work/root
mkdir -p "$initrd"
cp -a "$rootfs"/. "$initrd"/
mkdir -p "$initrd"/{proc,sys,dev,tmp,run,usr/local/bin,ctr}
# The runtime and the shared libraries it loads.
cp "$runtime" "$initrd/usr/local/bin/gocker-runtime"
for lib in $(ldd "$runtime" | grep -o '/[^ ]*' | sort -u); do
    mkdir -p "$initrd$(dirname "$lib")"
    cp -L "$lib" "$initrd$lib"
done
# A second copy of the busybox tree is the containers' root filesystem.
cp -a "$rootfs" "$initrd/ctr/rootfs"
cp "$repo/tests/vm/v2-tests.sh" "$initrd/v2-tests.sh"
# The test bundles: the runtime's own default config, edited with jq (there is no jq in the VM).
base=$(mktemp -d -p "$work")
"$runtime" spec --bundle "$base" >/dev/null
make_bundle() { # NAME JQ-FILTER
    mkdir -p "$initrd/ctr/$1"
    jq --arg name "$1" '.root = {path: "/ctr/rootfs", readonly: true} | .process.terminal = false
        | .linux.cgroupsPath = "/gocker-vm/" + $name | '"$2" "$base/config.json" >"$initrd/ctr/$1/config.json"
}
make_bundle basic '.process.args = ["sh", "-c", "echo hello-v2; cat /proc/self/cgroup"]'
make_bundle limits '.process.args = ["sleep", "30"]
    | .linux.resources += {memory: {limit: 67108864}, pids: {limit: 20}, cpu: {quota: 50000, period: 100000, shares: 1024}}'
make_bundle oom '.process.args = ["sh", "-c", "tail -c 200000000 /dev/zero >/dev/null; echo survived; grep oom_kill /sys/fs/cgroup/memory.events"]
    | .linux.resources += {memory: {limit: 33554432, swap: 33554432}}
    | .mounts |= map(if .destination == "/sys/fs/cgroup" then .options = ["nosuid", "noexec", "nodev", "relatime"] else . end)'
# busybox sh gives up when a fork fails: the forking loop runs in a child shell, the count in
# the parent with builtins only.
make_bundle pids '.process.args = ["sh", "-c", "sh -c \"i=0; while [ \\$i -lt 30 ]; do sleep 10 & i=\\$((i+1)); done\" 2>/dev/null; set -- /proc/[0-9]*; echo $#"]
    | .linux.resources += {pids: {limit: 10}}'
# Rootless (docs/rootless.md): bundles of `spec --rootless` for the VM's unprivileged user 1000,
# which v2-tests.sh gives a delegated subtree.
rlbase=$(mktemp -d -p "$work")
"$runtime" spec --rootless --bundle "$rlbase" >/dev/null
make_rootless_bundle() { # NAME JQ-FILTER
    mkdir -p "$initrd/ctr/$1"
    jq '.root = {path: "/ctr/rootfs", readonly: true} | .process.terminal = false
        | .linux.uidMappings = [{containerID: 0, hostID: 1000, size: 1}]
        | .linux.gidMappings = [{containerID: 0, hostID: 1000, size: 1}] | '"$2" "$rlbase/config.json" >"$initrd/ctr/$1/config.json"
}
make_rootless_bundle rlimits '.process.args = ["sleep", "30"] | .linux.resources = {memory: {limit: 67108864}, pids: {limit: 20}}'
make_rootless_bundle rlpids '.process.args = ["sh", "-c", "sh -c \"i=0; while [ \\$i -lt 30 ]; do sleep 10 & i=\\$((i+1)); done\" 2>/dev/null; set -- /proc/[0-9]*; echo $#"]
    | .linux.resources = {pids: {limit: 10}}'
# pivot_root cannot leave the initramfs (rootfs): /init copies it into a tmpfs and switches
# root there first, as a real system's initramfs does.
cat >"$initrd/init" <<'INIT'
#!/bin/sh
export PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin
mkdir -p /newroot
mount -t tmpfs -o size=400m tmpfs /newroot
for d in /*; do [ "$d" = /newroot ] || cp -a "$d" /newroot/; done
exec switch_root /newroot /init2
INIT
cat >"$initrd/init2" <<'INIT'
#!/bin/sh
export PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t cgroup2 cgroup2 /sys/fs/cgroup
echo "VM-BOOTED: cgroup2 controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
sh /v2-tests.sh
echo "VM-DONE"
poweroff -f
INIT
chmod +x "$initrd/init" "$initrd/init2"
(cd "$initrd" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initrd.gz"

log=$work/console.log
echo "cgroup2-vm: booting $(basename "$kernel") under qemu (TCG)..."
timeout 600 qemu-system-x86_64 -accel tcg -m 768 -smp 1 -nographic -no-reboot \
    -kernel "$kernel" -initrd "$work/initrd.gz" \
    -append "console=ttyS0 quiet panic=-1 rdinit=/init" </dev/null >"$log" 2>&1 || true
# The console has CRs; show the test lines.
tr -d '\r' <"$log" | grep -E '^(VM-|ok |not ok |#)' || true
result=$(tr -d '\r' <"$log" | grep -E '^VM-RESULT:' | tail -n 1 || true)
if [[ -z $result ]]; then
    echo "cgroup2-vm: no verdict from the VM; the console said:" >&2
    tr -d '\r' <"$log" | tail -n 40 >&2
    exit 2
fi
failed=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$result")
echo "${result#VM-RESULT: }"
(( failed == 0 ))
