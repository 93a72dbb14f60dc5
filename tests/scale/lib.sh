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

# No link and no netns pin named after the lab; then the verdict, and exit.
left_nothing_and_finish() { # what
	local left
	left=$(ip -o link | awk -F': ' '{ print $2 }' | grep -c "^$lab-")
	[ "$left" = 0 ] || bad "$left links of the lab left after down"
	[ -z "$(ls /run/netns 2>/dev/null | grep "^$lab-")" ] || bad "netns pins left after down"
	if [ $fail = 0 ]; then say "scale: $1 passed"; else say "scale: $1 FAILED"; fi
	exit $fail
}
