#!/bin/bash
# bench/run.sh — cboxlab's up/down against the kernel floor (bench/floor.c), a
# plain iproute2 script (bench/iproute2.sh) and Mininet (bench/mininet_star.py),
# plus an iperf3 throughput comparison. Run as root: `make bench` or bench/run.sh.
#
# Environment (defaults in brackets):
#   BENCH_N        node counts                      ["1 10 100 500 1000"]
#   BENCH_RUNS     repeats; medians are reported    [5]
#   BENCH_RUNS_SMALL  repeats of the floor and cboxlab for small labs (a few
#                  ms each, and the noisiest); the peers keep BENCH_RUNS [15]
#   BENCH_SMALL_N  the largest N that counts as small               [10]
#   BENCH_SHAPES   cboxlab lab shapes               ["star chain mesh"]
#                  (also: nstar, a star of "kind": "netns" nodes, beside
#                  the floor of bare network namespaces, --netns-only)
#   BENCH_MESH_N   mesh node counts (<= 30)         [those of BENCH_N <= 30, and 30]
#   BENCH_TOOLS    which rows to run                ["floor iproute2 mininet cboxlab"]
#                  (also: floor-ipv6ll, the floor with the kernel's default
#                  IPv6 link-local autoconfiguration left on)
#   BENCH_MININET_MAX_N  largest N for Mininet      [1000]
#   BENCH_IPERF    1: run the iperf3 comparison     [1]
#   BENCH_IPERF_TIME  seconds per iperf3 run        [5]
#   CBOXLAB        the binary under test            [build/cboxlab]
#   BENCH_NO_INSTALL  1: never apt-get install      [unset]
#   BENCH_PREFIX   a tag in every name the run makes, so that two people can
#                  run it on one host at once, each with their own: objects
#                  cbx<tag>f-, cbx<tag>i-, cbx<tag>p-, labs <tag>star,
#                  <tag>chain, <tag>mesh, <tag>iperf. 1-3 of [a-z0-9], a
#                  letter first. (Mininet's names are its own, s1 and
#                  s1-eth*: leave mininet out of one of the two runs'
#                  BENCH_TOOLS; its script refuses to start beside another.) [b]
#   BENCH_LARGE_N  labs of more nodes than this are large: BENCH_RUNS_LARGE
#                  rounds, and no iproute2 or Mininet rows (a minute and
#                  more each)                                      [1000]
#   BENCH_RUNS_LARGE  rounds of the floor and cboxlab for large labs [2]
#                  (5000 and 10000 are opt-in: BENCH_N="... 1000 5000 10000";
#                  a 10000-node star needs about 8 GiB of memory)
#   BENCH_KMEM_RUNS   in this many first rounds of each N >= BENCH_KMEM_MIN_N,
#                  the kernel memory of the idle lab is measured (MemAvailable
#                  and Slab, bench/kmem.py), the floor's held up meanwhile [2]
#   BENCH_KMEM_MIN_N                                [100]
#   BENCH_KMEM_SETTLE  seconds the lab stands idle before it is measured [2]
#
# The floor and cboxlab are timed the same way, as whole commands, by
# bench/timeit (spawn to exit, or for the floor, which stays up, to the line
# it prints once up): process start-up included for both, and nothing of
# the shell's. The floor's own timer (which starts after its setup) is kept
# in the records as inner_up_s.
#
# Each round (one repeat at one N) runs every tool; the floor and cboxlab of
# one shape run back to back, in turns, so each ratio to the floor compares
# numbers taken a second apart; the report gives the median of the per-round
# ratios and their quartiles. Chain and mesh labs are
# compared with the floor of the same shape (`floor up N --shape chain|mesh`:
# the same links between the nodes' netns), star labs with the star floor.
#
# After every run the harness waits for the machine to go quiet (CPUs 90%
# idle over 100 ms, at most 10 s): the kernel frees dead network namespaces
# asynchronously, after `down` has returned, and that work would otherwise
# be billed to whatever runs next.
#
# Output: bench/results/results.md, bench/results/up_time.png, raw numbers and
# logs under bench/results/raw/<timestamp>/ (raw/latest points to the last).
#
# Safety: the references create only objects named cbxbf-, cbxbi-, cbxbp-
# (cbx<BENCH_PREFIX>f- and so on)
# (and Mininet's s1/s1-eth*, only while its script runs); only PIDs started
# here are killed; after every run the host is checked for leftovers, which
# are reported loudly (LEAK) and make the exit status 1.
set -uo pipefail
# The floor reaps its own nodes; cboxlab's `down` waits for the host's init
# to reap them (README: down), at once under systemd but every second or two
# on this project's machines. The bench times cboxlab's work, not that.
export CBOXLAB_REAP_WAIT_MS=${CBOXLAB_REAP_WAIT_MS:-0}

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
CBOXLAB=${CBOXLAB:-$ROOT/build/cboxlab}
BENCH_N=${BENCH_N:-"1 10 100 500 1000"}
BENCH_RUNS=${BENCH_RUNS:-5}
BENCH_RUNS_SMALL=${BENCH_RUNS_SMALL:-15}
BENCH_SMALL_N=${BENCH_SMALL_N:-10}
BENCH_SHAPES=${BENCH_SHAPES:-"star chain mesh"}
BENCH_TOOLS=${BENCH_TOOLS:-"floor iproute2 mininet cboxlab"}
BENCH_MININET_MAX_N=${BENCH_MININET_MAX_N:-1000}
BENCH_IPERF=${BENCH_IPERF:-1}
BENCH_IPERF_TIME=${BENCH_IPERF_TIME:-5}
BENCH_PREFIX=${BENCH_PREFIX:-b}
BENCH_LARGE_N=${BENCH_LARGE_N:-1000}
BENCH_RUNS_LARGE=${BENCH_RUNS_LARGE:-2}
BENCH_KMEM_RUNS=${BENCH_KMEM_RUNS:-2}
BENCH_KMEM_MIN_N=${BENCH_KMEM_MIN_N:-100}
BENCH_KMEM_SETTLE=${BENCH_KMEM_SETTLE:-2}
T=$BENCH_PREFIX
FLOOR_P=cbx${T}f- IPR_P=cbx${T}i- PAIR_P=cbx${T}p- # object prefixes
OURS_RE="^cbx${T}[fip]-"
IPERF_LAB=${T}iperf
PY=${PYTHON:-python3}
MN_PY=/usr/bin/python3 # Debian's mininet package is installed for this one
FLOOR=$ROOT/build/bench/floor
TIMEIT=$ROOT/build/bench/timeit
RESULTS=$HERE/results$([ "$T" = b ] || echo "/$T") # a second run's apart
RAW=$RESULTS/raw/$(date +%Y%m%d-%H%M%S)
REC=$RAW/records.txt   # one line of key=value per measured run
NOTES=$RAW/notes.txt   # skips, failures, leaks: copied into results.md
FAILED=0
CBX_LAB=               # the cboxlab lab currently up, for the exit trap
IPERF_PIDS=()

