# The classroom and CI kit (docs/kit.md): check, capture, graph, gen, as a
# user sees them.
source "$(dirname "$0")/lib.sh"

# An example under a lab name of the tests' own, through standard input
# (`up -`): NAME FILE
example_up() {
	_labs+=("$1")
	sed "s/\"name\": \"[a-z0-9_]*\"/\"name\": \"$1\"/" "$2" | "$CBOXLAB" up - >/dev/null 2>&1
}

# --- check: every example passes ------------------------------------------
example_up tkp2p "$TOP/topologies/p2p.json"
check_ok "check: p2p passes, IPv4 and IPv6 (fd00:0:0:1::1 answers)" \
	'lab tkp2p: every pair and check holds' cbx check tkp2p
check_ok "check --tap: p2p's IPv6 pair is a test of its own" \
	'^ok [0-9]+ - b reaches a fd00:0:0:1::1$' cbx check --tap tkp2p
check_down_clean "check: p2p down leaves nothing" tkp2p

example_up tklan "$TOP/topologies/lan.json"
check_ok "check: lan passes (db reached through router r1)" \
	'lab tklan: every pair and check holds' cbx check tklan
check_down_clean "check: lan down leaves nothing" tklan

example_up tktri "$TOP/topologies/triangle.json"
out=$(cbx check tktri 2>&1)
rc=$?
check_ok "check: triangle passes, its matrix all ok" '^   4 h1 +ok +ok +ok +- +ok +ok$' replay "$out" $rc

# --- check under faults ------------------------------------------------------
cbx partition tktri h1 h2,h3,r1,r2,r3 >/dev/null
# No checks (an empty list replaces the topology's): the matrix alone fails.
out=$(echo '[]' | cbx check tktri - 2>&1)
rc=$?
check_exit "check: a partition fails the matrix (exit 1)" 1 'lab tktri: [0-9]+ pair\(s\) and 0 check\(s\) failed' \
	replay "$out" $rc
check_ok "check: the cut pairs are named (h2 -> h1 10.1.0.2)" '^FAIL h2 -> h1 10\.1\.0\.2: no reply' \
	replay "$out" 0
check_ok_without "check: only the cut pairs fail (h2 -> h3 is not named)" '^FAIL h2 -> h3' \
	replay "$out" 0
cbx check --junit "$TMP/tri.xml" tktri >/dev/null
check_ok "check --junit: the report parses and counts the cut pairs as failures" '^failures [1-9][0-9]*$' \
	python3 -c 'import sys, xml.etree.ElementTree as E
r = E.parse(sys.argv[1]).getroot()
f = [c.get("name") for c in r.iter("testcase") if c.find("failure") is not None]
assert "h2 reaches h1 10.1.0.2" in f, f
print("failures", r.get("failures"))' "$TMP/tri.xml"
cbx heal tktri >/dev/null
check_ok "check: healed, triangle passes again" 'every pair and check holds' cbx check tktri
cbx link tktri down r1:eth1 >/dev/null
check_exit "check: a link down fails the pairs that crossed it" 1 '^FAIL r1 -> r2 10\.0\.12\.2' \
	cbx check tktri
cbx link tktri up r1:eth1 >/dev/null

# --- declared checks ---------------------------------------------------------
cat >"$TMP/good.json" <<'EOF'
{ "checks": [
  { "from": "h1", "reach": "h3" },
  { "from": "h1", "reach": "10.3.0.2", "family": 4 },
  { "from": "h1", "no-reach": "10.99.0.1", "name": "nothing answers from outside the lab" },
  { "from": "h2", "tcp": "h1", "port": 7 },
  { "from": "h2", "tcp": "h1", "port": 8, "open": false },
  { "from": "h2", "udp": "h1", "port": 9, "open": false },
  { "on": "r1", "exec": "ip route", "match": "10\\.2\\.0\\.0/24 via 10\\.0\\.12\\.2" },
  { "on": "r1", "route": "10.3.0.0/24", "via": "10.0.13.2" },
  { "on": "h1", "route": "default", "via": "10.1.0.1" }
] }
EOF
out=$(cbx check --no-matrix tktri "$TMP/good.json" 2>&1)
rc=$?
check_ok "checks: every kind holds on triangle" 'lab tktri: every pair and check holds' replay "$out" $rc
check_ok "checks: tcp shows what it saw" '^  ok   h2: tcp port 7 on h1 is open: 10\.1\.0\.2 port 7: connected$' \
	replay "$out" $rc
