# Volumes and heal --all. A node's "volumes" are tmpfs of their own at a
# path in the node (memory and disk nodes alike): written to, made full by
# `fill --path` (ENOSPC there, through a file held open too, and nowhere
# else), unfilled, kept across a restart, and never on the host however the
# node's base lays symlinks at their path; the node cannot resize its own.
# `heal --all` undoes every kind of fault at once; plain `heal` only
# partitions.
source "$(dirname "$0")/lib.sh"

# "storage": "disk" layers go under the test's own folder, not /var/lib.
export CBOXLAB_DISK_ROOT=$TMP/disk
enospc='No space left on device'
in_force() { # LAB: the faults in force as "kind node [path]" lines
	cbx status "$1" --json | python3 -c '
import json, sys
for f in json.load(sys.stdin)["faults_in_force"]:
    print(f["kind"], f["node"], f.get("path", ""))'
}

# --- volumes ------------------------------------------------------------------
f=$(topo tvol <<'EOF2'
{ "name": "tvol",
  "nodes": {
    "a": { "volumes": ["/var/lib/redis:4M", "/spool:2M"], "cmd": "sleep 1000000" },
    "d": { "storage": "disk", "volumes": ["/data:4M"], "cmd": "sleep 1000000" },
    "u": { "userns": true, "volumes": ["/data:2M"], "cmd": "sleep 1000000" },
    "b": { }
  } }
EOF2
)
check_ok "a lab with volumes comes up" "lab tvol is up" lab_up "$f"
check_ok "a node writes into its volume" "1\+0 records out" \
	in_node tvol a dd if=/dev/zero of=/var/lib/redis/x bs=1M count=1
check_ok "the volume is a tmpfs of its own at DST in the node" '^cboxlab-volume /var/lib/redis tmpfs' \
	in_node tvol a grep ' /var/lib/redis ' /proc/mounts
check_fails_with "a write past the volume's size fails" "$enospc" \
	in_node tvol a dd if=/dev/zero of=/var/lib/redis/big bs=1M count=5
in_node tvol a rm -f /var/lib/redis/big

# A file held open across the fill: its next write needs a new block.
in_node tvol a sh -c 'exec 3>>/var/lib/redis/held
	dd if=/dev/zero bs=4k count=1 >&3 2>/dev/null
	while [ ! -e /tmp/go ]; do sleep 0.05; done
	dd if=/dev/zero bs=4k count=1 >&3 2>/tmp/held.err; echo "rc=$?" >/tmp/held.done' &
holder=$!
for _ in $(seq 100); do
	[ "$(in_node tvol a stat -c %s /var/lib/redis/held 2>/dev/null)" = 4096 ] && break
	sleep 0.05
done
check_ok "fill --path fills the node's volume" "node a has its volume /var/lib/redis full" \
	cbx fill tvol a --path /var/lib/redis
check_fails_with "a write into the full volume fails with ENOSPC" "$enospc" \
	in_node tvol a dd if=/dev/zero of=/var/lib/redis/new bs=4k count=1
check_ok "a write elsewhere in the node still works" "1\+0 records out" \
	in_node tvol a dd if=/dev/zero of=/root/elsewhere bs=4k count=1
in_node tvol a touch /tmp/go
wait "$holder"
check_ok "a file held open across the fill gets ENOSPC on its next write" "$enospc" \
	in_node tvol a cat /tmp/held.err
check_ok "status says the volume is full" "fault: disk full: a:/var/lib/redis" cbx status tvol
check_ok "status --json: disk-full with its path" "^disk-full a /var/lib/redis$" in_force tvol
check_fails_with "the node cannot resize its volume itself" \
	'Operation not permitted|[Pp]ermission denied' \
	in_node tvol a mount -o remount,size=8M /var/lib/redis
check_fails_with "nor unmount it" 'Operation not permitted|[Pp]ermission denied' \
	in_node tvol a umount /var/lib/redis
check_ok "unfill --path gives the volume its size back" "node a has its volume /var/lib/redis back" \
	cbx unfill tvol a --path /var/lib/redis
check_ok "after unfill the node writes into its volume again" "1\+0 records out" \
	in_node tvol a dd if=/dev/zero of=/var/lib/redis/new bs=1M count=1
check_ok_without "after unfill no disk fault is in force" "disk-full" in_force tvol
check_ok "fill --path of a node's second volume" "node a has its volume /spool full" \
	cbx fill tvol a --path /spool
