#!/bin/bash
# bench/side_by_side.sh — what a lab that is up costs another lab's `up`: a
# class of students on one shared VM, each restarting a small lab, with a
# big lab up beside them. Times `up` of small labs on an idle host, then the
# same with a 1000-router chain up, in the same run. Run as root (`make
# bench` runs it after bench/run.sh).
#
# Environment (defaults in brackets):
#   SIDE_ROUNDS   rounds per lab and host state; medians reported   [21]
#   SIDE_BIG      routers in the lab beside                         [1000]
#   CBOXLAB       the binary under test                             [build/cboxlab]
#   BENCH_PREFIX  a tag for the labs' names (<tag>sideone, ...) and the
#                 results' place (results/<tag>/ unless it is b), as in
#                 run.sh, for a second run on the same host         [b]
#
# The small labs: a one-router chain, a five-router chain and a 20-node
# star (bench/gen_topo.py). Each `up` is timed by bench/timeit, as in
# run.sh, and followed by its `down` and a pause of 0.3 s.
#
# Output: bench/results/side_by_side.md. Safety: only labs named bside* (<BENCH_PREFIX>side*)
# are made, and all of them are brought down on exit; leftovers of theirs
# (netns pins, state) make the exit status 1.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
CBOXLAB=${CBOXLAB:-$ROOT/build/cboxlab}
SIDE_ROUNDS=${SIDE_ROUNDS:-21}
SIDE_BIG=${SIDE_BIG:-1000}
TIMEIT=$ROOT/build/bench/timeit
T=${BENCH_PREFIX:-b}
[[ $T =~ ^[a-z][a-z0-9]{0,2}$ ]] || { echo "side_by_side.sh: BENCH_PREFIX '$T': 1-3 of [a-z0-9], a letter first" >&2; exit 1; }
OUT=$HERE/results$([ "$T" = b ] || echo "/$T")/side_by_side.md
mkdir -p "$(dirname "$OUT")"
WORK=$(mktemp -d /tmp/cbxbside.XXXXXX)
LABS="${T}sideone ${T}sidefive ${T}sidestar"
BIG=${T}sidebig

die() { echo "side_by_side.sh: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root"
[[ $SIDE_ROUNDS =~ ^[1-9][0-9]*$ ]] || die "bad SIDE_ROUNDS '$SIDE_ROUNDS'"
[ -x "$TIMEIT" ] || make -s -C "$HERE" >/dev/null || die "cannot build bench/timeit"

on_exit() {
	local rc=$? lab
	trap - EXIT INT TERM
	for lab in $LABS $BIG; do "$CBOXLAB" down "$lab" >/dev/null 2>&1; done
	if ls /run/netns 2>/dev/null | grep -q "^${T}side" || ls /run/cboxlab 2>/dev/null | grep -q "^${T}side"; then
		echo "side_by_side.sh: LEAK: ${T}side* pins or state left behind" >&2
		rc=1
	fi
	rm -rf "$WORK"
	exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT TERM

# gen SHAPE N NAME: a topology file named NAME in $WORK
gen() {
	python3 "$HERE/gen_topo.py" "$1" "$2" -o "$WORK/$3.json" &&
		python3 - "$WORK/$3.json" "$3" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1])); d["name"] = sys.argv[2]; json.dump(d, open(sys.argv[1], "w"))
EOF
}
gen chain 1 "${T}sideone" && gen chain 5 "${T}sidefive" && gen star 20 "${T}sidestar" &&
	gen chain "$SIDE_BIG" "$BIG" || die "cannot generate the topologies"

# median_up LAB: SIDE_ROUNDS rounds of up and down; prints the median up, ms
median_up() {
	local lab=$1 t
	for _ in $(seq "$SIDE_ROUNDS"); do
		t=$("$TIMEIT" "$CBOXLAB" up "$WORK/$lab.json" 3>&1 >/dev/null 2>"$WORK/err" |
			sed -n 's/.*wall_s=\([0-9.]*\) .*status=0.*/\1/p')
		[ -n "$t" ] || die "up of $lab failed: $(cat "$WORK/err")"
		echo "$t"
		"$CBOXLAB" down "$lab" >/dev/null 2>&1 || die "down of $lab failed"
		sleep 0.3
	done | sort -n | awk '{ a[NR] = $1 } END { printf "%.2f", 1000 * a[int((NR + 1) / 2)] }'
}

declare -A idle beside
for lab in $LABS; do idle[$lab]=$(median_up "$lab") || exit 1; done
"$CBOXLAB" up "$WORK/$BIG.json" >/dev/null 2>"$WORK/err" || die "up of the big lab failed: $(cat "$WORK/err")"
mounts=$(wc -l </proc/self/mountinfo)
sleep 2
for lab in $LABS; do beside[$lab]=$(median_up "$lab") || exit 1; done
"$CBOXLAB" down "$BIG" >/dev/null 2>&1 || die "down of the big lab failed"

{
	echo "# Labs side by side"
	echo
	echo "\`up\` of a small lab on an idle host, and with a $SIDE_BIG-router chain up beside it"
	echo "($mounts lines in the host's /proc/self/mountinfo then). Medians of $SIDE_ROUNDS rounds, ms."
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -r), $(nproc) CPUs, $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)."
	echo "Reproduce: \`sudo bench/side_by_side.sh\` (SIDE_ROUNDS, SIDE_BIG)."
	echo
	echo "| lab | idle host | beside the big lab | ratio |"
	echo "|---|---:|---:|---:|"
	for lab in $LABS; do
		case $lab in
		"${T}sideone") what="chain, 1 router" ;;
		"${T}sidefive") what="chain, 5 routers" ;;
		"${T}sidestar") what="star, 20 nodes" ;;
		esac
		awk -v w="$what" -v a="${idle[$lab]}" -v b="${beside[$lab]}" \
			'BEGIN { printf "| %s | %.2f | %.2f | %.2f |\n", w, a, b, b / a }'
	done
} | tee "$OUT"
