# Disk and clock faults: a node with "storage_size" is refused a file larger
# than it, `fill` makes its writes fail with ENOSPC (and no other node's)
# until `unfill`, shown in status; "clock_skew" and restart --clock-skew move
# the wall clock its dynamically linked programs read (libfaketime), not a
# static program's; chaos plans and nemeses apply both and heal them.
source "$(dirname "$0")/lib.sh"

f=$(topo tdfull <<'EOF2'
{ "name": "tdfull",
  "nodes": {
    "a": { "storage_size": "8M", "cmd": "sleep 1000000" },
    "b": { },
    "h": { "base": "host", "clock_skew": "+300s" },
    "s": { "base": "host" }
  } }
EOF2
)
lab_up "$f" >/dev/null
enospc='No space left on device'
in_force() { # the faults in force as "kind node [skew]" lines
	cbx status tdfull --json | python3 -c '
import json, sys
for f in json.load(sys.stdin)["faults_in_force"]:
    print(f["kind"], f["node"], f.get("skew", ""))'
}

check_fails_with "a file larger than the node's storage_size does not fit" "$enospc" \
	in_node tdfull a dd if=/dev/zero of=/big bs=1M count=9
in_node tdfull a rm -f /big
check_ok "fill a" "node a has its storage full" cbx fill tdfull a
check_fails_with "a full node's writes to its root fail with ENOSPC" "$enospc" \
	in_node tdfull a dd if=/dev/zero of=/new bs=4k count=1
check_fails_with "... and to its /tmp" "$enospc" \
	in_node tdfull a dd if=/dev/zero of=/tmp/new bs=4k count=1
check_ok "another node of the lab still writes" "1\+0 records out" \
	in_node tdfull b dd if=/dev/zero of=/new bs=1M count=1
check_ok "status says the disk is full" "fault: disk full: a" cbx status tdfull
check_ok "status --json: a disk-full fault in force" "^disk-full a" in_force
check_ok "a node with its disk full restarts" "node a restarted" cbx restart --timeout 0 tdfull a
check_fails_with "... with its disk still full" "$enospc" \
	in_node tdfull a dd if=/dev/zero of=/new bs=4k count=1
check_ok "unfill a" "node a has its storage back" cbx unfill tdfull a
check_ok "after unfill the node writes again" "1\+0 records out" \
	in_node tdfull a dd if=/dev/zero of=/new bs=1M count=1
check_ok_without "after unfill no disk fault is in force" "disk-full" in_force
check_fails_with "fill refuses a node without storage_size, saying why" \
	'node b has no storage of its own to fill: give it "storage_size"' cbx fill tdfull b

# Wall clock: seconds ahead of the host's, read in the node.
skew_of() { # node cmd...: the node's `date +%s` minus the host's
	local node=$1 theirs
	shift
	theirs=$(in_node tdfull "$node" "$@") || return 1
	echo $((theirs - $(date +%s)))
}
check_skew() { # name want node cmd...
	local name=$1 want=$2 got
	shift 2
	got=$(skew_of "$@")
	if [ -n "$got" ] && [ "$got" -ge $((want - 5)) ] && [ "$got" -le $((want + 5)) ]; then
		ok "$name"
	else
		not_ok "$name" "skew ${got:-none}, want $want (+-5)"
	fi
}
check_skew "clock_skew +300s: date in the node is 300 s ahead" 300 h date +%s
mono_gap=$(( $(in_node tdfull h python3 -c 'import time; print(int(time.monotonic()))') - \
	$(python3 -c 'import time; print(int(time.monotonic()))') ))
if [ "${mono_gap#-}" -le 5 ]; then ok "the skew leaves CLOCK_MONOTONIC alone"
else not_ok "the skew leaves CLOCK_MONOTONIC alone" "the node's is ${mono_gap} s off the host's"; fi
check_skew "a static program (busybox) reads the host's clock: the documented limit" 0 \
	h busybox date +%s
check_skew "a node without a skew reads the host's clock" 0 s date +%s
check_ok "restart --clock-skew -1000s" "node s restarted" \
	cbx restart --timeout 0 --clock-skew -1000s tdfull s
check_skew "after restart --clock-skew -1000s the node is 1000 s behind" -1000 s date +%s
check_ok "status --json: the skew in force" "^clock-skew s -1000s" in_force
check_ok_without "a topology's own skew is not a fault in force" "clock-skew h" in_force
check_ok "restart without --clock-skew" "node s restarted" cbx restart --timeout 0 tdfull s
check_skew "... gives the node the topology's clock again" 0 s date +%s
check_ok_without "... and no skew is in force" "clock-skew" in_force
check_fails_with "a bad --clock-skew is refused" "--clock-skew: expected an offset" \
	cbx restart --clock-skew soon tdfull s

# Chaos: a plan's fill and clock-skew, logged and healed at the end.
cat >"$TMP/plan.json" <<'EOF2'
{ "steps": [
    { "at": "0s", "do": "fill", "node": "a" },
    { "at": "0s", "do": "clock-skew", "node": "s", "skew": "+50s" },
    { "at": "0.5s", "do": "end" } ] }
EOF2
check_ok "chaos: a plan of fill and clock-skew runs" '"fault":"clock-skew"' \
	cbx chaos tdfull "$TMP/plan.json"
check_ok_without "after the plan nothing is in force (unfilled, restarted with the topology's clock)" \
	"." in_force
check_ok "after the plan a writes again" "1\+0 records out" \
	in_node tdfull a dd if=/dev/zero of=/new2 bs=4k count=1
check_skew "after the plan s reads the host's clock" 0 s date +%s
check_ok "disk-full-random fills a node with storage_size and unfills it" \
	'"event":"remove","fault":"unfill",.*"nodes":\["a"\]' \
	cbx chaos tdfull --nemesis disk-full-random --interval 0.3s --duration 0.6s --seed 1
check_ok "clock-skew-random restarts a node skewed and back" \
	'"fault":"clock-skew",.*"nodes":\["s"\]' \
	cbx chaos tdfull --nemesis clock-skew-random --nodes s --interval 1s --duration 2s --seed 3
check_ok_without "after the nemeses nothing is in force" "." in_force
check_fails_with "disk-full-random refuses nodes without storage_size" \
	'needs a node with "storage_size"' \
	cbx chaos tdfull --nemesis disk-full-random --nodes b,s --interval 1s --duration 2s

check_down_clean "down leaves nothing (the node's own tmpfs too)" tdfull
finish
