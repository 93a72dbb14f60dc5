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
            "cmd": "echo s1 > /tmp/who && cd /tmp && exec python3 -m http.server 8000" },
    "s2": { "interfaces": { "eth0": { "network": "n" } },
            "cmd": "echo s2 > /tmp/who && cd /tmp && exec python3 -m http.server 8000" } } }
EOF2
)
lab_up "$f" >/dev/null
sleep 1 # python's server starts listening after `up` has returned
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
check_down_clean "down leaves nothing" thost
finish
