#!/bin/sh
# The teacher's solution of the OSPF lab, applied to the running lab:
# ./solution.sh [LAB] (default "ospf"). OSPF on every router (point-to-point
# links with short timers, so the lab converges in seconds), then a wait of
# up to 30 s until r1 and r2 have learnt the far LANs; `cboxlab check LAB`
# then passes.
set -e
lab=${1:-ospf}
cbx=${CBOXLAB:-cboxlab}
n=0
for r in r1 r2 r3; do
	n=$((n + 1))
	$cbx exec "$lab" "$r" -- vtysh \
		-c 'configure terminal' \
		-c 'interface eth1' -c 'ip ospf network point-to-point' \
		-c 'ip ospf hello-interval 1' -c 'ip ospf dead-interval 3' -c 'exit' \
		-c 'interface eth2' -c 'ip ospf network point-to-point' \
		-c 'ip ospf hello-interval 1' -c 'ip ospf dead-interval 3' -c 'exit' \
		-c 'router ospf' -c "ospf router-id 10.45.0.$n" \
		-c 'passive-interface eth0' -c 'network 10.45.0.0/16 area 0' -c 'end' >/dev/null
done
tries=0
until $cbx exec "$lab" r1 -- ip route show 10.45.3.0/24 | grep -q 'proto ospf' &&
	$cbx exec "$lab" r2 -- ip route show 10.45.1.0/24 | grep -q 'proto ospf' &&
	$cbx exec "$lab" r3 -- ip route show 10.45.1.0/24 | grep -q 'proto ospf'; do
	tries=$((tries + 1))
	[ $tries -lt 150 ] || { echo "OSPF did not converge in 30 s" >&2; exit 1; }
	sleep 0.2
done
