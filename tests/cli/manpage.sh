# manpage.sh - keeps the man page in step with the program: every subcommand
# that `descent --help` lists has a "## NAME" section in doc/descent.1.scd,
# every option `descent help-options` lists is documented ("*--option*") in
# its command's section, and the page documents no option or command the
# program does not have. Also checks the page the build made from it.
source "$(dirname "$0")/lib/common.bash"
page=$DS_SOURCE_DIR/doc/descent.1.scd
[ -f "$page" ] || fail "no man page source $page"

# section CMD: the text of "## CMD" up to the next heading.
section() { awk -v h="## $1" '$0 == h {on = 1; next} /^#/ {on = 0} on' "$page"; }
# documented CMD: the options the section of CMD documents, one per line.
documented() { section "$1" | grep -o '^\*--[a-z0-9-]*\*' | tr -d '*' | sort -u; }

expect_exit 0 "$DESCENT" --help
commands=$(sed -n '/^commands:/,$p' <<<"$out" | awk 'NR > 1 && $1 != "help-options" {print $1}')
[ -n "$commands" ] || fail "descent --help lists no commands: $out"
expect_exit 0 "$DESCENT" help-options
options=$out
[ -n "$options" ] || fail "descent help-options printed nothing"

for cmd in $commands; do
    grep -qx "## $cmd" "$page" || fail "the man page has no section '## $cmd'"
    want=$(awk -v c="$cmd" '$1 == c {print $2}' <<<"$options" | sort -u)
    have=$(documented "$cmd")
    missing=$(comm -23 <(echo "$want") <(echo "$have"))
    [ -z "$missing" ] || fail "man page section '$cmd' lacks: $(echo $missing)"
    stale=$(comm -13 <(echo "$want") <(echo "$have"))
    [ -z "$stale" ] || fail "man page section '$cmd' documents options '$cmd --help' lacks: $(echo $stale)"
    # Each option also appears in the command's own --help text.
    expect_exit 0 "$DESCENT" "$cmd" --help
    for o in $want; do expect_in "$out" "$o"; done
done
# No section for a command that does not exist.
for s in $(awk '/^# COMMANDS/ {on = 1; next} /^# / {on = 0} on && /^## / {print $2}' "$page"); do
    grep -qx "$s" <<<"$commands" || fail "the man page documents '$s', which descent --help lacks"
done

# The build turns the source into the page (when scdoc is installed).
built=$DS_BUILD_DIR/doc/descent.1
if command -v scdoc >/dev/null; then
    [ -f "$built" ] || fail "scdoc is installed but the build made no $built"
    [ "$built" -nt "$page" ] || fail "$built is older than its source"
    grep -q '^\.TH "descent" "1"' "$built" || fail "$built is not a section-1 page"
    for o in $(awk '{print $2}' <<<"$options" | sort -u); do
        grep -q -- "\\\\fB${o//-/\\\\-}\\\\fR\|\\\\fB${o}\\\\fR" "$built" || fail "built page lacks $o"
    done
fi
echo "man page documents $(wc -l <<<"$options") options of $(wc -w <<<"$commands") commands"