check_ok "checks: exec shows the command's output" '^  ok   r1: ip route matches .*: exit 0: ' replay "$out" $rc

cat >"$TMP/bad.json" <<'EOF'
[
  { "from": "h1", "no-reach": "h3" },
  { "from": "h2", "tcp": "h1", "port": 8 },
  { "on": "r1", "exec": ["sh", "-c", "echo nope; exit 3"] },
  { "on": "r1", "exec": "echo abc", "match": "^xyz" },
  { "on": "r1", "route": "10.77.0.0/16" }
]
EOF
out=$(cbx check --no-matrix tktri - <"$TMP/bad.json" 2>&1)
rc=$?
check_exit "checks: false ones fail check (exit 1), read from standard input" 1 \
	'lab tktri: 0 pair\(s\) and 5 check\(s\) failed' replay "$out" $rc
check_ok "checks: no-reach names the addresses that answered" '^  FAIL h1 does not reach h3: 10\.3\.0\.2 answers' \
	replay "$out" 0
check_ok "checks: a closed port" '^  FAIL h2: tcp port 8 on h1 is open: 10\.1\.0\.2 port 8: Connection refused' \
	replay "$out" 0
check_ok "checks: a failing command with its status and output" '^  FAIL r1: sh succeeds: exit 3: nope$' replay "$out" 0
check_ok "checks: output that does not match" '^  FAIL r1: echo abc matches \^xyz: exit 0, no match in: abc$' \
	replay "$out" 0
check_ok "checks: a missing route" '^  FAIL r1 has a route to 10\.77\.0\.0/16: absent$' replay "$out" 0
check_fails_with "checks: a mistake in a checks file names its place" \
	'x\.json:1:14: checks\[0\]\.from: no node "nobody"' \
	bash -c 'echo "{\"checks\": [{\"from\": \"nobody\", \"reach\": \"h1\"}]}" >"$0/x.json"; "$1" check tktri "$0/x.json"' "$TMP" "$CBOXLAB"
start=$(date +%s%N)
check_exit "checks: a command that hangs is stopped (10 timeouts) and fails its check" 1 \
	'^  FAIL r1: sleep 100 succeeds: node r1: the command ran past 2000 ms and was stopped$' \
	bash -c 'echo "[{\"on\": \"r1\", \"exec\": \"sleep 100\"}]" | "$1" check --no-matrix --timeout 0.2 tktri -' _ "$CBOXLAB"
ms=$((($(date +%s%N) - start) / 1000000))
if [ "$ms" -le "$(scaled 6000)" ]; then
	ok "checks: the hung command cost ${ms} ms (bound $(scaled 6000))"
else
	not_ok "checks: the hung command cost ${ms} ms (bound $(scaled 6000))"
fi
check_down_clean "check: triangle down leaves nothing" tktri

# The topology's own checks.
f=$(topo tkchk <<'EOF'
{ "name": "tkchk",
  "links": [ { "endpoints": ["a:eth0", "b:eth0"], "subnet": "10.0.0.0/30", "subnet6": "fd00:77::/64" } ],
  "nodes": { "a": { "cmd": "httpd -p 80 -h /etc", "ready": "tcp:80" }, "b": {} },
  "checks": [ { "from": "b", "tcp": "a", "port": 80 }, { "from": "b", "reach": "a", "family": 6 } ] }
EOF
)
lab_up "$f" >/dev/null
check_ok "checks: the topology's own hold" '^  ok   b reaches a: fd00:77::1 answers$' cbx check tkchk
cbx stop tkchk a >/dev/null
check_exit "checks: a stopped server fails its port check (its netns still answers ping)" 1 \
	'^  FAIL b: tcp port 80 on a is open: 10\.0\.0\.1 port 80: Connection refused' cbx check tkchk
