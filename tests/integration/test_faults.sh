# Faults measured by their effect: partitions stop ICMP and TCP in the
# directions they should and not in the others (through a router too),
# heal restores, one-way cuts one way, loss and rate come out as configured,
# link state, pause, restart, stop and kill behave, and bad input changes
# nothing. Delay, jitter, duplicate, corrupt and reorder need netem: they run
# where the kernel has it (the stock-kernel VM) and skip here with the reason.
source "$(dirname "$0")/lib.sh"

f=$(topo tflt <<'EOF2'
{ "name": "tflt",
  "networks": { "left": { "subnet": "10.86.1.0/24", "subnet6": "fd86:1::/64" },
                "right": { "subnet": "10.86.2.0/24", "subnet6": "fd86:2::/64" } },
  "links": [ { "endpoints": ["a:eth1", "p:eth0"], "subnet": "10.86.9.0/30", "subnet6": "fd86:9::/64" } ],
  "nodes": {
    "a": { "interfaces": { "eth0": { "network": "left" } }, "gateway": "10.86.1.254",
           "gateway6": "fd86:1::fe", "cmd": "nc -ll -p 7 -e cat" },
    "b": { "interfaces": { "eth0": { "network": "left" } }, "gateway": "10.86.1.254",
           "gateway6": "fd86:1::fe", "cmd": "nc -ll -p 7 -e cat" },
    "r": { "interfaces": { "eth0": { "network": "left", "addresses": ["10.86.1.254", "fd86:1::fe"] },
                           "eth1": { "network": "right", "addresses": ["10.86.2.254", "fd86:2::fe"] } },
           "sysctls": { "net.ipv4.ip_forward": 1, "net.ipv6.conf.all.forwarding": 1 } },
    "c": { "interfaces": { "eth0": { "network": "right" } }, "gateway": "10.86.2.254",
           "gateway6": "fd86:2::fe", "cmd": "nc -ll -p 7 -e cat" },
    "p": { "cmd": "nc -ll -p 7 -e cat" }
  } }
EOF2
)
lab_up "$f" >/dev/null

reach() { in_node tflt "$1" ping -c1 -W1 "$2" >/dev/null 2>&1; }
tcp() { [ "$(tcp_roundtrip tflt "$1" "$2" 7 2>/dev/null)" = ping ]; }
check_reach() { # name from to
	if reach "$2" "$3"; then ok "$1"; else not_ok "$1" "$2 cannot ping $3"; fi
}
# After a link comes back, a's ARP entry for the peer may still be the
# INCOMPLETE one its pings made while the link was down: the next ping waits
# for that entry's next probe (1 s apart), as it would behind a replugged
# cable. Three one-second pings cover it; a link that stays cut fails them.
check_reach_again() { # name from to
	for _ in 1 2 3; do reach "$2" "$3" && { ok "$1"; return; }; done
	not_ok "$1" "$2 cannot ping $3 (3 tries)"
}
# A cut is ping's own answer (sent, nothing back; or no route), not any
# failure: an exec that fails for another reason must not pass for a cut.
cut_says='1 packets transmitted, 0 packets received|Network is unreachable'
check_cut() { # name from to
	check_fails_with "$1" "$cut_says" in_node tflt "$2" ping -c1 -W1 "$3"
}
in_echos() { snmp tflt "$1" Icmp InEchos; } # echo requests its stack received
# The IPv6 addresses, allocated in file order (r's are explicit).
declare -A v6=([a]=fd86:1::1 [b]=fd86:1::2 [c]=fd86:2::1 [r]=fd86:1::fe [p]=fd86:9::2)
reach6() { in_node tflt "$1" ping -6 -c1 -W1 "${v6[$2]}" >/dev/null 2>&1; }
check_reach6() { # name from to
	if reach6 "$2" "$3"; then ok "$1"; else not_ok "$1" "$2 cannot ping ${v6[$3]}"; fi
}
# After a partition, a's neighbour entry for a direct peer it was cut from
# may still be INCOMPLETE (its solicitations were dropped): the next ping
# waits for that entry's next probe, as in check_reach_again.
check_reach6_again() { # name from to
	for _ in 1 2 3; do reach6 "$2" "$3" && { ok "$1"; return; }; done
	not_ok "$1" "$2 cannot ping ${v6[$3]} (3 tries)"
}
check_cut6() { # name from to
	check_fails_with "$1" "$cut_says" in_node tflt "$2" ping -6 -c1 -W1 "${v6[$3]}"
}
# Loss seen from FROM pinging TO N times: the percentage lost, or nothing.
lost_pct() { # from to n
	local got
	got=$(in_node tflt "$1" ping -c "$3" -i 0.01 -W 1 -q "$2" | awk '/received/ { print $4 }')
	[[ $got =~ ^[0-9]+$ ]] && echo $(( ($3 - got) * 100 / $3 ))
}
# A second try when the first is out of range: with netem the loss also
# takes ARP's probes, and a neighbour entry that fails (all three probes
# lost) drops many pings at once, now and then in the slow test VM. No loss
# at all, or a cut, is out of range twice.
check_lost() { # name from to n min max
	local pct tries=""
	for _ in 1 2; do
		pct=$(lost_pct "$2" "$3" "$4")
		tries+=" ${pct:-?}%"
		if [ -n "$pct" ] && [ "$pct" -ge "$5" ] && [ "$pct" -le "$6" ]; then
			ok "$1 ($pct% of $4 lost)"
			return
		fi
	done
	not_ok "$1" "lost$tries of $4 pings from $2 to $3 (two tries), wanted $5% to $6%"
}

