# shellcheck shell=bash
# Go >= 1.21 for building the conformance suites' Go programs (runtime-tools, crictl), without
# touching the host's Go or its apt configuration. Source this file, then:
#
#   conformance_go_toolchain            # prints the bin directory of the toolchain, puts it first
#                                       # on PATH, exports GOROOT, GOTOOLCHAIN=local, GOPROXY=off,
#                                       # GOSUMDB=off, GOFLAGS=-mod=vendor and a private GOCACHE
#
# Bookworm's golang-go is 1.19; bookworm-backports has golang-1.23. The two .debs are fetched
# with `apt-get download` through a private apt state (its own sources list naming only
# bookworm-backports, its own lists and cache directories, the host's Debian archive keyring),
# and unpacked with `dpkg-deb -x` into $CONFORMANCE_CACHE/go (default tests/conformance/cache/go,
# git-ignored). Nothing is installed; a second call reuses the unpacked tree and needs no network.
# A Go >= 1.21 already on PATH is used as it is.

: "${CONFORMANCE_CACHE:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/cache}"
CONFORMANCE_GO_VERSION=${CONFORMANCE_GO_VERSION:-1.23}

# go_version_ok GO_BINARY: true when it reports go1.21 or later.
_conformance_go_ok() {
    local v
    v=$("$1" env GOVERSION 2>/dev/null) || return 1
    v=${v#go}
    local major=${v%%.*} rest=${v#*.}
    local minor=${rest%%.*}
    [[ $major =~ ^[0-9]+$ && $minor =~ ^[0-9]+$ ]] || return 1
    (( major > 1 || (major == 1 && minor >= 21) ))
}

_conformance_go_fetch() {
    local dest=$1 ver=$CONFORMANCE_GO_VERSION
    local apt=$dest.apt
    rm -rf "$apt" "$dest.tmp"
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/parts" "$apt/debs" "$dest.tmp" || return 1
    printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-backports main\n' \
        >"$apt/sources.list"
    local -a opts=(-o "Dir::Etc::sourcelist=$apt/sources.list" -o "Dir::Etc::sourceparts=$apt/parts"
                   -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
                   -o "APT::Get::List-Cleanup=0" -o "APT::Sandbox::User=root")
    echo "go-toolchain: fetching golang-$ver-go and golang-$ver-src from bookworm-backports (private apt state in $apt)" >&2
    apt-get "${opts[@]}" -qq update >&2 || { echo "go-toolchain: apt-get update of bookworm-backports failed" >&2; return 1; }
    (cd "$apt/debs" && apt-get "${opts[@]}" -qq download "golang-$ver-go" "golang-$ver-src") >&2 ||
        { echo "go-toolchain: apt-get download golang-$ver-go golang-$ver-src failed" >&2; return 1; }
    local deb
    for deb in "$apt"/debs/*.deb; do
        dpkg-deb -x "$deb" "$dest.tmp" || return 1
    done
    for deb in "$apt"/debs/*.deb; do basename "$deb"; done >"$dest.tmp/DEBS"
    rm -rf "$apt" "$dest"
    mv "$dest.tmp" "$dest"
}

conformance_go_toolchain() {
    local bindir
    if command -v go >/dev/null && _conformance_go_ok "$(command -v go)"; then
        bindir=$(dirname "$(command -v go)")
    else
        local dest=$CONFORMANCE_CACHE/go
        bindir=$dest/usr/lib/go-$CONFORMANCE_GO_VERSION/bin
        if [[ ! -x $bindir/go ]]; then
            _conformance_go_fetch "$dest" || return 1
        fi
        _conformance_go_ok "$bindir/go" || { echo "go-toolchain: $bindir/go does not run or is older than 1.21" >&2; return 1; }
        export GOROOT=$dest/usr/lib/go-$CONFORMANCE_GO_VERSION
        PATH=$bindir:$PATH
    fi
    export PATH GOTOOLCHAIN=local GOPROXY=off GOSUMDB=off GOFLAGS=-mod=vendor
    export GOCACHE=${GOCACHE:-$CONFORMANCE_CACHE/go-build} GOPATH=${GOPATH:-$CONFORMANCE_CACHE/gopath}
    echo "$bindir"
}
