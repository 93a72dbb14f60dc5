#!/bin/bash
# Opt-in scale test (make test-scale; CI does not run it): a star of N nodes
# (5000 by default) on ONE network, more than a bridge's 1023 ports, so the
# network is a tree of bridges. It comes up, every node answers the host's
# ping through the tree (the host is the network's gateway; where the
# host's limits allow, below), and down leaves nothing. Prints the times of
# up and down. As root, under the integration lock; needs a few GiB of
# memory and an open-file limit the size of N.
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
thresh0=$(cat /proc/sys/net/ipv4/neigh/default/gc_thresh3)
thresh20=$(cat /proc/sys/net/ipv4/neigh/default/gc_thresh2)
backlog0=$(cat /proc/sys/net/core/netdev_max_backlog)
trap '"$CBOXLAB" down "$lab" >/dev/null 2>&1; rm -rf "$tmp"
	[ -z "${raised:-}" ] || sysctl -qw net.ipv4.neigh.default.gc_thresh3=$thresh0 \
		net.ipv4.neigh.default.gc_thresh2=$thresh20 net.core.netdev_max_backlog=$backlog0' EXIT
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
# Two of the host's limits decide whether every node can answer, and `up`
# warns of both: each answer takes two neighbour entries (the host's of the
# node, the node's of the gateway), and the host's tables hold
# net.ipv4.neigh.default.gc_thresh3 entries for every namespace together
# (1024 by default); and each ARP request the host sends is copied to every
# interface of the network at once, into a receive backlog that holds
# net.core.netdev_max_backlog packets (1000 by default): past that, the
# rest are dropped and those nodes never answer (docs/topology.md). With
# CBX_SCALE_RAISE_HOST_LIMITS=1 the script raises those that are short
# for its run (gc_thresh3 and gc_thresh2, netdev_max_backlog) and puts
# them back; otherwise, below what the star needs, it checks the warnings
# and pings nothing.
need_thresh=$((2 * n + 128)) need_backlog=$((n + leaves + 64))
grep -q "needs at least $((2 * n)) neighbour" "$tmp/up.out" || [ "$thresh0" -ge $((2 * n)) ] ||
	bad "up did not warn of the host's neighbour tables ($thresh0)"
grep -q "copies each broadcast (an ARP request) to $((n + leaves)) interfaces" "$tmp/up.out" ||
	[ "$backlog0" -ge $((n + leaves)) ] || bad "up did not warn of the host's receive backlog ($backlog0)"
fits=1
if [ "$thresh0" -lt "$need_thresh" ] || [ "$backlog0" -lt "$need_backlog" ]; then
	fits=0
	if [ "${CBX_SCALE_RAISE_HOST_LIMITS:-0}" = 1 ]; then
		# Only what is short, and never lower.
		raised=1
		set_ok=1
		if [ "$thresh0" -lt "$need_thresh" ]; then
			sysctl -qw net.ipv4.neigh.default.gc_thresh3=$((2 * need_thresh)) \
				net.ipv4.neigh.default.gc_thresh2=$((thresh20 > need_thresh ? thresh20 : need_thresh)) || set_ok=0
		fi
		if [ "$backlog0" -lt "$need_backlog" ]; then
			sysctl -qw net.core.netdev_max_backlog=$((2 * need_backlog)) || set_ok=0
		fi
		if [ "$set_ok" = 1 ]; then
			fits=1
			say "raised for this run: gc_thresh3 $(cat /proc/sys/net/ipv4/neigh/default/gc_thresh3), gc_thresh2 $(cat /proc/sys/net/ipv4/neigh/default/gc_thresh2), netdev_max_backlog $(cat /proc/sys/net/core/netdev_max_backlog)"
		else
			bad "could not raise the host's limits (not in the initial network namespace?)"
		fi
	else
		say "not pinging: the host's neighbour tables ($thresh0) or receive backlog ($backlog0) are below what $n nodes need ($need_thresh, $need_backlog); CBX_SCALE_RAISE_HOST_LIMITS=1 raises them for the run"
	fi
fi
if [ "$fits" = 1 ]; then
	got=$(xargs -P 64 -n 1 ping -c 1 -W 2 -q <"$tmp/addrs" 2>/dev/null | grep -c ' 1 received')
	if [ "$got" = "$n" ]; then say "every one of the $n nodes answers the host (the gateway) across the tree"
	else bad "$got of $n nodes answered the host"; fi
fi
t0=$(date +%s.%N)
"$CBOXLAB" down "$lab" >/dev/null 2>&1 || bad "down failed"
t1=$(date +%s.%N)
say "down: $(secs "$t0" "$t1") s"
left_nothing_and_finish "star of $n"
