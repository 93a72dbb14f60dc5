# When things go wrong: a failing `up` undoes what it made (and only that),
# a SIGKILLed `up` is cleaned up by `down`, `up` refuses a lab that is up,
# and `down` is idempotent and synchronous (an immediate `up` works).
source "$(dirname "$0")/lib.sh"


# A startup command that does not exist fails `up` with the reason, and
# nothing is left.
f=$(topo tbadcmd <<'EOF2'
{ "name": "tbadcmd",
  "networks": { "n": { "subnet": "10.79.0.0/24", "gateway": true } },
  "nodes": { "a": { "interfaces": { "eth0": { "network": "n" } } },
             "b": { "interfaces": { "eth0": { "network": "n" } }, "cmd": ["/no/such/daemon", "-f"] } } }
EOF2
)
_labs+=(tbadcmd)
check_exit "up with a missing command fails and says why (exit 1)" 1 \
	'node b: startup command: exec /no/such/daemon: No such file or directory' cbx up "$f"
check_ok "the failed up left nothing behind" '^$' leftovers tbadcmd

# A node that fails before it is init (its cboxlab-init cannot be exec'd)
# and one whose own setup fails (its base has a file where /etc should be):
# up says which node, which step and why, and nothing is left.
libdir=$(cd "$(dirname "$CBOXLAB")" && pwd)
[ -x "$libdir/cboxlab-init" ] || libdir=$(dirname "$libdir")
mkdir -p "$TMP/badinit/rootfs/bin" "$TMP/badetc/rootfs/bin"
: >"$TMP/badinit/rootfs/bin/busybox"
printf 'not a program\n' >"$TMP/badinit/cboxlab-init"
chmod +x "$TMP/badinit/cboxlab-init"
cp -a "$libdir/rootfs/." "$TMP/badetc/rootfs/"
rm -rf "$TMP/badetc/rootfs/etc"
: >"$TMP/badetc/rootfs/etc"
ln -s "$libdir/cboxlab-init" "$TMP/badetc/cboxlab-init"
f=$(topo tbadnode <<'EOF2'
{ "name": "tbadnode", "nodes": { "a": {} } }
EOF2
)
_labs+=(tbadnode)
check_exit "a node whose init cannot be exec'd fails up with the step and the errno (exit 1)" 1 \
	'node a: exec cboxlab-init: Exec format error' env CBOXLAB_LIBDIR="$TMP/badinit" "$CBOXLAB" up "$f"
check_ok "and leaves nothing behind" '^$' leftovers tbadnode
check_exit "a node whose own setup fails fails up with the reason (exit 1)" 1 \
	'node a: .*/etc/hosts: Not a directory' env CBOXLAB_LIBDIR="$TMP/badetc" "$CBOXLAB" up "$f"
check_ok "and leaves nothing behind either" '^$' leftovers tbadnode

# A sysctl the kernel does not have: up names it and rolls back.
f=$(topo tbadsys <<'EOF2'
{ "name": "tbadsys", "nodes": { "a": { "sysctls": { "net.ipv4.no_such_thing": 1 } } } }
EOF2
)
_labs+=(tbadsys)
check_exit "a sysctl that does not exist fails up with its name and the reason (exit 1)" 1 \
	'configure node a: set sysctl net.ipv4.no_such_thing=1: No such file or directory' cbx up "$f"
check_ok "and leaves nothing behind" '^$' leftovers tbadsys

# A node cgroup that is already there (left by a lab that crashed): up says
# which, kills the node it had started (on v1 the node is cloned before its
# cgroups are made, and waits for them), and leaves nothing.
f=$(topo tcgx <<'EOF2'
{ "name": "tcgx", "nodes": { "a": { "limits": { "memory": "64M" } } } }
EOF2
)
_labs+=(tcgx)
if [ "$(cgroup_layout)" = v2 ]; then
	cgdir=/sys/fs/cgroup
else
	cgdir=$(grep -E '^[^ ]+ /sys/fs/cgroup/[^ ]*\bmemory\b' /proc/mounts | awk '{print $2}' | head -1)
fi
mkdir -p "$cgdir/cboxlab-tcgx/a"
check_exit "a node cgroup that exists already fails up with its path (exit 1)" 1 \
	'node a: .*create cgroup .*cboxlab-tcgx/a: File exists' cbx up "$f"
check_ok "and the rollback leaves nothing" '^$' leftovers tcgx

# cgroup v1: nodes are cloned before the lab's cgroups are made (they wait
# for them), so a failure there cancels started nodes: up must report the
# cgroup, kill and reap the clones, and roll back, without hanging. The
# failure is made in a private mount namespace only: a read-only tmpfs over
# the pids hierarchy (the memory one, made first, is real and must go).
f=$(topo tcancel <<'EOF2'
{ "name": "tcancel", "defaults": { "limits": { "memory": "64M", "pids": 64 } },
  "nodes": { "a": {}, "b": {} } }
EOF2
)
_labs+=(tcancel)
pidsdir=$(grep -E '^[^ ]+ /sys/fs/cgroup/[^ ]*\bpids\b' /proc/mounts | awk '{print $2}' | head -1)
if [ "$(cgroup_layout)" = v2 ]; then
	skip "a failure making the lab's cgroups cancels the nodes started before them" \
		"cgroup v2: nodes are cloned into their cgroups, after the lab's (no cancel path)"
elif [ -z "$pidsdir" ]; then
	skip "a failure making the lab's cgroups cancels the nodes started before them" \
		"no cgroup v1 pids hierarchy mounted"
