# NAT to the outside, over IPv4 and IPv6: a node on a NAT network reaches a
# server "outside" (a test namespace behind a test veth on the host), which
# sees the host's address, never the node's. Nothing leaves this machine.
source "$(dirname "$0")/lib.sh"

f=$(topo tnat <<'EOF2'
{ "name": "tnat",
  "networks": { "inside": { "subnet": "10.82.0.0/24", "subnet6": "fd82::/64", "gateway6": true,
                            "nat": true },
                "plain":  { "subnet": "10.83.0.0/24", "gateway": true } },
  "nodes": { "c": { "interfaces": { "eth0": { "network": "inside" } } },
             "p": { "interfaces": { "eth0": { "network": "plain" } } } } }
EOF2
)
lab_up "$f" >/dev/null 2>&1

# The "outside": a namespace with a server that answers with the address it
# sees the client connect from, and writes every one it sees to a file.
ip netns add cbxt-out
ip link add cbxt-o0 type veth peer name eth0 netns cbxt-out
ip addr add 198.18.7.1/24 dev cbxt-o0
ip addr add 2001:db8:7::1/64 dev cbxt-o0 nodad
ip link set cbxt-o0 up
ip -n cbxt-out addr add 198.18.7.2/24 dev eth0
ip -n cbxt-out addr add 2001:db8:7::2/64 dev eth0 nodad
ip -n cbxt-out link set eth0 up
ip -n cbxt-out link set lo up
ip -n cbxt-out route add default via 198.18.7.1
ip -n cbxt-out -6 route add default via 2001:db8:7::1
# Replies come back in through the test veth: let the host forward those
# (only that interface; the host's own forwarding settings are untouched).
# IPv6 forwards per interface only on kernels with force_forwarding (6.17);
# elsewhere only where the host forwards IPv6 already.
sysctl -qw net.ipv4.conf.cbxt-o0.forwarding=1
v6=""
if [ -e /proc/sys/net/ipv6/conf/cbxt-o0/force_forwarding ]; then
	sysctl -qw net.ipv6.conf.cbxt-o0.force_forwarding=1
elif [ "$(sysctl -n net.ipv6.conf.all.forwarding)" != 1 ]; then
	v6="the kernel has no per-interface IPv6 forwarding (force_forwarding, 6.17) and the host does not forward IPv6"
fi
: >"$TMP/peers"
ip netns exec cbxt-out python3 -c '
import socket, sys, threading
def serve(family, addr):
    s = socket.socket(family); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((addr, 9000)); s.listen(8)
    while True:
        c, peer = s.accept()
        with open(sys.argv[1], "a") as log:
            log.write(peer[0] + "\n")
        c.sendall((peer[0] + "\n").encode()); c.close()
threading.Thread(target=serve, args=(socket.AF_INET6, "::"), daemon=True).start()
serve(socket.AF_INET, "0.0.0.0")
' "$TMP/peers" &
server=$!
# Until it listens: python's start takes seconds in the test VM (qemu TCG).
for _ in $(seq 200); do
	[ "$(ip netns exec cbxt-out ss -Hltn 'sport = :9000' | wc -l)" = 2 ] && break
	sleep 0.05
done

check_ok "a node on a NAT network reaches the outside, seen as the host (masquerade)" '^198\.18\.7\.1$' \
	in_node tnat c nc -w 2 198.18.7.2 9000
if [ -n "$v6" ]; then
	skip "over IPv6 too: a node with a subnet6 address reaches the outside, seen as the host" "$v6"
else
	check_ok "over IPv6 too: a node with a subnet6 address reaches the outside, seen as the host" \
		'^2001:db8:7::1$' in_node tnat c nc -w 2 2001:db8:7::2 9000
fi
check_fails_with "a network without NAT does not get out (no masquerade, no forwarding)" 'nc: timed out' \
	in_node tnat p nc -w 2 198.18.7.2 9000
# What the server saw, every connection: the host's addresses only, never
# the node's (10.82.0.x, fd82::x).
seen='^198\.18\.7\.1 2001:db8:7::1$'
[ -n "$v6" ] && seen='^198\.18\.7\.1$'
check_ok "the outside saw only the host's addresses, never the node's" "$seen" \
	bash -c "sort -u '$TMP/peers' | tr '\n' ' ' | sed 's/ \$//'"
check_ok "the NAT network's bridge forwards" '^1$' sysctl -n net.ipv4.conf.tnat-b0.forwarding
check_ok "a network without NAT does not" '^0$' sysctl -n net.ipv4.conf.tnat-b1.forwarding
check_ok "the lab's table masquerades each family of the NAT network (and nothing else)" \
	'^ip saddr 10\.82\.0\.0/24 oifname != "tnat-b0" masquerade;ip6 saddr fd82::/64 oifname != "tnat-b0" masquerade;$' \
	bash -c "nft list table inet cboxlab-tnat | grep masquerade | sed 's/^[[:space:]]*//' | tr '\n' ';'"
kill $server 2>/dev/null
wait $server 2>/dev/null
check_down_clean "down leaves nothing (and the lab's nftables table is gone)" tnat
check_ok_without "no cboxlab-tnat table after down" 'cboxlab-tnat$' nft list tables

# A big nftables transaction: 6000 host ports published over TCP and UDP are
# 24,000 rules in one. Asking an ACK of every request overflowed the
# socket's receive buffer from 16,000 on ("begin nftables transaction:
# receive netlink answer: No buffer space available"; the same in the down
# of a 10,000-node star), and the rollback then hung 30 s on the answers
# the kernel dropped meanwhile.
python3 - >"$TMP/tmanypub.json" <<'EOF2'
import json
pubs = [f"{20000 + i}:80/{proto}" for i in range(6000) for proto in ("tcp", "udp")]
print(json.dumps({"name": "tmanypub",
    "networks": {"lan": {"subnet": "10.231.0.0/24", "gateway": True}},
    "nodes": {"a": {"interfaces": {"eth0": {"network": "lan"}}, "cmd": "httpd -f -p 80",
                    "publish": pubs}}}))
EOF2
_labs+=(tmanypub)
check_ok "a lab publishing 12,000 ports (24,000 rules in one transaction) comes up in time" \
	'lab tmanypub is up' timeout "$(($(scaled 20000) / 1000))" "$CBOXLAB" up "$TMP/tmanypub.json"
check_ok "its table has a rule for each, at each of the two hooks" '^24000$' \
	bash -c "nft list table inet cboxlab-tmanypub | grep -c dnat"
check_ok "and the last of them reaches the node" '^HTTP/1\.[01] [0-9]{3}' \
	timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/25999; printf "GET / HTTP/1.0\r\n\r\n" >&3; head -1 <&3'
check_down_clean "down leaves nothing" tmanypub
finish
