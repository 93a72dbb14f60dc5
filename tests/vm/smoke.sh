#!/bin/sh
# Smoke checks run in the test VM before the suite (guest-stage2.sh): they prove the VM gives
# the suite what it is there for — netem, nftables NAT, the cgroup layout asked for, overlays
# stacked on the 9p-backed root, and pivot_root into them. If one fails, the VM setup is broken,
# not cboxlab. Prints `ok - NAME` / `not ok - NAME` and appends `pass|fail NAME` to $CBX_RESULTS.
# Runs only inside the guest: it creates interfaces, tables and mounts freely there.
# shellcheck disable=SC2317  # the check_* functions are called by name through --check

config=$(cat /run/cbxvm/config 2>/dev/null || echo unknown)
results=${CBX_RESULTS:-/dev/null}
failed=0

uptime_s() { cut -d' ' -f1 /proc/uptime; }

# Runs one check function in a child shell under a time limit, so a hung check cannot hang the
# VM until the host's much longer time limit strikes.
run_check() {
	name="vm-smoke/$1"
	start=$(uptime_s)
	if out=$(timeout -k 5 120 /bin/sh "$0" --check "$2" 2>&1); then
		status=ok result=pass
	else
		status="not ok" result=fail failed=1
	fi
	echo "$status - $name ($(awk -v s="$start" '{ printf "%.1f", $1 - s }' /proc/uptime) s)"
	echo "$result $name" >>"$results"
	[ -z "$out" ] || echo "$out" | sed 's/^/    /'
}

check_cgroup_v2() {
	cg=/sys/fs/cgroup
	[ "$(stat -f -c %T $cg)" = cgroup2fs ] || { echo "$cg is not cgroup2"; return 1; }
	for c in cpu memory pids io cpuset; do
		grep -qw "$c" $cg/cgroup.subtree_control || { echo "controller $c not enabled"; return 1; }
	done
	mkdir $cg/cbxvm-smoke &&
		echo 64M >$cg/cbxvm-smoke/memory.max &&
		echo 50000 100000 >$cg/cbxvm-smoke/cpu.max &&
		echo 32 >$cg/cbxvm-smoke/pids.max &&
		sh -c "echo \$\$ >$cg/cbxvm-smoke/cgroup.procs && grep -qx '0::/cbxvm-smoke' /proc/self/cgroup"
	rc=$?
	rmdir $cg/cbxvm-smoke
	return $rc
}

check_cgroup_v1() {
	cg=/sys/fs/cgroup
	[ "$(stat -f -c %T $cg/unified)" = cgroup2fs ] || { echo "$cg/unified is not cgroup2"; return 1; }
	# as on a hybrid host: the main controllers are bound to v1, and none is enabled in v2
	[ -z "$(cat $cg/unified/cgroup.subtree_control)" ] || { echo "unified enables controllers"; return 1; }
	! grep -qwE 'cpu|memory|pids' $cg/unified/cgroup.controllers || { echo "cpu/memory/pids in v2"; return 1; }
	[ -L $cg/cpu ] && [ -f $cg/cpu/cpu.cfs_quota_us ] || { echo "no cpu -> cpu,cpuacct"; return 1; }
	for c in memory pids freezer devices blkio cpuset; do
		[ "$(stat -f -c %T $cg/$c)" = cgroupfs ] || { echo "no v1 $c hierarchy"; return 1; }
	done
	mkdir $cg/memory/cbxvm-smoke $cg/pids/cbxvm-smoke &&
		echo 67108864 >$cg/memory/cbxvm-smoke/memory.limit_in_bytes &&
		echo 32 >$cg/pids/cbxvm-smoke/pids.max &&
		sh -c "echo \$\$ >$cg/memory/cbxvm-smoke/cgroup.procs && grep -q ':memory:/cbxvm-smoke$' /proc/self/cgroup"
	rc=$?
	rmdir $cg/memory/cbxvm-smoke $cg/pids/cbxvm-smoke
	return $rc
}

check_tc_qdiscs() {
	ip link add cbxvm-a type veth peer name cbxvm-b || return 1
	tc qdisc add dev cbxvm-a root netem delay 10ms 2ms loss 1% duplicate 1% corrupt 1% reorder 5% &&
		tc qdisc show dev cbxvm-a | grep -q netem &&
		tc qdisc replace dev cbxvm-a root tbf rate 1mbit burst 32kbit latency 50ms &&
		tc qdisc add dev cbxvm-b root handle 1: htb default 1 &&
		tc class add dev cbxvm-b parent 1: classid 1:1 htb rate 10mbit &&
		tc qdisc add dev cbxvm-b parent 1:1 handle 10: netem delay 5ms &&
		tc qdisc show dev cbxvm-a && tc qdisc show dev cbxvm-b
	rc=$?
	ip link del cbxvm-a
	return $rc
}

