#!/bin/bash
# An A/B of `up` between two builds, in alternating rounds so the machine's
# drift falls on both: bench/ab.sh OLD_CLI NEW_CLI FILE [ROUNDS]
#
#   git worktree add /tmp/cbx-old <commit> && make -C /tmp/cbx-old
#   python3 bench/gen_topo.py star 100 -o /tmp/star100.json
#   sudo bench/ab.sh /tmp/cbx-old/build/cboxlab build/cboxlab /tmp/star100.json 21
#
# Each round brings FILE's lab up with one build (timed whole process, spawn
# to exit, by build/bench/timeit), then down (not timed), then the same with
# the other. Prints every pair, then the medians and the median of the
# per-pair ratios NEW/OLD. AB_TIME=down times `down` instead (up untimed, a
# second's pause between, so `up`'s settling is not billed to it).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
old=$1 new=$2 file=$3 rounds=${4:-21}
T=$ROOT/build/bench/timeit
[ -x "$T" ] || make -s -C "$ROOT/bench" "$T"
lab=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["name"])' "$file")
wall_s() { sed -n 's/.*wall_s=\([0-9.]*\).*/\1/p'; } # of timeit's line
once() { # CLI: prints up's (or down's) wall seconds
	local s
	if [ "${AB_TIME:-up}" = down ]; then
		"$1" up "$file" >/dev/null 2>&1
		sleep 1
		s=$("$T" "$1" down "$lab" 3>&1 >/dev/null 2>&1 | wall_s)
	else
		s=$("$T" "$1" up "$file" 3>&1 >/dev/null 2>&1 | wall_s)
		"$1" down "$lab" >/dev/null 2>&1
	fi
	echo "$s"
}
for _ in $(seq "$rounds"); do
	echo "$(once "$old") $(once "$new")"
done | python3 -c '
import sys, statistics as st
pairs = [tuple(map(float, l.split())) for l in sys.stdin if len(l.split()) == 2]
for o, n in pairs:
    print(f"old {o*1e3:8.2f} ms  new {n*1e3:8.2f} ms  ratio {n/o:.3f}")
r = [n / o for o, n in pairs]
print(f"median: old {st.median(o for o, _ in pairs)*1e3:.2f} ms, new {st.median(n for _, n in pairs)*1e3:.2f} ms; "
      f"ratio new/old median {st.median(r):.3f} (min {min(r):.3f}, max {max(r):.3f}, {len(r)} rounds)")'