check_down_clean "checks: down leaves nothing" tkchk

# --- check at scale: a generated 50-node clos (2 spines, 8 leaves, 5 hosts each)
_labs+=(tkbig)
"$CBOXLAB" gen clos 2 8 5 --name tkbig | "$CBOXLAB" up - >/dev/null
start=$(date +%s%N)
out=$(cbx check tkbig 2>&1)
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
check_ok "check: 50 nodes, every pair reaches" 'lab tkbig: every pair and check holds' replay "$out" $rc
check_ok "check: 50 nodes, 3920 pairs" 'lab tkbig: 50 node\(s\), 3920 address pair\(s\)' replay "$out" $rc
if [ "$ms" -le "$(scaled 3000)" ]; then
	ok "check: 50 nodes' matrix in ${ms} ms (bound $(scaled 3000))"
else
	not_ok "check: 50 nodes' matrix in ${ms} ms (bound $(scaled 3000))"
fi
check_down_clean "check: the 50-node lab down leaves nothing" tkbig

# --- capture -------------------------------------------------------------------
f=$(topo tkcap <<'EOF'
{ "name": "tkcap",
  "networks": { "lan": { "subnet": "10.71.0.0/24" } },
  "links": [ { "endpoints": ["a:eth0", "b:eth0"], "subnet": "10.70.0.0/30", "subnet6": "fd00:70::/64" } ],
  "nodes": { "a": { "interfaces": { "eth1": { "network": "lan", "addresses": ["10.71.0.11"] } } },
             "b": { "interfaces": { "eth1": { "network": "lan", "addresses": ["10.71.0.12"] } } },
             "c": { "interfaces": { "eth0": { "network": "lan", "addresses": ["10.71.0.13"] } } } } }
EOF
)
lab_up "$f" >/dev/null
check_ok "capture: -c 4 -w FILE stops after 4 packets" '^cboxlab: 4 packet\(s\) captured$' \
	capture_while in_node tkcap b ping -c 3 -i 0.2 10.70.0.1 -- tkcap a:eth0 -c 4 -w "$TMP/ping.pcap" icmp
check_ok "capture: tcpdump reads the pcap: b's echo requests" \
	'IP 10\.70\.0\.2 > 10\.70\.0\.1: ICMP echo request' tcpdump -nr "$TMP/ping.pcap"
check_ok "capture: ... and a's replies" \
	'IP 10\.70\.0\.1 > 10\.70\.0\.2: ICMP echo reply' tcpdump -nr "$TMP/ping.pcap"
check_ok "capture: exactly 4 packets in the file" '^4$' bash -c "tcpdump -nr '$TMP/ping.pcap' 2>/dev/null | wc -l"
capture_while bash -c "$CBOXLAB exec tkcap b -- ping -c 2 -i 0.2 10.70.0.1; $CBOXLAB exec tkcap b -- ping6 -c 2 -i 0.2 fd00:70::1" \
	-- tkcap a:eth0 --duration "$(scaled 3)s" -w "$TMP/v6.pcap" icmp6 >/dev/null
check_ok "capture: the filter keeps IPv6's echoes" 'IP6 fd00:70::2 > fd00:70::1: ICMP6, echo request' \
	tcpdump -nr "$TMP/v6.pcap"
check_ok_without "capture: ... and leaves IPv4's out" 'IP 10\.70\.0\.' tcpdump -nr "$TMP/v6.pcap"
check_ok "capture: without -w, a line per packet" \
	'IPv4 10\.70\.0\.2 > 10\.70\.0\.1 ICMP echo request, length 98' \
	capture_while in_node tkcap b ping -c 1 10.70.0.1 -- tkcap a:eth0 -c 2 icmp
