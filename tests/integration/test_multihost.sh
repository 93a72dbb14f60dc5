# A lab over two hosts (docs/multihost.md), the hosts simulated by two
# network namespaces of this machine, cbxt-mh-a and cbxt-mh-b, joined by a
# veth pair with TEST-NET addresses (192.0.2.1 and .2): each runs
# `cboxlab up FILE --host NAME` for its part, with a state root of its own,
# from inside its namespace (nsenter --net only: `ip netns exec` would
# remount /sys, and with it the cgroup hierarchies the nodes need, away).
# Across the hosts: the shared network and the point-to-point link are
# VXLAN tunnels; ping and TCP pass over both, with the tunnel's MTU;
# a partition cuts them and heal restores; down on each leaves nothing.
source "$(dirname "$0")/lib.sh"

REAL=$CBOXLAB
for h in a b; do
	cat >"$TMP/cbx-$h" <<EOF2
#!/bin/sh
exec env CBOXLAB_STATE_ROOT=/run/cbxt-mh-$h nsenter --net=/run/netns/cbxt-mh-$h "$REAL" "\$@"
EOF2
	chmod +x "$TMP/cbx-$h"
done
on() { # host cboxlab-args...
	local h=$1
	shift
	"$TMP/cbx-$h" "$@"
}

mh_cleanup() {
	on b down tmh >/dev/null 2>&1
	on a down tmh >/dev/null 2>&1
	rmdir /run/cbxt-mh-a /run/cbxt-mh-b 2>/dev/null
	_cleanup
}
trap mh_cleanup EXIT

ip netns add cbxt-mh-a && ip netns add cbxt-mh-b &&
	ip link add cbxt-mha netns cbxt-mh-a type veth peer name cbxt-mhb netns cbxt-mh-b &&
	ip -n cbxt-mh-a addr add 192.0.2.1/24 dev cbxt-mha &&
	ip -n cbxt-mh-b addr add 192.0.2.2/24 dev cbxt-mhb &&
	ip -n cbxt-mh-a link set cbxt-mha up && ip -n cbxt-mh-b link set cbxt-mhb up &&
	ip -n cbxt-mh-a link set lo up && ip -n cbxt-mh-b link set lo up ||
	{
		not_ok "two simulated hosts" "could not make the namespaces"
		finish
		exit 0
	}

# a1 and b1 share network lan across the hosts; a1 -- b2 is a link across
# them; a2 -- a1 a link on host a alone; bnat, b2's NAT network, is b's.
f=$(topo tmh <<'EOF2'
{ "name": "tmh",
  "hosts": { "a": { "address": "192.0.2.1", "dev": "cbxt-mha" },
             "b": { "address": "192.0.2.2", "dev": "cbxt-mhb" } },
  "networks": { "lan": { "subnet": "10.97.0.0/24" },
                "bnat": { "subnet": "10.97.3.0/24", "nat": true } },
  "links": [ { "endpoints": ["a1:p0", "b2:p0"], "subnet": "10.97.1.0/30" },
             { "endpoints": ["a1:p1", "a2:p1"], "subnet": "10.97.2.0/30" } ],
  "nodes": {
    "a1": { "host": "a", "interfaces": { "eth0": { "network": "lan", "addresses": ["10.97.0.1/24"] } } },
    "a2": { "host": "a" },
    "b1": { "host": "b", "interfaces": { "eth0": { "network": "lan", "addresses": ["10.97.0.2/24"] } },
            "cmd": "nc -ll -p 7 -e cat" },
    "b2": { "host": "b", "interfaces": { "eth0": { "network": "bnat" } },
            "cmd": "nc -ll -p 7 -e cat" } } }
EOF2
)

check_fails_with "up of a lab over hosts says to bring up one host's part" \
	'lab tmh spans 2 hosts: bring up each host.s part on that host, with --host NAME' \
	on a up "$f"
check_fails_with "--host names one of the lab's hosts" \
	'--host c: unknown host \(the lab.s hosts are "a" and "b"\)' on a up "$f" --host c
check_ok "the plan of host a's part: the network's VXLAN device, its end of the crossing link" \
	'create bridge tmh-b0 for network lan, with VXLAN device tmh-b0x \(VNI [0-9]+, MTU 1450, UDP port 4789\) to host b' \
	on a up --dry-run "$f" --host a
check_ok "a's plan makes a's nodes alone" '^ *[0-9]+  create a1:p0, this host.s end of the link to b2:p0 on host b: a VXLAN device' \
	on a up --dry-run "$f" --host a
check_ok_without "a's plan makes no node of b's" 'start node b[12]' on a up --dry-run "$f" --host a

# A host's part on the wrong machine, or over an underlay smaller than the
# file sizes the tunnels for, is refused before anything is made.
check_fails_with "host a's part on host b is refused" \
	"this machine is not host a: its address 192\.0\.2\.1 is on none of this machine's interfaces" \
	on b up "$f" --host a
