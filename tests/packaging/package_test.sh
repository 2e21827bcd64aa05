#!/usr/bin/env bash
# The Debian package as a user gets it: builds it with CPack from a configured, built tree, checks
# its control fields and contents, unpacks it into a scratch root (dpkg -x), and then uses only
# what it unpacked there: every man page renders without a warning and documents every flag of
# its --help, the bash completion offers every command and flag of --help and the ids of existing
# containers, `--version` names the commit of the build, `features` is JSON, one container runs.
# Last, it installs and removes the package with dpkg into a scratch instdir/admindir and asks
# apt whether `apt-get install ./PACKAGE.deb` could resolve its dependencies here (simulation).
#
#   tests/packaging/package_test.sh BUILD_DIR        (root; ctest runs it with the integration label)
#
# The container gets a cgroup parent of its own (/gocker-pkg-test-PID) and a --root under the
# run's temporary directory; both are removed at the end. Exit 77: the tools it needs are missing.
set -uo pipefail
build=$(realpath "${1:?usage: package_test.sh BUILD_DIR}")
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
for tool in cpack dpkg-deb dpkg-shlibdeps man jq; do
    command -v "$tool" >/dev/null || { echo "package_test: SKIP: no $tool (scripts/install-deps installs it)"; exit 77; }
done
(( EUID == 0 )) || { echo "package_test: must run as root"; exit 1; }

