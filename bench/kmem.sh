#!/bin/bash
# bench/kmem.sh — kernel memory of one lab's idle nodes, as root:
#
#   bench/kmem.sh floor N [floor args...]     the kernel floor (bench/floor.c)
#   bench/kmem.sh cboxlab TOPO.json N         a cboxlab lab of N nodes
#
# Waits for the machine to go quiet, takes /proc/meminfo and /proc/slabinfo,
# brings the lab up, lets it settle (KMEM_SETTLE_S, 3 s), takes them again,
# brings it down and prints, per node: what MemAvailable lost and what Slab,
# SUnreclaim, KernelStack, PageTables and Percpu gained (bench/kmem.py), the
# caches that grew most (KMEM_TOP, 12) and, after down and the same settling,
# how much of MemAvailable came back. CBOXLAB (build/cboxlab), FLOOR
# (build/bench/floor), KMEM_QUIET_S (10: the longest wait for a quiet
# machine). The host is shared: run each figure twice.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
CBOXLAB=${CBOXLAB:-$ROOT/build/cboxlab}
FLOOR=${FLOOR:-$ROOT/build/bench/floor}
SETTLE=${KMEM_SETTLE_S:-3}
TOP=${KMEM_TOP:-12}
export CBOXLAB_REAP_WAIT_MS=${CBOXLAB_REAP_WAIT_MS:-0}
die() { echo "kmem.sh: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root"
[ $# -ge 2 ] || die "usage: kmem.sh floor N [floor args...] | kmem.sh cboxlab TOPO N"

quiesce() {
	local a b
	for _ in $(seq $((${KMEM_QUIET_S:-10} * 10))); do
		a=$(awk '/^cpu / { print $2+$3+$4+$5+$6+$7+$8, $5+$6 }' /proc/stat)
		sleep 0.1
		b=$(awk '/^cpu / { print $2+$3+$4+$5+$6+$7+$8, $5+$6 }' /proc/stat)
		awk -v a="$a" -v b="$b" 'BEGIN { split(a, x); split(b, y); t = y[1] - x[1]
			exit !(t > 0 && (y[2] - x[2]) / t >= 0.9) }' && return 0
	done
	echo "kmem.sh: the machine did not go quiet within ${KMEM_QUIET_S:-10} s" >&2
}

tmp=$(mktemp -d /tmp/cbxt-kmem.XXXXXX)
FLOOR_PID= LAB=
cleanup() {
	[ -n "$FLOOR_PID" ] && { exec 7>&-; wait "$FLOOR_PID" 2>/dev/null; }
	[ -n "$LAB" ] && "$CBOXLAB" down "$LAB" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT

kind=$1
shift
case $kind in
floor)
	n=$1
	shift
	quiesce
	python3 "$HERE/kmem.py" snap "$tmp/before"
	mkfifo "$tmp/in"
	"$FLOOR" up "$n" "$@" --hold <"$tmp/in" >"$tmp/out" 2>&1 &
	FLOOR_PID=$!
	exec 7>"$tmp/in"
	# The floor prints its nodes' PIDs on one line once it is up.
	for _ in $(seq 6000); do
		[ -s "$tmp/out" ] && break
		kill -0 "$FLOOR_PID" 2>/dev/null || die "floor failed: $(cat "$tmp/out")"
		sleep 0.05
	done
	sleep "$SETTLE"
	python3 "$HERE/kmem.py" snap "$tmp/after"
	echo >&7
	exec 7>&-
	wait "$FLOOR_PID" || die "floor down failed: $(tail -2 "$tmp/out")"
	FLOOR_PID=
	;;
cboxlab)
	topo=$1 n=$2
	LAB=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["name"])' "$topo")
	ulimit -n $((n * 4 + 4096)) 2>/dev/null || true
	quiesce
	python3 "$HERE/kmem.py" snap "$tmp/before"
	"$CBOXLAB" up "$topo" >"$tmp/out" 2>&1 || die "up failed: $(tail -3 "$tmp/out")"
	sleep "$SETTLE"
	python3 "$HERE/kmem.py" snap "$tmp/after"
	"$CBOXLAB" down "$LAB" >>"$tmp/out" 2>&1 || die "down failed: $(tail -3 "$tmp/out")"
	LAB=
	;;
*) die "unknown kind $kind (floor or cboxlab)" ;;
esac
sleep "$SETTLE"
quiesce
python3 "$HERE/kmem.py" snap "$tmp/gone"
echo "$kind n=$n $(python3 "$HERE/kmem.py" diff "$tmp/before" "$tmp/after" "$n")"
python3 "$HERE/kmem.py" diff "$tmp/before" "$tmp/after" "$n" --top "$TOP" | tail -n +2
echo "after down, MemAvailable still short by $(python3 "$HERE/kmem.py" diff "$tmp/before" "$tmp/gone" 1 |
	tr ' ' '\n' | sed -n 's/^memavail_kb_per_node=//p') KiB in all"