# --- partitions --------------------------------------------------------------
check_reach "before any fault, a reaches c through router r" a c
# Right after `up` a router forwards IPv6 only once the kernel's DAD of its
# link-local address is over (about 2 s; neighbour solicitations for what it
# forwards need one): IPv6 through r is waited for here, not timed.
for _ in 1 2 3 4 5; do reach6 a c && break; done
check_reach6 "before any fault, a reaches c over IPv6 through router r" a c
check_ok "partition a | b,c is accepted" 'partition: a drops b,c' cbx partition tflt a b,c
check_cut "partition: a cannot ping b (same bridge)" a b
check_cut "partition: b cannot ping a" b a
check_cut "partition: a cannot ping c (through the router)" a c
check_cut "partition: c cannot ping a" c a
check_reach "partition: b still pings c (same side)" b c
check_reach "partition: the router (in no group) still reaches a" r a
if tcp a c; then not_ok "partition: TCP from a to c is cut"; else ok "partition: TCP from a to c is cut"; fi
if tcp b c; then ok "partition: TCP from b to c still works"; else not_ok "partition: TCP from b to c still works"; fi
check_ok "status shows the partition" 'fault: partition: a drops b,c; b drops a; c drops a' cbx status tflt
check_ok "the partition is a table in the node's own netns" '^table inet cboxlab-partition$' \
	ip netns exec tflt-a nft list tables
check_ok "heal" 'every partition healed' cbx heal tflt
check_reach "after heal, a pings c again" a c
if tcp a c; then ok "after heal, TCP from a to c works"; else not_ok "after heal, TCP from a to c works"; fi
check_ok_without "heal leaves no partition table in the nodes" 'cboxlab-partition' \
	ip netns exec tflt-a nft list tables

# IPv6: the same partition cuts the other family too, on the bridge, through
# the router and over the point-to-point link.
cbx partition tflt a b,c,p >/dev/null
check_cut6 "IPv6 partition: a cannot ping b (same bridge)" a b
check_cut6 "IPv6 partition: b cannot ping a" b a
check_cut6 "IPv6 partition: c cannot ping a (through the router)" c a
check_cut6 "IPv6 partition: a cannot ping c" a c
check_cut6 "IPv6 partition: a cannot ping p (point-to-point link)" a p
check_reach6 "IPv6 partition: b still pings c through the router (same side)" b c
check_reach6 "IPv6 partition: the router (in no group) still reaches a" r a
cbx heal tflt >/dev/null
check_reach6 "IPv6, after heal: a pings c again" a c
check_reach6_again "IPv6, after heal: a pings p again (its direct peer)" a p

# One-way: a -> b dropped, b -> a delivered (a's stack sees b's pings; b
# never sees a's; the replies to b die at b like everything else from a).
# The counters must be numbers: "nothing" equals "nothing" too.
cbx partition tflt --oneway a b >/dev/null
before=$(in_echos b)
reach a b
after=$(in_echos b)
if [[ $before =~ ^[0-9]+$ ]] && [ "$after" = "$before" ]; then ok "one-way: a's pings never reach b"
else not_ok "one-way: a's pings never reach b" "b's InEchos '$before' -> '$after'"; fi
before=$(in_echos a)
reach b a
after=$(in_echos a)
if [[ $before =~ ^[0-9]+$ && $after =~ ^[0-9]+$ ]] && [ "$after" -gt "$before" ]; then ok "one-way: b's pings reach a"
else not_ok "one-way: b's pings reach a" "a's InEchos '$before' -> '$after'"; fi
check_reach "one-way: other nodes are not affected (c pings a)" c a