ip -n cbxt-mh-a link set cbxt-mha mtu 1400
check_fails_with "an underlay of MTU 1400 under the file's 1500 is refused, saying what to set" \
	'host a reaches host b \(192\.0\.2\.2\) through cbxt-mha, whose device.s MTU is 1400, less than the 1500 hosts\.a\.mtu says \(the default, when it says none\): set "mtu": 1400 for host a' \
	on a up "$f" --host a
ip -n cbxt-mh-a link set cbxt-mha mtu 1500
check_ok "the refused parts left nothing" '^$' bash -c 'ls /run/cbxt-mh-a /run/cbxt-mh-b 2>/dev/null; ls /run/netns | grep "^tmh-"; true'

check_ok "up --host a" 'lab tmh is up on host a: 2 of its 4 node\(s\)' on a up "$f" --host a
check_ok "up --host b" 'lab tmh is up on host b: 2 of its 4 node\(s\)' on b up "$f" --host b
check_ok "status on a shows a's part and where the rest runs" \
	'lab tmh: up on host a \(192\.0\.2\.1\).*on host b: b1 b2' bash -c "'$TMP/cbx-a' status tmh | tr '\n' ' '"
check_ok_without "status on a lists none of b's nodes as its own" '^  b[12] ' on a status tmh
check_ok_without "host a has no NAT table: the NAT network is b's" 'cboxlab-tmh' \
	ip netns exec cbxt-mh-a nft list tables
check_ok "host b NATs its network" 'table inet cboxlab-tmh' ip netns exec cbxt-mh-b nft list tables

check_ok "host a has the network's VXLAN device on its bridge, learning off, to port 4789" \
	'vxlan id [0-9]+ local 192\.0\.2\.1 dev cbxt-mha .*dstport 4789 nolearning' \
	ip -n cbxt-mh-a -d link show tmh-b0x
check_ok "its flood entry points at host b" '^00:00:00:00:00:00 dst 192\.0\.2\.2 self permanent' \
	bridge -n cbxt-mh-a fdb show dev tmh-b0x
check_ok "and b1's MAC too" "^$(on b exec tmh b1 -- cat /sys/class/net/eth0/address 2>/dev/null) dst 192\.0\.2\.2 self permanent" \
	bridge -n cbxt-mh-a fdb show dev tmh-b0x
check_ok "a1's end of the crossing link is a VXLAN device in a1, to host b" \
	'vxlan id [0-9]+ remote 192\.0\.2\.2 local 192\.0\.2\.1 .*dstport 4789 nolearning' \
	ip -n tmh-a1 -d link show p0
check_ok "the crossing network's interfaces have the tunnel's MTU (1500 - 50)" 'mtu 1450' \
	ip -n tmh-a1 link show eth0
check_ok "the crossing link's ends too" 'mtu 1450' ip -n tmh-b2 link show p0
check_ok "a link on one host keeps the default MTU" 'mtu 1500' ip -n tmh-a1 link show p1

check_ok "ping across hosts over the shared network" ' 0% packet loss' \
	on a exec tmh a1 -- ping -c 2 -W 2 10.97.0.2
check_ok "ping across hosts over the crossing link" ' 0% packet loss' \
	on a exec tmh a1 -- ping -c 2 -W 2 10.97.1.2
check_ok "a full-sized frame (1422 + 28, DF) fits the tunnel" ' 0% packet loss' \
	nsenter --net=/run/netns/tmh-a1 ping -c 1 -W 2 -M 'do' -s 1422 10.97.0.2
check_ok "and over the crossing link" ' 0% packet loss' \
	nsenter --net=/run/netns/tmh-a1 ping -c 1 -W 2 -M 'do' -s 1422 10.97.1.2
check_ok "TCP across hosts over the shared network" '^ping$' \
	bash -c "echo ping | timeout 5 '$TMP/cbx-a' exec -i tmh a1 -- nc -w 2 10.97.0.2 7"
check_ok "TCP across hosts over the crossing link" '^ping$' \
	bash -c "echo ping | timeout 5 '$TMP/cbx-a' exec -i tmh a1 -- nc -w 2 10.97.1.2 7"
check_ok "ping on host a's own link" ' 0% packet loss' on a exec tmh a2 -- ping -c 1 -W 2 10.97.2.1

# Captures on host a of traffic from host b's nodes: on a1's end of the
# crossing link (a VXLAN device in a1: the inner frames) and on the
# crossing network's bridge (which the network's VXLAN device is a port of).
CAPTURE_CLI=$TMP/cbx-a
a1_pings() { on a exec tmh a1 -- ping -c 1 -W 2 "$1"; }
check_ok "capture on a1's end of the crossing link sees b2's replies" \
	'IPv4 10\.97\.1\.2 > 10\.97\.1\.1 ICMP echo reply' \
	capture_while a1_pings 10.97.1.2 -- tmh a1:p0 -c 2 icmp
