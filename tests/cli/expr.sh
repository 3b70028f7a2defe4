#!/usr/bin/env bash
# expr.sh - functions typed as expressions on the command line: `descent
# trace --fn EXPR` prints the same path as the built-in function the
# expression spells out (rosenbrock, quadratic), `descent plot --fn EXPR`
# draws a map, and a bad expression is one line on stderr naming the column,
# exit 2, nothing on stdout and no output file.
source "$(dirname "$0")/lib/common.bash"

# ---- an expression equals the built-in it spells out, byte for byte ----
same() { # same BUILTIN EXPR START OPT
    expect_exit 0 "$DESCENT" trace --fn "$1" --start "$3" --opt "$4" --steps 50
    local want=$out
    expect_exit 0 "$DESCENT" trace --fn "$2" --start "$3" --opt "$4" --steps 50
    [ "$out" = "$want" ] || fail "--fn '$2' differs from --fn $1: $(diff <(echo "$want") <(echo "$out") | head -5)"
    [ "$(wc -l <<<"$out")" -eq 52 ] || fail "--fn '$2': expected 52 lines"
}
same rosenbrock '(1 - x)^2 + 100*(y - x^2)^2' -1.5,2 adam:lr=0.05
same quadratic '0.1*x*x + 2*y*y' -5,-2 sgd:lr=0.1,momentum=0.9,nesterov=1
same saddle 'x*x - y*y' 1,0.001 rmsprop:lr=0.01
same booth '(x + 2*y - 7)^2 + (2*x + y - 5)^2' 0,0 nag:lr=0.01,momentum=0.9

# a closed form: gd on x^2 + 10 y^2 with lr 0.05 scales x by 0.9 and sends y to 0
expect_exit 0 "$DESCENT" trace --fn 'x^2 + 10*y^2' --start 1,2 --opt sgd:lr=0.05 --steps 2
[ "$out" = "step,x,y,loss
0,1,2,41
1,0.899999976,0,0.80999995708465633
2,0.810000002,0,0.65610000386238099" ] || fail "x^2 + 10*y^2 path: $out"

# ---- plot draws an expression ----
expect_exit 0 "$DESCENT" plot --fn 'x^2 + 10*y^2' --opt adam:lr=0.1 --start -3,2 --steps 30 -o map.svg
grep -q '<svg' map.svg || fail "map.svg is not an SVG"
grep -q 'x^2 + 10\*y^2' map.svg || fail "map.svg's title does not name the expression"

# ---- bad expressions: exit 2, one line with the column, nothing written ----
bad() { # bad NEEDLE EXPR: both commands refuse EXPR with NEEDLE in one stderr line
    expect_exit 2 "$DESCENT" trace --fn "$2" --start 0,0 --opt sgd --steps 1
    [ -z "$out" ] || fail "trace --fn '$2' wrote to stdout: $out"
    [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || fail "'$2': not one stderr line: $err"
    expect_in "$err" "descent trace: --fn: $1"
    expect_exit 2 "$DESCENT" plot --fn "$2" --start 0,0 --opt sgd -o bad.svg
    expect_in "$err" "descent plot: --fn: $1"
    [ ! -e bad.svg ] || fail "plot --fn '$2' wrote bad.svg"
}
bad "column 6: expected a number, x, y" 'x^2 +'
bad "column 6: expected ')' to close the '(' of column 4" 'sin(x'
bad "column 2: expected an operator (+ - * / ^) or the end (got 'x')" '2x'
bad "column 5: unknown name 'foo'" 'x + foo(y)'
bad "column 1: number out of range: 1e999" '1e999*x'
bad "column 65: nested too deeply (limit 64 levels)" "$(printf '(%.0s' {1..65})x$(printf ')%.0s' {1..65})"
bad "unknown function 'rosenbrok' (accepted: quadratic" rosenbrok
expect_in "$err" "or an expression in x and y"

# ---- --help names the grammar ----
expect_exit 0 "$DESCENT" trace --help
expect_in "$out" "expressions: numbers, x, y, + - * / ^, ( ), exp log sqrt sin cos tanh abs"
