# The course labs (topologies/course/): each comes up, its solution
# (solution.sh, run against the running lab as a teacher would) makes
# `cboxlab check` exit 0, and it comes down clean. The static routing lab is
# also checked unsolved, as a student's unfinished work is: check exits 1
# and names each failing assertion. Each lab runs from a copy of its folder
# under a test lab name of its own.
source "$(dirname "$0")/lib.sh"

export CBOXLAB

# course FOLDER LAB: a copy of the lab's folder, renamed LAB; prints its
# topology's path.
course() {
	cp -a "$TOP/topologies/course/$1" "$TMP/$2"
	python3 - "$TMP/$2/topology.json" "$2" <<'EOF2'
import json, sys
t = json.load(open(sys.argv[1]))
t["name"] = sys.argv[2]
json.dump(t, open(sys.argv[1], "w"))
EOF2
	echo "$TMP/$2/topology.json"
}

# solved FOLDER LAB WHAT: up, solution, check exits 0, down clean.
solved() {
	local folder=$1 lab=$2 what=$3 f
	f=$(course "$folder" "$lab")
	check_ok "$what: up" "lab $lab is up" lab_up "$f"
	check_ok "$what: the solution applies" '' sh "$TMP/$lab/solution.sh" "$lab"
	check_exit "$what: cboxlab check passes on the solved lab" 0 \
		"lab $lab: every pair and check holds" cbx check "$lab" --timeout 2
	check_down_clean "$what: down leaves nothing" "$lab"
}

# --- static routing: unsolved, then solved ------------------------------------

f=$(course static-routing tcstatic)
check_ok "static routing: up" 'lab tcstatic is up' lab_up "$f"
check_exit "static routing, unsolved: check exits 1 and names the failing assertion" 1 \
	'FAIL h1 reaches h3 across the three routers: 10\.41\.3\.10 does not answer' \
	cbx check tcstatic --timeout 1 --no-matrix
check_exit "static routing, unsolved: a route check fails too" 1 \
	'FAIL r2 routes lan1 through r1: absent' cbx check tcstatic --timeout 1 --no-matrix
# check_json LAB: check --json, read back: a line per check ("pass NAME",
# "fail NAME"), the lab's result, and check's own exit status.
check_json() {
	local out rc
	out=$(cbx check "$1" --json --timeout 1)
	rc=$?
	python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
for c in r["checks"]:
    print("pass" if c["ok"] else "fail", c["kind"], c["name"])
print("lab", r["lab"], r["result"], "matrix", len(r["pairs"]), "pairs")' <<<"$out" || return 3
	return $rc
}
check_exit "static routing, unsolved: check --json gives each check's result, exit 1" 1 \
	'^fail reach h1 reaches h3 across the three routers$' check_json tcstatic
check_ok "static routing: the solution applies" '' sh "$TMP/tcstatic/solution.sh" tcstatic
check_exit "static routing: cboxlab check passes on the solved lab" 0 \
	'lab tcstatic: every pair and check holds' cbx check tcstatic --timeout 2
check_exit "static routing, solved: check --json says pass, with the matrix" 0 \
	'^lab tcstatic pass matrix [1-9][0-9]* pairs$' check_json tcstatic
check_down_clean "static routing: down leaves nothing" tcstatic

# --- NAT and a firewall, VLANs: nothing beyond the host's nft ------------------

if command -v nft >/dev/null; then
	solved nat-firewall tcnatfw "NAT and firewall"
else
	for t in up "the solution applies" "cboxlab check passes on the solved lab" \
		"down leaves nothing"; do
		skip "NAT and firewall: $t" "nft is not installed (Debian's nftables: make deps installs it)"
	done
fi
solved vlans tcvlans "VLANs"

# --- DNS and DHCP: dnsmasq from the host ------------------------------------------

if command -v dnsmasq >/dev/null || [ -x /usr/sbin/dnsmasq ]; then
	solved dns-dhcp tcdhcp "DNS and DHCP"
else
	for t in up "the solution applies" "cboxlab check passes on the solved lab" \
		"down leaves nothing"; do
		skip "DNS and DHCP: $t" "dnsmasq is not installed (Debian's dnsmasq-base: make deps installs it)"
	done
fi

# --- OSPF: FRR from the host --------------------------------------------------------

if [ -x /usr/lib/frr/zebra ] && [ -x /usr/lib/frr/ospfd ]; then
	solved ospf tcospf "OSPF"
else
	for t in up "the solution applies" "cboxlab check passes on the solved lab" \
		"down leaves nothing"; do
		skip "OSPF: $t" "FRR is not installed (Debian's frr: make deps installs it)"
	done
fi

finish
