# NAT to the outside: a node on a NAT network reaches a server "outside"
# (a test namespace behind a test veth on the host), which sees the host's
# address, not the node's. Nothing leaves this machine.
source "$(dirname "$0")/lib.sh"

f=$(topo tnat <<'EOF2'
{ "name": "tnat",
  "networks": { "inside": { "subnet": "10.82.0.0/24", "nat": true },
                "plain":  { "subnet": "10.83.0.0/24", "gateway": true } },
  "nodes": { "c": { "interfaces": { "eth0": { "network": "inside" } } },
             "p": { "interfaces": { "eth0": { "network": "plain" } } } } }
EOF2
)
lab_up "$f" >/dev/null 2>&1

# The "outside": a namespace with a server that answers with the address it
# sees the client connect from.
ip netns add cbxt-out
ip link add cbxt-o0 type veth peer name eth0 netns cbxt-out
ip addr add 198.18.7.1/24 dev cbxt-o0
ip link set cbxt-o0 up
ip -n cbxt-out addr add 198.18.7.2/24 dev eth0
ip -n cbxt-out link set eth0 up
ip -n cbxt-out link set lo up
ip -n cbxt-out route add default via 198.18.7.1
# Replies come back in through the test veth: let the host forward those
# (only that interface; the host's own forwarding setting is untouched).
sysctl -qw net.ipv4.conf.cbxt-o0.forwarding=1
ip netns exec cbxt-out python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 9000)); s.listen(8)
while True:
    c, peer = s.accept(); c.sendall((peer[0] + "\n").encode()); c.close()
' &
server=$!
# Until it listens: python's start takes seconds in the test VM (qemu TCG).
for _ in $(seq 200); do
	ip netns exec cbxt-out ss -Hltn 'sport = :9000' | grep -q . && break
	sleep 0.05
done

check_output "a node on a NAT network reaches the outside, seen as the host (masquerade)" '^198\.18\.7\.1$' \
	in_node tnat c nc -w 2 198.18.7.2 9000
check_output "the outside never sees the node's own address" '^$' \
	bash -c "$CBOXLAB exec tnat c -- nc -w 2 198.18.7.2 9000 | grep 10.82"
check_fails "a network without NAT does not get out (no masquerade, no forwarding)" \
	in_node tnat p nc -w 2 198.18.7.2 9000
check_output "the NAT network's bridge forwards" '^1$' sysctl -n net.ipv4.conf.tnat-b0.forwarding
check_output "a network without NAT does not" '^0$' sysctl -n net.ipv4.conf.tnat-b1.forwarding
kill $server 2>/dev/null
wait $server 2>/dev/null
check_down_clean "down leaves nothing (and the lab's nftables table is gone)" tnat
check_fails "no cboxlab-tnat table after down" nft list table inet cboxlab-tnat
finish
