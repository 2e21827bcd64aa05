#!/usr/bin/env bash
# The network part of `make demo`. Runs in a network namespace of its own, made by the caller
# (`unshare --net --mount --propagation private`), which plays the host: an "outside world"
# namespace behind an uplink veth (TEST-NET-1: host 192.0.2.1, outside 192.0.2.2) serves a page;
# a container on gocker-net's bridge fetches it through NAT, then serves one of its own on the
# published port 8080, fetched from the host side.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runtime=${GOCKER_RUNTIME:-$repo/build/gocker-runtime}
[[ $(readlink /proc/self/ns/net) != $(readlink /proc/1/ns/net) ]] \
    || { echo "net-demo: run me in a network namespace of my own (unshare --net --mount)" >&2; exit 1; }
bb=$repo/rootfs/out/busybox/bin/busybox
work=$(mktemp -d)
outside_pid=""
cleanup() {
    "$runtime" --root "$work/state" delete --force web >/dev/null 2>&1 || true
    [[ -z $outside_pid ]] || kill "$outside_pid" 2>/dev/null || true
    [[ -z ${httpd_pid:-} ]] || kill "$httpd_pid" 2>/dev/null || true
    rm -rf -- "$work"
}
trap cleanup EXIT
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

ip link set lo up
unshare --net sleep 600 & outside_pid=$!
sleep 0.2
ip link add up0 type veth peer name eth0 netns "$outside_pid"
ip addr add 192.0.2.1/24 dev up0 && ip link set up0 up
nsenter --net=/proc/$outside_pid/ns/net sh -c 'ip addr add 192.0.2.2/24 dev eth0 && ip link set eth0 up && ip link set lo up'
mkdir -p "$work/www" && echo "hello from the outside world (192.0.2.2)" >"$work/www/index.html"
nsenter --net=/proc/$outside_pid/ns/net "$bb" httpd -f -v -p 80 -h "$work/www" 2>"$work/outside.log" & httpd_pid=$!

step "bundles/make-bundle.sh --network bridge -p 8080:80 (the default network, one published port)"
"$repo/bundles/make-bundle.sh" --rw --hostname web -p 8080:80 "$work/web" -- sh -c '
echo "container: my address $(ip -4 -o addr show dev eth0 | cut -d" " -f7), $(ip route | head -1)"
echo "container: /etc/hosts says: $(grep web /etc/hosts)"
echo "container: fetching http://192.0.2.2/ through NAT: $(wget -qO- http://192.0.2.2/)"
echo "served by container $(hostname) on its port 80" > /tmp/index.html
exec httpd -f -p 80 -h /tmp'
# gocker-net's leases in this demo's own directory, the container's cgroup under a parent of its own.
jq --arg r "$work/net" --arg cg "/gocker-net-demo-$$/web" \
    '.hooks |= with_entries(.value |= map(.args = ["gocker-net", "--root", $r, .args[1]])) | .linux.cgroupsPath = $cg' \
    "$work/web/config.json" >"$work/c.json" && mv "$work/c.json" "$work/web/config.json"

step "gocker-runtime run --detach web"
"$runtime" --root "$work/state" run --detach --bundle "$work/web" web >"$work/web.out" 2>&1
sleep 1
cat "$work/web.out"
step "the outside server's log: the request came from the host's uplink address (masqueraded)"
cat "$work/outside.log"
step "from the host side: wget http://127.0.0.1:8080/ and http://192.0.2.1:8080/"
"$bb" wget -qO- http://127.0.0.1:8080/
"$bb" wget -qO- http://192.0.2.1:8080/
step "gocker-runtime delete --force web: the poststop hook takes the address and the port back"
"$runtime" --root "$work/state" delete --force web
# DEL hands the veth's deletion to a detached process; its lease goes when that one is done.
leases() { find "$work/net/gocker" -mindepth 1 -maxdepth 1 ! -name network.json | wc -l; }
for _ in $(seq 50); do (( $(leases) == 0 )) && break; sleep 0.1; done
echo "leases left: $(leases)"
