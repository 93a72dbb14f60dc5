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
out=$(cbx check tktri 2>&1)
rc=$?
check_exit "check: a partition fails check (exit 1)" 1 'lab tktri: [0-9]+ pair\(s\) and 0 check\(s\) failed' \
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
	'x\.json: checks\[0\]\.from: no node "nobody"' \
	bash -c 'echo "{\"checks\": [{\"from\": \"nobody\", \"reach\": \"h1\"}]}" >"$0/x.json"; "$1" check tktri "$0/x.json"' "$TMP" "$CBOXLAB"
check_down_clean "check: triangle down leaves nothing" tktri

# The topology's own checks.
f=$(topo tkchk <<'EOF'
{ "name": "tkchk",
  "links": [ { "endpoints": ["a:eth0", "b:eth0"], "subnet": "10.0.0.0/30", "subnet6": "fd00:77::/64" } ],
  "nodes": { "a": { "cmd": "httpd -p 80 -h /etc" }, "b": {} },
  "checks": [ { "from": "b", "tcp": "a", "port": 80 }, { "from": "b", "reach": "a", "family": 6 } ] }
EOF
)
lab_up "$f" >/dev/null
check_ok "checks: the topology's own hold" '^  ok   b reaches a: fd00:77::1 answers$' cbx check tkchk
cbx stop tkchk a >/dev/null
check_exit "checks: a stopped server fails its port check (its netns still answers ping)" 1 \
	'^  FAIL b: tcp port 80 on a is open: 10\.0\.0\.1 port 80: Connection refused' cbx check tkchk
check_down_clean "checks: down leaves nothing" tkchk

# --- check at scale: 51 nodes, IPv4 and IPv6 ---------------------------------
# Ten LANs of five behind one router: a single LAN of 50 would need 2450
# neighbour entries of each family for every pair, and the host's tables
# (shared by every netns) hold 1024 by default (check warns of that).
python3 - "$TMP/tkbig.json" <<'EOF'
import json, sys
nets = {"lan%d" % k: {"subnet": "10.5%d.0.0/24" % k, "subnet6": "fd00:5%d::/64" % k} for k in range(10)}
nodes = {"r": {"interfaces": {"eth%d" % k: {"network": "lan%d" % k, "addresses": ["10.5%d.0.1" % k, "fd00:5%d::1" % k]}
                              for k in range(10)},
               "sysctls": {"net.ipv4.ip_forward": 1, "net.ipv6.conf.all.forwarding": 1}}}
for k in range(10):
    for i in range(5):
        nodes["h%d-%d" % (k, i)] = {"interfaces": {"eth0": {"network": "lan%d" % k}},
                                    "gateway": "10.5%d.0.1" % k, "gateway6": "fd00:5%d::1" % k}
json.dump({"name": "tkbig", "networks": nets, "defaults": {"limits": {"memory": "16M"}}, "nodes": nodes},
          open(sys.argv[1], "w"))
EOF
lab_up "$TMP/tkbig.json" >/dev/null
start=$(date +%s%N)
out=$(cbx check tkbig 2>&1)
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
check_ok "check: 51 nodes, 5100 pairs, all reach" 'lab tkbig: every pair and check holds' replay "$out" $rc
if [ "$ms" -le "$(scaled 3000)" ]; then
	ok "check: 51 nodes' matrix in ${ms} ms (bound $(scaled 3000))"
else
	not_ok "check: 51 nodes' matrix in ${ms} ms (bound $(scaled 3000))"
fi
check_down_clean "check: the 51-node lab down leaves nothing" tkbig

# One LAN of 50: more neighbour entries than the host's tables hold.
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
else
	skip "check: a LAN of 50 is warned of the host's neighbour tables" "this host's tables hold 2450 entries"
fi

finish