check_fails_with "... fills that one" "$enospc" \
	in_node tvol a dd if=/dev/zero of=/spool/x bs=4k count=1
check_ok "... and not its first" "1\+0 records out" \
	in_node tvol a dd if=/dev/zero of=/var/lib/redis/y bs=4k count=1
check_ok "unfill --path /spool" "node a has its volume /spool back" cbx unfill tvol a --path /spool
check_ok "a node with a volume restarts" "node a restarted" cbx restart --timeout 0 tvol a
check_ok "... and its volume keeps its files" '^1048576$' in_node tvol a stat -c %s /var/lib/redis/x

check_ok "a storage disk node writes into its volume" "1\+0 records out" \
	in_node tvol d dd if=/dev/zero of=/data/x bs=4k count=1
check_ok "fill --path fills a storage disk node's volume" "node d has its volume /data full" \
	cbx fill tvol d --path /data/
check_fails_with "its writes there fail with ENOSPC" "$enospc" \
	in_node tvol d dd if=/dev/zero of=/data/y bs=4k count=1
check_ok "its writes to its disk layer still work" "1\+0 records out" \
	in_node tvol d dd if=/dev/zero of=/root/y bs=4k count=1
check_ok "unfill d" "node d has its volume /data back" cbx unfill tvol d --path /data

check_ok "a node in a user namespace writes into its volume (its root owns it)" "1\+0 records out" \
	in_node tvol u dd if=/dev/zero of=/data/x bs=4k count=1
check_ok "fill --path fills it" "node u has its volume /data full" cbx fill tvol u --path /data
check_fails_with "... and its writes there fail with ENOSPC" "$enospc" \
	in_node tvol u dd if=/dev/zero of=/data/y bs=4k count=1
check_ok "unfill u" "node u has its volume /data back" cbx unfill tvol u --path /data

check_fails_with "fill --path of no volume of the node lists its volumes" \
	'node a has no volume at /nope; its volumes: /var/lib/redis, /spool' cbx fill tvol a --path /nope
check_fails_with "fill of a node with volumes only says to use --path" \
	'node a has no storage of its own to fill .*fill one of its volumes with --path: /var/lib/redis, /spool' \
	cbx fill tvol a
check_fails_with "fill of a node with neither suggests volumes" \
	'node b has no storage of its own to fill: give it "storage_size".*"volumes"' cbx fill tvol b
check_fails_with "--path takes one node" "--path names one node's volume" \
	cbx fill tvol a d --path /data

check_ok "fill --path, then heal --all" "node a has its volume /var/lib/redis full" \
	cbx fill tvol a --path /var/lib/redis
check_ok "heal --all unfills volumes" "lab tvol: every fault undone" cbx heal tvol --all
check_ok "... and the node writes there again" "1\+0 records out" \
	in_node tvol a dd if=/dev/zero of=/var/lib/redis/after-heal bs=4k count=1
check_ok "disk-full-random fills a volume of a node without storage_size" \
	'"event":"apply","fault":"fill",.*"what":"fill a:/(var/lib/redis|spool)"' \
	cbx chaos tvol --nemesis disk-full-random --nodes a --interval 0.3s --duration 0.6s --seed 2
cat >"$TMP/vplan.json" <<'EOF2'
{ "steps": [ { "at": "0s", "do": "fill", "node": "d", "path": "/data" },
             { "at": "0.3s", "do": "end" } ] }
EOF2
check_ok "a chaos plan fills a volume by its path" '"fault":"fill",.*"what":"fill d:/data"' \
	cbx chaos tvol "$TMP/vplan.json"
check_ok_without "after the runs nothing is in force" "." in_force tvol
check_down_clean "tvol: down leaves nothing (the volumes' tmpfs too)" tvol

# --- attack: symlinks in the base at a volume's path --------------------------
# A directory base whose /var/lib is an absolute symlink to a host folder,
# whose /srv climbs to it with "..", and whose /opt/link is one (to a
# folder in it) at DST itself. The base has a folder at the same path, so that the symlinks lead
# somewhere in the node too: the volumes must land there, in the node's root.
H=$(mktemp -d /var/tmp/cbxt-vol.XXXXXX)
B=$TMP/base
cp -a "$TOP/build/rootfs" "$B"
mkdir -p "$B$H/inner" "$B/opt"
rm -rf "$B/var/lib" "$B/srv"
mkdir -p "$B/var"
ln -s "$H" "$B/var/lib"
ln -s ../../../../../../../..$H "$B/srv"
ln -s "$H/inner" "$B/opt/link"
cat >"$TMP/tvatk.json" <<EOF2
{ "name": "tvatk",
  "nodes": { "a": { "base": "$B", "volumes": ["/var/lib/redis:2M", "/srv/v:2M", "/opt/link:2M"],
                    "cmd": "sleep 1000000" } } }
