# shellcheck shell=bash
# What gen-man.sh and gen-completion.sh share (sourced by both).

# gen_args TOOL NAME... -- ARGS...: reads `--NAME VALUE` pairs from ARGS into the variables NAME
# (one of those listed); anything else, or a flag without its value, stops TOOL with status 2.
gen_args() {
    local tool=$1 known=" "
    shift
    while (( $# )) && [[ $1 != -- ]]; do known+="$1 "; shift; done
    shift
    while (( $# )); do
        local var=${1#--}
        if [[ $1 != --* || $known != *" $var "* ]]; then
            echo "$tool: unknown argument '$1'" >&2; exit 2
        fi
        if (( $# < 2 )); then
            echo "$tool: $1 needs a value" >&2; exit 2
        fi
        printf -v "$var" '%s' "$2"
        shift 2
    done
}

# help PROGRAM ARGS...: the help text; a program may print it on stderr or exit non-zero after it.
help() { "$@" --help 2>&1 || true; }
