# Shared by the integration tests (bash, run as root on real kernel objects).
# Each test script sources this, writes TAP through the helpers below, and
# ends with `finish`. Every lab a test brings up is brought down and checked
# for leftovers: network namespaces, links, nftables tables, cgroups, mounts,
# state and processes.
#
# Safety: tests only make labs whose names start with "t" and test objects
# named "cbxt-*"; traffic goes to loopback or into those namespaces.

set -uo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CBOXLAB=${CBOXLAB:-$TOP/build/cboxlab}
TMP=$(mktemp -d /tmp/cbxt.XXXXXX)
# How much slower than this project's VM the machine is: tests that time a
# command scale their bounds (and timelines their gaps) by it. The stock-
# kernel runs under qemu's emulator set it (tests/vm/run-vm.sh).
TIME_SCALE=${CBX_TIME_SCALE:-1}
scaled() { echo $(($1 * TIME_SCALE)); }
# `down` waits for the host's init to reap the node inits it killed; this
# machine's init does so only every second or two, which over the suite's
# hundreds of labs would add minutes. The suite does not wait (leftovers
# counts a zombie as gone); test_stalls.sh checks the wait itself.
export CBOXLAB_REAP_WAIT_MS=${CBOXLAB_REAP_WAIT_MS:-0}
_n=0
_labs=()

# shellcheck source=tests/integration/lab_tables.sh
source "$TOP/tests/integration/lab_tables.sh"
trap '_cleanup' EXIT

_cleanup() {
	local lab
	for lab in "${_labs[@]}"; do
		"$CBOXLAB" down "$lab" >/dev/null 2>&1
		lab_tables_delete "$lab"
	done
	ip netns list 2>/dev/null | awk '{print $1}' | grep '^cbxt-' | while read -r ns; do
		ip netns del "$ns"
	done
	ip -o link 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep '^cbxt-' |
		while read -r l; do ip link del "$l" 2>/dev/null; done
	rm -rf "$TMP"
}

ok() { # name
	_n=$((_n + 1))
	echo "ok $_n - $1"
}

not_ok() { # name [diagnostic...]
	local name=$1
	shift
	_n=$((_n + 1))
	echo "not ok $_n - $name"
	# Every line of a diagnostic is a comment: a command's output line
	# starting "ok" would otherwise count as a result.
	local line
	for line in "$@"; do
		printf '%s\n' "$line" | sed 's/^/#   /'
	done
}

skip() { # name reason
	_n=$((_n + 1))
	echo "ok $_n - $1 # SKIP $2"
}

# check NAME CMD...: passes when CMD succeeds; shows its output otherwise.
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$name"
	else
		not_ok "$name" "command: $*" "exit status $?" "${out:0:2000}"
	fi
}

# Checks that cannot pass by accident: each asserts the exit status AND the
# output, and a "fails" check says which failure it expects (its message or
# its exit code). There is no check of the output alone, nor of "any
# failure": a command that fails for another reason (a wrong name, a missing
# tool, a crash) must not pass a test.
#
# check_ok NAME PATTERN CMD...: CMD exits 0 and its output (stdout+stderr)
# matches the extended regular expression PATTERN.
check_ok() {
	local name=$1 pattern=$2 out rc
	shift 2
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc = 0 ] && grep -Eq -- "$pattern" <<<"$out"; then
		ok "$name"
	else
		not_ok "$name" "command: $*" "wanted: exit 0 and /$pattern/" "got: exit $rc: ${out:0:2000}"
	fi
}

# check_fails_with NAME PATTERN CMD...: CMD exits non-zero and its output
# says why, matching PATTERN (the failure expected, not any failure).
check_fails_with() {
	local name=$1 pattern=$2 out rc
	shift 2
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc != 0 ] && grep -Eq -- "$pattern" <<<"$out"; then
		ok "$name"
	else
		not_ok "$name" "command: $*" "wanted: a failure saying /$pattern/" "got: exit $rc: ${out:0:2000}"
	fi
}

# check_ok_without NAME PATTERN CMD...: CMD exits 0 and no line of its output
# matches PATTERN (what must be absent, from a command that did run).
check_ok_without() {
	local name=$1 pattern=$2 out rc
	shift 2
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc = 0 ] && ! grep -Eq -- "$pattern" <<<"$out"; then
		ok "$name"
	else
		not_ok "$name" "command: $*" "wanted: exit 0 and no /$pattern/" "got: exit $rc: ${out:0:2000}"
	fi
}