EOF2
check_ok "a lab whose base has symlinks to the host at its volumes' paths comes up" \
	'lab tvatk is up' lab_up "$TMP/tvatk.json"
check_ok "the volume through an absolute symlink is in the node" '^in-node$' \
	in_node tvatk a sh -c 'echo in-node > /var/lib/redis/f && cat /var/lib/redis/f'
check_ok "... mounted there in the node" " $H/redis tmpfs" in_node tvatk a cat /proc/mounts
check_ok "the volume through a climbing symlink is in the node" '^in-node$' \
	in_node tvatk a sh -c 'echo in-node > /srv/v/f && cat /srv/v/f'
check_ok "the volume at a symlink is in the node" '^in-node$' \
	in_node tvatk a sh -c 'echo in-node > /opt/link/f && cat /opt/link/f'
check_ok "nothing of them is created in the host's folder" '^$' ls -A "$H"
check_ok "nothing is mounted on the host's folder" '^$' sh -c "grep ' $H' /proc/mounts || true"
check_ok "fill --path through the symlinked path fills the node's volume" \
	"node a has its volume /var/lib/redis full" cbx fill tvatk a --path /var/lib/redis
check_fails_with "... which refuses the node's writes" "$enospc" \
	in_node tvatk a dd if=/dev/zero of=/var/lib/redis/g bs=4k count=1
check_down_clean "tvatk: down leaves nothing" tvatk
check_ok "the host's folder is still empty after down" '^$' ls -A "$H"
rm -rf "$H"

# --- heal --all ---------------------------------------------------------------
f=$(topo thall <<'EOF2'
{ "name": "thall",
  "networks": { "n": { "subnet": "10.252.40.0/24" } },
  "nodes": {
    "a": { "interfaces": { "eth0": { "network": "n" } }, "storage_size": "8M",
           "cmd": "sleep 1000000" },
    "b": { "interfaces": { "eth0": { "network": "n" } }, "cmd": "sleep 1000000" }
  } }
EOF2
)
lab_up "$f" >/dev/null
reach() { in_node thall a ping -c1 -W1 10.252.40.2 >/dev/null 2>&1; }
kinds() { in_force thall | awk '{print $1}' | sort -u | tr '\n' ' '; }
check_ok "partition" "partition: " cbx partition thall a b
check_ok "impair" "a:eth0: loss=30%" cbx impair thall a:eth0 loss=30%
check_ok "plain heal removes the partition" "every partition healed" cbx heal thall
check_ok "... and leaves the impairment" "^impair a " in_force thall
check_ok "partition again" "partition: " cbx partition thall a b
check_ok "fill a" "node a has its storage full" cbx fill thall a
check_ok "pause b" "node b paused" cbx pause thall b
check_ok "four kinds of fault in force" "^disk-full impair partition paused $" kinds
check_ok "heal --all --json reports no fault in force" '"faults_in_force": \[\]' \
	cbx heal thall --all --json
check_ok_without "status --json: no fault in force" "." in_force thall
if reach || reach || reach; then ok "after heal --all traffic passes"
else not_ok "after heal --all traffic passes" "a cannot ping b"; fi
check_ok "after heal --all the node writes again" "1\+0 records out" \
	in_node thall a dd if=/dev/zero of=/after bs=4k count=1
check_ok "... and the paused node runs" "^ok$" in_node thall b echo ok
cat >"$TMP/hplan.json" <<'EOF2'
{ "steps": [ { "at": "0s", "do": "pause", "node": "b" },
             { "at": "0s", "do": "fill", "node": "a" },
             { "at": "0.2s", "do": "heal", "all": true },
             { "at": "0.4s", "do": "end" } ] }
EOF2
cbx chaos thall "$TMP/hplan.json" >"$TMP/hlog.jsonl" 2>&1
check_ok "a plan's heal with \"all\": true is logged as heal-all at its step" \
	'"event":"remove","fault":"heal-all",.*"step":3,' cat "$TMP/hlog.jsonl"
check_down_clean "thall: down leaves nothing" thall
finish
