#!/usr/bin/env bash
# Writes the bash completion of a program from its own --help text (packaging/help.awk): its
# commands, each command's flags (a flag's value completes as a file, or a directory for DIR,
# --bundle and --root), and the container ids that `PROGRAM [--root DIR] IDS_COMMAND` prints for
# the first argument of the commands whose usage line names a container id (<container-id>, ID or
# CONTAINER), or every argument when it is repeatable (CONTAINER...).
#
#   gen-completion.sh --program PATH --name NAME --out FILE [--ids "list -q"]
#
# Run by the build (cmake/Shipping.cmake), so the completion is the binary's own --help, as data.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ids=""
# shellcheck source=packaging/gen-args.sh
source "$here/gen-args.sh"
gen_args gen-completion program name out ids -- "$@"
: "${program:?--program}" "${name:?--name}" "${out:?--out}"

parse() { LC_ALL=C awk -v mode="$1" -f "$here/help.awk"; }

# flag_lists < FLAG<TAB>VALUE lines: the flags, the flags that take a value, and those whose value
# is a directory, as three single-quoted words (flags never hold a quote)., the flags that take a value, and those whose value is a directory.
flag_lists() {
    local flag value all="" valued=" " dirs=" "
    while IFS=$'\t' read -r flag value; do
        all+="$flag "
        [[ -z $value ]] && continue
        valued+="$flag "
        [[ $value == DIR || $flag == --bundle || $flag == -b || $flag == --root ]] && dirs+="$flag "
    done
    printf "'%s' '%s' '%s'" "${all% }" "$valued" "$dirs"
}

# How a usage line names a container id.
id_word='<container-id>|\<ID\>|\<CONTAINER\>'
fn=_$(tr -c 'a-zA-Z0-9\n' '_' <<<"$name")
top=$(help "$program")
{
    printf '# bash completion for %s, generated from its --help by packaging/gen-completion.sh: do not edit.\n' "$name"
    printf '# shellcheck shell=bash\n'
    printf '%s() {\n' "$fn"
    printf '    local -a globals=(%s)\n' "$(parse flags <<<"$top" | flag_lists)"
    printf "    local commands='%s'\n" "$(parse commands <<<"$top" | cut -f1 | tr '\n' ' ' | sed 's/ $//')"
    printf "    local ids_command='%s'\n" "$ids"
    cat <<'BODY'
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    local i w cmd="" positional=0 skip=0
    local -a id_args=() data=("${globals[@]}")
    for (( i = 1; i < COMP_CWORD; i++ )); do
        w=${COMP_WORDS[i]}
        if (( skip )); then skip=0; continue; fi
        if [[ $w == -* ]]; then
            # The value of a flag is the next word (unless written --flag=value); --root also
            # applies to the id listing.
            [[ ${data[1]} == *" $w "* ]] && skip=1
            [[ -z $cmd && $w == --root ]] && id_args=(--root "${COMP_WORDS[i+1]}")
            [[ -z $cmd && $w == --root=* ]] && id_args=("$w")
            continue
        fi
        if [[ -z $cmd ]]; then
            cmd=$w
            data=()
            case $cmd in
BODY
    while IFS=$'\t' read -r cmd _; do
        [[ $cmd == help ]] && continue
        text=$(help "$program" "$cmd")
        # 1: the first argument is a container id; 2: every argument is one ("CONTAINER...").
        synopsis=$(parse synopsis <<<"$text")
        takes_id=0
        grep -qE "$id_word" <<<"$synopsis" && takes_id=1
        grep -qE "($id_word)\\.\\.\\." <<<"$synopsis" && takes_id=2
        printf '                %q) data=(%s %s) ;;\n' "$cmd" "$(parse flags <<<"$text" | flag_lists)" "$takes_id"
    done < <(parse commands <<<"$top")
    cat <<'BODY'
                help) data=('' ' ' ' ' 0) ;;
                *) return 0 ;;
            esac
        else
            (( positional++ ))
        fi
    done
    COMPREPLY=()
    if [[ ${data[1]} == *" $prev "* ]]; then
        if [[ ${data[2]} == *" $prev "* ]]; then
            mapfile -t COMPREPLY < <(compgen -d -- "$cur")
        else
            mapfile -t COMPREPLY < <(compgen -f -- "$cur")
        fi
    elif [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "${data[0]}" -- "$cur")
    elif [[ -z $cmd || $cmd == help ]] && (( positional == 0 )); then
        mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
    elif [[ -n $ids_command ]] && { [[ ${data[3]:-0} == 1 ]] && (( positional == 0 )) || [[ ${data[3]:-0} == 2 ]]; }; then
        local listed
        listed=$("${COMP_WORDS[0]}" "${id_args[@]}" $ids_command 2>/dev/null)
        mapfile -t COMPREPLY < <(compgen -W "$listed" -- "$cur")
    fi
}
BODY
    printf 'complete -F %s %s\n' "$fn" "$name"
} >"$out.tmp"
bash -n "$out.tmp"
mv "$out.tmp" "$out"