check_ok "capture: a network's bridge shows its members' frames" \
	'IPv4 10\.71\.0\.[0-9]+ > 10\.71\.0\.[0-9]+ ICMP echo request' \
	capture_while in_node tkcap c ping -c 1 10.71.0.11 -- tkcap lan -c 2 icmp
# -w - streams: tcpdump reads two packets from the pipe and goes; capture
# (due to run 20 s) sees its reader gone at the next packet and ends. The
# pings start once the capture is on: begun after the fourth, it would
# see two packets and then none to find its reader gone by.
start=$(date +%s%N)
: >"$TMP/pipe.err"
out=$( (timeout -s INT "$(scaled 25)" "$CBOXLAB" capture tkcap a:eth0 --duration 20s -w - icmp 2>"$TMP/pipe.err" |
	timeout "$(scaled 25)" tcpdump -c 2 -nr - 2>/dev/null) &
	wait_capture_on "$TMP/pipe.err"
	in_node tkcap b ping -c 5 -i 0.2 10.70.0.1 >/dev/null; wait)
ms=$((($(date +%s%N) - start) / 1000000))
check_ok "capture -w -: tcpdump reads packets from the pipe as they come" \
	'IP 10\.70\.0\.2 > 10\.70\.0\.1: ICMP echo request' replay "$out" 0
if [ "$ms" -lt "$(scaled 10000)" ]; then
	ok "capture -w -: ends when its reader goes (${ms} ms, not the 20 s asked)"
else
	not_ok "capture -w -: ends when its reader goes (${ms} ms, not the 20 s asked)"
fi

# Under a partition: b's requests reach a's interface (the capture sees them
# before a's nftables drops them), and a never answers.
cbx partition tkcap a b,c >/dev/null
out=$(capture_while in_node tkcap b ping -c 2 -i 0.2 -W 1 10.70.0.1 -- tkcap a:eth0 --duration "$(scaled 2)s" icmp)
check_ok "capture under a partition: the dropped side's requests arrive" \
	'IPv4 10\.70\.0\.2 > 10\.70\.0\.1 ICMP echo request' replay "$out" 0
check_ok_without "capture under a partition: ... and no reply goes back" 'echo reply' replay "$out" 0
cbx heal tkcap >/dev/null

# Attacks: the capture is the host's; a node gains nothing from it. (The
# lab's own neighbour discovery, a's entries for b and c going stale after
# the pings above, may cross a:eth0 at any time: left out.)
check_ok "capture: a node's interface shows none of the host's packets (0 of them)" \
	'^cboxlab: 0 packet\(s\) captured$' \
	capture_while bash -c "ping -c 3 -i 0.2 127.0.0.1; $CBOXLAB exec tkcap c -- ping -c 2 10.71.0.11" \
	-- tkcap a:eth0 --duration "$(scaled 2)s" 'not arp and not (icmp6 and ip6[40] >= 133 and ip6[40] <= 137)'
check_ok_without "capture: the node does not see the capture's process" 'cboxlab capture tkcap' \
	capture_while in_node tkcap a ps -- tkcap a:eth0 --duration 1s
check_fails_with "capture: a FILTER with shell in it is a filter's syntax error, run by nobody" \
	'filter "icmp; touch /tmp/cbxt-kit-pwned": (syntax error|can.t parse)' \
	cbx capture tkcap a:eth0 -c 1 'icmp; touch /tmp/cbxt-kit-pwned'
if [ -e /tmp/cbxt-kit-pwned ]; then not_ok "capture: the FILTER ran nothing"; rm -f /tmp/cbxt-kit-pwned; else ok "capture: the FILTER ran nothing"; fi
check_fails_with "capture: a FILTER's control bytes are shown escaped" 'filter "icmp\\x1b\[31m"' \
	cbx capture tkcap a:eth0 -c 1 $'icmp\x1b[31m'
ln -s "$TMP/victim" "$TMP/link.pcap"
check_fails_with "capture: -w through a symbolic link is refused" 'link.pcap \(a symbolic link: not followed\)' \
	cbx capture tkcap a:eth0 -c 1 -w "$TMP/link.pcap"
