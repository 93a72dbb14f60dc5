#!/bin/bash
# iproute2.sh up N — the star lab wired by a plain iproute2 script, as a
# reference point for cboxlab's benchmark (the same wiring as floor.c).
#
# Up: one `ip -batch` for the host side (N named netns, the bridge, and per
# node one veth pair whose peer eth0 is created directly in the node's netns,
# the host end enslaved and up in the same command); then per node one
# `ip -n NS -batch` (IPv6 address generation off, as in floor.c: otherwise
# every node's link-local autoconfiguration is flooded to every other node;
# address; link up on eth0) and one process tree
# `ip netns exec NS unshare --pid --mount --uts --ipc --fork sleep infinity`
# (3 processes per node). Up ends when every node's sleep is running.
#
# Down: SIGKILL the node processes and reap them, one `ip -batch` deleting the
# netns names and the bridge, then wait until the kernel has removed every
# cbxbi- interface (a netns is destroyed asynchronously, its veth pair with it).
#
# Prints: n=N up_s=... down_s=... pss_kb_per_node=...
# Every object is named cbxbi-* (IPROUTE2_PREFIX, for a second run on the same
# host: bench/run.sh's BENCH_PREFIX); only PIDs started here are killed.
set -euo pipefail

P=${IPROUTE2_PREFIX:-cbxbi-}
[[ $P =~ ^[a-z0-9-]{1,8}$ ]] || { echo "$0: IPROUTE2_PREFIX: 1-8 of [a-z0-9-]" >&2; exit 2; }
BR=${P}br
TIMEOUT_S=120

if [ $# -ne 2 ] || [ "$1" != up ] || ! [[ $2 =~ ^[1-9][0-9]*$ ]] || [ "$2" -gt 65000 ]; then
	echo "usage: $0 up N   (1 <= N <= 65000)" >&2
	exit 2
fi
N=$2
tmp=$(mktemp -d /tmp/cbxbi.XXXXXX)
exec 3>&2
pids=()  # the `unshare` processes (ip netns exec execs into unshare)
kids=()  # their children: each node's PID 1 (sleep)

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [ ${#pids[@]} -gt 0 ] || [ ${#kids[@]} -gt 0 ]; then
		exec 2>/dev/null
		kill -KILL "${pids[@]}" "${kids[@]}" || true
		wait || true
		exec 2>&3
	fi
	local ns
	for ns in $(ip netns list | awk -v p="$P" 'index($1, p) == 1 {print $1}'); do
		ip netns del "$ns" 2>/dev/null || true
	done
	ip link del "$BR" 2>/dev/null || true
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { echo "${EPOCHREALTIME/,/.}"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", b - a }'; }
# `ip link show` fails when the kernel flags its dump as interrupted (links
# changed meanwhile, as they do during a teardown): ask again.
our_links() {
	local out
	until out=$(ip -o link show 2>/dev/null); do sleep 0.001; done
	awk -F': ' -v p="$P" 'index($2, p) == 1' <<<"$out" | wc -l
}

# Prepare the command files first (not timed: a script would ship them).
{
	for ((i = 1; i <= N; i++)); do echo "netns add ${P}n$i"; done
	echo "link add $BR up type bridge"
	for ((i = 1; i <= N; i++)); do
		echo "link add ${P}h$i up master $BR type veth peer name eth0 netns ${P}n$i"
	done
} >"$tmp/host.batch"
{
	for ((i = 1; i <= N; i++)); do echo "netns del ${P}n$i"; done
	echo "link del $BR"
} >"$tmp/down.batch"

# ---- up ----
t0=$(now)
ip -batch "$tmp/host.batch"
for ((i = 1; i <= N; i++)); do
	ip -n "${P}n$i" -batch - <<<"link set eth0 addrgenmode none
addr add 10.0.$((i >> 8)).$((i & 255))/16 dev eth0
link set eth0 up"
	ip netns exec "${P}n$i" unshare --pid --mount --uts --ipc --fork --kill-child \
		sleep infinity </dev/null &
	pids+=($!)
done
# Ready = each node's PID 1 exists (unshare has forked it).
for pid in "${pids[@]}"; do
	while :; do
		kid=
		# The file has no trailing newline: read fails but still sets kid.
		read -r kid _ <"/proc/$pid/task/$pid/children" || true
		[ -n "$kid" ] && break
		kill -0 "$pid" || { echo "iproute2.sh: node process $pid died" >&2; exit 1; }
		sleep 0.001
	done
	kids+=("$kid")
done
t1=$(now)

pss=$(for pid in "${pids[@]}" "${kids[@]}"; do cat "/proc/$pid/smaps_rollup"; done |
	awk -v n="$N" '$1 == "Pss:" { s += $2 } END { printf "%.1f", s / n }')

# ---- down ----
t2=$(now)
# unshare first: its child (--kill-child) then dies by PDEATHSIG with no one
# left to complain. Bash's "Killed" job notices are silenced.
exec 2>/dev/null
kill -KILL "${pids[@]}" "${kids[@]}" || true
wait || true
exec 2>&3
pids=() kids=()
ip -batch "$tmp/down.batch"
while [ "$(our_links)" -gt 0 ]; do
	if [ "$(elapsed "$t2" "$(now)" | cut -d. -f1)" -ge "$TIMEOUT_S" ]; then
		echo "iproute2.sh: interfaces named $P* still present after ${TIMEOUT_S}s" >&2
		exit 1
	fi
	sleep 0.001
done
t3=$(now)

echo "n=$N up_s=$(elapsed "$t0" "$t1") down_s=$(elapsed "$t2" "$t3") pss_kb_per_node=$pss"
