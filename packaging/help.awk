# Reads a program's --help text and prints, depending on `mode`:
#   mode=man       a man page (roff): needs title, section, name, summary, footer; program (the
#                  words that start the usage line, bold in SYNOPSIS) and see_also (a
#                  comma-separated list of NAME(SECTION)) are optional
#   mode=commands  the commands of its "Commands:" section, one per line: NAME<TAB>SUMMARY
#   mode=flags     its options, one per line: FLAG<TAB>VALUE (VALUE is the placeholder, e.g. arg
#                  or DIR, empty for a flag without a value); "-p, --process arg" gives two lines
#   mode=synopsis  the usage line
# Shared by gen-man.sh and gen-completion.sh, so that the man pages and the completion read the
# same help text the same way and never disagree with it.
#
# The help text it understands (cxxopts' layout, and the hand-written one of gocker-runtime and
# gocker-net): a "Usage:" line (its text on the same line or the next one), description lines,
# headers at column 0 ending in ':' ("Commands:", "Global options:"), and entries: an indented
# term ("-p, --process arg", "--root DIR", "create"), two or more spaces, the text; an entry's
# text continues on the following lines indented deeper than its term. Entries before any
# header are options.

function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }

# roff-escape a line of text: backslashes, then a leading control character.
function esc(s) {
    gsub(/\\/, "\\e", s)
    gsub(/-/, "\\-", s)
    if (s ~ /^[.']/) s = "\\&" s
    return s
}

# The term of an entry in roff: option words bold, their value placeholders italic, commands bold.
function term_roff(t, is_command,   n, i, w, out, comma) {
    n = split(t, words, / +/)
    out = ""
    for (i = 1; i <= n; i++) {
        w = words[i]
        comma = ""
        if (w ~ /,$/) { comma = ","; sub(/,$/, "", w) }
        if (w ~ /^-/ || is_command) w = "\\fB" esc(w) "\\fR"
        else w = "\\fI" esc(w) "\\fR"
        out = out (i > 1 ? " " : "") w comma
    }
    return out
}

function start_section(name) {
    nsec++
    sec_name[nsec] = name
    sec_body[nsec] = ""
    in_entry = 0
}

function add_text(line) {
    if (nsec == 0) { desc = desc (desc == "" ? "" : "\n") esc(line); return }
    sec_body[nsec] = sec_body[nsec] (para_open ? "\n" : "\n.PP\n") esc(line)
    para_open = 1
}

function add_entry(term, text, indent) {
    if (nsec == 0) start_section("OPTIONS")
    is_cmd = (sec_name[nsec] == "COMMANDS")
    # Commands get a column wide enough to keep the name and its summary on one line.
    sec_body[nsec] = sec_body[nsec] (is_cmd ? "\n.TP 12\n" : "\n.TP\n") term_roff(term, is_cmd) "\n" esc(text)
    in_entry = 1
    para_open = 0
    entry_indent = indent
    if (is_cmd) commands[++ncmd] = term "\t" text
    else record_flags(term)
}

# "-p, --process arg" -> flags -p and --process, value "arg".
function record_flags(term,   n, i, w, value, names, k) {
    n = split(term, words, / +/)
    value = ""
    k = 0
    for (i = 1; i <= n; i++) {
        w = words[i]
        sub(/,$/, "", w)
        if (w ~ /^-/) names[++k] = w
        else value = value (value == "" ? "" : " ") w
    }
    for (i = 1; i <= k; i++) flags[++nflags] = names[i] "\t" value
}

BEGIN { nsec = 0; ncmd = 0; nflags = 0; desc = ""; synopsis = ""; want_synopsis = 0; para_open = 0 }

{
    line = $0
    sub(/[ \t]+$/, "", line)
    if (line == "") { in_entry = 0; para_open = 0; next }
    if (want_synopsis) { synopsis = trim(line); want_synopsis = 0; next }
    if (line ~ /^[Uu]sage:/) {
        rest = trim(substr(line, 7))
        if (rest == "") want_synopsis = 1
        else synopsis = rest
        in_entry = 0; para_open = 0
        next
    }
    if (line ~ /^[A-Z][A-Za-z ]*:$/) { start_section(toupper(substr(line, 1, length(line) - 1))); para_open = 0; next }
    match(line, /^ */)
    indent = RLENGTH
    body = substr(line, indent + 1)
    if (in_entry && indent > entry_indent + 2 && body !~ /^-/) {
        sec_body[nsec] = sec_body[nsec] "\n" esc(body)
        next
    }
    if (indent > 0 && match(body, /[^ ]  +[^ ]/)) {
        term = substr(body, 1, RSTART)
        text = trim(substr(body, RSTART + 1))
        add_entry(term, text, indent)
        next
    }
    # An option whose term is too long for its column (cxxopts: "--network [=arg(=bridge)]"):
    # the term alone on its line, its text on the following, deeper indented lines.
    if (indent > 0 && body ~ /^-/) {
        add_entry(body, "", indent)
        next
    }
    in_entry = 0
    add_text(trim(line))
}

END {
    if (mode == "commands") { for (i = 1; i <= ncmd; i++) print commands[i]; exit 0 }
    if (mode == "flags") { for (i = 1; i <= nflags; i++) print flags[i]; exit 0 }
    if (mode == "synopsis") { print synopsis; exit 0 }
    # mode == "man"
    printf ".TH %s %s \"\" \"%s\" \"User Commands\"\n", esc(title), section, esc(footer)
    print ".SH NAME"
    print esc(name) " \\- " esc(summary)
    if (synopsis != "") {
        print ".SH SYNOPSIS"
        # The program's words in bold, the rest as written.
        prog = (program != "" ? program : name)
        if (index(synopsis, prog) == 1) print ".B " esc(prog) "\n" esc(trim(substr(synopsis, length(prog) + 1)))
        else print esc(synopsis)
    }
    if (desc != "") { print ".SH DESCRIPTION"; print desc }
    for (i = 1; i <= nsec; i++) { print ".SH " esc(sec_name[i]); sub(/^\n/, "", sec_body[i]); print sec_body[i] }
    if (see_also != "") {
        print ".SH SEE ALSO"
        n = split(see_also, refs, ",")
        for (i = 1; i <= n; i++) {
            r = refs[i]
            p = index(r, "(")
            printf ".BR %s %s%s\n", esc(substr(r, 1, p - 1)), substr(r, p), (i < n ? "," : "")
        }
    }
}
