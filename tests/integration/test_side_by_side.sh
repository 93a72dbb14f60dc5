#!/usr/bin/env bash
# Labs side by side: a lab brought up while others are up starts its nodes
# from a copy of the host's mounts without the other labs' netns pins
# (runtime/mntns.h), and that leaves the other labs' pins, and the labs
# themselves, as they were. Run twice: on this host as it is, then in a
# mount namespace of the test's own laid out as systemd does it (/ shared,
# /run a tmpfs), where every pin is mounted twice and nodes start from a
# bare copy of /run instead.
source "$(dirname "$0")/lib.sh"

L=""
if [ -n "${CBXT_SYSTEMD_LAYOUT:-}" ]; then
	# Only in this process's own mount namespace (unshare below).
	mount -t tmpfs -o mode=755,nosuid,nodev cbxt-run /run && mount --make-rshared / ||
		{ echo "not ok - lay out /run and / as systemd does"; echo "1..1"; exit 1; }
	_n=$CBXT_TAP_START
	L="systemd layout: "
fi

star() { # NAME NODES SUBNET: a lab of NODES nodes on one network
	python3 - "$@" >"$TMP/$1.json" <<'EOF2'
import json, sys
name, n, subnet = sys.argv[1], int(sys.argv[2]), sys.argv[3]
print(json.dumps({"name": name, "networks": {"lan": {"subnet": subnet}},
                  "nodes": {f"n{i}": {"interfaces": {"eth0": {"network": "lan"}}}
                            for i in range(1, n + 1)}}))
EOF2
	echo "$TMP/$1.json"
}

# What a node's mount table shows of the lab's state beyond its own: a
# mount of the nodes' tmpfs outside its own folder (another node's layers),
# one of the lab's tmpfs but its /etc/hosts (topology, other nodes' PIDs),
# or any mount point under the host's /run/cboxlab. The nodes start from a
# copy of the host's mounts that has all of them; none may be left.
foreign_mounts() { # LAB NODE
	in_node "$1" "$2" awk -v node="$2" '
		($(NF - 1) == "cboxlab-nodes" && index($4, "/" node "/") != 1) ||
		($(NF - 1) == "cboxlab" && $4 != "/hosts") || $5 ~ /\/run\/cboxlab/ {
			print $4 " on " $5 " (" $(NF - 1) ")"
			bad++
		}
		END { print "foreign " bad + 0 " of " NR }' /proc/self/mountinfo
}

# How many of LAB's pins are mounted, each place once (where / is shared, a
# pin is mounted twice at the same path: on /run/netns and under it on /run).
pins_of() { awk -v p="^/run/netns/$1-" '$5 ~ p { print $5 }' /proc/self/mountinfo | sort -u | wc -l; }

a=$(star tsidea 24 10.81.0.0/24)
b=$(star tsideb 12 10.82.0.0/24)
# n12 with storage of its own: a tmpfs mounted in the lab's state (on the
# nodes' tmpfs, itself in the lab's), which its node must find where /run
# is copied bare and the state put back on it.
python3 - "$b" <<'EOF2'
import json, sys
t = json.load(open(sys.argv[1]))
t["nodes"]["n12"]["storage_size"] = "8M"
json.dump(t, open(sys.argv[1], "w"))
EOF2
lab_up "$a" >/dev/null
check_ok "${L}the first lab's 24 netns are pinned" '^24$' pins_of tsidea

_labs+=(tsideb)
out=$(cbx up "$b" --timings 2>&1)
rc=$?
check_ok "${L}a second lab comes up beside it" 'lab tsideb is up: 12 node' replay "$out" $rc
# 24 pins x 12 nodes: worth a namespace without them (mntns.c, PAYS_AT).
seen=$(sed -n "s/.*copied without the host's netns pins (\([0-9]*\) or more).*/\1/p" <<<"$out")
if [ -n "$seen" ] && [ "$seen" -ge 24 ]; then
	ok "${L}its nodes' mounts were copied without the first lab's pins ($seen seen)"