# Grudge: c drops what a sends (and nothing else).
check_ok "a grudge map is accepted" 'partition: c drops a' cbx partition tflt --grudge '{"c": ["a"]}'
check_cut "grudge: a cannot ping c" a c
check_reach "grudge: b still pings c" b c
cbx heal tflt >/dev/null

# --- loss and rate -----------------------------------------------------------
check_ok "loss=30% on a:eth0" 'a:eth0: loss=30%' cbx impair tflt a:eth0 loss=30%
check_lost "loss 30% drops 30% +- 8% of 400 pings" a b 400 22 38
check_ok "impair show lists it" 'a:eth0 +loss=30%' cbx impair tflt show
check_ok "status shows it" 'fault: impair a:eth0: loss=30%' cbx status tflt

# Partitions and impairments compose; heal removes the partition only, and
# the loss stays in the kernel (measured, not read from the record).
cbx partition tflt a c >/dev/null
check_ok "status shows the partition and the impairment together" \
	'^fault: impair a:eth0: loss=30%;fault: partition: a drops c; c drops a;$' \
	bash -c "$CBOXLAB status tflt | grep -o 'fault: .*' | tr '\n' ';'"
check_cut "with both in force, the partition cuts a from c" a c
check_lost "with both in force, a still loses 30% +- 12% to b" a b 300 18 42
cbx heal tflt >/dev/null
check_ok "heal keeps the impairment (status)" '^fault: impair a:eth0: loss=30%;$' \
	bash -c "$CBOXLAB status tflt | grep -o 'fault: .*' | tr '\n' ';'"
# a still loses 30% on its way out: one of ten pings will do.
if in_node tflt a ping -c 10 -i 0.05 -W 1 c >/dev/null 2>&1; then ok "after heal, a reaches c"
else not_ok "after heal, a reaches c" "none of 10 pings from a to c answered"; fi
check_lost "after heal, a still loses 30% +- 12% to b (the kernel's loss stayed)" a b 300 18 42
check_ok "clear removes it" 'impairments cleared' cbx impair tflt a:eth0 clear
check_lost "after clear nothing is lost" a b 100 0 1

# The same on a point-to-point link. Without netem both tables are in one
# node's netns: p's egress loses at a (a's table cboxlab-loss-eth1), and a's
# partition from c is a's table cboxlab-partition. With netem the loss is a
# qdisc on p's eth0.
check_ok "loss=30% on p:eth0 (a point-to-point link)" 'p:eth0: loss=30%' cbx impair tflt p:eth0 loss=30%
cbx partition tflt a c >/dev/null
if has_netem; then
	check_ok "the loss is netem's on p:eth0, a's netns holds the partition's table" \
		'^table inet cboxlab-partition;qdisc netem [^;]* loss 30%' \
		bash -c "set -o pipefail; { ip netns exec tflt-a nft list tables
			ip netns exec tflt-p tc qdisc show dev eth0; } | tr '\n' ';'"
else
	check_ok "a's netns holds both tables, the partition's and the loss's" \
		'^table inet cboxlab-partition;table inet cboxlab-loss-eth1;$|^table inet cboxlab-loss-eth1;table inet cboxlab-partition;$' \
		bash -c "ip netns exec tflt-a nft list tables | tr '\n' ';'"
fi
check_cut "point-to-point, with both in force: the partition cuts a from c" a c
check_lost "point-to-point, with both in force: p loses 30% +- 12% to a" p 10.86.9.1 300 18 42
cbx heal tflt >/dev/null
check_reach "point-to-point, after heal: a reaches c" a c
check_lost "point-to-point, after heal: p still loses 30% +- 12% to a" p 10.86.9.1 300 18 42
check_ok "point-to-point: clear removes it" 'impairments cleared' cbx impair tflt p:eth0 clear
check_ok_without "and a's netns holds neither table" 'cboxlab-' ip netns exec tflt-a nft list tables
check_lost "point-to-point, after clear nothing is lost" p 10.86.9.1 100 0 1

