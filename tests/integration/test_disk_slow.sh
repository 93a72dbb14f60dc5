# Slow disk: `throttle` limits a "storage": "disk" node's disk through
# cgroup v2's io.max on the block device under its folder (direct and
# buffered writes), `throttle ... clear` and a chaos run's end remove it,
# status shows it. Where it cannot work it says why: a node in memory, a
# host with cgroup v1 (this project's machines: those checks run here), a
# disk root without a block device. The throttling itself runs where cgroup
# v2 and a block device are (the stock-kernel VM gives it a scratch disk,
# $CBX_TEST_BLOCK_DIR).
source "$(dirname "$0")/lib.sh"

# The disk root: a folder of ours on a block device; at most a few MB are
# written to it.
base=${CBX_TEST_BLOCK_DIR:-/var/tmp}
disk=$(mktemp -d "$base/cbxt-disk.XXXXXX")
export CBOXLAB_DISK_ROOT=$disk
trap '_cleanup; rm -rf "$disk"' EXIT

f=$(topo tdslow <<'EOF2'
{ "name": "tdslow",
  "nodes": { "d": { "storage": "disk", "cmd": "sleep 1000000" }, "m": { } } }
EOF2
)
lab_up "$f" >/dev/null
in_force() {
	cbx status tdslow --json | python3 -c '
import json, sys
for f in json.load(sys.stdin)["faults_in_force"]:
    print(f["kind"], f["node"], " ".join(f"{k}={v}" for k, v in sorted(f.get("settings", {}).items())))'
}
ms_of() { # cmd...: how long it took, in ms (its output dropped); fails with it
	local t0=$(date +%s%N)
	"$@" >/dev/null 2>&1 || return 1
	echo $((($(date +%s%N) - t0) / 1000000))
}

check_fails_with "throttle refuses a node in memory, saying why" \
	'node m keeps its files in memory: io.max slows block devices' cbx throttle tdslow m wbps=1M
check_fails_with "throttle refuses a bad limit" 'bad wbps "fast"' cbx throttle tdslow d wbps=fast
check_fails_with "throttle refuses an unknown limit" 'bad speed "1": not a disk limit' \
	cbx throttle tdslow d speed=1

dev_major=$(stat -c %Hd "$disk")
if [ "$(cgroup_layout)" != v2 ]; then
	check_fails_with "on cgroup v1 throttle refuses, saying why" \
		'a slow disk needs cgroup v2 \(io.max\): this host.s cgroups are v1' \
		cbx throttle tdslow d wbps=1M
	why="cgroup v1 here: io.max is cgroup v2's (v1 blkio throttles direct I/O only)"
elif [ "$dev_major" = 0 ]; then
	check_fails_with "on a disk root without a block device throttle refuses, saying why" \
		'is on a file system without a block device' cbx throttle tdslow d wbps=1M
	why="the disk root $disk is on $(stat -f -c %T "$disk"), not a block device"
else
	why=""
fi

names=("throttle wbps=512K" "a direct 2 MiB write takes 4 s"
	"a buffered 2 MiB write and its fsync take 4 s" "status shows the slow disk"
	"status --json: a disk-slow fault with its settings" "throttle clear"
	"after clear the same write is fast" "chaos: a plan's throttle is removed at the run's end")
if [ -n "$why" ]; then
	for t in "${names[@]}"; do skip "$t" "$why"; done
else
	write2m() { in_node tdslow d dd if=/dev/zero of=/f bs=64k count=32 "$@"; }
	check_ok "${names[0]}" "node d: wbps=524288" cbx throttle tdslow d wbps=512K
	took=$(ms_of write2m oflag=direct)
	# 2 MiB at 512 KiB/s: 4 s; io.max lets a slice's worth through at once.
	if [ -n "$took" ] && [ "$took" -ge 3000 ]; then ok "${names[1]}"
	else not_ok "${names[1]}" "took ${took:-a failure} ms"; fi
	took=$(ms_of write2m conv=fsync)
	if [ -n "$took" ] && [ "$took" -ge 3000 ]; then ok "${names[2]}"
	else not_ok "${names[2]}" "took ${took:-a failure} ms"; fi
	check_ok "${names[3]}" "fault: disk slow: d: wbps=524288" cbx status tdslow
	check_ok "${names[4]}" "^disk-slow d wbps=524288$" in_force
	check_ok "${names[5]}" "node d: disk limits removed" cbx throttle tdslow d clear
	took=$(ms_of write2m oflag=direct)
	if [ -n "$took" ] && [ "$took" -lt "$(scaled 2000)" ]; then ok "${names[6]}"
	else not_ok "${names[6]}" "took ${took:-a failure} ms"; fi
	cat >"$TMP/plan.json" <<'EOF2'
{ "steps": [ { "at": "0s", "do": "throttle", "node": "d", "wbps": "1M", "riops": "100" },
             { "at": "0.3s", "do": "end" } ] }
EOF2
	out=$(cbx chaos tdslow "$TMP/plan.json" 2>&1)
	if grep -q '"what":"throttle d wbps=1048576 riops=100"' <<<"$out" && [ -z "$(in_force)" ]; then
		ok "${names[7]}"
	else
		not_ok "${names[7]}" "$out" "in force: $(in_force)"
	fi
fi

check_down_clean "down leaves nothing" tdslow
check_ok_without "down removed the lab's folder on disk" "tdslow" ls "$disk"
finish
