# What the scale scripts share (sourced after they set n and lab): the
# build, a scratch folder, the lab taken down on any exit, the verdict, and
# the check that down left nothing of the lab.
set -uo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CBOXLAB=${CBOXLAB:-$top/build/cboxlab}
tmp=$(mktemp -d /tmp/cbxt-scale.XXXXXX)
trap '"$CBOXLAB" down "$lab" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
fail=0
say() { echo "$*"; }
bad() { echo "FAIL: $*"; fail=1; }
secs() { python3 -c "print(round($2 - $1, 2))"; } # start end: the seconds between
ulimit -n $((n * 4 + 4096)) 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# Issue 19's bounds, for a lab of 10,000 nodes or more (on the project's
# 2-core machine): fail when WHAT took SECS, more than LIMIT seconds.
at_most() { # what secs limit
	[ "$n" -lt 10000 ] || awk -v s="$2" -v l="$3" 'BEGIN { exit !(s <= l) }' ||
		bad "$1 took $2 s, more than $3"
}

# From node FROM, ping COUNT nodes whose names start with PREFIX, spread
# over the lab, at the address of their second interface; say how many
# answered (WHAT: where they are).
sample_reached() { # from prefix count what
	"$CBOXLAB" status "$lab" --json | python3 -c '
import json, sys
prefix, count = sys.argv[1], int(sys.argv[2])
nodes = [x for x in json.load(sys.stdin)["nodes"] if x["name"].startswith(prefix)]
step = max(1, len(nodes) // count)
for x in nodes[1::step][:count]:
    print(x["interfaces"][1]["addresses"][0].split("/")[0])' "$2" "$3" >"$tmp/addrs"
	local want got
	want=$(wc -l <"$tmp/addrs")
	got=$("$CBOXLAB" exec -i "$lab" "$1" -- sh -c 'xargs -P 32 -n 1 ping -c 1 -W 2 -q' <"$tmp/addrs" 2>/dev/null |
		grep -c ' 1 received')
	if [ "$got" = "$want" ] && [ "$want" -gt 0 ]; then
		say "$1 reaches all $want sampled nodes $4"
	else
		bad "$1 reached $got of $want sampled nodes $4"
	fi
}

# down, timed: its seconds in $down_s.
timed_down() {
	local t0 t1
	t0=$(date +%s.%N)
	"$CBOXLAB" down -q --timings "$lab" >"$tmp/down.out" 2>&1 || bad "down failed: $(tail -3 "$tmp/down.out")"
	t1=$(date +%s.%N)
	down_s=$(secs "$t0" "$t1")
	say "down: $down_s s ($(grep timings "$tmp/down.out"))"
}

# No link and no netns pin named after the lab; then the verdict, and exit.
left_nothing_and_finish() { # what
	local left
	left=$(ip -o link | awk -F': ' '{ print $2 }' | grep -c "^$lab-")
	[ "$left" = 0 ] || bad "$left links of the lab left after down"
	[ -z "$(ls /run/netns 2>/dev/null | grep "^$lab-")" ] || bad "netns pins left after down"
	if [ $fail = 0 ]; then say "scale: $1 passed"; else say "scale: $1 FAILED"; fi
	exit $fail
}
