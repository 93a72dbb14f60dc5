#!/usr/bin/env bash
# tests/run itself, on a tree of fakes: a name with no integration script
# fails, every unit program named by a tests/unit/test_*.c is run or failed
# (missing, stale), and a program's exit status counts (a crash, or a
# LeakSanitizer report after a complete plan). Prints TAP; needs no root.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d /tmp/cbxt-runner.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0

result() { # good name [diagnostic]
	n=$((n + 1))
	if [ "$1" = 1 ]; then
		echo "ok $n - $2"
	else
		failed=$((failed + 1))
		echo "not ok $n - $2"
		[ -n "${3:-}" ] && sed 's/^/#   /' <<<"${3:0:3000}"
	fi
}

# A tree with the real runner, a Makefile that knows a unit program's
# source, and fake programs (shell scripts) standing for the unit tests.
tree() { # dir
	mkdir -p "$1/tests/unit" "$1/tests/integration" "$1/build/tests" "$1/build/san/tests"
	cp "$top/tests/run" "$1/tests/run"
	printf 'build/tests/%%: tests/unit/%%.c\n\t@false\nbuild/san/tests/%%: tests/unit/%%.c\n\t@false\n' \
		>"$1/Makefile"
	printf 'print("ok 1 - schema")\nprint("1..1")\n' >"$1/tests/check_schema.py"
	printf 'echo "ok 1 - runner"; echo "1..1"\n' >"$1/tests/check_runner.sh"
	printf 'echo "ok 1 - x works"; echo "1..1"\n' >"$1/tests/integration/test_x.sh"
}

unit_prog() { # dir name body: tests/unit/NAME.c and both builds of it, older then newer
	: >"$1/tests/unit/$2.c"
	touch -d '2 minutes ago' "$1/tests/unit/$2.c"
	for b in build/tests build/san/tests; do
		printf '#!/bin/sh\n%s\n' "$3" >"$1/$b/$2"
		chmod +x "$1/$b/$2"
	done
}

run() { # dir args...: the runner's output, then "rc=N"
	local dir=$1
	shift
	(cd "$dir" && bash tests/run "$@" 2>&1; echo "rc=$?")
}

# Every program passing: the run passes and counts each result once.
d=$tmp/good
tree "$d"
unit_prog "$d" test_a 'echo "ok 1 - a"; echo "ok 2 - b"; echo "1..2"'
out=$(run "$d" unit)
result "$(grep -q '^6 passed, 0 failed, 0 skipped$' <<<"$out" && grep -q '^rc=0$' <<<"$out" && echo 1)" \
	"passing unit programs pass (2 builds x 2 results, the schema, the runner)" "$out"

# A LeakSanitizer report after a complete plan: exit status 23.
d=$tmp/leak
tree "$d"
unit_prog "$d" test_a 'echo "ok 1 - a"; echo "1..1"; echo "==1==ERROR: LeakSanitizer: detected memory leaks" >&2; exit 23'
out=$(run "$d" unit)
result "$(grep -q 'not ok - unit/tests/test_a exited with status 23' <<<"$out" && grep -q '^rc=1$' <<<"$out" && echo 1)" \
	"a program that exits 23 after a complete plan (LeakSanitizer) fails" "$out"

# A crash after its plan (SIGSEGV: 139 from the shell).
d=$tmp/crash
tree "$d"
unit_prog "$d" test_a 'echo "ok 1 - a"; echo "1..1"; kill -SEGV $$'
out=$(run "$d" unit)
result "$(grep -q 'not ok - unit/tests/test_a exited with status 139' <<<"$out" && grep -q '^rc=1$' <<<"$out" && echo 1)" \
	"a program that crashes after a complete plan fails" "$out"

# Its own "not ok" and exit 1: counted once, not twice.
d=$tmp/notok
tree "$d"
unit_prog "$d" test_a 'echo "ok 1 - a"; echo "not ok 2 - b"; echo "1..2"; exit 1'
out=$(run "$d" unit)
result "$(grep -q '^4 passed, 2 failed, 0 skipped$' <<<"$out" && grep -q '^rc=1$' <<<"$out" && echo 1)" \
	"a program's own failures (exit 1) count once per \"not ok\"" "$out"

# A program that gives fewer results than it planned.
d=$tmp/short
tree "$d"
unit_prog "$d" test_a 'echo "1..3"; echo "ok 1 - a"'
out=$(run "$d" unit)
result "$(grep -q 'not ok - unit/tests/test_a planned 3 results and gave 1' <<<"$out" && grep -q '^rc=1$' <<<"$out" && echo 1)" \
	"a program with fewer results than its plan fails" "$out"

# A unit source with no program built.
d=$tmp/missing
tree "$d"
unit_prog "$d" test_a 'echo "ok 1 - a"; echo "1..1"'
: >"$d/tests/unit/test_b.c"
touch -d '2 minutes ago' "$d/tests/unit/test_b.c"
out=$(run "$d" unit)
result "$(grep -q 'not ok - unit/tests/test_b is not built' <<<"$out" &&
	grep -q 'not ok - unit/san/tests/test_b is not built' <<<"$out" && grep -q '^rc=1$' <<<"$out" && echo 1)" \
	"a unit program that is not built fails, in either build" "$out"

# A program older than its source.
d=$tmp/stale
tree "$d"
unit_prog "$d" test_a 'echo "ok 1 - a"; echo "1..1"'
touch "$d/tests/unit/test_a.c"
touch -d '1 minute ago' "$d/build/tests/test_a" "$d/build/san/tests/test_a"
out=$(run "$d" unit)
result "$(grep -q 'not ok - unit/tests/test_a is older than its sources' <<<"$out" &&
	! grep -q '^ok 1 - a$' <<<"$out" && grep -q '^rc=1$' <<<"$out" && echo 1)" \
	"a unit program older than its source fails, and is not run" "$out"

# An integration test name that is no script, as root or not.
d=$tmp/names
tree "$d"
out=$(run "$d" integration nosuch)
result "$(grep -q 'not ok - no integration test named "nosuch" (there are: x)' <<<"$out" &&
	grep -q '^rc=1$' <<<"$out" && echo 1)" \
	"tests/run integration nosuch fails and lists the tests there are" "$out"
if [ "$(id -u)" = 0 ]; then
	out=$(run "$d" integration x)
	result "$(grep -q '^ok 1 - x works$' <<<"$out" && grep -q '^1 passed, 0 failed, 0 skipped$' <<<"$out" &&
		grep -q '^rc=0$' <<<"$out" && echo 1)" "a test named that exists runs" "$out"
else
	echo "ok $((n += 1)) - a test named that exists runs # SKIP needs root"
fi

echo "1..$n"
[ $failed = 0 ]
