#!/bin/bash
# "kind": "netns" nodes (docs/topology.md): a network namespace and nothing
# else, beside a container node and a netns router. They are wired as any
# node (pings across networks, a link and the router; routes; sysctls per
# netns), exec runs in their netns on the host's filesystem, the faults on
# their interfaces work, the faults on processes are refused saying why,
# keys that promise isolation a netns node does not have fail validation,
# and down leaves nothing.
source "$(dirname "$0")/lib.sh"

f=$(topo tnetk <<'EOF2'
{ "name": "tnetk",
  "networks": { "lan": { "subnet": "10.87.1.0/24" }, "wan": { "subnet": "10.87.2.0/24" } },
  "links": [ { "endpoints": ["h2:eth1", "b:eth1"], "subnet": "10.87.9.0/30" } ],
  "nodes": {
    "h1": { "kind": "netns", "interfaces": { "eth0": { "network": "lan" } },
            "gateway": "10.87.1.254" },
    "h2": { "kind": "netns", "interfaces": { "eth0": { "network": "lan" } },
            "gateway": "10.87.1.254" },
    "r": { "kind": "netns",
           "interfaces": { "eth0": { "network": "lan", "addresses": ["10.87.1.254"] },
                           "eth1": { "network": "wan", "addresses": ["10.87.2.254"] } },
           "sysctls": { "net.ipv4.ip_forward": 1 } },
    "b": { "interfaces": { "eth0": { "network": "wan" } }, "gateway": "10.87.2.254" }
  } }
EOF2
)
check_ok "a lab of netns nodes, a router among them, and a busybox node comes up" \
	"lab tnetk is up" lab_up "$f"

check_ok "status shows each node's kind: a netns node has no PID, its kind instead" \
	"h1 +running +netns +- +eth0 10\.87\.1\.1/24" cbx status tnetk
check_ok "status --json says the kind of every node" \
	'"name": "h1", "kind": "netns".*"name": "b", "kind": "container"' \
	sh -c "'$CBOXLAB' status tnetk --json | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)[\"nodes\"]))'"

# exec: the node's netns, the host's filesystem.
check_ok "exec in a netns node sees its interfaces (lo and eth0), not the host's" \
	'^eth0@if[0-9]+ lo $' in_node tnetk h1 sh -c 'ip -o link | cut -d" " -f2 | tr -d : | sort | tr "\n" " "'
check_ok "exec in a netns node: ip addr shows its address" "eth0 +inet 10\.87\.1\.1/24" \
	in_node tnetk h1 ip -o addr show
check_ok_without "exec in a netns node: /proc/net/dev has no host device (its bridge's ports)" \
	"tnetk-|lanbr|cbx" in_node tnetk h1 cat /proc/net/dev
echo here >"$TMP/host-file"
check_ok "exec in a netns node runs on the host's filesystem, as root (documented)" \
	"^here 0$" in_node tnetk h1 sh -c "echo \$(cat $TMP/host-file) \$(id -u)"
# Not isolated, but no descriptor of the caller's (a lab's lock, a host
# folder) leaks into what runs there either: only 0, 1 and 2, and 3, the
# listing's own (ls in the shell's place, not in a pipeline: a shell that
# forks one may still hold a pipe's end while ls looks).
check_ok "exec in a netns node passes none of the caller's other descriptors" '^0 1 2 3 $' \
	bash -c 'exec 7<"$2" 9>"$2/fd9"; "$1" exec tnetk h1 -- sh -c "exec ls /proc/\$\$/fd" | sort -n | tr "\n" " "' \
	_ "$CBOXLAB" "$TMP"
check_ok "the router's sysctl is set in its own netns" "^1$" \
	in_node tnetk r cat /proc/sys/net/ipv4/ip_forward
check_ok "a netns node without sysctls keeps the default" "^0$" \
	in_node tnetk h1 cat /proc/sys/net/ipv4/ip_forward
check_ok "a netns node has its gateway as default route" "default via 10\.87\.1\.254 dev eth0" \
	in_node tnetk h1 ip route

# Pings across: same network, through the netns router to the container,
# over the link between a netns node and the container, and back.
ping_ok='1 packets transmitted, 1 (packets )?received'
check_ok "netns node pings netns node on its network" "$ping_ok" in_node tnetk h1 ping -c1 -W2 10.87.1.2
check_ok "netns node pings the container node through the netns router" "$ping_ok" \
	in_node tnetk h1 ping -c1 -W2 10.87.2.1
check_ok "the container node pings a netns node back" "$ping_ok" in_node tnetk b ping -c1 -W2 10.87.1.1
check_ok "netns node pings the container over their link" "$ping_ok" \
	in_node tnetk h2 ping -c1 -W2 10.87.9.2

