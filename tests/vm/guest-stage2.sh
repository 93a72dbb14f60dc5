#!/bin/sh
# shellcheck shell=dash disable=SC1091
# Runs as PID 1 in the test VM's root (the host's / under a tmpfs overlay), started by
# guest-init.sh with the host's /bin/sh. Runs the smoke checks and the suite in the checkout,
# then hands the results to the host and powers off. $BB, a copy of the initramfs' busybox,
# serves where the host might lack a tool (poweroff, dmesg, sleep).
#
# The host reads two channels:
#   the console (ttyS0): everything, ending with the line `CBX-VM-RESULT rc=N`;
#   the second serial port (ttyS1): only the results file and the same marker, so kernel
#   messages on the console can never garble a result line.

BB=/run/cbxvm/busybox
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=dumb
umask 022
. /run/cbxvm/settings
. /run/cbxvm/env
config=$(cat /run/cbxvm/config)
export CBX_RESULTS=/run/cbxvm/results.txt
: >"$CBX_RESULTS"

say() { echo "cbxvm: $*"; }

# Names (as lsmod shows them) of the modules loaded although GUEST_MODULES did not bring them.
modules_loaded_on_demand() {
	awk 'FILENAME != "/proc/modules" {
			name = $1; sub(/.*\//, "", name); sub(/\.ko.*/, "", name); gsub(/-/, "_", name)
			preloaded[name] = 1; next
		}
		!($1 in preloaded) { printf "%s ", $1 }' /run/cbxvm/modules.order /proc/modules
}

report_and_power_off() {
	local rc=$1 extra
	extra=$(modules_loaded_on_demand)
	[ -z "$extra" ] || say "modules loaded on demand (add them to GUEST_MODULES): $extra"
	if [ "$rc" != 0 ]; then
		say "kernel warnings and errors (last 40):"
		{ dmesg --level=emerg,alert,crit,err,warn 2>/dev/null || $BB dmesg; } | tail -n 40
	fi
	echo "CBX-VM-RESULTS-BEGIN $config"
	cat "$CBX_RESULTS"
	echo "CBX-VM-RESULTS-END $config"
	echo "$CBX_VM_RESULT_MARKER rc=$rc"
	{
		cat "$CBX_RESULTS"
		echo "$CBX_VM_RESULT_MARKER rc=$rc"
	} >/dev/ttyS1
	sync
	# let the serial ports drain before the machine goes away
	$BB sleep 1
	$BB poweroff -f
}

ip link set lo up
hostname "cbxvm-$config"
# systemd makes every mount shared at boot, and most users run systemd; this project's own
# machines do not (their / is private). Shared here, so code that forgets to make its mount
# namespace private leaks mounts in the VM as it would on a user's machine.
mount --make-rshared /
say "$config: kernel $(uname -r), userland up after $(cut -d' ' -f1 /proc/uptime) s"
cat /proc/cgroups

# The scratch disk (run-vm.sh): ext4 on a block device, for the tests that need one (io.max).
if [ -b /dev/vda ] && mkfs.ext4 -q -F /dev/vda && mkdir -p /mnt/cbxt-block &&
	mount /dev/vda /mnt/cbxt-block; then
	export CBX_TEST_BLOCK_DIR=/mnt/cbxt-block
	say "scratch disk: /dev/vda, ext4 on $CBX_TEST_BLOCK_DIR"
else
	say "no scratch disk: the tests that need a block device skip"
fi

cd "$CBX_VM_PROJECT_DIR" || report_and_power_off 125
rc=0
if [ "$CBX_VM_SMOKE" = 1 ]; then
	say "smoke checks"
	/bin/sh /run/cbxvm/smoke.sh </dev/null || rc=1
fi
start=$(cut -d' ' -f1 /proc/uptime)
# Each layout its own list of scripts (run-vm.sh says which and why).
case $config in
v1) suite=$CBX_VM_SUITE_V1 ;;
*) suite=$CBX_VM_SUITE_V2 ;;
esac
say "running: $suite (time limit ${CBX_VM_SUITE_TIMEOUT} s)"
# The guest's own time limit, shorter than the host's: a hung suite still reports the results
# it has, with status 124 as timeout(1) gives it.
timeout -k 10 "$CBX_VM_SUITE_TIMEOUT" /bin/sh -c "$suite" </dev/null 2>&1
suite_rc=$?
[ "$suite_rc" != 124 ] || say "the suite did not finish within $CBX_VM_SUITE_TIMEOUT s"
[ "$suite_rc" = 0 ] || rc=$suite_rc
say "$config: suite exited with $suite_rc after $(awk -v s="$start" '{ printf "%.1f", $1 - s }' /proc/uptime) s"
report_and_power_off "$rc"