# Rate: 8mbit is 1 MB/s; 2 MB from a to b take about 2 s, counted from the
# moment the sender runs in the node (its "go": not the time `exec` takes to
# start it, long under a sanitizer in an emulated VM) until the receiver has
# the last byte (the sender is done as soon as its socket buffer holds it
# all). busybox nc quits when its stdin ends: feed it sleep.
check_ok "rate=8mbit on a:eth0 (tbf)" 'rate=8mbit' cbx impair tflt a:eth0 rate=8mbit
"$CBOXLAB" exec tflt b -- sh -c 'sleep 30 | nc -l -p 9000 | wc -c' >"$TMP/received" &
# Sent once b listens (an exec's start is not bounded by a fixed wait).
for _ in $(seq $((100 * TIME_SCALE))); do
	[ -n "$(nsenter --net=/run/netns/tflt-b ss -Hltn 'sport = :9000')" ] && break
	sleep 0.05
done
in_node tflt a sh -c 'echo go; head -c 2000000 /dev/zero | nc b 9000' |
	{ read -r _; date +%s.%N >"$TMP/t0"; cat >/dev/null; }
for _ in $(seq 300); do [ -s "$TMP/received" ] && break; sleep 0.05; done
t1=$(date +%s.%N)
t0=$(cat "$TMP/t0")
rate=$(python3 -c "print(round($(cat "$TMP/received" || echo 0) / ($t1 - $t0) / 1e6, 2))")
# On a slow machine (CBX_TIME_SCALE) the programs around the transfer take
# longer too: only the lower bound moves; more than the rate is never right.
if python3 -c "import sys; sys.exit(0 if 0.75 / $TIME_SCALE <= $rate <= 1.25 else 1)"; then
	ok "a tbf rate of 8mbit gives 1 MB/s +- 25%"
else
	not_ok "a tbf rate of 8mbit gives 1 MB/s +- 25%" "measured $rate MB/s ($(cat "$TMP/received") bytes)"
fi
cbx impair tflt a:eth0 clear >/dev/null

# --- netem impairments (the stock-kernel VM) -----------------------------------
if has_netem; then
	cbx impair tflt a:eth0 delay=50ms >/dev/null
	# The least of five: one ping slowed by the machine would lift an average.
	rtt=$(in_node tflt a ping -c 5 -i 0.2 b | awk -F' = ' '/round-trip/ { split($2, v, "/"); print v[1] }')
	if python3 -c "import sys; sys.exit(0 if 48 <= $rtt <= 80 else 1)"; then
		ok "delay=50ms raises the RTT by 50 ms"
	else
		not_ok "delay=50ms raises the RTT by 50 ms" "least RTT $rtt ms"
	fi
	cbx impair tflt a:eth0 delay=50ms jitter=20ms >/dev/null
	spread=$(in_node tflt a ping -c 30 -i 0.05 b | awk -F'time=' '/time=/ { split($2, v, " "); print v[1] }' |
		python3 -c 'import statistics, sys; print(round(statistics.pstdev(float(x) for x in sys.stdin), 1))')
	if python3 -c "import sys; sys.exit(0 if $spread >= 4 else 1)"; then
		ok "jitter=20ms spreads the RTTs"
	else
		not_ok "jitter=20ms spreads the RTTs" "standard deviation $spread ms"
	fi
	cbx impair tflt a:eth0 duplicate=50% >/dev/null
	check_ok "duplicate=50% shows duplicated replies" 'DUP!' in_node tflt a ping -c 20 -i 0.02 b
	errors() { # what b's stack threw away as damaged
		echo $(( $(snmp tflt b Ip InHdrErrors) + $(snmp tflt b Ip InAddrErrors) + \
			$(snmp tflt b Icmp InErrors) + $(snmp tflt b Icmp InCsumErrors) ))
	}
	before=$(errors)
	cbx impair tflt a:eth0 corrupt=50% >/dev/null
	got=$(in_node tflt a ping -c 100 -i 0.01 -W 1 -q b | awk '/received/ { print $4 }')
	after=$(errors)
	if [ "$after" -gt "$before" ] && [ "$got" -lt 100 ]; then
		ok "corrupt=50% damages packets: the receiver's error counters rise"
	else
		not_ok "corrupt=50% damages packets: the receiver's error counters rise" \
			"errors $before -> $after, $got of 100 pings answered"
	fi
	cbx impair tflt a:eth0 delay=20ms reorder=50% >/dev/null
	seqs=$(in_node tflt a ping -c 40 -i 0.005 b | awk -F'seq=' '/seq=/ { split($2, v, " "); print v[1] }')
	if python3 -c "import sys; s=[int(x) for x in sys.argv[1].split()]; sys.exit(0 if any(b < a for a, b in zip(s, s[1:])) else 1)" "$seqs"; then
		ok "reorder=50% delivers replies out of order"
	else
		not_ok "reorder=50% delivers replies out of order" "sequence: $(echo $seqs)"
	fi
	# One root qdisc, replaced in place across kinds (netem <-> tbf).
	check_ok "a rate replaces a delay in place (netem to tbf)" 'a:eth0: rate=8mbit$' \
		cbx impair tflt a:eth0 rate=8mbit
	# The least of 5 RTTs: with the 20 ms delay none is under 20 ms, while
	# on a loaded, emulated VM one slow ping lifted the average past 20.
	rtt=$(in_node tflt a ping -c 5 -i 0.2 b | awk -F' = ' '/round-trip/ { split($2, v, "/"); print v[1] }')
	if python3 -c "import sys; sys.exit(0 if $rtt < 15 else 1)"; then
		ok "the delay is gone once the rate replaces it"
	else
		not_ok "the delay is gone once the rate replaces it" "least RTT $rtt ms"
	fi
	check_ok "a delay replaces a rate in place (tbf to netem)" 'a:eth0: delay=50ms$' \
		cbx impair tflt a:eth0 delay=50ms
	cbx impair tflt a:eth0 clear >/dev/null
