# The "host" base: nodes run the host's programs (/usr read-only) with their
# own private, writable /etc, /var, /run, /tmp and /root, so one daemon
# installed on the host runs in every node without collisions.
source "$(dirname "$0")/lib.sh"

f=$(topo thost <<'EOF2'
{ "name": "thost",
  "defaults": { "base": "host" },
  "networks": { "n": { "subnet": "10.84.0.0/24" } },
  "nodes": {
    "s1": { "interfaces": { "eth0": { "network": "n" } },
            "cmd": "echo s1 > /tmp/who && cd /tmp && exec python3 -m http.server 8000",
            "ready": "tcp:8000" },
    "s2": { "interfaces": { "eth0": { "network": "n" } },
            "cmd": "echo s2 > /tmp/who && cd /tmp && exec python3 -m http.server 8000",
            "ready": "tcp:8000" } } }
EOF2
)
lab_up "$f" >/dev/null # returns once both servers listen (ready)
check_ok "a host program runs in a node (python3)" '^42$' in_node thost s1 python3 -c 'print(6*7)'
check_ok "the same daemon on the same port in two nodes: s1 serves its own file" '^s1$' \
	in_node thost s2 python3 -c 'import urllib.request; print(urllib.request.urlopen("http://s1:8000/who").read().decode().strip())'
check_ok "and s2 serves its own" '^s2$' \
	in_node thost s1 python3 -c 'import urllib.request; print(urllib.request.urlopen("http://s2:8000/who").read().decode().strip())'
check "a node can write its own /etc" in_node thost s1 sh -c 'echo private > /etc/cbxt-marker'
check_fails_with "another node does not see it" '^cat: /etc/cbxt-marker: No such file or directory$' \
	in_node thost s2 cat /etc/cbxt-marker
check_exit "the host does not see it" 1 '^$' test -e /etc/cbxt-marker
check "a node can write its own /var" in_node thost s1 sh -c 'echo 1 > /var/cbxt-marker'
check_exit "the host's /var is untouched" 1 '^$' test -e /var/cbxt-marker
check_fails_with "/usr is read-only in the node" "touch: cannot touch '/usr/cbxt-marker': Read-only file system" \
	in_node thost s1 touch /usr/cbxt-marker
check_ok "the node's /etc/hosts is the lab's" 's2 s2-eth0' in_node thost s1 cat /etc/hosts
check_ok "the node's /etc/hostname is its name" '^s1$' in_node thost s1 cat /etc/hostname
check_exit "the host's other directories (this checkout) are not there" 1 '^$' in_node thost s1 test -e "$TOP"
# A host daemon's unix socket under /var (a database's, a mail system's)
# shows through the node's /var overlay, but as the overlay's own inode,
# which no socket is bound to: connecting to it from a node reaches
# nothing of the host's.
sock=/var/tmp/cbxt-sock-$$
python3 - "$sock" >"$TMP/sock.out" 2>&1 <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(1)
s.settimeout(5)
print("listening", flush=True)
try:
    c, _ = s.accept()
    print("the host's daemon got a connection:", c.recv(100))
except socket.timeout:
    print("no connection")
os.unlink(sys.argv[1])
PY
listener=$!
for _ in $(seq 50); do grep -q listening "$TMP/sock.out" && break; sleep 0.1; done
check_ok "a node sees the host's socket file under /var" '^s' in_node thost s1 stat -c %A "$sock"
check_fails_with "but connecting to it from the node is refused" 'ConnectionRefusedError' \
	in_node thost s1 python3 -c "import socket; s = socket.socket(socket.AF_UNIX); s.connect('$sock'); s.send(b'from the node')"
wait "$listener"
check_ok "and the host's daemon got nothing" '^no connection$' sed -n 2p "$TMP/sock.out"
check_ok "(the same connect reaches a socket of the node's own there)" '^connected$' \
	in_node thost s1 python3 -c "
import socket
l = socket.socket(socket.AF_UNIX); l.bind('/var/tmp/cbxt-own'); l.listen(1)
c = socket.socket(socket.AF_UNIX); c.connect('/var/tmp/cbxt-own'); print('connected')"
check_down_clean "down leaves nothing" thost
finish