# Faults on interfaces.
cut_says='1 packets transmitted, 0 (packets )?received|Network is unreachable'
check_ok "partition between two netns nodes" "partition" cbx partition tnetk h1 h2,r,b
check_fails_with "the partition drops h1's traffic to h2" "$cut_says" in_node tnetk h1 ping -c1 -W1 10.87.1.2
check_ok "heal" "heal" cbx heal tnetk
check_ok "heal restores h1 to h2" "$ping_ok" in_node tnetk h1 ping -c1 -W2 10.87.1.2
check_ok "a netns node's link goes down" "link-down|down" cbx link tnetk down h2:eth0
check_fails_with "with its link down, h2 is cut from h1" "$cut_says" in_node tnetk h1 ping -c1 -W1 10.87.1.2
check_ok "and up again" "link-up|up" cbx link tnetk up h2:eth0
ok_again=false
for _ in 1 2 3; do in_node tnetk h1 ping -c1 -W1 10.87.1.2 >/dev/null 2>&1 && { ok_again=true; break; }; done
if $ok_again; then ok "with its link up, h2 answers h1 again"; else not_ok "with its link up, h2 answers h1 again"; fi
check_ok "an impairment on a netns node's interface" "loss" cbx impair tnetk h1:eth0 loss=100%
check_fails_with "100% loss on h1 cuts it from h2" "$cut_says" in_node tnetk h1 ping -c1 -W1 10.87.1.2
check_ok "impairment cleared" "clear" cbx impair tnetk h1:eth0 clear
check_ok "capture on a netns node's interface" 'IPv4 10\.87\.1\.1 > 10\.87\.1\.2 ICMP echo request' \
	capture_while in_node tnetk h1 ping -c 1 -W 1 10.87.1.2 -- tnetk h1:eth0 -c 1 icmp
# A command that hangs is stopped at its timeout, as in a container node.
start=$(date +%s%N)
check_exit "a check's command that hangs in a netns node is stopped and fails the check" 1 \
	'^  FAIL h1: sleep 100 succeeds: node h1: the command ran past 2000 ms and was stopped$' \
	bash -c 'echo "[{\"on\": \"h1\", \"exec\": \"sleep 100\"}]" | "$1" check --no-matrix --timeout 0.2 tnetk -' _ "$CBOXLAB"
ms=$((($(date +%s%N) - start) / 1000000))
if [ "$ms" -le "$(scaled 6000)" ]; then ok "and check returns within 6 s (${ms} ms)"
else not_ok "and check returns within 6 s" "took ${ms} ms"; fi

# Faults on processes: refused, saying why.
for fault in pause kill stop restart fill; do
	check_fails_with "$fault of a netns node is refused naming its kind" \
		'node h1 is "kind": "netns"' cbx "$fault" tnetk h1
done
check_ok "the container node still takes them" "paused|pause" cbx pause tnetk b
check_ok "and resumes" "resume" cbx resume tnetk b

# What exec left running in a netns node goes with down, by PID.
bg=$(in_node tnetk h1 sh -c 'sleep 1000 >/dev/null 2>&1 & echo $!')
check_ok "a program exec left running is in h1's netns" "^net:\[$(stat -L -c %i /run/netns/tnetk-h1)\]$" \
	readlink "/proc/$bg/ns/net"
check_down_clean "down leaves nothing of netns nodes" tnetk
# Gone, or a zombie until the host's init reaps it.
if [ -n "$bg" ] && ! grep -qv '^State:.*Z' <(grep '^State:' "/proc/$bg/status" 2>/dev/null); then
	ok "down killed what exec left running in a netns node"
else
	not_ok "down killed what exec left running in a netns node" "pid $bg lives"
	kill "$bg" 2>/dev/null
fi
check_fails_with "exec after down says the lab is not up" "not up|no lab|netns" in_node tnetk h1 true

# Light at scale: a star of 300 netns nodes up and down within a bound that
# a stall (or a container's cost, ~3x) would break. Each sets its own TTL:
# netns nodes share a procfs for their sysctls, 64 at a time, and each must
# still write its own netns's.
python3 - "$TMP/tnetks.json" <<'EOF2'
import json, sys
json.dump({"name": "tnetks", "defaults": {"kind": "netns"},
           "networks": {"lan": {"subnet": "10.88.0.0/22"}},
           "nodes": {"h%d" % i: {"interfaces": {"eth0": {"network": "lan"}},
                                 "sysctls": {"net.ipv4.ip_default_ttl": 1 + i % 255}}
                     for i in range(300)}},
          open(sys.argv[1], "w"))
EOF2
_labs+=(tnetks)
t0=$(date +%s%N)
check_ok "a star of 300 netns nodes comes up, each shown with its kind" "h299 +netns +eth0 10\.88\." \
	cbx up "$TMP/tnetks.json"
