#!/bin/bash
# Opt-in scale test (make test-scale; CI does not run it): a star of N nodes
# (5000 by default) on ONE network, more than a bridge's 1023 ports, so the
# network is a tree of bridges. It comes up, every node answers the host's
# ping through the tree (the host is the network's gateway), and down leaves
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
got=$(xargs -P 64 -n 1 ping -c 1 -W 2 -q <"$tmp/addrs" 2>/dev/null | grep -c ' 1 received')
if [ "$got" = "$n" ]; then say "every one of the $n nodes answers the host (the gateway) across the tree"
else bad "$got of $n nodes answered the host"; fi
t0=$(date +%s.%N)
"$CBOXLAB" down "$lab" >/dev/null 2>&1 || bad "down failed"
t1=$(date +%s.%N)
say "down: $(secs "$t0" "$t1") s"
left_nothing_and_finish "star of $n"
