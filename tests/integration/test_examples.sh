# The shipped examples: each comes up, passes the traffic it should and not
# the traffic it should not, and comes down leaving nothing.
source "$(dirname "$0")/lib.sh"

# --- p2p: two nodes on a point-to-point link ---------------------------------
lab_up "$TOP/topologies/p2p.json" >/dev/null
check "p2p: b pings a by name" in_node p2p b ping -c1 -W2 a
check "p2p: b pings a over IPv6" in_node p2p b ping6 -c1 -W2 fd00:0:0:1::1
check_ok "p2p: b fetches a's page over TCP" '^a$' in_node p2p b wget -qO- http://a/hostname
check_ok "p2p: the link has the file's addresses" '10\.0\.0\.2/30' in_node p2p b ip -4 addr show eth0
check_down_clean "p2p: down leaves nothing" p2p

# --- lan: four hosts behind a NAT gateway, a router, a published port -------
lab_up "$TOP/topologies/lan.json" >/dev/null 2>&1
for h in h2 h3 h4; do
	check "lan: $h pings h1" in_node lan $h ping -c1 -W2 h1
done
check_ok "lan: h4 gets h1's page (TCP across the bridge)" 'hello from h1' in_node lan h4 wget -qO- http://h1/
check "lan: h2 pings the host's gateway address" in_node lan h2 ping -c1 -W2 10.10.0.1
check "lan: h2 reaches db through router r1" in_node lan h2 ping -c1 -W2 db
check_ok "lan: TCP to db's server through the router" 'db-ok' tcp_roundtrip lan h3 db 5432
check_ok "lan: published port 8080 reaches h1's server from the host" 'hello from h1' \
	bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080; printf "GET / HTTP/1.0\r\n\r\n" >&3; cat <&3'
check_ok "lan: the host's own gateway address is published too" 'hello from h1' \
	bash -c 'exec 3<>/dev/tcp/10.10.0.1/8080; printf "GET / HTTP/1.0\r\n\r\n" >&3; cat <&3'
check_fails_with "lan: a port that is not published is closed" '/dev/tcp/127\.0\.0\.1/8081: Connection refused' \
	timeout 3 bash -c 'exec 3<>/dev/tcp/127.0.0.1/8081'
# The published port's loopback rule also says "masquerade": the NAT
# network's rule is the one for its subnet, leaving through other interfaces.
check_ok "lan: the masquerade rule for the lan's subnet is in the lab's own table" \
	'^[[:space:]]*ip saddr 10\.10\.0\.0/24 oifname != "lan-b0" masquerade$' \
	nft list table inet cboxlab-lan

# --- triangle: three routers with static routes, a host behind each ---------
lab_up "$TOP/topologies/triangle.json" >/dev/null
for pair in "h1 h2" "h1 h3" "h2 h3" "h3 h1"; do
	set -- $pair
	check "triangle: $1 pings $2 across the routers" in_node triangle "$1" ping -c1 -W2 "$2"
done
check_ok "triangle: TCP echo from h2 to h1" '^ping$' tcp_roundtrip triangle h2 h1 7
check_ok "triangle: h3 reaches h1 in two router hops" '10\.0\.13\.1' \
	in_node triangle h3 traceroute -n -q1 -w1 h1
# Two labs side by side, and isolated: triangle's routers have no route to
# lan's subnet (and none out of the lab), so nothing leaves the lab.
check_fails_with "lan and triangle are isolated: triangle:h1 cannot reach lan:h1 (10.10.0.2)" \
	'1 packets transmitted, 0 packets received|Network is unreachable' \
	in_node triangle h1 ping -c1 -W1 10.10.0.2
check_down_clean "lan: down leaves nothing" lan
check_down_clean "triangle: down leaves nothing" triangle
finish
