# VLANs on a network: access ports ("vlan": 10) split one bridge into
# isolated VLANs, everywhere (the kernel's bridge VLAN filtering where it has
# it, a table of marks where it has not, as this project's machines); trunks
# ("vlans": [10, 20]) carry tagged frames to a node's sub-interfaces
# (eth0.10), for a router on a stick, where the kernel has both VLAN
# filtering and 802.1Q devices (the stock-kernel VM); a tree of bridges keeps
# the VLANs apart; down leaves nothing; validate names what is wrong.
source "$(dirname "$0")/lib.sh"

# Ping once; the output says how many came back.
ping1() { in_node "$1" "$2" ping -c1 -W1 "$3"; }

# --- access ports: two VLANs on one bridge, one subnet ------------------------

f=$(topo tvlan <<'EOF2'
{ "name": "tvlan",
  "networks": { "n": { "subnet": "10.95.0.0/24", "gateway": true } },
  "nodes": {
    "a1": { "interfaces": { "eth0": { "network": "n", "vlan": 10, "addresses": ["10.95.0.11"] } } },
    "a2": { "interfaces": { "eth0": { "network": "n", "vlan": 10, "addresses": ["10.95.0.12"] } } },
    "b1": { "interfaces": { "eth0": { "network": "n", "vlan": 20, "addresses": ["10.95.0.21"] } } },
    "b2": { "interfaces": { "eth0": { "network": "n", "vlan": 20, "addresses": ["10.95.0.22"] } } },
    "d1": { "interfaces": { "eth0": { "network": "n", "addresses": ["10.95.0.31"] } } } } }
EOF2
)
check_ok "the plan says the network is VLAN-aware" \
	'create bridge tvlan-b0 for network n with gateway 10.95.0.1/24, VLAN-aware \(2 VLANs' \
	cbx up --dry-run "$f"
check_ok "up" 'lab tvlan is up' lab_up "$f"
check_ok "a1 reaches a2 in VLAN 10" '1 packets received' ping1 tvlan a1 10.95.0.12
check_ok "b2 reaches b1 in VLAN 20" '1 packets received' ping1 tvlan b2 10.95.0.21
check_fails_with "a1 does not reach b1 in VLAN 20, on the same bridge and subnet" \
	'1 packets transmitted, 0 (packets )?received' ping1 tvlan a1 10.95.0.21
check_fails_with "b2 does not reach a2 in VLAN 10" \
	'1 packets transmitted, 0 (packets )?received' ping1 tvlan b2 10.95.0.12
check_fails_with "nor d1 in the default VLAN" \
	'1 packets transmitted, 0 (packets )?received' ping1 tvlan a2 10.95.0.31
check_ok "d1, in the default VLAN, reaches the host's gateway" '1 packets received' \
	ping1 tvlan d1 10.95.0.1
check_fails_with "a1, in VLAN 10, does not: the bridge's own address is in the default VLAN" \
	'1 packets transmitted, 0 (packets )?received' ping1 tvlan a1 10.95.0.1
check_ok_without "a1's ARP requests never reached b1 (it learnt no neighbour 10.95.0.11)" \
	'10\.95\.0\.11' in_node tvlan b1 ip neigh show
check_ok "status --json shows each interface's VLAN" '"vlan": 10' cbx status tvlan --json
check_down_clean "down leaves nothing (bridge, table, nodes)" tvlan
check_ok_without "no VLAN table of the lab is left" 'cboxlab-vlan-tvlan' nft list tables

# --- a tree of bridges keeps the VLANs apart -------------------------------------

f=$(topo tvtree <<'EOF2'
{ "name": "tvtree",
  "networks": { "n": { "subnet": "10.96.0.0/24", "ports_per_bridge": 3 } },
  "nodes": {
    "h0": { "interfaces": { "eth0": { "network": "n", "vlan": 10 } } },
    "h1": { "interfaces": { "eth0": { "network": "n", "vlan": 20 } } },
    "h2": { "interfaces": { "eth0": { "network": "n", "vlan": 20 } } },
    "h3": { "interfaces": { "eth0": { "network": "n", "vlan": 10 } } },
    "h4": { "interfaces": { "eth0": { "network": "n", "vlan": 20 } } },
    "h5": { "interfaces": { "eth0": { "network": "n" } } },
    "h6": { "interfaces": { "eth0": { "network": "n", "vlan": 10 } } } } }
EOF2
)
check_ok "up: a tree of 4 leaves" 'lab tvtree is up' lab_up "$f"
check_ok "h0 reaches h6 in VLAN 10, three bridges away" '1 packets received' ping1 tvtree h0 h6
check_ok "h3 reaches h0 in VLAN 10 on another leaf" '1 packets received' ping1 tvtree h3 h0
check_ok "h1 reaches h4 in VLAN 20 across the uplinks" '1 packets received' ping1 tvtree h1 h4
check_fails_with "h0 does not reach h1 (VLAN 20) on its own leaf" \
	'1 packets transmitted, 0 (packets )?received' ping1 tvtree h0 h1
check_fails_with "h6 does not reach h4 (VLAN 20) across the tree" \
	'1 packets transmitted, 0 (packets )?received' ping1 tvtree h6 h4