else
	not_ok "${L}its nodes' mounts were copied without the first lab's pins" "got: ${out:0:2000}"
fi
check_ok "${L}the first lab's pins are all still mounted on the host" '^24$' pins_of tsidea
check_ok "${L}and the second lab's are there too" '^12$' pins_of tsideb
check "${L}the first lab's netns are still usable with ip netns exec" \
	ip netns exec tsidea-n24 ip link show eth0
check "${L}the first lab's nodes still reach each other" in_node tsidea n1 ping -c1 -W2 n24
check "${L}the second lab's nodes reach each other" in_node tsideb n1 ping -c1 -W2 n12
check_ok "${L}the node has its root, /proc, /sys, /dev and /run" '^/ /dev /proc /sys /run $' \
	in_node tsideb n12 sh -c 'for m in / /dev /proc /sys /run; do grep -q " $m " /proc/self/mountinfo && printf "%s " $m; done'
check_ok "${L}and its /etc/hosts, from the lab's state" 'n1 n1-eth0' in_node tsideb n12 cat /etc/hosts
check_ok "${L}and its /tmp is on its own storage, a tmpfs of 8M" '^8192$' \
	in_node tsideb n12 sh -c 'df -k /tmp | awk "NR == 2 { print \$2 }"'
for node in n1 n12; do
	check_ok "${L}node $node's mounts show nothing of the lab's state but its own folder and /etc/hosts" \
		'^foreign 0 of [1-9][0-9]* *$' foreign_mounts tsideb "$node"
done

# A restart clones one node, alone: it copies the host's table itself.
check "${L}a node of the second lab restarts" cbx restart tsideb n3
check "${L}and is back on its network" in_node tsideb n3 ping -c1 -W2 n1

check_down_clean "${L}the second lab goes down and leaves nothing" tsideb
check_ok "${L}the first lab's pins are still all there" '^24$' pins_of tsidea
check_down_clean "${L}the first lab goes down and leaves nothing" tsidea

if [ -n "${CBXT_SYSTEMD_LAYOUT:-}" ]; then
	# The namespace without pins is only a speed-up: when it cannot be
	# made, here because the lab's state directory is not on /run itself
	# (a tmpfs of the test's own on /run/cboxlab), `up` says so and goes on.
	mkdir -p /run/cboxlab && mount -t tmpfs -o mode=755 cbxt-state /run/cboxlab
	lab_up "$a" >/dev/null
	_labs+=(tsideb)
	out=$(cbx up "$b" 2>&1)
	rc=$?
	check_ok "${L}a lab whose nodes cannot start without the pins still comes up" \
		'lab tsideb is up: 12 node' replay "$out" $rc
	check_ok "${L}and says why they copied the host's mounts" \
		"warning: mount namespace for the nodes: attach the lab's state directory: No such file or directory \(the nodes copy the host's mounts instead\)" \
		replay "$out" $rc
	check "${L}and its nodes reach each other" in_node tsideb n1 ping -c1 -W2 n12
	check "${L}that lab goes down" cbx down tsideb
	check "${L}and so does the first" cbx down tsidea
	umount /run/cboxlab && rmdir /run/cboxlab
	check_ok "${L}and neither leaves anything" '^$' leftovers tsideb
	check_ok "${L}of either" '^$' leftovers tsidea
fi

if [ -z "${CBXT_SYSTEMD_LAYOUT:-}" ]; then
	out=$(CBXT_SYSTEMD_LAYOUT=1 CBXT_TAP_START=$_n unshare -m --propagation private \
		bash "${BASH_SOURCE[0]}" 2>&1)
	grep -v '^1\.\.' <<<"$out"
	plan=$(sed -n 's/^1\.\.//p' <<<"$out" | tail -1)
	if [ -n "$plan" ]; then
		_n=$plan
	else
		not_ok "the run in the systemd layout finished" "${out:0:2000}"
	fi
fi
finish
