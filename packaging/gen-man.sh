#!/usr/bin/env bash
# Writes the man pages of a program from its own --help text (packaging/help.awk), so that they
# say what the binary says: NAME.SECTION.gz for the program and, for each entry of its
# "Commands:" section but `help`, NAME-COMMAND.SECTION.gz from `PROGRAM COMMAND --help`.
#
#   gen-man.sh --program PATH --name NAME --summary TEXT --version TEXT --out DIR [--section N]
#
# Run by the build (cmake/Shipping.cmake); DIR is emptied first, so a removed command leaves no page.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
section=1
# shellcheck source=packaging/gen-args.sh
source "$here/gen-args.sh"
gen_args gen-man program name summary version out section -- "$@"
: "${program:?--program}" "${name:?--name}" "${summary:?--summary}" "${version:?--version}" "${out:?--out}"

page() {   # page FILE TITLE NAME SUMMARY PROGRAM_WORDS SEE_ALSO < help text
    local file=$1
    LC_ALL=C awk -v mode=man -v title="$2" -v section="$section" -v name="$3" -v summary="$4" \
        -v program="$5" -v see_also="$6" -v footer="$name $version" -f "$here/help.awk" >"$file.tmp"
    gzip -9nf "$file.tmp" && mv "$file.tmp.gz" "$file.gz"
}

rm -rf "$out"
mkdir -p "$out"
top=$(help "$program")
see_also=()
while IFS=$'\t' read -r cmd cmd_summary; do
    [[ $cmd == help ]] && continue
    see_also+=("$name-$cmd($section)")
    help "$program" "$cmd" | page "$out/$name-$cmd.$section" "${name^^}-${cmd^^}" "$name-$cmd" "$cmd_summary" \
        "$name $cmd" "$name($section)"
done < <(LC_ALL=C awk -v mode=commands -f "$here/help.awk" <<<"$top")
printf '%s\n' "$top" | page "$out/$name.$section" "${name^^}" "$name" "$summary" "$name" \
    "$(IFS=,; echo "${see_also[*]}")"
