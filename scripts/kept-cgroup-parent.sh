# shellcheck shell=bash
# Sourced by the scripts that run gocker-runtime containers under its default cgroup parent
# (bench/compare, bench/parts, bundles/demo.sh). The runtime keeps /gocker once made
# (docs/cgroups.md); a script leaves the host as it found it:
#   parents_before=$(kept_parents)               # at the start
#   remove_kept_parents_made "$parents_before"   # at the end: only those made since, when empty
kept_parents() { ls -d /sys/fs/cgroup/*/gocker /sys/fs/cgroup/gocker 2>/dev/null || true; }
remove_kept_parents_made() {
    local d
    for d in /sys/fs/cgroup/*/gocker /sys/fs/cgroup/gocker; do
        if [[ -d $d ]] && ! grep -qxF "$d" <<<"$1"; then rmdir "$d" 2>/dev/null || true; fi
    done
}
