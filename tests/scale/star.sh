#!/bin/bash
# Opt-in scale test (make test-scale; CI does not run it): a star of N nodes
# (5000 by default) on ONE network, more than a bridge's 1023 ports, so the
# network is a tree of bridges. It comes up, every node answers the host's
# ping through the tree (the host is the network's gateway; as many as the
# host's neighbour tables hold, spread over the tree), and down leaves
# nothing. Prints the times of up and down. As root, under the integration
# lock; needs a few GiB of memory and an open-file limit the size of N.
#
#   tests/scale/star.sh [N]        CBOXLAB=... to use another build
n=${1:-5000}
lab=${CBX_SCALE_LAB:-tscale}
source "$(dirname "$0")/lib.sh"

python3 - "$lab" "$n" >"$tmp/star.json" <<'EOF2'
import json, sys
lab, n = sys.argv[1], int(sys.argv[2])
print(json.dumps({"name": lab,
    "networks": {"lan": {"subnet": "10.201.0.0/16", "gateway": True}},
    "defaults": {"limits": {"memory": "16M", "pids": 16}},
    "nodes": {f"n{i}": {"interfaces": {"eth0": {"network": "lan"}}} for i in range(n)}}))
EOF2
t0=$(date +%s.%N)
if ! "$CBOXLAB" up "$tmp/star.json" >"$tmp/up.out" 2>&1; then
	bad "up of $n nodes: $(tail -3 "$tmp/up.out")"
	exit 1
fi
t1=$(date +%s.%N)
say "up of a star of $n on one network: $(secs "$t0" "$t1") s"
leaves=$(ip -o link show master "$lab-b0" | grep -c "$lab-b0u")
say "the network is a tree of $leaves leaf bridges"
[ "$leaves" -ge $(((n + 1021) / 1022)) ] || bad "expected $(((n + 1021) / 1022)) leaves, found $leaves"
"$CBOXLAB" status "$lab" --json | python3 -c '
import json, sys
for node in json.load(sys.stdin)["nodes"]:
    print(node["interfaces"][0]["addresses"][0].split("/")[0])' >"$tmp/addrs"
# Each answer takes two neighbour entries (the host's of the node, the
# node's of the gateway), and the host's tables hold net.ipv4.neigh.default.
# gc_thresh3 entries for every namespace together (1024 by default; `up`
# warns of it): past that, the kernel refuses new entries and drops the
# pings. Where the tables are that large every node is pinged; otherwise
# as many as fit, spread over every leaf bridge, and the script says so.
thresh=$(cat /proc/sys/net/ipv4/neigh/default/gc_thresh3)
fit=$(((thresh - 128) / 2))
if [ "$fit" -ge "$n" ]; then cp "$tmp/addrs" "$tmp/ping"; want=$n
else
	awk -v n="$n" -v k="$fit" 'NR % int((n + k - 1) / k) == 1' "$tmp/addrs" >"$tmp/ping"
	want=$(wc -l <"$tmp/ping")
	say "the host's neighbour tables hold $thresh entries for every namespace: pinging $want nodes spread over the tree, not $n (raise net.ipv4.neigh.default.gc_thresh3 past $((2 * n + 128)) for all)"
fi
got=$(xargs -P 64 -n 1 ping -c 1 -W 2 -q <"$tmp/ping" 2>/dev/null | grep -c ' 1 received')
if [ "$got" = "$want" ]; then say "every one of the $want nodes pinged answers the host (the gateway) across the tree"
else bad "$got of $want nodes answered the host"; fi
t0=$(date +%s.%N)
"$CBOXLAB" down "$lab" >/dev/null 2>&1 || bad "down failed"
t1=$(date +%s.%N)
say "down: $(secs "$t0" "$t1") s"
left_nothing_and_finish "star of $n"