check_fails_with "h5 (the default VLAN) reaches neither" \
	'1 packets transmitted, 0 (packets )?received' ping1 tvtree h5 h3
check_down_clean "down removes the tree and its VLANs" tvtree

# --- trunks: sub-interfaces, a router on a stick ------------------------------------

f=$(topo tvtrunk <<'EOF2'
{ "name": "tvtrunk",
  "networks": { "n": {} },
  "nodes": {
    "h10": { "interfaces": { "eth0": { "network": "n", "vlan": 10, "addresses": ["10.98.10.2/24"] } },
             "gateway": "10.98.10.1" },
    "h20": { "interfaces": { "eth0": { "network": "n", "vlan": 20, "addresses": ["10.98.20.2/24"] } },
             "gateway": "10.98.20.1" },
    "x20": { "interfaces": { "eth0": { "network": "n", "vlan": 20, "addresses": ["10.98.10.3/24"] } } },
    "r": { "interfaces": { "eth0": { "network": "n", "vlans": [10, 20] },
                           "eth0.10": { "addresses": ["10.98.10.1/24"] },
                           "eth0.20": { "addresses": ["10.98.20.1/24"] } },
           "sysctls": { "net.ipv4.ip_forward": 1 } } } }
EOF2
)
# What this kernel can do: bridge VLAN filtering, and 802.1Q devices.
trunk_skip=""
if ip link add cbxt-vlanbr type bridge vlan_filtering 1 2>/dev/null; then
	ip link del cbxt-vlanbr
else
	trunk_skip="this kernel's bridges have no VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING)"
fi
if [ -z "$trunk_skip" ]; then
	ip netns add cbxt-vlan
	ip -n cbxt-vlan link add cbxt-v0 type veth peer name cbxt-v1
	ip -n cbxt-vlan link add link cbxt-v0 name cbxt-v0.10 type vlan id 10 2>/dev/null ||
		trunk_skip="this kernel has no 802.1Q VLAN devices (CONFIG_VLAN_8021Q)"
	ip netns del cbxt-vlan
fi

trunk_tests=("the trunk node reaches VLAN 10 through eth0.10"
	"and VLAN 20 through eth0.20"
	"its sub-interfaces are VLAN devices on eth0"
	"h10 reaches h20 through the router on a stick"
	"routed: the reply comes with one hop less"
	"x20, in VLAN 20 with an address of VLAN 10's subnet, does not reach r's eth0.10"
	"down leaves nothing of the trunk lab")
if [ -n "$trunk_skip" ]; then
	check_fails_with "up refuses trunks where the bridges cannot filter by VLAN, saying why" \
		'network n has trunks \("vlans" on r:eth0\), which need the kernel.s bridge VLAN filtering' \
		cbx up "$f"
	check_ok_without "and leaves nothing" 'tvtrunk' ip -o link
	for t in "${trunk_tests[@]}"; do skip "$t" "$trunk_skip"; done
else
	check_ok "up: a trunk and its sub-interfaces" 'lab tvtrunk is up' lab_up "$f"
	check_ok "${trunk_tests[0]}" '1 packets received' ping1 tvtrunk r 10.98.10.2
	check_ok "${trunk_tests[1]}" '1 packets received' ping1 tvtrunk r 10.98.20.2
	check_ok "${trunk_tests[2]}" '^ *vlan protocol 802\.1Q id 10 ' \
		ip -n tvtrunk-r -d link show eth0.10
	check_ok "${trunk_tests[3]}" '1 packets received' ping1 tvtrunk h10 10.98.20.2
	check_ok "${trunk_tests[4]}" 'ttl=63' ping1 tvtrunk h10 10.98.20.2
	check_fails_with "${trunk_tests[5]}" '1 packets transmitted, 0 (packets )?received' \
		ping1 tvtrunk x20 10.98.10.1
	check_down_clean "${trunk_tests[6]}" tvtrunk
fi

# --- validate ------------------------------------------------------------------------

bad() { # name json-of-r's-interfaces
	topo "$1" <<EOF2
{ "name": "tvbad", "networks": { "n": {} },
  "nodes": { "r": { "interfaces": { $2 } } } }
EOF2
}
check_exit "validate: a VLAN id out of range" 2 'nodes.r.interfaces.eth0.vlan: VLAN 4095 is out of range: VLAN ids are 1 to 4094' \
	cbx validate "$(bad tvbad1 '"eth0": { "network": "n", "vlan": 4095 }')"
check_exit "validate: vlan and vlans together" 2 'an interface is an access port \("vlan"\) or a trunk \("vlans"\), not both' \
	cbx validate "$(bad tvbad2 '"eth0": { "network": "n", "vlan": 10, "vlans": [20] }')"
check_exit "validate: a sub-interface of a VLAN its trunk does not carry" 2 \
	'eth0.30 is VLAN 30 of eth0, which does not carry it \(its "vlans": \[10, 20\]\)' \
	cbx validate "$(bad tvbad3 '"eth0": { "network": "n", "vlans": [10, 20] }, "eth0.30": {}')"
check_exit "validate: a sub-interface of an interface that is no trunk" 2 \
	'eth0.10 is a VLAN sub-interface of eth0, which is not a trunk' \
	cbx validate "$(bad tvbad4 '"eth0": { "network": "n" }, "eth0.10": {}')"

finish