else
	check_exit "a failure making the lab's cgroups, after its nodes started, fails up with the path (exit 1)" 1 \
		"mkdir $pidsdir/cboxlab-tcancel: Read-only file system$" \
		timeout 20 unshare -m --propagation private sh -c \
		'mount -t tmpfs -o ro cbxt-ro "$1" && exec "$2" up "$3"' sh "$pidsdir" "$CBOXLAB" "$f"
	check_ok "and the cancelled nodes and the rollback leave nothing" '^$' leftovers tcancel
fi

# A lab whose saved topology is gone (an up killed before it saved it):
# down by name sweeps its node cgroups, killing their processes, in every
# hierarchy; a lab without limits has none in the first one (memory).
f=$(topo tlost <<'EOF2'
{ "name": "tlost", "nodes": { "a": {}, "b": {} } }
EOF2
)
lab_up "$f" >/dev/null
pids=$(cbx status tlost --json | python3 -c 'import json,sys; print(" ".join(str(n["pid"]) for n in json.load(sys.stdin)["nodes"] if n["pid"]))')
rm -f /run/cboxlab/tlost/topology.json
check_ok "down of a lab without its saved topology sweeps it by name" 'lab tlost is down' cbx down tlost
# (Its netns pins are not swept: a user's own may have such a name.)
ip netns del tlost-a 2>/dev/null
ip netns del tlost-b 2>/dev/null
# shellcheck disable=SC2086
check_ok "and its nodes, killed through their freezer cgroups, and cgroups are gone" '^$' \
	leftovers tlost $pids

# A link that already exists under a host name the lab needs: the kernel's
# EEXIST is reported, the lab is rolled back, and the other link stays.
f=$(topo tclash <<'EOF2'
{ "name": "tclash",
  "networks": { "n": { "subnet": "10.80.0.0/24" } },
  "nodes": { "a": { "interfaces": { "eth0": { "network": "n" } } },
             "b": { "interfaces": { "eth0": { "network": "n" } } } } }
EOF2
)
_labs+=(tclash)
ip link add tclash-1 type bridge
check_exit "a name clash fails up with the kernel's error and the object (exit 1)" 1 \
	'create veth b:eth0 \(host end tclash-1\) in netns of b: File exists' cbx up "$f"
check_ok "the rollback removed the lab" '^ ?links:tclash-1 $' leftovers tclash
check "the rollback left the other owner's link alone" ip link show tclash-1
ip link del tclash-1
check "after the clash is gone, the same file comes up" cbx up "$f"

# up of a lab that is up is refused, and leaves the running lab intact.
check_exit "up refuses a lab that is already up (exit 1)" 1 'lab "tclash" is already up' cbx up "$f"
check "the running lab still works after the refused up" in_node tclash a ping -c1 -W2 b
check_down_clean "down leaves nothing" tclash
check_ok "down is idempotent" 'was not up' cbx down tclash
# `down` of a lab that is not up removes only what is surely the lab's: a
# netns someone else pinned under a name like its nodes' stays.
ip netns add tclash-x
cbx down tclash >/dev/null 2>&1
check "down of a lab that is not up leaves others' netns pins alone" test -e /run/netns/tclash-x
ip netns del tclash-x
# ... nor one named like a node of the file it is given: `ip netns add
# relcol-a`, then `down col1.json` of relcol removed it.
ip netns add tclash-a
check_ok "down FILE of a lab that is not up says so" '^lab tclash was not up' cbx down "$f"
check "and leaves another program's netns pin named like one of its nodes" test -e /run/netns/tclash-a
# A crashed `up` (its state there) that had not pinned its nodes yet: a pin
# of that name is someone else's too.
mkdir -p /run/cboxlab/tclash
cp "$f" /run/cboxlab/tclash/topology.json
: >/run/cboxlab/tclash.lock
check_ok "down of a crashed up that pinned nothing" '^lab tclash is down' cbx down tclash
check "leaves the other program's pin" test -e /run/netns/tclash-a
ip netns del tclash-a
check_ok "and the crashed up's state is gone" '^$' leftovers tclash
check "down then an immediate up of the same file works" cbx up "$f"
check_down_clean "and down again leaves nothing" tclash

# SIGKILL `up` at different moments of a 24-node lab; `down` must always
# clean up whatever was made.
nodes=$(python3 -c 'import json; print(json.dumps({f"n{i}": {"interfaces": {"eth0": {"network": "n"}}} for i in range(24)}))')
cat >"$TMP/tkill.json" <<EOF2
{ "name": "tkill", "defaults": { "limits": { "memory": "32M" } },
  "networks": { "n": { "subnet": "10.81.0.0/24", "nat": true } },
  "nodes": $nodes }
EOF2
_labs+=(tkill)
for delay in 0.002 0.01 0.02 0.04 0.08 0.15; do
	"$CBOXLAB" up "$TMP/tkill.json" >/dev/null 2>&1 &
	upid=$!
	sleep "$delay"
	kill -9 $upid 2>/dev/null
	wait $upid 2>/dev/null
	pids=$(cat /run/cboxlab/tkill/nodes/*/pid 2>/dev/null | tr '\n' ' ')
	out=$(cbx down tkill 2>&1) || not_ok "down after up was killed at ${delay}s" "$out"
	# shellcheck disable=SC2086
	left=$(leftovers tkill $pids)
	if [ -z "$left" ]; then
		ok "up SIGKILLed after ${delay}s, then down: nothing left"
	else
		not_ok "up SIGKILLed after ${delay}s, then down: nothing left" "left:$left"
	fi
done
finish