check_ok "capture of the crossing network on host a sees b1's replies" \
	'IPv4 10\.97\.0\.2 > 10\.97\.0\.1 ICMP echo reply' \
	capture_while a1_pings 10.97.0.2 -- tmh lan -c 2 icmp
unset CAPTURE_CLI

# A partition is each node's nftables in its own netns, dropping what the
# other side's addresses send: each host does its nodes' side.
check_fails_with "a fault on a node of another host is refused there" \
	'node b1 runs on host b, and this is host a.s part of lab tmh: run the command there' \
	on a stop tmh b1
check_fails_with "so is exec" 'node b1 runs on host b, and this is host a.s part of lab tmh' \
	on a exec tmh b1 -- true
check_fails_with "and an impairment of a far node's interface" \
	'node b2 runs on host b, and this is host a.s part of lab tmh' on a impair tmh b2:p0 loss=10%
check_ok "partition a1 | b1,b2 on host a" 'partition: a1 drops b1,b2' on a partition tmh a1 b1,b2
# (On one machine host a could reach b's nodes' namespaces through their
# pins; on two it cannot: a host never touches another's nodes.)
check_ok "host a set a1's side alone" '^a1 b1 b2 : yes no no$' bash -c '
	echo "a1 b1 b2 : $(for n in a1 b1 b2; do
		nsenter --net=/run/netns/tmh-$n nft list tables | grep -q cboxlab-partition && echo yes || echo no
	done | tr "\n" " " | sed "s/ $//")"'
check_ok "partition a1 | b1,b2 on host b" 'partition: a1 drops b1,b2' on b partition tmh a1 b1,b2
check_ok "host b set b1's and b2's" '^yes yes yes$' bash -c '
	for n in a1 b1 b2; do
		nsenter --net=/run/netns/tmh-$n nft list tables | grep -q cboxlab-partition && echo yes || echo no
	done | tr "\n" " " | sed "s/ $//"'
check_exit "the partition cuts the shared network across hosts" 1 ' 100% packet loss' \
	on a exec tmh a1 -- ping -c 2 -W 1 10.97.0.2
check_exit "and the crossing link" 1 ' 100% packet loss' \
	on b exec tmh b2 -- ping -c 2 -W 1 10.97.1.1
check_ok "heal on both hosts" 'heal' bash -c "'$TMP/cbx-a' heal tmh && '$TMP/cbx-b' heal tmh"
check_ok "heal restores the shared network" ' 0% packet loss' \
	on a exec tmh a1 -- ping -c 2 -W 2 10.97.0.2
check_ok "and the crossing link" ' 0% packet loss' on b exec tmh b2 -- ping -c 2 -W 2 10.97.1.1
if has_netem; then
	check_ok "an impairment on a1's end of the crossing link delays it" \
		'(rtt|round-trip) min/avg/max = (1[0-9]{2}|[2-9][0-9]{2})\.' \
		bash -c "'$TMP/cbx-a' impair tmh a1:p0 delay=100ms >/dev/null && '$TMP/cbx-a' exec tmh a1 -- ping -c 2 -W 2 10.97.1.2"
else
	skip "an impairment on a1's end of the crossing link delays it" "no netem"
fi

# down on each host: its part goes, nothing of it is left, in its
# namespace or on the machine.
mh_left() { # host: what is left of its part (its nodes are named after it)
	local h=$1 left=""
	left+=$(ip -n "cbxt-mh-$h" -o link 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep '^tmh-' | tr '\n' ' ')
	ls /run/netns | grep -q "^tmh-$h" && left+=" netns:$(ls /run/netns | grep "^tmh-$h" | tr '\n' ' ')"
	[ -e "/run/cbxt-mh-$h/tmh" ] && left+=" state"
	find /sys/fs/cgroup -maxdepth 5 -type d -path "*/cboxlab-tmh/$h*" 2>/dev/null | grep -q . && left+=" cgroups"
	ip netns exec "cbxt-mh-$h" nft list tables 2>/dev/null | grep -q cboxlab && left+=" nft"
	echo "$left"
}
check_ok "down on host b" 'lab tmh is down' on b down tmh
check_ok "b's part is gone, its namespace clean" '^$' mh_left b
check_ok "a's part still runs" ' 0% packet loss' on a exec tmh a2 -- ping -c 1 -W 2 10.97.2.1
check_ok "down on host a" 'lab tmh is down' on a down tmh
check_ok "a's part is gone, its namespace clean" '^$' mh_left a
check_ok "nothing of the lab is left on the machine" '^$' leftovers tmh
check_ok "the hosts' namespaces go" '^$' bash -c 'ip netns del cbxt-mh-a && ip netns del cbxt-mh-b && ip -o link | grep cbxt-mh; ls /run/netns | grep cbxt-mh; true'
finish