die() { echo "run.sh: $*" >&2; exit 1; }
note() { echo "run.sh: $*" >&2; echo "$*" >>"$NOTES"; }
leak() { echo "run.sh: LEAK: $*" >&2; echo "LEAK: $*" >>"$NOTES"; FAILED=1; }
load1() { cut -d' ' -f1 /proc/loadavg; }
has() { [[ " $1 " == *" $2 "* ]]; }

# Wait (at most 10 s) until the CPUs were at least 90% idle over 100 ms.
quiesce() {
	local a b
	for _ in $(seq 100); do
		a=$(awk '/^cpu / { print $2+$3+$4+$5+$6+$7+$8, $5+$6 }' /proc/stat)
		sleep 0.1
		b=$(awk '/^cpu / { print $2+$3+$4+$5+$6+$7+$8, $5+$6 }' /proc/stat)
		awk -v a="$a" -v b="$b" 'BEGIN { split(a, x); split(b, y); t = y[1] - x[1]
			exit !(t > 0 && (y[2] - x[2]) / t >= 0.9) }' && return 0
	done
	note "the machine did not go quiet within 10 s (busy with something else?)"
	return 1
}
# value of key $2 in a "k=v k=v" line $1
kv() { tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k { print $2; exit }'; }
# Interface names matching an ERE. `ip link show` fails when the kernel flags
# its dump as interrupted (links changed meanwhile): ask again.
links_named() {
	local out
	for _ in $(seq 100); do out=$(ip -o link show 2>/dev/null) && break; sleep 0.01; done
	awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' <<<"$out" | grep -E "$1"
}
# The first few words of a list, and how many there were.
abbrev() { awk '{ for (i = 1; i <= NF && i <= 12; i++) printf "%s ", $i; if (NF > 12) printf "... (%d in all)", NF }'; }
netns_named() { ip netns list | awk '{ print $1 }' | grep -E "$1"; }

[ "$(id -u)" = 0 ] || die "must run as root (namespaces, links, cgroups)"
# One benchmark per prefix at a time: two would fight over the same names. (A PID
# file, not flock: a lock fd would be inherited by every node process.)
[[ $T =~ ^[a-z][a-z0-9]{0,2}$ ]] || die "BENCH_PREFIX '$T': 1-3 of [a-z0-9], a letter first"
LOCK=/run/lock/cboxlab-bench-$T.pid
other=$(cat "$LOCK" 2>/dev/null)
if [ -n "$other" ] && [ "$other" != $$ ] && grep -qs 'run\.sh' "/proc/$other/cmdline"; then
	die "another bench/run.sh with BENCH_PREFIX=$T is running (PID $other, $LOCK)"
fi
echo $$ >"$LOCK"
for n in $BENCH_N ${BENCH_MESH_N:-}; do
	[[ $n =~ ^[1-9][0-9]*$ ]] || die "bad node count '$n'"
done
[[ $BENCH_RUNS =~ ^[1-9][0-9]*$ ]] || die "bad BENCH_RUNS '$BENCH_RUNS'"
[[ $BENCH_RUNS_SMALL =~ ^[0-9]+$ ]] || die "bad BENCH_RUNS_SMALL '$BENCH_RUNS_SMALL'"
[[ $BENCH_SMALL_N =~ ^[0-9]+$ ]] || die "bad BENCH_SMALL_N '$BENCH_SMALL_N'"
for knob in BENCH_LARGE_N BENCH_RUNS_LARGE BENCH_KMEM_RUNS BENCH_KMEM_MIN_N BENCH_KMEM_SETTLE; do
	[[ ${!knob} =~ ^[0-9]+$ ]] || die "bad $knob '${!knob}'"
done
# A node holds a few descriptors in `up` (its sync socket, pidfd, netns).
ulimit -n "$(ulimit -Hn)" 2>/dev/null
mkdir -p "$RAW" || die "cannot create $RAW"
ln -sfn "$(basename "$RAW")" "$RESULTS/raw/latest"
: >"$REC"
: >"$NOTES"

# ---------------------------------------------------------------- cleanup
# Only our own prefixes, Mininet's names (only if its script left them, which
# it checks itself), and the cboxlab lab this script brought up.
clean_ours() {
	local name
	for name in $(netns_named "$OURS_RE"); do ip netns del "$name" 2>/dev/null; done
	for name in $(links_named "$OURS_RE"); do ip link del "$name" 2>/dev/null; done
}
on_exit() {
	local rc=$?
	trap - EXIT INT TERM
	if [ ${#IPERF_PIDS[@]} -gt 0 ]; then
		kill "${IPERF_PIDS[@]}" 2>/dev/null
		wait "${IPERF_PIDS[@]}" 2>/dev/null
	fi
	if [ -n "$CBX_LAB" ]; then
		echo "run.sh: bringing down lab $CBX_LAB" >&2
		"$CBOXLAB" down "$CBX_LAB" >>"$RAW/cleanup.log" 2>&1
	fi
	clean_ours
	[ "$(cat "$LOCK" 2>/dev/null)" = $$ ] && rm -f "$LOCK"
	exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# After each run: nothing of ours may be left, else fail loudly (and clean up
# our prefix so the next runs can go on).
# A failed run may leave objects that the kernel is still tearing down (a
# netns goes asynchronously after its last process): give them a moment.
verify_clean() { # what regex exit-status-of-the-run
	local left
	for _ in $(seq 100); do
		left=$( { links_named "$2"; netns_named "$2"; } | tr '\n' ' ')
		[ -z "$left" ] && return 0
		[ "$3" = 0 ] && break # a successful run waited for its objects: no grace
		sleep 0.1
	done
	leak "after $1: still present: $(abbrev <<<"$left")"
	clean_ours
}

# ---------------------------------------------------------------- setup
ensure_pkg() { # command package...
	command -v "$1" >/dev/null && return 0
	[ -n "${BENCH_NO_INSTALL:-}" ] && return 1
	echo "run.sh: installing ${*:2} (apt)" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y --no-install-recommends "${@:2}" >>"$RAW/apt.log" 2>&1 ||
		{ apt-get update >>"$RAW/apt.log" 2>&1 &&
		  apt-get install -y --no-install-recommends "${@:2}" >>"$RAW/apt.log" 2>&1; }
	command -v "$1" >/dev/null
}

ensure_pkg iperf3 iperf3 || { note "iperf3: not installed, iperf3 comparison skipped"; BENCH_IPERF=0; }
ensure_pkg gnuplot gnuplot-nox || note "gnuplot: not installed, no plot"
HAVE_MININET=0
if has "$BENCH_TOOLS" mininet; then
	if ensure_pkg mn mininet bridge-utils && ensure_pkg brctl bridge-utils &&
		"$MN_PY" -c 'import mininet.net' 2>/dev/null; then
		HAVE_MININET=1
	else
		note "mininet: not installed (apt-get install mininet bridge-utils failed), Mininet rows skipped"
	fi
fi

make -s -C "$HERE" OUT="$ROOT/build/bench" >"$RAW/build.log" 2>&1 ||
	{ cat "$RAW/build.log" >&2; die "building bench/floor.c and bench/timeit.c failed"; }

HAVE_CBX=0
if has "$BENCH_TOOLS" cboxlab; then
	if [ -x "$CBOXLAB" ]; then
		HAVE_CBX=1
	else
		note "cboxlab: $CBOXLAB missing (build it with make); cboxlab rows skipped"
	fi
fi

if [ -n "$(links_named "$OURS_RE"; netns_named "$OURS_RE")" ]; then
	note "leftovers of an earlier benchmark (${FLOOR_P}/${IPR_P}/${PAIR_P}) found and removed before starting"
	clean_ours
fi

# Node counts: mesh only up to 30; the floor runs at every count measured.
if [ -z "${BENCH_MESH_N:-}" ]; then
	BENCH_MESH_N=$( { for n in $BENCH_N; do [ "$n" -le 30 ] && echo "$n"; done
		max=$(tr ' ' '\n' <<<"$BENCH_N" | sort -n | tail -1); [ "$max" -gt 30 ] && echo 30; } |
		tr '\n' ' ')
fi
for n in $BENCH_MESH_N; do [ "$n" -le 30 ] || die "BENCH_MESH_N: mesh is for N <= 30"; done
# shellcheck disable=SC2046,SC2086 # word splitting of the lists is meant
ALL_N=$(printf '%s\n' $BENCH_N $(has "$BENCH_SHAPES" mesh && echo $BENCH_MESH_N) | sort -n | uniq | tr '\n' ' ')

# The machine and the exact commands, for the report.
{
	echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "nproc: $(nproc)"
	echo "cpu: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
	echo "kernel: $(uname -r)"
	echo "os: $(. /etc/os-release && echo "$PRETTY_NAME")"
	echo "memory: $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
	echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "cboxlab: $CBOXLAB$( [ "$HAVE_CBX" = 1 ] && echo " ($(stat -c '%y' "$CBOXLAB" | cut -d. -f1))")"
	echo "iproute2: $(ip -V)"
	echo "mininet: $( [ "$HAVE_MININET" = 1 ] && "$MN_PY" -c 'import mininet.net as m; print(m.VERSION)' || echo 'not installed')"
	echo "iperf3: $(iperf3 --version 2>/dev/null | head -1)"
	echo "invocation: BENCH_N=\"$BENCH_N\" BENCH_MESH_N=\"$BENCH_MESH_N\" BENCH_RUNS=$BENCH_RUNS BENCH_RUNS_SMALL=$BENCH_RUNS_SMALL BENCH_SMALL_N=$BENCH_SMALL_N BENCH_SHAPES=\"$BENCH_SHAPES\" BENCH_TOOLS=\"$BENCH_TOOLS\" BENCH_PREFIX=$T BENCH_LARGE_N=$BENCH_LARGE_N BENCH_RUNS_LARGE=$BENCH_RUNS_LARGE BENCH_KMEM_RUNS=$BENCH_KMEM_RUNS BENCH_KMEM_MIN_N=$BENCH_KMEM_MIN_N BENCH_KMEM_SETTLE=$BENCH_KMEM_SETTLE CBOXLAB=$CBOXLAB bench/run.sh"
} >"$RAW/machine.txt"

# ---------------------------------------------------------------- runners
# Every runner appends one record: tool= shape= n= rep= status= up_s= down_s=
# rss_kb= pss_kb_per_node= (and whatever else the tool printed).

# Run a command under timeit; its "wall_s=.. rss_kb=.. status=.." goes to
# $RAW/timeit.out (fd 3), the command's output to the log.
timed() { # log command...
	local log=$1
	shift
	"$TIMEIT" "$@" >>"$log" 2>&1 3>"$RAW/timeit.out"
}
timeit_kv() { kv "$(cat "$RAW/timeit.out" 2>/dev/null)" "$1"; }
# Is the idle lab's kernel memory measured in this round?
kmem_round() { [ "$2" -le "$BENCH_KMEM_RUNS" ] && [ "$1" -ge "$BENCH_KMEM_MIN_N" ]; }

# The floor, timed as a whole command to its "up" line (--hold, then the
# newline on its stdin lets it go down); its own line follows at the end.
run_floor() { # tool shape n rep floor-args...
	local tool=$1 shape=$2 n=$3 rep=$4 log out rc kmem=
	shift 4
	log=$RAW/$tool-$n-$rep.log
	: >"$log"
	if [ "$tool" = floor ] && kmem_round "$n" "$rep"; then
		# Held up (--hold) while its kernel memory is measured; the
		# clock stops at its first line all the same.
		local fifo=$RAW/floor.in pid
		rm -f "$fifo" && mkfifo "$fifo" || die "mkfifo $fifo"
		"$PY" "$HERE/kmem.py" snap "$RAW/kmem.before"
		timed "$log" --until-line "$FLOOR" up "$n" "$@" --prefix "$FLOOR_P" --hold <"$fifo" &
		pid=$!
		exec 8>"$fifo"
		while kill -0 "$pid" 2>/dev/null && ! grep -qE '^[0-9]+( |$)' "$log"; do sleep 0.05; done
		if kill -0 "$pid" 2>/dev/null; then
			sleep "$BENCH_KMEM_SETTLE"
			"$PY" "$HERE/kmem.py" snap "$RAW/kmem.after"
			kmem=$("$PY" "$HERE/kmem.py" diff "$RAW/kmem.before" "$RAW/kmem.after" "$n")
		fi
		echo >&8
		exec 8>&-
		wait "$pid"
		rc=$?
	else
		echo | timed "$log" --until-line "$FLOOR" up "$n" "$@" --prefix "$FLOOR_P" --hold
		rc=$?
	fi
	out=$(grep -E '^n=[0-9]+ .*up_s=' "$log" | tail -1)
	if [ "$rc" = 0 ] && [ -n "$out" ]; then
		out=${out/ up_s=/ inner_up_s=}
		out=${out/ shape=/ floor_shape=} # nstar's floor is a star of bare netns
		echo "tool=$tool shape=$shape rep=$rep status=ok up_s=$(timeit_kv wall_s) rss_kb=$(timeit_kv rss_kb) load1=$(load1) $out $kmem" >>"$REC"
		echo "  $tool n=$n: up $(timeit_kv wall_s) s (own timer $(kv "$out" inner_up_s) s), down $(kv "$out" down_s) s${kmem:+, kernel $(kv "$kmem" memavail_kb_per_node) KiB/node}" >&2
		return 0
	fi
	echo "tool=$tool shape=$shape n=$n rep=$rep status=failed" >>"$REC"
	note "$tool n=$n run $rep failed (exit $rc): $(tail -3 "$log" | tr '\n' ' ')"
	return 1
}

# A reference program that prints its own "n=.. up_s=.. down_s=.." line.
run_ref() { # tool shape n rep command...
	local tool=$1 shape=$2 n=$3 rep=$4 log out rc rss
	shift 4
	log=$RAW/$tool-$n-$rep.log
	: >"$log"
	timed "$log" "$@"
	rc=$?
	rss=$(timeit_kv rss_kb)
	out=$(grep -E '^n=[0-9]+ .*up_s=' "$log" | tail -1)
	if [ "$rc" = 0 ] && [ -n "$out" ]; then
		echo "tool=$tool shape=$shape rep=$rep status=ok rss_kb=$rss load1=$(load1) $out" >>"$REC"
		echo "  $tool n=$n: up $(kv "$out" up_s) s, down $(kv "$out" down_s) s" >&2
	elif [ "$rc" = 3 ]; then
		note "$tool n=$n: skipped: $(tail -1 "$log")"
		return 3
	else
		echo "tool=$tool shape=$shape n=$n rep=$rep status=failed" >>"$REC"
		note "$tool n=$n run $rep failed (exit $rc): $(tail -3 "$log" | tr '\n' ' ')"
		return 1
	fi
	return 0
}

# Host objects whose name mentions the lab, for the leak check after `down`:
# interfaces, named netns, mounts, cgroup directories (v1 controllers and v2).
cbx_traces() { # lab
	links_named "$1"
	netns_named "$1"
	grep -F "$1" /proc/self/mountinfo | awk '{ print "mount:" $5 }'
	find /sys/fs/cgroup -maxdepth 4 -type d -name "*$1*" 2>/dev/null | sed 's/^/cgroup:/'
}

run_cbx() { # shape n rep
	local shape=$1 n=$2 rep=$3 topo lab log rc rss rss_down pss up_s down_s
	topo=$RAW/topo-$shape-$n.json
	lab=$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["name"])' "$topo")
	log=$RAW/cboxlab-$shape-$n-$rep.log
	: >"$log"
	if [ -n "$(cbx_traces "$lab")" ]; then
		note "cboxlab $shape n=$n: objects named after lab $lab already exist; not running"
		return 1
	fi
	local before
	before=$( { links_named .; netns_named .; } | sort)

	local kmem=
	kmem_round "$n" "$rep" && "$PY" "$HERE/kmem.py" snap "$RAW/kmem.before"
	echo "+ $CBOXLAB up $topo" >>"$log"
	CBX_LAB=$lab
	timed "$log" "$CBOXLAB" up "$topo"
	rc=$?
	up_s=$(timeit_kv wall_s)
	rss=$(timeit_kv rss_kb)
	if [ "$rc" != 0 ]; then
		note "cboxlab up $shape n=$n failed (exit $rc): $(grep -v "^+ " "$log" | tail -3 | tr "\n" " ")"
		echo "tool=cboxlab shape=$shape n=$n rep=$rep status=up_failed" >>"$REC"
		echo "+ $CBOXLAB down $lab (after the failed up)" >>"$log"
		"$CBOXLAB" down "$lab" >>"$log" 2>&1 && CBX_LAB=
		return 1
	fi

	# Memory of the idle nodes: their PIDs from `status --json` (pss.py's
	# node_pids() is the one place that knows that JSON's shape).
	echo "+ $CBOXLAB status --json $lab" >>"$log"
	if "$CBOXLAB" status --json "$lab" >"$RAW/status.json" 2>>"$log"; then
		pss=$("$PY" "$HERE/pss.py" "$n" <"$RAW/status.json" 2>>"$log")
	fi
	[ -n "${pss:-}" ] || [ "$shape" = nstar ] ||
		note "cboxlab $shape n=$n: no PSS (status --json or pss.py failed; see the log)"
	if kmem_round "$n" "$rep"; then
		sleep "$BENCH_KMEM_SETTLE"
		"$PY" "$HERE/kmem.py" snap "$RAW/kmem.after"
		kmem=$("$PY" "$HERE/kmem.py" diff "$RAW/kmem.before" "$RAW/kmem.after" "$n")
	fi

	echo "+ $CBOXLAB down $lab" >>"$log"
	timed "$log" "$CBOXLAB" down "$lab"
	rc=$?
	down_s=$(timeit_kv wall_s)
	rss_down=$(timeit_kv rss_kb)
	if [ "$rc" != 0 ]; then
		note "cboxlab down $shape n=$n failed (exit $rc): $(tail -3 "$log" | tr '\n' ' ')"
		echo "tool=cboxlab shape=$shape n=$n rep=$rep status=down_failed up_s=$up_s rss_kb=$rss" >>"$REC"
		return 1
	fi
	CBX_LAB=
	echo "tool=cboxlab shape=$shape n=$n rep=$rep status=ok load1=$(load1) up_s=$up_s down_s=$down_s rss_kb=$rss rss_down_kb=$rss_down ${pss:-} $kmem" >>"$REC"
	echo "  cboxlab $shape n=$n: up $up_s s, down $down_s s${kmem:+, kernel $(kv "$kmem" memavail_kb_per_node) KiB/node}" >&2

	# `down` returns when the kernel objects are gone: check right away.
	# cboxlab names its host objects after the lab: anything left with the
	# lab's name is a leak. Other new interfaces or netns are only reported:
	# on a shared machine they may well be someone else's.
	local traces after new
	traces=$(cbx_traces "$lab" | tr '\n' ' ')
	[ -z "$traces" ] || leak "after cboxlab down $lab ($shape n=$n): $(abbrev <<<"$traces")"
	after=$( { links_named .; netns_named .; } | sort)
	new=$(comm -13 <(echo "$before") <(echo "$after") | tr '\n' ' ')
	[ -z "$new" ] || note "after cboxlab down $lab ($shape n=$n): interfaces/netns that appeared during the run and are still there (not named after the lab, so maybe not cboxlab's): $(abbrev <<<"$new")"
	return 0
}

# ---------------------------------------------------------------- up/down rounds
# nstar is a star whose nodes are network namespaces only: gen_topo.py's star
# with --kind netns, beside the floor's bare netns (--netns-only).
gen_args() { [ "$1" = nstar ] && echo "--kind netns star" || echo "$1"; }
floor_args() { [ "$1" = nstar ] && echo "--shape star --netns-only" || echo "--shape $1"; }
for shape in $BENCH_SHAPES; do
	case $shape in star | chain | mesh | nstar) ;; *) die "unknown shape '$shape'" ;; esac
done
if [ "$HAVE_CBX" = 1 ]; then
	for n in $ALL_N; do
		for shape in $BENCH_SHAPES; do
			if [ "$shape" = mesh ]; then has "$BENCH_MESH_N" "$n" || continue
			else has "$BENCH_N" "$n" || continue; fi
			"$PY" "$HERE/gen_topo.py" $(gen_args "$shape") "$n" --name "$T$shape" -o "$RAW/topo-$shape-$n.json" ||
				die "gen_topo.py $shape $n failed"
		done
	done
fi

declare -A CBX_BROKEN=()  # shape:n whose `up` failed: not retried
MN_SKIP=0
FLOOR_SHAPES=star
if [ "$HAVE_CBX" = 1 ]; then
	for shape in $BENCH_SHAPES; do [ "$shape" = star ] || FLOOR_SHAPES+=" $shape"; done
fi
# One shape's floor and cboxlab run back to back, in turns (floor first in
# odd rounds, cboxlab first in even ones): each per-round ratio compares two
# numbers taken a second apart on the same machine state, and neither tool
# always runs just after the other's teardown.
pair_round() { # shape n rep with-cboxlab(0|1)
	local shape=$1 n=$2 rep=$3 with_cbx=$4 side
	for side in $( ((rep % 2)) && echo "floor cbx" || echo "cbx floor"); do
		if [ "$side" = floor ]; then
			run_floor floor "$shape" "$n" "$rep" $(floor_args "$shape")
			verify_clean "floor up $n $(floor_args "$shape")" "^$FLOOR_P" $?
			quiesce
		elif [ "$with_cbx" = 1 ] && [ -z "${CBX_BROKEN[$shape:$n]:-}" ]; then
			run_cbx "$shape" "$n" "$rep" || CBX_BROKEN[$shape:$n]=1
			[ -z "$CBX_LAB" ] || die "cboxlab lab $CBX_LAB could not be brought down; stopping"
			quiesce
		fi
	done
}

# Does cboxlab run SHAPE at N?
cbx_runs() { # shape n
	[ "$HAVE_CBX" = 1 ] && has "$BENCH_SHAPES" "$1" || return 1
	if [ "$1" = mesh ]; then has "$BENCH_MESH_N" "$2"; else has "$BENCH_N" "$2"; fi
}

for n in $ALL_N; do
	echo "run.sh: N=$n" >&2
	runs=$BENCH_RUNS
	[ "$n" -le "$BENCH_SMALL_N" ] && [ "$BENCH_RUNS_SMALL" -gt "$runs" ] && runs=$BENCH_RUNS_SMALL
	[ "$n" -gt "$BENCH_LARGE_N" ] && runs=$BENCH_RUNS_LARGE
	for ((rep = 1; rep <= runs; rep++)); do
		# The star floor at every N (the peers' reference); chain and mesh
		# floors where cboxlab runs them.
		for shape in $FLOOR_SHAPES; do
			if cbx_runs "$shape" "$n"; then
				pair_round "$shape" "$n" "$rep" 1
			elif [ "$shape" = star ] && { has "$BENCH_TOOLS" floor || [ "$HAVE_CBX" = 1 ]; }; then
				pair_round star "$n" "$rep" 0
			fi
		done
		# The peers: BENCH_RUNS rounds (their ratios to the floor are 3-15,
		# far from any target).
		[ "$rep" -le "$BENCH_RUNS" ] && [ "$n" -le "$BENCH_LARGE_N" ] || continue
		if has "$BENCH_N" "$n" && has "$BENCH_TOOLS" floor-ipv6ll; then
			run_floor floor-ipv6ll star "$n" "$rep" --ipv6ll
			verify_clean "floor up $n --ipv6ll" "^$FLOOR_P" $?
			quiesce
		fi
		if has "$BENCH_N" "$n" && has "$BENCH_TOOLS" iproute2; then
			run_ref iproute2 star "$n" "$rep" env IPROUTE2_PREFIX="$IPR_P" "$HERE/iproute2.sh" up "$n"
			verify_clean "iproute2.sh up $n" "^$IPR_P" $?
			quiesce
		fi
		if has "$BENCH_N" "$n" && [ "$HAVE_MININET" = 1 ] && [ "$MN_SKIP" = 0 ] &&
			[ "$n" -le "$BENCH_MININET_MAX_N" ]; then
			run_ref mininet star "$n" "$rep" "$MN_PY" "$HERE/mininet_star.py" "$n"
			[ $? = 3 ] && MN_SKIP=1
			left=$(links_named '^s1(-eth[0-9]+)?$' | tr '\n' ' ')
			[ -z "$left" ] || leak "after mininet_star.py $n: $(abbrev <<<"$left") (not removed: they may be someone else's)"
			quiesce
		fi
	done
done

# ---------------------------------------------------------------- iperf3
# TCP throughput between two nodes on one network: two bare netns on a bridge
# (cbxbp-, or cbx<BENCH_PREFIX>p-) against two cboxlab nodes ("base": "host"). Runs alternate.
iperf_json_bps() { "$PY" -c 'import json, sys
print("%.0f" % json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"])' 2>/dev/null; }

iperf_client() { # log address command-prefix...: retries until the server listens
	local log=$1 addr=$2 bps
	shift 2
	for _ in $(seq 50); do
		if timeout $((BENCH_IPERF_TIME + 30)) "$@" iperf3 -c "$addr" -t "$BENCH_IPERF_TIME" -J \
			>"$log" 2>>"$log.err"; then
			bps=$(iperf_json_bps <"$log")
			[ -n "$bps" ] && { echo "$bps"; return 0; }
		fi
		grep -q 'Connection refused\|unable to connect' "$log" "$log.err" 2>/dev/null || break
		sleep 0.1
	done
	return 1
}

bare_pair_up() {
	ip -batch - <<-EOF
	netns add ${PAIR_P}a
	netns add ${PAIR_P}b
	link add ${PAIR_P}br up type bridge
	link add ${PAIR_P}ha up master ${PAIR_P}br type veth peer name eth0 netns ${PAIR_P}a
	link add ${PAIR_P}hb up master ${PAIR_P}br type veth peer name eth0 netns ${PAIR_P}b
	EOF
	ip -n ${PAIR_P}a -batch - <<<"addr add 10.0.0.1/24 dev eth0
link set eth0 up
link set lo up" &&
	ip -n ${PAIR_P}b -batch - <<<"addr add 10.0.0.2/24 dev eth0
link set eth0 up
link set lo up"
}

bare_pair_down() {
	ip netns del ${PAIR_P}a
	ip netns del ${PAIR_P}b
	ip link del ${PAIR_P}br
	for _ in $(seq 1000); do
		[ -z "$(links_named "^$PAIR_P")" ] && break
		sleep 0.01
	done
	verify_clean "the bare iperf3 pair" "^$PAIR_P" 1
}

if [ "$BENCH_IPERF" != 1 ]; then
	grep -q '^iperf3' "$NOTES" || note "iperf3: not run (BENCH_IPERF=$BENCH_IPERF)"
else
	echo "run.sh: iperf3" >&2
	bare_ok=0 cbx_ok=0 cbx_addr=
	if bare_pair_up >>"$RAW/iperf.log" 2>&1; then bare_ok=1
	else note "iperf3: could not set up the bare pair (see raw/iperf.log)"; fi
	if [ "$HAVE_CBX" = 1 ]; then
		"$PY" "$HERE/gen_topo.py" pair --name "$IPERF_LAB" -o "$RAW/topo-pair.json"
		echo "+ $CBOXLAB up $RAW/topo-pair.json" >>"$RAW/iperf.log"
		CBX_LAB=$IPERF_LAB
		if "$CBOXLAB" up "$RAW/topo-pair.json" >>"$RAW/iperf.log" 2>&1; then
			cbx_addr=$("$CBOXLAB" exec "$IPERF_LAB" a -- ip -4 -o addr show dev eth0 2>>"$RAW/iperf.log" |
				awk '{ sub(/\/.*/, "", $4); print $4; exit }')
			[ -n "$cbx_addr" ] && cbx_ok=1
			[ -n "$cbx_addr" ] ||
				note "iperf3: could not read node a's address (cboxlab exec $IPERF_LAB a -- ip -4 -o addr show dev eth0)"
		else
			note "iperf3: cboxlab up of the pair failed: $(tail -3 "$RAW/iperf.log" | tr '\n' ' ')"
			"$CBOXLAB" down "$IPERF_LAB" >>"$RAW/iperf.log" 2>&1 && CBX_LAB=
		fi
	fi
	for ((rep = 1; rep <= BENCH_RUNS; rep++)); do
		if [ "$bare_ok" = 1 ]; then
			timeout $((BENCH_IPERF_TIME + 60)) ip netns exec ${PAIR_P}a iperf3 -s -1 >>"$RAW/iperf.log" 2>&1 &
			IPERF_PIDS=($!)
			if bps=$(iperf_client "$RAW/iperf-bare-$rep.json" 10.0.0.1 ip netns exec "${PAIR_P}b"); then
				echo "tool=iperf3 shape=bare n=2 rep=$rep status=ok bps=$bps" >>"$REC"
				echo "  iperf3 bare netns: $bps bit/s" >&2
			else
				note "iperf3 bare run $rep failed (see raw/iperf-bare-$rep.json*)"
			fi
			kill "${IPERF_PIDS[@]}" 2>/dev/null; wait "${IPERF_PIDS[@]}" 2>/dev/null; IPERF_PIDS=()
		fi
		if [ "$cbx_ok" = 1 ]; then
			timeout $((BENCH_IPERF_TIME + 60)) "$CBOXLAB" exec "$IPERF_LAB" a -- iperf3 -s -1 >>"$RAW/iperf.log" 2>&1 &
			IPERF_PIDS=($!)
			if bps=$(iperf_client "$RAW/iperf-cboxlab-$rep.json" "$cbx_addr" "$CBOXLAB" exec "$IPERF_LAB" b --); then
				echo "tool=iperf3 shape=cboxlab n=2 rep=$rep status=ok bps=$bps" >>"$REC"
				echo "  iperf3 cboxlab: $bps bit/s" >&2
			else
				note "iperf3 cboxlab run $rep failed (see raw/iperf-cboxlab-$rep.json*)"
			fi
			kill "${IPERF_PIDS[@]}" 2>/dev/null; wait "${IPERF_PIDS[@]}" 2>/dev/null; IPERF_PIDS=()
		fi
	done
	[ "$bare_ok" = 1 ] && bare_pair_down >>"$RAW/iperf.log" 2>&1
	if [ -n "$CBX_LAB" ]; then
		if "$CBOXLAB" down "$IPERF_LAB" >>"$RAW/iperf.log" 2>&1; then CBX_LAB=
		else leak "cboxlab down $IPERF_LAB failed"; fi
		[ -z "$(cbx_traces "$IPERF_LAB")" ] || leak "after cboxlab down $IPERF_LAB: $(cbx_traces "$IPERF_LAB" | tr '\n' ' ')"
	fi
fi

# ---------------------------------------------------------------- report
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$RAW/machine.txt"
"$PY" "$HERE/report.py" "$RAW" "$RESULTS" || { echo "run.sh: report.py failed" >&2; FAILED=1; }
echo "run.sh: results in $RESULTS/results.md (raw: $RAW)" >&2
if [ "$FAILED" != 0 ]; then
	echo "run.sh: FAILED: something was left behind or could not be reported (see above and $NOTES)" >&2
	exit 1
fi
exit 0
