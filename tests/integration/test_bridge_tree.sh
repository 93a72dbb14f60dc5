# A network with more interfaces than one bridge holds is a tree of bridges
# the lab makes and removes, invisible in the topology: one broadcast
# domain (every node reaches every other and the gateway, across leaves),
# faults still per interface, nothing left after down. The kernel's bridge
# holds 1023 ports; "ports_per_bridge": 3 makes the same tree with 7 nodes
# (4 leaves of 2 interfaces and an uplink each).
source "$(dirname "$0")/lib.sh"

f=$(topo ttree <<'EOF2'
{ "name": "ttree",
  "networks": { "n": { "subnet": "10.94.0.0/24", "subnet6": "fd00:94::/64", "gateway": true,
                       "ports_per_bridge": 3 } },
  "nodes": {
    "h0": { "interfaces": { "eth0": { "network": "n" } } },
    "h1": { "interfaces": { "eth0": { "network": "n" } } },
    "h2": { "interfaces": { "eth0": { "network": "n" } } },
    "h3": { "interfaces": { "eth0": { "network": "n" } } },
    "h4": { "interfaces": { "eth0": { "network": "n" } } },
    "h5": { "interfaces": { "eth0": { "network": "n" } } },
    "h6": { "interfaces": { "eth0": { "network": "n" } } } } }
EOF2
)
check_ok "the plan says the network is a tree" \
	'create bridge ttree-b0 for network n with gateway 10.94.0.1/24, and 4 leaf bridges under it \(ttree-b0l0\.\.\.\) for its 7 interfaces' \
	cbx up --dry-run "$f"
check_ok "up" 'lab ttree is up' lab_up "$f"

ports() { ip -o link show master "$1" | awk -F': ' '{ print $2 }' | cut -d@ -f1 | sort | tr '\n' ' '; }
check_ok "the network's bridge holds the four uplinks and nothing else" \
	'^ttree-b0u0 ttree-b0u1 ttree-b0u2 ttree-b0u3 $' ports ttree-b0
check_ok "the first leaf holds its uplink's other end and h0's and h1's host ends" \
	'^ttree-0 ttree-1 ttree-b0d0 $' ports ttree-b0l0
check_ok "the last leaf holds h6's alone" '^ttree-6 ttree-b0d3 $' ports ttree-b0l3
check_ok "a node's host end has no IPv6: no multicast route of its own in the host's table" \
	'^1 0$' bash -c 'echo $(cat /proc/sys/net/ipv6/conf/ttree-6/disable_ipv6) $(ip -6 route show table local dev ttree-6 | wc -l)'
check_ok "no leaf has more than 3 ports" '^ok$' bash -c '
	for b in ttree-b0l0 ttree-b0l1 ttree-b0l2 ttree-b0l3; do
		[ "$(ip -o link show master $b | wc -l)" -le 3 ] || { echo "$b is too big"; exit 1; }
	done; echo ok'
check_ok "leaves and uplinks are up, with no IPv6 link-local address of their own" '^clean$' bash -c '
	for l in ttree-b0l0 ttree-b0u0 ttree-b0d0; do
		ip -o link show $l | grep -q "state UP\|,UP" || { echo "$l down"; exit 1; }
		[ -z "$(ip -6 -o addr show dev $l)" ] || { echo "$l has IPv6"; exit 1; }
	done; echo clean'

check_ok "no bridge of the tree snoops multicast (each floods it, as one hub would)" '^0 0 0 0 0 $' \
	bash -c 'for b in ttree-b0 ttree-b0l0 ttree-b0l1 ttree-b0l2 ttree-b0l3; do
		printf "%s " "$(cat /sys/class/net/$b/bridge/multicast_snooping)"; done'
check_ok "h0 reaches the gateway through its leaf and the network's bridge" '1 packets received' \
	in_node ttree h0 ping -c1 -W2 10.94.0.1
check_ok "h0 reaches h6, three bridges away (leaf, network, leaf)" '1 packets received' \
	in_node ttree h0 ping -c1 -W2 h6
check_ok "h6 reaches h0 over IPv6 (neighbour discovery's multicast crosses the tree)" \
	'1 packets received' in_node ttree h6 ping -c1 -W2 fd00:94::1
check_ok "h3 reaches h1 on another leaf" '1 packets received' in_node ttree h3 ping -c1 -W2 h1

check_ok "a partition across leaves" 'partition: h0 drops h6' cbx partition ttree h0 h6
check_fails_with "cuts h0 from h6" '1 packets transmitted, 0 (packets )?received' \
	in_node ttree h0 ping -c1 -W1 h6
check_ok "and leaves h0 to h5 alone" '1 packets received' in_node ttree h0 ping -c1 -W2 h5
check_ok "heal" 'healed' cbx heal ttree
check_ok "h0 reaches h6 again" '1 packets received' in_node ttree h0 ping -c1 -W2 h6

check_down_clean "down removes the tree: leaves, uplinks, the network's bridge" ttree
check_ok_without "no link of the lab is left on the host" '^ttree-' \
	bash -c "ip -o link | awk -F': ' '{ print \$2 }'"

# An up that fails after the tree is made (h6's host end is taken by a link
# of someone else's) rolls it back: the plan's undo, not down's sweep by
# name, removes the leaves and uplinks, and leaves the other link alone.
ip link add ttree-6 type bridge
# (Debian 12's kernel, in the VM, has named another node's veth in this
# error: the check asks for the kernel's EEXIST on a veth of the lab.)
check_exit "a tree lab whose last veth cannot be made fails up" 1 \
	'create veth h[0-9]:eth0 \(host end ttree-[0-9]\) in netns of h[0-9]: File exists' cbx up "$f"
check_ok "and its rollback leaves nothing of the tree" '^ ?links:ttree-6 $' leftovers ttree
ip link del ttree-6

# A SIGKILLed up leaves a half-made tree that down removes.
"$CBOXLAB" up "$f" >/dev/null 2>&1 &
up=$!
sleep 0.05
kill -KILL $up 2>/dev/null
wait $up 2>/dev/null
check_down_clean "down after a killed up removes what the tree had of it" ttree
finish