if [ -e "$TMP/victim" ]; then not_ok "capture: the link's target was not written"; else ok "capture: the link's target was not written"; fi
check_fails_with "capture: -w into a device is refused" 'not a regular file or a FIFO' \
	cbx capture tkcap a:eth0 -c 1 -w /dev/null
check_ok "capture: the pcap is the user's alone (0600)" '^600$' stat -c %a "$TMP/ping.pcap"
check_fails_with "capture: an interface the node has not" 'node a has no interface "\.\./\.\./x"' \
	cbx capture tkcap 'a:../../x' -c 1
check_fails_with "capture: an interface's name with terminal escapes is shown escaped" \
	'node a has no interface "\\x1b\[31mx"' cbx capture tkcap $'a:\x1b[31mx' -c 1
check_fails_with "capture: a network the lab has not" 'lab tkcap has no network "nolan"' cbx capture tkcap nolan -c 1
check_down_clean "capture: down leaves nothing" tkcap

# --- graph -----------------------------------------------------------------------
for f in "$TOP"/topologies/*.json; do
	[ "$(basename "$f")" = schema.json ] && continue
	check "graph: $(basename "$f") parses with Graphviz's dot" bash -c 'set -o pipefail; "$1" graph "$2" | dot -Tsvg -o /dev/null' _ "$CBOXLAB" "$f"
done
check_ok "graph --format svg: an SVG through dot" '<svg width=' cbx graph --format svg "$TOP/topologies/lan.json"
check_ok "graph --format mermaid: a flowchart, networks round" '^  w0\(\("lan<br/>10\.10\.0\.0/24"\)\)$' \
	cbx graph --format mermaid "$TOP/topologies/lan.json"
check_ok "graph -: the topology from standard input" '^graph "p2p" \{$' bash -c '"$1" graph - <"$2"' _ "$CBOXLAB" "$TOP/topologies/p2p.json"
check_fails_with "graph --format svg without Graphviz says what to install" \
	"SVG needs Graphviz's dot, which is not installed \(Debian: apt install graphviz\)" \
	env PATH=/nonexistent "$CBOXLAB" graph --format svg "$TOP/topologies/lan.json"
check_fails_with "graph: an unknown format" '--format png: expected dot, mermaid or svg' \
	cbx graph --format png "$TOP/topologies/lan.json"
example_up tkgr "$TOP/topologies/triangle.json"
cbx partition tkgr --oneway h1 h2 >/dev/null
cbx link tkgr down r1:eth2 >/dev/null
cbx impair tkgr r2:eth2 loss=5% >/dev/null
cbx stop tkgr h3 >/dev/null
cbx pause tkgr h2 >/dev/null
out=$(cbx graph tkgr 2>&1)
rc=$?
check_ok "graph LAB: the running lab parses with dot" 'parsed' bash -c 'dot -Tsvg -o /dev/null <<<"$1" && echo parsed' _ "$out"
check_ok "graph LAB: a stopped node" 'label="h3\\n\(stopped\)"' replay "$out" $rc
check_ok "graph LAB: a paused node" 'label="h2\\n\(paused\)"' replay "$out" $rc
check_ok "graph LAB: the link down, in red" 'taillabel="eth2 10\.0\.13\.1/30 DOWN".*color=red' replay "$out" $rc
check_ok "graph LAB: the impaired link" 'eth2 10\.0\.23\.1/30 loss=5%' replay "$out" $rc
check_ok "graph LAB: the one-way cut, from h1 to h2" '^  n3 -- n4 \[style=dotted.*label="cut", dir=forward\];$' replay "$out" $rc
cbx resume tkgr h2 >/dev/null
check_down_clean "graph: the lab down leaves nothing" tkgr

# --- gen ---------------------------------------------------------------------------
# Each shape at two sizes: it validates, comes up from standard input, every
# node reaches every address (check: each pair expected by the routes, and
# reached; check alone passes a pair the routes do not lead to), and goes
# down clean.
every_pair_reached() { # lab
	cbx check "$1" --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
bad = [p for p in d["pairs"] if not (p["expected"] and p["reached"])]
print("%d pairs, %d not routed or not reached" % (len(d["pairs"]), len(bad)))
for p in bad[:5]:
    print(p)
sys.exit(1 if bad or d["result"] != "pass" else 0)'
}
for spec in "linear 2" "linear 6" "ring 3" "ring 8" "star 1" "star 5" "tree 1 3" "tree 3 2" \
	"mesh 2" "mesh 5" "clos 1 1 1" "clos 2 3 2" "clos 3 4 0" "fabric 2 2 2 1" "fabric 3 1 2 0"; do
	name=tkg$(tr -d ' ' <<<"$spec" | sed 's/linear/lin/; s/fabric/fab/')
	check_ok "gen $spec: validates" "lab \"$name\" is valid" bash -c \
		'set -o pipefail; "$1" gen $2 --name "$3" | "$1" validate -' _ "$CBOXLAB" "$spec" "$name"
	_labs+=("$name")
	# shellcheck disable=SC2086
	check_ok "gen $spec | up -: comes up" "lab $name is up" bash -c \
		'set -o pipefail; "$1" gen $2 --name "$3" | "$1" up -' _ "$CBOXLAB" "$spec" "$name"
	check_ok "gen $spec: every node reaches every address" " 0 not routed or not reached" \
		every_pair_reached "$name"
	check_down_clean "gen $spec: down leaves nothing" "$name"
done
# On a host that filters reverse paths strictly (rp_filter 1, RHEL's
# default), every interface of a new netns does too. A clos's paths are not
# all symmetric (spine1 reaches leaf2's link to spine2 through leaf1 and
# spine2; leaf2 answers through spine1): gen's routers filter loosely.
_labs+=(tkgrp)
"$CBOXLAB" gen clos 2 3 1 --name tkgrp | python3 -c '
import json, sys
t = json.load(sys.stdin)
for node in t["nodes"].values():
    if "sysctls" in node:
        for i in range(3):
            node["sysctls"]["net.ipv4.conf.eth%d.rp_filter" % i] = 1
print(json.dumps(t))' >"$TMP/tkgrp.json"
lab_up "$TMP/tkgrp.json" >/dev/null
check_ok "gen clos, every router interface strict about reverse paths: every node still reaches every address" \
	" 0 not routed or not reached" every_pair_reached tkgrp
check_down_clean "and down leaves nothing" tkgrp

# A clos of 10,000 routers: gen routes it as a fabric (leaves default to a
# spine), and validate indexes a spine's 10,000 interfaces and 20,000 routes
# (a scan of them per route took 7.5 s before, N^2).
start=$(date +%s%N)
check_ok "gen clos 2 9998 0: 10,000 routers, validated" \
	'lab "tkg10k" is valid: 10000 node\(s\), 0 network\(s\), 19996 link\(s\)' bash -c \
	'set -o pipefail; "$1" gen clos 2 9998 0 --kind netns --name tkg10k | "$1" validate -' _ "$CBOXLAB"
ms=$((($(date +%s%N) - start) / 1000000))
if [ "$ms" -le "$(scaled 12000)" ]; then
	ok "gen and validate of 10,000 routers in ${ms} ms (bound $(scaled 12000))"
else
	not_ok "gen and validate of 10,000 routers in ${ms} ms (bound $(scaled 12000))"
fi
# A three-tier fabric of 10,000 routers: spines of 99 links, not 10,000.
check_ok "gen fabric 100 2 98 0: 10,002 routers, validated" \
	'lab "tkgf10k" is valid: 10002 node\(s\), 0 network\(s\), 19800 link\(s\)' bash -c \
	'set -o pipefail; "$1" gen fabric 100 2 98 0 --kind netns --name tkgf10k | "$1" validate -' _ "$CBOXLAB"
check_fails_with "gen: a fabric whose pods' LANs would not fit says so" \
	'fabric 2 2 300 1: a pod with hosts has at most 256 leaves' cbx gen fabric 2 2 300 1
check_fails_with "gen: a clos past 20,000 nodes says how many it would have" \
	'clos 2 10000 2: 30002 nodes, more than 20000' cbx gen clos 2 10000 2
check_fails_with "gen: an unknown shape lists the shapes" 'no shape "blob" \(linear N \| ring N' cbx gen blob 3
check_fails_with "gen: a size out of range" 'ring N: 2 is not in 3\.\.1000' cbx gen ring 2
check_fails_with "gen: a size that is not a number" '"x" is not a size' cbx gen ring x

# "-" is standard input for every command that reads a file.
_labs+=(tkgdn)
"$CBOXLAB" gen ring 3 --name tkgdn | "$CBOXLAB" up - >/dev/null
check_ok "chaos LAB -: the plan from standard input" 'pause n2' bash -c \
	'echo "{\"steps\": [{\"at\": \"1s\", \"do\": \"pause\", \"node\": \"n2\"}, {\"at\": \"2s\", \"do\": \"end\"}]}" |
	"$1" chaos tkgdn - --dry-run' _ "$CBOXLAB"
check_ok "down -: the topology from standard input" '^lab tkgdn is down$' bash -c \
	'set -o pipefail; "$1" gen ring 3 --name tkgdn | "$1" down -' _ "$CBOXLAB"
check_down_clean "down -: nothing left" tkgdn

# --- help ---------------------------------------------------------------------------
check_exit "check --help: its usage and options" 0 '^usage: cboxlab check \[--timeout S\] \[--no-matrix\] \[--tap\] \[--junit FILE\] \[--json\] LAB \[CHECKS\.json\]' \
	cbx check --help
check_exit "capture --help: a lettered option shows its value (-w FILE)" 0 '^usage: cboxlab capture \[-w FILE\] \[-c N\] \[--duration T\]' \
	cbx capture --help
check_exit "graph --help" 0 '--format F +dot \(default\), mermaid, or svg' cbx graph --help
check_exit "gen --help: an example" 0 'Example: cboxlab gen ring 5 \| cboxlab up -' cbx gen --help
check_exit "check: an unknown option" 2 'unknown option --bogus' cbx check --bogus tkx
check_fails_with "check: a lab that is not up" 'lab "tknotup" is not up' cbx check tknotup

# One LAN of 50: more neighbour entries than the host's tables hold, which
# every namespace shares: during its check the ARP table is full (1,025
# entries here, "neighbor table overflow" in the kernel's log). Last in this
# script, and followed by a wait until the table has room again: the two
# captures of a single ping that came right after it once saw nothing under
# make check's load, possibly their neighbour refused while the kernel still
# counted the LAN's entries (unloaded, they are gone when down returns).
if [ "$(cat /proc/sys/net/ipv4/neigh/default/gc_thresh3)" -lt 2450 ]; then
	python3 - "$TMP/tkwide.json" <<'EOF'
import json, sys
nodes = {"n%d" % i: {"interfaces": {"eth0": {"network": "lan"}}} for i in range(1, 51)}
json.dump({"name": "tkwide", "networks": {"lan": {"subnet": "10.60.0.0/24"}},
           "defaults": {"limits": {"memory": "16M"}}, "nodes": nodes}, open(sys.argv[1], "w"))
EOF
	lab_up "$TMP/tkwide.json" >/dev/null
	check_exit "check: a LAN of 50 is warned of the host's neighbour tables, and fails" 1 \
		'warning: every pair needs 2450 ARP neighbour entries and the host.s tables hold [0-9]+' \
		cbx check --timeout 0.3 tkwide
	check_down_clean "check: the LAN of 50 down leaves nothing" tkwide
	for _ in $(seq 100); do
		[ $((16#$(awk 'NR == 2 { print $1 }' /proc/net/stat/arp_cache))) -lt \
			$(($(cat /proc/sys/net/ipv4/neigh/default/gc_thresh3) / 2)) ] && break
		sleep 0.1
	done
else
	skip "check: a LAN of 50 is warned of the host's neighbour tables" "this host's tables hold 2450 entries"
fi

finish
