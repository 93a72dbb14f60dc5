#!/bin/bash
# Opt-in scale test (make test-scale; CI does not run it): a clos of N
# routers (10,000 by default: 2 spines and N-2 leaves, `cboxlab gen clos 2
# N-2 0 --kind netns`), static routes, no bridge. It comes up within 30 s,
# leaf1 reaches a sample of 200 other leaves across the spines, and down
# leaves nothing within 15 s (issue 19's bounds, on the project's 2-core
# machine).
# Prints the times of gen, up and down. As root, under the integration lock;
# needs a few GiB of memory and an open-file limit the size of N.
#
#   tests/scale/clos.sh [N]        CBOXLAB=... to use another build
n=${1:-10000}
lab=${CBX_SCALE_LAB:-tsclos}
source "$(dirname "$0")/lib.sh"

t0=$(date +%s.%N)
"$CBOXLAB" gen clos 2 $((n - 2)) 0 --kind netns --name "$lab" >"$tmp/clos.json" || exit 1
t1=$(date +%s.%N)
say "gen of a clos of $n routers: $(secs "$t0" "$t1") s, $(($(stat -c %s "$tmp/clos.json") / 1024)) KiB"
t0=$(date +%s.%N)
if ! "$CBOXLAB" up -q --timings "$tmp/clos.json" >"$tmp/up.out" 2>&1; then
	bad "up of $n routers: $(tail -3 "$tmp/up.out")"
	exit 1
fi
t1=$(date +%s.%N)
up=$(secs "$t0" "$t1")
say "up of a clos of $n routers: $up s ($(grep timings "$tmp/up.out"))"
at_most "up of $n routers" "$up" 30

# leaf1 to 200 leaves spread over the clos (their link to spine2: two hops
# through spine1, whose route to spine2's links goes through the leaf).
sample_reached leaf1 leaf 200 "across the spines"
timed_down
at_most "down of $n routers" "$down_s" 15
left_nothing_and_finish "clos of $n"
