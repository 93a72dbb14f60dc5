#!/bin/busybox sh
# shellcheck shell=dash disable=SC1091
# /init of the test VM's initramfs (busybox sh, PID 1). Written into the initramfs by
# run-vm.sh together with /cbxvm/{settings,env,modules.order,guest-stage2.sh,smoke.sh}.
#
# It loads the modules, builds the root file system (the host's / read-only over 9p, under a
# tmpfs overlay so the suite may write anywhere), mounts the kernel file systems and the cgroup
# layout named by `cbxvm.cgroup=v1|v2` on the kernel command line, then switch_root's into it
# and runs guest-stage2.sh there.

/bin/busybox mkdir -p /bin /proc /sys /dev
/bin/busybox --install -s /bin
export PATH=/bin

say() { echo "cbxvm-init: $*"; }
# Without a status marker the host reports the run as failed and shows this message.
die() {
	say "error: $*"
	poweroff -f
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

. /cbxvm/settings
R=/newroot
cgroup_layout=$(sed -n 's/.*cbxvm\.cgroup=\([a-z0-9]*\).*/\1/p' /proc/cmdline)

load_modules() {
	local rel params
	# A failure is reported but not fatal: e.g. crc32c-intel refuses a CPU without SSE4.2,
	# and crc32c_generic then does its job. A missing feature shows in the smoke checks.
	while read -r rel params; do
		insmod "/lib/modules/$rel" $params || say "warning: insmod $rel failed"
	done </cbxvm/modules.order
}

# The host's / over virtio-9p, read-only, under a tmpfs upper layer: the host's files are never
# written, and the suite may still write anywhere. msize: the largest the virtio transport
# takes (fewer round trips per read). cache=loose: the guest keeps what it read in its caches
# (the host's files are not expected to change during a run), sparing a trip through qemu for
# each lookup; every binary the suite runs is read this way.
mount_root() {
	local try=0
	mkdir -p /lower /rw "$R"
	# the virtio device may still be probing right after insmod
	until mount -t 9p -o ro,trans=virtio,version=9p2000.L,msize=512000,cache=loose host /lower 2>/dev/null; do
		try=$((try + 1))
		[ $try -lt 50 ] || die "cannot mount the host's / over 9p (mount_tag host)"
		sleep 0.1
	done
	mount -t tmpfs -o mode=755 rootrw /rw
	mkdir -p /rw/upper /rw/work
	mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay "$R" ||
		die "cannot mount the overlay root"
}

# Fresh kernel file systems. /run and /tmp get their own tmpfs: the suite creates overlays whose
# upper directories live under /run, and overlayfs cannot use an overlay as an upper layer.
mount_kernel_filesystems() {
	mount -t proc proc "$R/proc"
	mount -t sysfs sysfs "$R/sys"
	mount -t devtmpfs devtmpfs "$R/dev"
	mkdir -p "$R/dev/pts" "$R/dev/shm"
	mount -t devpts -o newinstance,ptmxmode=0666,mode=620,gid=5 devpts "$R/dev/pts"
	mount -t tmpfs -o mode=1777,nosuid,nodev shm "$R/dev/shm"
	mkdir -p "$R/dev/mqueue"
	mount -t mqueue mqueue "$R/dev/mqueue"
	# devtmpfs lacks the links udev or systemd make; bash's <(...) needs /dev/fd
	ln -s /proc/self/fd "$R/dev/fd"
	ln -s /proc/self/fd/0 "$R/dev/stdin"
	ln -s /proc/self/fd/1 "$R/dev/stdout"
	ln -s /proc/self/fd/2 "$R/dev/stderr"
	mount -t tmpfs -o mode=755,nosuid,nodev run "$R/run"
	mount -t tmpfs -o mode=1777,nosuid,nodev tmp "$R/tmp"
}

# A checkout under /tmp or /run (a CI clone may live there) is hidden by the fresh tmpfs
# mounted there: give it its own overlay, the host's copy below and tmpfs above.
mount_checkout_if_hidden() {
	local d="$CBX_VM_PROJECT_DIR"
	case $d in /tmp/* | /run/*) ;; *) return 0 ;; esac
	mkdir -p /rw/checkout/upper /rw/checkout/work "$R$d"
	mount -t overlay -o "lowerdir=/lower$d,upperdir=/rw/checkout/upper,workdir=/rw/checkout/work" \
		checkout "$R$d" || die "cannot mount the checkout $d"
}

# cgroup v2 the way systemd mounts it on Debian 12, with every controller enabled for children.
mount_cgroup_v2() {
	local cg="$R/sys/fs/cgroup" c
	mount -t cgroup2 -o nosuid,nodev,noexec,nsdelegate,memory_recursiveprot cgroup2 "$cg" ||
		die "cannot mount cgroup2"
	for c in $(cat "$cg/cgroup.controllers"); do
		echo "+$c" >"$cg/cgroup.subtree_control" || say "warning: cannot enable the $c controller"
	done
	say "cgroup v2, controllers enabled: $(cat "$cg/cgroup.subtree_control")"
}

controller_is_available() {
	awk -v c="$1" '$1 == c && $4 == 1 { found = 1 } END { exit !found }' /proc/cgroups
}

# The hybrid layout of Debian 10 (systemd 241): a tmpfs with one v1 hierarchy per controller
# group, co-mounted groups reachable under each member's name, systemd's named hierarchy, and
# a cgroup2 at unified with no controller enabled. The main controllers are bound to v1, so
# the v2 tree only offers what is left (hugetlb, rdma, misc), as on this project's machines.
mount_cgroup_v1() {
	local cg="$R/sys/fs/cgroup" group c all mounted=""
	mount -t tmpfs -o mode=755,nosuid,nodev,noexec cgroup "$cg" || die "cannot mount tmpfs on /sys/fs/cgroup"
	mkdir -p "$cg/unified" "$cg/systemd"
	mount -t cgroup2 -o nosuid,nodev,noexec,nsdelegate cgroup2 "$cg/unified" || die "cannot mount cgroup2"
	mount -t cgroup -o nosuid,nodev,noexec,none,name=systemd cgroup "$cg/systemd" || die "cannot mount name=systemd"
	for group in cpuset cpu,cpuacct blkio memory devices freezer net_cls,net_prio perf_event pids; do
		all=1
		for c in $(echo "$group" | tr , ' '); do
			controller_is_available "$c" || all=0
		done
		if [ $all = 0 ]; then
			say "warning: $group is not available as cgroup v1"
			continue
		fi
		mkdir -p "$cg/$group"
		mount -t cgroup -o "nosuid,nodev,noexec,$group" cgroup "$cg/$group" || die "cannot mount cgroup v1 $group"
		case $group in
		*,*)
			for c in $(echo "$group" | tr , ' '); do ln -s "$group" "$cg/$c"; done
			;;
		esac
		mounted="$mounted $group"
	done
	say "cgroup v1 hierarchies:$mounted; cgroup2 at unified, controllers left to it: [$(cat "$cg/unified/cgroup.controllers")]"
}

# Debian's whole module tree (in the host's cache, seen over 9p) where modprobe looks for it,
# so the kernel can load what GUEST_MODULES lacks on demand, as on a stock install.
expose_module_tree() {
	local dst="$R/lib/modules/$CBX_VM_KERNEL_VERSION"
	[ "$CBX_VM_AUTOLOAD" = 1 ] || return 0
	[ -d "/lower$CBX_VM_MODULE_TREE" ] || { say "warning: no module tree at $CBX_VM_MODULE_TREE"; return 0; }
	mkdir -p "$dst" && mount --bind "/lower$CBX_VM_MODULE_TREE" "$dst" ||
		say "warning: cannot expose the module tree"
}

load_modules
mount_root
mount_kernel_filesystems
mount_checkout_if_hidden
case $cgroup_layout in
v2) mount_cgroup_v2 ;;
v1) mount_cgroup_v1 ;;
*) die "cbxvm.cgroup= must be v1 or v2, not '$cgroup_layout'" ;;
esac
expose_module_tree

mkdir -p "$R/run/cbxvm"
cp /cbxvm/* "$R/run/cbxvm/"
cp /bin/busybox "$R/run/cbxvm/busybox"
echo "$cgroup_layout" >"$R/run/cbxvm/config"

# switch_root (not chroot): the new root becomes the real root mount, so the suite's
# pivot_root calls work as on a normal machine (pivot_root refuses a chroot'ed caller whose
# root is not a mount point, and the initramfs itself can never be pivoted away).
# The host's /bin/sh runs stage 2, not busybox's: Debian's static busybox prefers its own
# applets to $PATH, so the suite would get busybox's ip, tc and stat instead of the real ones.
exec switch_root "$R" /bin/sh /run/cbxvm/guest-stage2.sh
