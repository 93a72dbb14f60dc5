#!/usr/bin/env bash
# Labs side by side: a lab brought up while others are up starts its nodes
# from a copy of the host's mounts without the other labs' netns pins
# (runtime/mntns.h), and that leaves the other labs' pins, and the labs
# themselves, as they were.
source "$(dirname "$0")/lib.sh"

star() { # NAME NODES SUBNET: a lab of NODES nodes on one network
	python3 - "$@" >"$TMP/$1.json" <<'EOF2'
import json, sys
name, n, subnet = sys.argv[1], int(sys.argv[2]), sys.argv[3]
print(json.dumps({"name": name, "networks": {"lan": {"subnet": subnet}},
                  "nodes": {f"n{i}": {"interfaces": {"eth0": {"network": "lan"}}}
                            for i in range(1, n + 1)}}))
EOF2
	echo "$TMP/$1.json"
}

pins_of() { grep -c " /run/netns/$1-" /proc/self/mountinfo; }

a=$(star tsidea 24 10.81.0.0/24)
b=$(star tsideb 12 10.82.0.0/24)
lab_up "$a" >/dev/null
check_output "the first lab's 24 netns are pinned" '^24$' pins_of tsidea

_labs+=(tsideb)
out=$(cbx up "$b" --timings 2>&1)
check_output "a second lab comes up beside it" 'lab tsideb is up: 12 node' echo "$out"
# 24 pins x 12 nodes: worth a namespace without them (mntns.c, PAYS_AT).
check_output "its nodes' mounts were copied without the first lab's pins" \
	"copied without the host's netns pins \(2[4-9] or more\)" echo "$out"
check_output "the first lab's pins are all still mounted on the host" '^24$' pins_of tsidea
check_output "and the second lab's are there too" '^12$' pins_of tsideb
check "the first lab's netns are still usable with ip netns exec" \
	ip netns exec tsidea-n24 ip link show eth0
check "the first lab's nodes still reach each other" in_node tsidea n1 ping -c1 -W2 n24
check "the second lab's nodes reach each other" in_node tsideb n1 ping -c1 -W2 n12
check_output "no pin is in a node's mount table" '^0$' \
	in_node tsideb n12 sh -c 'grep -c /run/netns /proc/self/mountinfo'
check_output "the node has its root, /proc, /sys and /dev" '^/ /dev /proc /sys $' \
	in_node tsideb n12 sh -c 'for m in / /dev /proc /sys; do grep -q " $m " /proc/self/mountinfo && printf "%s " $m; done'

# A restart clones one node, alone: it copies the host's table itself.
check "a node of the second lab restarts" cbx restart tsideb n3
check "and is back on its network" in_node tsideb n3 ping -c1 -W2 n1

check_down_clean "the second lab goes down and leaves nothing" tsideb
check_output "the first lab's pins are still all there" '^24$' pins_of tsidea
check_down_clean "the first lab goes down and leaves nothing" tsidea
finish