# check_exit NAME CODE PATTERN CMD...: CMD exits with exactly CODE and its
# output matches PATTERN.
check_exit() {
	local name=$1 code=$2 pattern=$3 out rc
	shift 3
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" = "$code" ] && grep -Eq -- "$pattern" <<<"$out"; then
		ok "$name"
	else
		not_ok "$name" "command: $*" "wanted: exit $code and /$pattern/" "got: exit $rc: ${out:0:2000}"
	fi
}

# replay OUTPUT STATUS: print a saved output and return its exit status, so
# a command run once (its output used twice) is still checked whole:
#   out=$(cbx up "$f" 2>&1); rc=$?; check_ok NAME PATTERN replay "$out" $rc
replay() {
	printf '%s\n' "$1"
	return "$2"
}

finish() {
	echo "1..$_n"
}

cbx() { "$CBOXLAB" "$@"; }

# up FILE: bring a lab up and remember it for cleanup. Fails the script's
# later checks naturally when it does not come up.
lab_up() {
	local file=$1 lab
	lab=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["name"])' "$file")
	_labs+=("$lab")
	"$CBOXLAB" up "$file"
}

# Write a topology into $TMP and print its path: topo NAME <<'EOF' ... EOF
topo() {
	cat >"$TMP/$1.json"
	echo "$TMP/$1.json"
}

in_node() { # lab node cmd...
	local lab=$1 node=$2
	shift 2
	"$CBOXLAB" exec "$lab" "$node" -- "$@"
}

# once_written LAB NODE FILE CMD...: CMD in the node once FILE there is
# written (bounded): `up`, `restart` and a signal return before the node's
# command has done anything.
once_written() {
	local lab=$1 node=$2 file=$3
	shift 3
	in_node "$lab" "$node" sh -c "for i in \$(seq $((50 * TIME_SCALE))); do [ -s $file ] && exit; sleep 0.1; done"
	in_node "$lab" "$node" "$@"
}

node_pid() { # lab node
	"$CBOXLAB" status "$1" --json | python3 -c '
import json, sys
lab = json.load(sys.stdin)
print(next(n["pid"] for n in lab["nodes"] if n["name"] == sys.argv[1]))' "$2"
}

# Everything a lab can leave on the host; prints what is left, if anything.
leftovers() { # lab [pids...]
	local lab=$1 left="" pid st
	shift
	[ -e "/run/cboxlab/$lab" ] && left+=" state:/run/cboxlab/$lab"
	[ -e "/run/cboxlab/$lab.lock" ] && left+=" lock:/run/cboxlab/$lab.lock"
	# The labs' shared directory goes with the last lab.
	[ -d /run/cboxlab ] && [ -z "$(ls -A /run/cboxlab)" ] && left+=" state:/run/cboxlab (empty)"
	ls /run/netns 2>/dev/null | grep -q "^$lab-" && left+=" netns:$(ls /run/netns | grep "^$lab-" | tr '\n' ' ')"
	local links
	links=$(ip -o link 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep "^$lab-" | tr '\n' ' ')
	[ -n "$links" ] && left+=" links:$links"
	nft list tables 2>/dev/null | grep -q "cboxlab-$lab\$" && left+=" nft:cboxlab-$lab"
	nft list tables 2>/dev/null | grep -q "cboxlab-vlan-$lab-" && left+=" nft:cboxlab-vlan-$lab-*"
	nft list tables 2>/dev/null | grep -q "cboxlab-loss-$lab-" && left+=" nft:cboxlab-loss-$lab-*"
	find /sys/fs/cgroup -maxdepth 4 -type d -path "*/cboxlab-$lab" 2>/dev/null | grep -q . &&
		left+=" cgroups:$(find /sys/fs/cgroup -maxdepth 4 -type d -path "*/cboxlab-$lab" | tr '\n' ' ')"
	grep -q "/run/cboxlab/$lab\|/run/netns/$lab-" /proc/mounts && left+=" mounts"
	# Any live process still in one of the lab's cgroups.
	for pid in $(grep -l "/cboxlab-$lab/" /proc/[0-9]*/cgroup 2>/dev/null | cut -d/ -f3); do
		st=$(cat "/proc/$pid/status" 2>/dev/null) || continue
		grep -q '^State:.*Z' <<<"$st" || left+=" process:$pid"
	done
	for pid in "$@"; do
		# A zombie is gone but for its parent's wait; the host's init
		# reaps it, on some machines only every few seconds. Its status
		# is read once: one reaped between two looks is gone, not left.
		st=$(cat "/proc/$pid/status" 2>/dev/null) || continue
		grep -q '^State:.*Z' <<<"$st" || left+=" process:$pid"
	done
	echo "$left"
}