tmp=$(mktemp -d /tmp/gocker-package-test.XXXXXX)
cg_parent=gocker-pkg-test-$$
cleanup() {
    [[ -x $tmp/root/usr/bin/gocker-runtime ]] &&
        "$tmp/root/usr/bin/gocker-runtime" --root "$tmp/state" delete --force pkgtest >/dev/null 2>&1
    local d
    for d in /sys/fs/cgroup/*/"$cg_parent" /sys/fs/cgroup/"$cg_parent"; do
        [[ -d $d ]] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
    done
    rm -rf "$tmp"
}
trap cleanup EXIT

failed=0
fail() { echo "FAILED: $*"; failed=1; }
ok() { echo "ok: $*"; }

# ---- the package -------------------------------------------------------------------------------
(cd "$build" && cpack -G DEB -B "$tmp/pkg" >"$tmp/cpack.log" 2>&1) || { cat "$tmp/cpack.log"; echo "FAILED: cpack"; exit 1; }
deb=$(ls "$tmp"/pkg/gocker-runtime_*.deb 2>/dev/null | head -1)
[[ -f $deb ]] || { echo "FAILED: no gocker-runtime_*.deb in $tmp/pkg"; exit 1; }
version=$(sed -n 's/^project(gocker-runtime VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
field() { dpkg-deb -f "$deb" "$1"; }
[[ $(field Package) == gocker-runtime ]] || fail "Package: $(field Package)"
[[ $(field Version) == "$version" ]] || fail "Version: '$(field Version)', project version '$version'"
[[ $(basename "$deb") == "gocker-runtime_${version}_$(dpkg --print-architecture).deb" ]] || fail "file name $(basename "$deb")"
[[ $(field Section) == admin && -n $(field Maintainer) && -n $(field Description) ]] ||
    fail "Section/Maintainer/Description: $(field Section) / $(field Maintainer)"
# gocker-net links libc and libmnl (dpkg-shlibdeps names them) and loads libnftables (named in
# Shipping.cmake).
for dep in libc6 libmnl0 libnftables1; do
    [[ ",$(field Depends | tr -d ' ')," == *",$dep("* ]] || fail "Depends lacks $dep: $(field Depends)"
done
(( failed )) || ok "control fields: gocker-runtime $version, Depends: $(field Depends)"

dpkg-deb -c "$deb" >"$tmp/contents" || fail "dpkg-deb -c"
if awk '{ print $6 }' "$tmp/contents" | grep -vE '^\./(usr(/.*)?)?$'; then fail "files outside /usr (above)"; fi
dpkg -x "$deb" "$tmp/root" || { echo "FAILED: dpkg -x"; exit 1; }
R=$tmp/root/usr
rt=$R/bin/gocker-runtime

# The files: both programs, a man page for each program and each command of --help, completion, docs.
commands=$("$rt" --help | awk '/^Commands:/ { on = 1; next } /^[^ ]/ { on = 0 } on && NF { print $1 }' | grep -vx help)
[[ -n $commands ]] || fail "no command in the installed gocker-runtime --help"
want=(bin/gocker-runtime bin/gocker-net share/man/man1/gocker-runtime.1.gz share/man/man1/gocker-net.1.gz
      share/bash-completion/completions/gocker-runtime share/bash-completion/completions/gocker-net
      share/doc/gocker-runtime/README.md share/doc/gocker-runtime/docs/integrations.md
      share/doc/gocker-runtime/docs/gocker-net.md)
for c in $commands; do want+=("share/man/man1/gocker-runtime-$c.1.gz"); done
missing=0
for f in "${want[@]}"; do [[ -e $R/$f ]] || { fail "missing /usr/$f"; missing=1; }; done
(( missing )) || ok "installed files: ${#want[@]} expected paths present"

# ---- man pages ----------------------------------------------------------------------------------
# help_flags TEXT: the flags an indented help line starts with ("  -p, --process arg", "  --root DIR").
help_flags() { grep -E '^ +-' | grep -oE '(^|[ ,])--?[A-Za-z][-A-Za-z0-9]*' | tr -d ' ,' | sort -u; }
pages=0
for page in "$R"/share/man/man1/*.1.gz; do
    pages=$((pages + 1))
    warnings=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
    [[ -z $warnings ]] || fail "man -l $(basename "$page"): $warnings"
    name=$(basename "$page" .1.gz)
    # The page of PROGRAM or of PROGRAM-COMMAND: the longest installed program the name starts with.
    prog=""
    for p in "$R"/bin/*; do
        p=$(basename "$p")
        [[ ($name == "$p" || $name == "$p"-*) && ${#p} -gt ${#prog} ]] && prog=$p
    done
    if [[ -z $prog ]]; then fail "man page $name: no installed program of that name"; continue; fi
    if [[ $name == "$prog" ]]; then help=$("$R/bin/$prog" --help 2>&1)
    else help=$("$R/bin/$prog" "${name#"$prog"-}" --help 2>&1); fi
    [[ -n $(help_flags <<<"$help") ]] || fail "no flag found in the --help of the man page $name"
    text=$(MANWIDTH=200 man -l "$page" 2>/dev/null)
    for flag in $(help_flags <<<"$help"); do
        grep -qE -- "(^|[ ,])$flag([ ,=]|$)" <<<"$text" || fail "man page $name does not document $flag"
    done
done
(( pages >= $(wc -w <<<"$commands") + 2 )) || fail "only $pages man pages"
ok "$pages man pages render without warnings and document every flag of their --help"

# ---- completion ---------------------------------------------------------------------------------
complete_words() {   # complete_words WORD... (the last one being completed): prints COMPREPLY
    bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMPREPLY=()
             _gocker_runtime; printf "%s\n" "${COMPREPLY[@]}"' _ "$R/share/bash-completion/completions/gocker-runtime" "$@"
}
offered=$(complete_words "$rt" '')
for c in $commands; do grep -qx "$c" <<<"$offered" || fail "completion of a command does not offer '$c'"; done
for flag in $(help_flags <<<"$("$rt" --help)"); do
    grep -qx -- "$flag" <<<"$(complete_words "$rt" -)" || fail "completion of a global flag does not offer $flag"
done
for c in $commands; do
    offered=$(complete_words "$rt" --root /nonexistent "$c" -)
    for flag in $(help_flags <<<"$("$rt" "$c" --help)"); do
        grep -qx -- "$flag" <<<"$offered" || fail "completion of '$c -' does not offer $flag"
    done
done
ok "completion offers every command and every flag of --help"

# ---- the installed binary -----------------------------------------------------------------------
got=$("$rt" --version)
built=$("$build/gocker-runtime" --version | sed -n 's/^commit: //p')
[[ $(sed -n 1p <<<"$got") == "gocker-runtime version $version" ]] || fail "--version line 1: $got"
[[ $(sed -n 2p <<<"$got") == "commit: $built" && -n $built ]] || fail "--version line 2 is not the build's commit '$built': $got"
[[ $(sed -n 3p <<<"$got") == "spec: "* ]] || fail "--version line 3: $got"
ok "--version: $(tr '\n' ' ' <<<"$got")"
"$rt" features | jq -e '.ociVersionMin and .ociVersionMax and (.hooks | length > 0)' >/dev/null ||
    fail "features is not the features document"
ok "features prints the features document"

# One container, from the installed binary's own `spec`, then the completion of its id.
rootfs=$src/rootfs/out/busybox
if [[ ! -x $rootfs/bin/sh ]]; then
    fail "no busybox rootfs at $rootfs (make rootfs)"
else
    mkdir -p "$tmp/bundle" "$tmp/state"
    (cd "$tmp/bundle" && "$rt" spec) || fail "spec"
    jq --arg root "$rootfs" --arg cg "/$cg_parent/pkgtest" \
        '.root = {path: $root, readonly: true} | .process.terminal = false | .linux.cgroupsPath = $cg |
         .process.args = ["sh", "-c", "echo hello from the package; sleep 30"]' \
        "$tmp/bundle/config.json" >"$tmp/config.json" && mv "$tmp/config.json" "$tmp/bundle/config.json"
    if "$rt" --root "$tmp/state" create --bundle "$tmp/bundle" pkgtest </dev/null >"$tmp/ctr.out" 2>&1 &&
       "$rt" --root "$tmp/state" start pkgtest </dev/null >>"$tmp/ctr.out" 2>&1; then
        for _ in $(seq 50); do grep -q "hello from the package" "$tmp/ctr.out" && break; sleep 0.1; done
        grep -q "hello from the package" "$tmp/ctr.out" || fail "the container's output: $(cat "$tmp/ctr.out")"
        [[ $("$rt" --root "$tmp/state" state pkgtest | jq -r .status) == running ]] || fail "state is not running"
        grep -qx pkgtest <<<"$(complete_words "$rt" --root "$tmp/state" kill '')" ||
            fail "completion of 'kill' does not offer the container id"
        grep -qx pkgtest <<<"$(complete_words "$rt" --root "$tmp/state" exec -t p)" ||
            fail "completion of 'exec -t p' does not offer the container id"
        "$rt" --root "$tmp/state" delete --force pkgtest || fail "delete --force"
        [[ -z $("$rt" --root "$tmp/state" list -q) ]] || fail "a container is left in --root"
        ok "a container runs from the installed binary; completion offers its id"
    else
        fail "create/start: $(cat "$tmp/ctr.out")"
    fi
fi

# ---- install and remove with dpkg, in a scratch root; apt's view of the dependencies ------------
mkdir -p "$tmp/inst" "$tmp/admin/info" "$tmp/admin/updates"
: >"$tmp/admin/status"
dpkg_scratch() { dpkg --admindir="$tmp/admin" --instdir="$tmp/inst" --force-depends --force-not-root "$@" >>"$tmp/dpkg.log" 2>&1; }
if dpkg_scratch -i "$deb" && [[ -x $tmp/inst/usr/bin/gocker-runtime ]] &&
   dpkg_scratch -r gocker-runtime && [[ -z $(find "$tmp/inst" -type f -o -type l) ]]; then
    ok "dpkg installs it and removes it without a file left behind"
else
    fail "dpkg install/remove in a scratch root: $(cat "$tmp/dpkg.log"; find "$tmp/inst" -type f -o -type l)"
fi
if command -v apt-get >/dev/null; then
    if apt-get -s -o Debug::NoLocking=1 install "$deb" >"$tmp/apt.log" 2>&1 && grep -q "^Inst gocker-runtime " "$tmp/apt.log"; then
        ok "apt-get install ./$(basename "$deb") resolves (simulated)"
    else
        fail "apt-get -s install: $(tail -5 "$tmp/apt.log")"
    fi
fi

(( failed )) && { echo "package_test: FAILED"; exit 1; }
echo "package_test: passed"
