# The OSPF example (topologies/ospf/, a lab folder): FRR in host-base
# routers, configured from the lab's files (an overlay folder per router, a
# file written from defaults), converges; a host-to-host path reroutes when
# a link of it goes down, and back when it comes up. Run as a test lab of its
# own name, from a copy of the folder (its relative paths go with it).
source "$(dirname "$0")/lib.sh"

NAMES=("OSPF converges: r1 routes to h4's LAN through r2"
	"h1 reaches h4 across the routers"
	"zebra.conf was written for each router"
	"ospfd.conf is each router's own, from its overlay folder"
	"with r1-r2 down, r1 reroutes through r3"
	"and h1 still reaches h4"
	"with the link back, r1 routes through r2 again"
	"the OSPF lab comes down clean")
if [ ! -x /usr/lib/frr/zebra ] || [ ! -x /usr/lib/frr/ospfd ]; then
	for n in "${NAMES[@]}"; do
		skip "$n" "FRR is not installed (Debian's frr: make deps installs it)"
	done
	finish
	exit 0
fi

cp -a "$TOP/topologies/ospf" "$TMP/ospf"
python3 - "$TMP/ospf/topology.json" <<'EOF'
import json, sys
t = json.load(open(sys.argv[1]))
t["name"] = "tfospf"
json.dump(t, open(sys.argv[1], "w"))
EOF
lab_up "$TMP/ospf/topology.json" >/dev/null

# route_via NEXTHOP: poll (no fixed sleep) until r1's route to h4 goes via
# NEXTHOP, for at most 30 s; prints the route it saw last.
route_via() {
	local want=$1 route="" deadline=$((SECONDS + 30 * TIME_SCALE))
	while [ $SECONDS -lt $deadline ]; do
		route=$(in_node tfospf r1 ip -4 route show 10.71.4.0/24 2>&1)
		grep -q "via $want " <<<"$route" && break
		sleep 0.2
	done
	echo "$route"
}
# reaches: poll until h1's ping reaches h4 (every router on the way, and on
# the way back, has converged), for at most 30 s.
reaches() {
	local deadline=$((SECONDS + 30 * TIME_SCALE)) out=""
	while [ $SECONDS -lt $deadline ]; do
		out=$(in_node tfospf h1 ping -c1 -W1 10.71.4.10 2>&1) && { echo "$out"; return 0; }
		sleep 0.2
	done
	echo "$out"
	return 1
}
check_ok "${NAMES[0]}" 'via 10\.71\.12\.2 dev eth1 proto ospf' route_via 10.71.12.2
check_ok "${NAMES[1]}" ' 0% packet loss' reaches
check_ok "${NAMES[2]}" '^hostname r3$' in_node tfospf r3 grep ^hostname /etc/frr/zebra.conf
check_ok "${NAMES[3]}" 'ospf router-id 10\.71\.0\.4' in_node tfospf r4 cat /etc/frr/ospfd.conf
cbx link tfospf down r1 r2 >/dev/null
check_ok "${NAMES[4]}" 'via 10\.71\.13\.2 dev eth2 proto ospf' route_via 10.71.13.2
check_ok "${NAMES[5]}" ' 0% packet loss' reaches
cbx link tfospf up r1 r2 >/dev/null
check_ok "${NAMES[6]}" 'via 10\.71\.12\.2 dev eth1 proto ospf' route_via 10.71.12.2
check_down_clean "${NAMES[7]}" tfospf

finish