# check_down_clean NAME LAB: bring LAB down and check nothing is left.
check_down_clean() {
	local name=$1 lab=$2 pids left out
	pids=$("$CBOXLAB" status "$lab" --json 2>/dev/null |
		python3 -c 'import json,sys; print(" ".join(str(n["pid"]) for n in json.load(sys.stdin)["nodes"] if n["pid"]))' 2>/dev/null)
	if ! out=$("$CBOXLAB" down "$lab" 2>&1); then
		not_ok "$name" "down failed: $out"
		return
	fi
	# shellcheck disable=SC2086
	left=$(leftovers "$lab" $pids)
	if [ -z "$left" ]; then
		ok "$name"
	else
		not_ok "$name" "left behind:$left"
	fi
}

# snmp LAB NODE PROTO FIELD: a counter of /proc/net/snmp inside a node,
# e.g. snmp lab a Icmp InEchos.
snmp() {
	"$CBOXLAB" exec "$1" "$2" -- cat /proc/net/snmp | awk -v p="$3:" -v f="$4" '
		$1 == p && !h { for (i = 2; i <= NF; i++) col[$i] = i; h = 1; next }
		$1 == p && h { print $col[f]; exit }'
}

has_netem() {
	ip netns add cbxt-netem 2>/dev/null || return 1
	local rc=0
	ip -n cbxt-netem link set lo up
	tc -n cbxt-netem qdisc add dev lo root netem delay 1ms 2>/dev/null || rc=1
	ip netns del cbxt-netem
	return $rc
}

cgroup_layout() {
	if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then echo v2; else echo v1; fi
}

# A TCP connection from inside a node: busybox nc sends a line and prints
# the answer.
tcp_roundtrip() { # lab node host port
	# -w bounds only the connect: a server that accepts and then says
	# nothing (a paused node) must not hang the test.
	echo ping | timeout 5 "$CBOXLAB" exec -i "$1" "$2" -- nc -w 2 "$3" "$4"
}

# Until a capture whose stderr goes to FILE says it is on (bounded: on a
# loaded machine its start may take seconds). FILE must be emptied before
# the capture starts: until its shell opens it, a previous capture's
# "capturing on" would still be there, and the traffic would run before
# this capture exists (seen in CI: a network's capture after a node's saw
# nothing of a single ping).
wait_capture_on() { # file
	for _ in $(seq 150); do grep -q 'capturing on' "$1" && return; sleep 0.1; done
}

# capture_while CMD... -- CAPTURE-ARGS...: runs CMD once `cboxlab capture
# CAPTURE-ARGS` is on, and prints capture's output. CAPTURE_CLI: the
# command capture runs through ($CBOXLAB; test_multihost: a host's).
capture_while() {
	local args=() cmd=() seen=0 a pid
	for a in "$@"; do
		if [ "$a" = "--" ] && [ $seen = 0 ]; then seen=1; continue; fi
		if [ $seen = 0 ]; then cmd+=("$a"); else args+=("$a"); fi
	done
	: >"$TMP/cap.err" # (wait_capture_on)
	# Bounded: a capture that never sees its packets must fail, not stall.
	timeout -s INT "$(scaled 15)" "${CAPTURE_CLI:-$CBOXLAB}" capture "${args[@]}" \
		2>"$TMP/cap.err" >"$TMP/cap.out" &
	pid=$!
	wait_capture_on "$TMP/cap.err"
	"${cmd[@]}" >"$TMP/cap.cmd" 2>&1
	local cmd_rc=$?
	wait $pid
	local rc=$?
	cat "$TMP/cap.err" "$TMP/cap.out"
	# A capture that failed says what its traffic did (seen once under
	# load: a single ping's capture saw nothing, and its ping unknown).
	if [ $rc != 0 ]; then
		echo "(capture exit $rc; the traffic, ${cmd[*]}, exit $cmd_rc:)"
		cat "$TMP/cap.cmd"
	fi
	return $rc
}