else
	why="netem is missing from this kernel (CONFIG_NET_SCH_NETEM); runs in the stock-kernel VM (make test-vm)"
	for t in "delay=50ms raises the RTT by 50 ms" "jitter=20ms spreads the RTTs" \
		"duplicate=50% shows duplicated replies" \
		"corrupt=50% damages packets: the receiver's error counters rise" \
		"reorder=50% delivers replies out of order" \
		"a rate replaces a delay in place (netem to tbf)" \
		"the delay is gone once the rate replaces it" \
		"a delay replaces a rate in place (tbf to netem)"; do
		skip "$t" "$why"
	done
	check_exit "without netem, delay fails (exit 1) with the missing kernel option named" 1 \
		'impair a:eth0: .*this kernel has no sch_netem \(CONFIG_NET_SCH_NETEM\)' cbx impair tflt a:eth0 delay=50ms
	check_ok "and changes nothing" 'no impairments' cbx impair tflt
fi

# --- link state ----------------------------------------------------------------
check_ok "link down on a network interface" 'link a:eth0 is down' cbx link tflt down a:eth0
check_ok "the node sees its carrier go" 'NO-CARRIER' in_node tflt a ip link show eth0
check_cut "a cannot reach b with its link down" a b
check_ok "status shows the link down" 'fault: link down: a:eth0' cbx status tflt
cbx link tflt up a:eth0 >/dev/null
check_reach_again "link up restores it" a b
check_ok "link down between two nodes (their point-to-point link)" 'link a:eth1 is down' cbx link tflt down a p
check_cut "a cannot reach p over the link" a p
cbx link tflt up a p >/dev/null
check_reach_again "link up: a reaches p again (routes restored)" a p

# --- node faults -----------------------------------------------------------------
check_ok "pause c" 'node c paused' cbx pause tflt c
check_ok "status shows c paused" '^ +c +paused ' cbx status tflt
if tcp b c; then not_ok "a paused node answers nothing (its echo server is frozen)"
else ok "a paused node answers nothing (its echo server is frozen)"; fi
check_exit "exec into a paused node says so (exit 1) instead of hanging" 1 'node c is paused; resume it first' \
	timeout 10 "$CBOXLAB" exec tflt c -- true
cbx resume tflt c >/dev/null
if tcp b c; then ok "resume: c answers again"; else not_ok "resume: c answers again"; fi

markers="/tmp/marker /run/marker /dev/marker /tmp/d1/d2/d3/d4/marker"
count_markers='n=0; for f in '"$markers"'; do [ -e $f ] && n=$((n + 1)); done; echo "markers: $n"'
check_ok "r writes a marker in /tmp (one four directories deep), /run and /dev" '^markers: 4$' \
	in_node tflt r sh -c "for f in $markers; do mkdir -p \${f%/*}; echo before > \$f; done; $count_markers"