ms=$((($(date +%s%N) - t0) / 1000000))
if [ "$ms" -le "$(scaled 6000)" ]; then ok "... within $(scaled 6000) ms ($ms ms)"; else not_ok "... within $(scaled 6000) ms" "took $ms ms"; fi
check_ok "its last node reaches its first" "$ping_ok" in_node tnetks h299 ping -c1 -W2 10.88.0.1
# Every node natively; under emulation, where each exec takes a second, the
# nodes either side of each change of procfs and every fifth.
wrong=0 read=0
for i in $(seq 0 299); do
	[ "$TIME_SCALE" = 1 ] || [ $((i % 5)) = 0 ] || [ $((i % 64)) = 63 ] || [ $((i % 64)) = 0 ] || continue
	read=$((read + 1))
	[ "$(in_node tnetks "h$i" cat /proc/sys/net/ipv4/ip_default_ttl)" = $((1 + i % 255)) ] || wrong=$((wrong + 1))
done
if [ "$wrong" = 0 ]; then
	ok "each netns node has its own sysctl value, in its own netns ($read of 300 read)"
else
	not_ok "each netns node has its own sysctl value, in its own netns" "$wrong of $read wrong"
fi
t0=$(date +%s%N)
check_down_clean "down of 300 netns nodes leaves nothing" tnetks
ms=$((($(date +%s%N) - t0) / 1000000))
if [ "$ms" -le "$(scaled 6000)" ]; then ok "... within $(scaled 6000) ms ($ms ms)"; else not_ok "... within $(scaled 6000) ms" "took $ms ms"; fi

# The host's neighbour tables are shared by every namespace (gc_thresh3,
# 1024 unless raised): a lab that could need more entries than that at once
# is warned of at up, saying how to raise it. Half the limit and a few more
# nodes on a network with the host's gateway need more. And a broadcast on
# a network is copied to every interface at once into the host's receive
# backlog (netdev_max_backlog, 1000 unless raised): a network of more
# interfaces than that is warned of too. One lab past both.
limit=$(cat /proc/sys/net/ipv4/neigh/default/gc_thresh3)
backlog=$(cat /proc/sys/net/core/netdev_max_backlog)
many=0
[ "$limit" -le 4096 ] && many=$((limit / 2 + 8))
[ "$backlog" -le 4096 ] && [ $((backlog + 8)) -gt "$many" ] && many=$((backlog + 8))
if [ "$TIME_SCALE" != 1 ]; then
	skip "a lab past the host's neighbour tables and receive backlog is warned of" "emulated (CBX_TIME_SCALE=$TIME_SCALE): $many nodes would take minutes; checked natively"
elif [ "$many" -gt 0 ]; then
	python3 - "$TMP/tnetkn.json" "$many" <<'EOF2'
import json, sys
json.dump({"name": "tnetkn", "defaults": {"kind": "netns"},
           "networks": {"lan": {"subnet": "10.89.0.0/19", "gateway": "10.89.0.1"}},
           "nodes": {"h%d" % i: {"interfaces": {"eth0": {"network": "lan"}}}
                     for i in range(int(sys.argv[2]))}},
          open(sys.argv[1], "w"))
EOF2
	_labs+=(tnetkn)
	cbx up "$TMP/tnetkn.json" >"$TMP/tnetkn.out" 2>&1
	up_rc=$?
	said() { cat "$TMP/tnetkn.out"; [ "$up_rc" = 0 ]; } # up's words, and whether it succeeded
	# Past a bridge's 1023 ports the network is a tree of leaves of 1022,
	# and each leaf's uplink gets a copy of a broadcast too.
	copies=$((many > 1023 ? many + (many + 1021) / 1022 : many))
	if [ "$limit" -le 4096 ]; then
		check_ok "a lab of $many nodes on the host's network warns that the host's neighbour tables ($limit) may overflow" \
			"needs at least $((2 * many)) neighbour \(ARP, NDP\) entries.*hold $limit for every namespace together.*gc_thresh3=" \
			said
	else
		skip "a lab past the host's neighbour tables is warned of" "they hold $limit entries: a lab to exceed them would be too big here"
	fi
	if [ "$backlog" -le 4096 ]; then
		check_ok "... and that each broadcast on its network makes more copies ($copies) than the host's receive backlog holds ($backlog)" \
			"network lan copies each broadcast \(an ARP request\) to $copies interfaces.*holds $backlog packets \(net.core.netdev_max_backlog\).*netdev_max_backlog=$((2 * copies))" \
			said
	else
		skip "a network past the host's receive backlog is warned of" "it holds $backlog packets: a network to exceed it would be too big here"
	fi
	check_down_clean "and down leaves nothing" tnetkn