# netem really delays: 4 pings over lo with 25 ms each way take >= 50 ms round trip.
check_netem_delays() {
	ip netns add cbxvm-smoke || return 1
	ip -n cbxvm-smoke link set lo up &&
		ip netns exec cbxvm-smoke tc qdisc add dev lo root netem delay 25ms &&
		ip netns exec cbxvm-smoke ping -c 2 -i 0.2 -W 2 127.0.0.1 >/tmp/cbxvm-ping.txt
	rc=$?
	cat /tmp/cbxvm-ping.txt
	ip netns del cbxvm-smoke
	[ $rc = 0 ] || return $rc
	awk -F/ '/^rtt|^round-trip/ { exit !($5 >= 50) }' /tmp/cbxvm-ping.txt
}

check_nftables_nat() {
	nft -f - <<-'EOF' || return 1
		table ip cbxvm_smoke {
			chain post {
				type nat hook postrouting priority srcnat;
				ip saddr 10.99.0.0/24 oifname != "cbxvm-br" counter masquerade
			}
			chain pre {
				type nat hook prerouting priority dstnat;
				tcp dport 18080 dnat to 10.99.0.2:80
			}
			chain out {
				type nat hook output priority -100;
				ip daddr 127.0.0.1 tcp dport 18080 dnat to 10.99.0.2:80
			}
		}
		table inet cbxvm_smoke_filter {
			chain input {
				type filter hook input priority 0;
				ct state established,related accept
				ip saddr 10.98.0.0/24 drop
				meta l4proto udp numgen random mod 100 < 5 drop
				fib saddr . iif oif missing drop
				limit rate 100/second accept
			}
		}
	EOF
	nft list tables
	nft delete table ip cbxvm_smoke && nft delete table inet cbxvm_smoke_filter
}

# What the suite does: an overlay whose lower layer is on the root (itself an overlay over 9p)
# and whose upper layer is on /run's tmpfs; then pivot_root into it in a new mount namespace.
check_overlay_and_pivot_root() {
	d=/run/cbxvm-smoke-ovl
	mkdir -p $d/upper $d/work $d/merged || return 1
	mount -t overlay -o lowerdir=/,upperdir=$d/upper,workdir=$d/work overlay $d/merged || return 1
	echo written >$d/merged/cbxvm-smoke &&
		[ "$(cat $d/upper/cbxvm-smoke)" = written ] &&
		[ ! -e /cbxvm-smoke ] &&
		unshare -m sh -c "
			mount --make-rprivate / &&
			cd $d/merged && mkdir -p oldroot && pivot_root . oldroot &&
			umount -l /oldroot && cat /cbxvm-smoke && ls /bin/sh"
	rc=$?
	umount $d/merged
	rm -rf $d
	return $rc
}

# Two namespaces on a bridge reach each other: veth, bridge and netns work together.
check_bridge_between_netns() {
	ip netns add cbxvm-n1 && ip netns add cbxvm-n2 && ip link add cbxvm-br type bridge || return 1
	ip link set cbxvm-br up
	rc=0
	for n in 1 2; do
		ip link add cbxvm-h$n type veth peer name eth0 netns cbxvm-n$n &&
			ip link set cbxvm-h$n master cbxvm-br up &&
			ip -n cbxvm-n$n addr add 10.99.0.$n/24 dev eth0 &&
			ip -n cbxvm-n$n link set eth0 up || rc=1
	done
	[ $rc = 0 ] && ip netns exec cbxvm-n1 ping -c 1 -W 5 10.99.0.2
	rc=$?
	ip netns del cbxvm-n1
	ip netns del cbxvm-n2
	ip link del cbxvm-br
	return $rc
}

if [ "${1:-}" = --check ]; then
	"$2"
	exit
fi

echo "smoke checks ($config, kernel $(uname -r))"
case $config in
v2) run_check cgroup-v2-layout check_cgroup_v2 ;;
v1) run_check cgroup-v1-layout check_cgroup_v1 ;;
esac
run_check tc-netem-tbf-htb check_tc_qdiscs
run_check netem-delays check_netem_delays
run_check nftables-nat-filter check_nftables_nat
run_check overlay-on-root-and-pivot-root check_overlay_and_pivot_root
run_check bridge-between-netns check_bridge_between_netns
exit $failed