addr_before=$(in_node tflt r ip -4 -o addr | awk '{print $2, $4}' | sort)
pid_before=$(node_pid tflt r)
check_ok "restart r" 'node r restarted' cbx restart tflt r
pid_after=$(node_pid tflt r)
if [ "$pid_after" != "$pid_before" ] && [ "$pid_after" -gt 0 ]; then ok "restart gives r a new init"
else not_ok "restart gives r a new init" "pid $pid_before -> $pid_after"; fi
check_ok "a restarted node keeps its addresses" "^$(echo "$addr_before" | tr '\n' ' ' | sed 's/ $//')\$" \
	bash -c "$CBOXLAB exec tflt r -- ip -4 -o addr | awk '{print \$2, \$4}' | sort | tr '\n' ' ' | sed 's/ \$//'"
check_reach "a restarted router still routes (its links stayed)" a c
check_ok "a restart empties /tmp, /run and /dev, as a boot does" '^markers: 0$' \
	in_node tflt r sh -c "$count_markers"

check_ok "stop c" 'node c stopped' cbx stop --timeout 2 tflt c
check_ok "status shows c stopped" '^ +c +stopped ' cbx status tflt
check_ok "a stopped node's netns and interfaces stay" 'eth0' ip netns exec tflt-c ip -o link
# Its kernel still answers pings (the netns lives on); its services do not.
if tcp b c; then not_ok "a stopped node's services do not answer"; else ok "a stopped node's services do not answer"; fi
cbx start tflt c >/dev/null
check_reach "start c: it answers again" b c
# `start` returns once the node runs; its command then starts listening.
for _ in $(seq 20); do tcp b c && break; sleep 0.1; done
if tcp b c; then ok "start runs the node's command again"; else not_ok "start runs the node's command again"; fi
check_ok "kill c" 'node c killed' cbx kill tflt c
check_ok "a killed node is stopped" '^ +c +stopped ' cbx status tflt
cbx start tflt c >/dev/null

# --- bad input changes nothing ---------------------------------------------------
bad() { # name pattern cmd...: exit 2, the message, and nothing in force
	local name=$1 pattern=$2 out rc
	shift 2
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc = 2 ] && grep -Eq -- "$pattern" <<<"$out" &&
		"$CBOXLAB" status tflt | grep -q 'fault:' ; then
		not_ok "$name" "a fault is in force after bad input" "$("$CBOXLAB" status tflt | grep fault)"
	elif [ $rc = 2 ] && grep -Eq -- "$pattern" <<<"$out"; then
		ok "$name"
	else
		not_ok "$name" "exit $rc, wanted 2 and /$pattern/" "$out"
	fi
}
bad "unknown node" 'no node "zz"' cbx partition tflt a zz
bad "interface not in the lab" 'node a has no interface "eth9"' cbx impair tflt a:eth9 loss=2%
bad "loss 150%" 'bad loss "150%": a percentage must be between 0% and 100%' cbx impair tflt a:eth0 loss=150%
bad "rate fast" 'bad rate "fast"' cbx impair tflt a:eth0 rate=fast
bad "overlapping groups" 'node b is in two groups' cbx partition tflt a,b b,c
bad "a node that is no node in a fault command" 'no node "nope"' cbx pause tflt nope
# A loss in force at down: without netem it is a table of the host's, at
# the bridge port where a:eth0's packets arrive; down finds it in the list
# of the host's tables and deletes it (it used to add and delete one for
# every port, a walk of the kernel's list of tables each: quadratic).
check_ok "loss=30% on a:eth0 again, left in force" 'a:eth0: loss=30%' cbx impair tflt a:eth0 loss=30%
has_netem || check_ok "the host holds its loss table" '^table bridge cboxlab-loss-tflt-[0-9]+$' \
	nft list tables bridge
check_down_clean "down leaves nothing" tflt
check_ok_without "not the loss table either" 'cboxlab-loss-tflt-' nft list tables
# A loss table an earlier run left (a crash, a killed down; one was found
# on the project's machine, dropping 30% of a's frames in every later run
# of this test) outlives its port and matches the next one of that name.
stale_loss_table() { # port: a table dropping everything it receives
	nft add table bridge "cboxlab-loss-$1" &&
		nft add chain bridge "cboxlab-loss-$1" in '{ type filter hook prerouting priority dstnat; }' &&
		nft add rule bridge "cboxlab-loss-$1" in iifname "$1" drop
}
stale_loss_table tflt-0
lab_up "$f" >/dev/null
check_ok_without "up removes a loss table left for one of its ports" 'cboxlab-loss-tflt-' nft list tables
check_ok "so a's frames pass again" ' 0% packet loss' in_node tflt a ping -c 2 -W 2 10.86.1.254
check_down_clean "down leaves nothing" tflt
finish