else
	skip "a lab past the host's neighbour tables and receive backlog is warned of" "they hold $limit entries and $backlog packets: a lab to exceed them would be too big here"
fi
check_ok_without "a lab that fits them is not warned" "neighbour|netdev_max_backlog" cbx up "$TMP/tnetks.json"
check_down_clean "and down leaves nothing" tnetks

# Validation: a netns node cannot be given what implies isolation or
# processes it does not have.
bad() { # name key-json
	local file
	file=$(topo "tnetkbad" <<EOF2
{ "name": "tnetkbad", "networks": { "n": { "subnet": "10.87.3.0/24" } },
  "nodes": { "a": { "kind": "netns", "interfaces": { "eth0": { "network": "n" } }, $2 } } }
EOF2
)
	check_exit "$1" 2 "nodes\.a\.${3:-[a-z_]+}.*\"kind\": \"netns\".*cannot apply" cbx validate "$file"
}
bad "privileged:false on a netns node fails validation" '"privileged": false' privileged
bad "seccomp on a netns node fails validation" '"seccomp": true' seccomp
bad "userns on a netns node fails validation" '"userns": true' userns
bad "cap_drop on a netns node fails validation" '"cap_drop": ["NET_RAW"]' cap_drop
bad "a startup cmd on a netns node fails validation" '"cmd": "sleep 1"' cmd
bad "binds on a netns node fail validation" '"binds": ["/tmp:/mnt"]' binds
bad "limits on a netns node fail validation" '"limits": { "memory": "64M" }' limits
d=$(topo tnetkdef <<'EOF2'
{ "name": "tnetkdef", "defaults": { "kind": "netns", "seccomp": true },
  "nodes": { "a": {} } }
EOF2
)
check_exit "a defaults key a netns node cannot take fails validation" 2 \
	'defaults\.seccomp.*node a is "kind": "netns"' cbx validate "$d"
check_ok "gen --kind netns makes a lab that validates" "valid|ok|nodes" \
	sh -c "'$CBOXLAB' gen star 5 --kind netns --name tnetkgen | '$CBOXLAB' validate -"

# A lab of $CBOXLAB_HOST_ENDS_FIRST host ends or more (4096 unless told, 500
# here; 50 under qemu's emulator, whose kernel tears a namespace down 20
# times slower): `down` waits for the kernel to remove them with their
# netns before it deletes the bridge (a bridge deleted with its ports
# removes each itself, at a cost that grows with the lab). A netns
# something outside holds by a descriptor (no process of it runs there, for
# down to kill) keeps its host end: `down` deletes it once the others are
# gone and the kernel has removed none for 3 s.
big=520
export CBOXLAB_HOST_ENDS_FIRST=500
if [ "$TIME_SCALE" != 1 ]; then big=60 CBOXLAB_HOST_ENDS_FIRST=50; fi
python3 "$TOP/bench/gen_topo.py" star "$big" --kind netns --name tnetkbig -o "$TMP/big.json"
check_ok "a star of $big netns nodes comes up" 'lab tnetkbig is up' lab_up "$TMP/big.json"
start=$(date +%s%N)
check_down_clean "and goes down, leaving nothing" tnetkbig
ms=$(( ($(date +%s%N) - start) / 1000000 ))
if [ "$ms" -lt "$(scaled 3000)" ]; then ok "in well under 3 s (${ms} ms)"
else not_ok "in well under 3 s" "took ${ms} ms (bound $(scaled 3000))"; fi
lab_up "$TMP/big.json" >/dev/null
bash -c 'exec 7</run/netns/tnetkbig-n7; exec sleep 60' &
holder=$!
sleep 0.3
check "n7's netns is held by a descriptor of a process outside the lab" \
	test "$(stat -L -c %i "/proc/$holder/fd/7")" = "$(stat -L -c %i /run/netns/tnetkbig-n7)"
start=$(date +%s%N)
check_down_clean "down of the $big, one of them held, leaves nothing" tnetkbig
ms=$(( ($(date +%s%N) - start) / 1000000 ))
bound=$((3000 + $(scaled 4000)))
if [ "$ms" -ge 3000 ] && [ "$ms" -lt "$bound" ]; then
	ok "and waits 3 s for the held one's host end, not more (${ms} ms, bound ${bound})"
else not_ok "and waits 3 s for the held one's host end, not more" "took ${ms} ms (bound 3000 to ${bound})"; fi
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
check_fails_with "a count that is no number is refused, naming the variable" \
	'CBOXLAB_HOST_ENDS_FIRST: "many" is not a number from 1 to 10000000' \
	env CBOXLAB_HOST_ENDS_FIRST=many "$CBOXLAB" down tnetkbig
unset CBOXLAB_HOST_ENDS_FIRST

finish
