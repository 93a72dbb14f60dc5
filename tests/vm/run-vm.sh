#!/bin/bash
# Run the integration suite on Debian's stock kernel in qemu, in two cgroup layouts.
#
#   tests/vm/run-vm.sh [v2|v1|all]        (default: all; `make test-vm` runs this)
#
# Why: the development and CI machines run a kernel without sch_netem and with a hybrid
# cgroup v1/v2 layout, while most users have pure cgroup v2 and netem. This script boots
# Debian's own kernel (linux-image-amd64, not installed, only unpacked) with the host's /
# as a read-only 9p root under a tmpfs overlay, and runs the suite from this checkout:
#
#   v2  cgroup2 on /sys/fs/cgroup with every controller enabled (Debian 11+, Ubuntu 22.04+)
#   v1  one v1 hierarchy per controller plus an empty cgroup2 at /sys/fs/cgroup/unified
#       (the hybrid layout of Debian 10 and of this project's own machines)
#
# Results: build/vm/<config>-results.txt (lines `pass NAME`, `fail NAME`, `skip NAME REASON`)
# and build/vm/<config>-console.log; then tests/vm/summary.sh prints native vs. VM.
# Exit status: 0 when every configuration reported rc=0, 1 otherwise.
#
# Settings (environment):
#   CBX_VM_SUITE     command run in the checkout inside the guest, in every configuration
#                    (default: tests/run integration with the scripts of CBX_VM_V2 or CBX_VM_V1,
#                    see below); the guest sees the host's files, except under /tmp and /run (its
#                    own tmpfs)
#   CBX_VM_V2, CBX_VM_V1  the integration scripts each layout runs (names as tests/run takes them)
#   CBX_VM_SMOKE     1 (default): run tests/vm/smoke.sh first, which proves netem, nftables,
#                    cgroups and nested overlays work in the guest; 0: skip it
#   CBX_VM_ACCEL     tcg (default) or kvm
#   CBX_VM_CPU       qemu's -cpu model under tcg (default max)
#   CBX_VM_TIMEOUT   seconds per configuration before the guest is killed (default 1800)
#   CBX_VM_MEM, CBX_VM_SMP   guest memory in MiB (2048) and CPUs (2)
#   CBX_VM_CACHE     where the kernel package is downloaded and unpacked (/var/cache/cboxlab-vm)
#   CBX_VM_KERNEL_PKG  image package to boot (default: the one linux-image-amd64 depends on)
#   CBX_VM_AUTOLOAD  1 (default): the guest also sees the kernel's whole module tree, so a
#                    module missing from GUEST_MODULES is loaded on demand as on a stock
#                    install (and reported, so the list can be fixed); 0: preloaded ones only
#   CBX_VM_OUT       output folder (default: build/vm in the checkout)
#   CBX_VM_NIC       qemu's network options (default: -nic none); tests/vm/run-multihost.sh
#                    joins two guests with a socket netdev
#   CBX_VM_EXTRA_MODULES  more modules for GUEST_MODULES (space-separated), e.g. virtio_net
# Variables named CI, CBX_* (but not CBX_VM_*) and CBOXLAB* are passed into the guest.
set -euo pipefail

# Kernel modules loaded, in this order (each with its dependencies), before the suite runs:
# what the project's machines have built in (docs: /work/shared/notes/machine.md) plus netem.
# A name the kernel has built in is fine; a name that is neither a module nor built in is an
# error, so a typo cannot silently drop a feature. nft_counter, nft_payload, nft_cmp,
# nft_immediate, nft_lookup, nft_bitwise and the inet/bridge/netdev families are part of
# nf_tables.ko, so they are not listed. Anything else is still loaded on demand (see
# CBX_VM_AUTOLOAD) and then named at the end of the guest's output, so it can be added here.
GUEST_MODULES=(
	# the root file system: the host's / over virtio-9p, with a tmpfs overlay on top
	virtio_pci 9pnet_virtio 9p overlay
	# links and switches
	veth bridge macvlan vxlan tun ifb
	# nftables: NAT (masquerade, port publishing), filters, partitions, random loss
	nf_tables nf_conntrack nf_nat nft_chain_nat nft_nat nft_masq nft_redir nft_ct
	nft_fib_inet nft_fib_ipv4 nft_fib_ipv6 nft_numgen nft_limit nft_quota nft_reject_inet
	nft_meta_bridge
	# VLANs: sub-interfaces in nodes (bridge VLAN filtering is part of bridge.ko)
	8021q
	# tc: impairments, rate limits, ingress redirection
	sch_netem sch_tbf sch_htb sch_ingress cls_u32 cls_matchall cls_bpf act_mirred
	# a scratch disk (ext4 on virtio-blk) for what needs a block device: io.max (slow disk)
	virtio_blk ext4
)
# shellcheck disable=SC2206
GUEST_MODULES+=(${CBX_VM_EXTRA_MODULES:-})

readonly RESULT_MARKER='CBX-VM-RESULT'

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
PROJECT_DIR=$(cd "$SCRIPT_DIR/../.." && pwd -P)

# Which integration scripts each layout runs: those whose checks depend on
# what the native run lacks (netem, bridge VLAN filtering, pure cgroup v2,
# a block device for io.max) or on the kernel's version (escapes, isolation,
# limits). The others (argument parsing, the kit's tools, images, courses,
# the Python API ...) behave the same on any kernel and run natively only:
# the emulated runs are most of CI's 90 minutes, and every script added
# here costs about five times its native time (tests/run prints each
# script's). v1 is the hybrid layout of this project's own machines, which
# the native run covers but for the kernel: it runs fewer.
CBX_VM_V2=${CBX_VM_V2-bridge_tree chaos daemons disk_slow failures faults limits multihost netns_kind runtime security vlan volumes}
CBX_VM_V1=${CBX_VM_V1-failures limits runtime security}
default_suite() { # config
	if [[ $1 == v1 ]]; then
		echo "tests/run integration $CBX_VM_V1"
	else
		echo "tests/run integration $CBX_VM_V2"
	fi
}
suite_for() { # config
	if [[ -n ${CBX_VM_SUITE:-} ]]; then echo "$CBX_VM_SUITE"; else default_suite "$1"; fi
}
CBX_VM_SMOKE=${CBX_VM_SMOKE:-1}
CBX_VM_ACCEL=${CBX_VM_ACCEL:-tcg}
CBX_VM_TIMEOUT=${CBX_VM_TIMEOUT:-1800}
CBX_VM_MEM=${CBX_VM_MEM:-2048}
CBX_VM_SMP=${CBX_VM_SMP:-2}
# Under qemu's emulator the guest is about five times slower than this
# project's VM: the tests that time commands scale their bounds by this.
if [ "$CBX_VM_ACCEL" = tcg ]; then
	export CBX_TIME_SCALE=${CBX_TIME_SCALE:-5}
fi
CBX_VM_CACHE=${CBX_VM_CACHE:-/var/cache/cboxlab-vm}
CBX_VM_KERNEL_PKG=${CBX_VM_KERNEL_PKG:-}
CBX_VM_AUTOLOAD=${CBX_VM_AUTOLOAD:-1}
CBX_VM_OUT=${CBX_VM_OUT:-$PROJECT_DIR/build/vm}

log() { printf 'run-vm: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
	sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
}

# ---------------------------------------------------------------------------------------------
# Host tools. CI runs on a fresh Debian 12 with nothing but what .ci/run installs, and without
# stdin, so anything missing is installed here without questions.

busybox_is_static() {
	local out
	[[ -x /bin/busybox ]] || return 1
	out=$(LC_ALL=C ldd /bin/busybox 2>&1 || true)
	[[ $out == *'not a dynamic'* || $out == *statically* ]]
}

missing_host_packages() {
	command -v qemu-system-x86_64 >/dev/null || echo qemu-system-x86
	busybox_is_static || echo busybox-static
	{ command -v depmod && command -v modprobe; } >/dev/null || echo kmod
	# the smoke checks and the suite drive the kernel with these
	command -v ip >/dev/null && command -v tc >/dev/null || echo iproute2
	command -v nft >/dev/null || echo nftables
	command -v ping >/dev/null || echo iputils-ping
	return 0
}

apt_lists_are_empty() {
	! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null
}

ensure_host_packages() {
	local -a missing
	mapfile -t missing < <(missing_host_packages)
	((${#missing[@]} == 0)) && return 0
	[[ $(id -u) == 0 ]] || die "missing packages ${missing[*]} (run as root, or install them)"
	log "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	if apt_lists_are_empty; then apt-get update -q; fi
	apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null ||
		{ apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null; }
}

# ---------------------------------------------------------------------------------------------
# The kernel: Debian's image package, downloaded once into the cache and unpacked there (never
# installed). The unpacked tree stays in the cache, where the guest also finds it over 9p.

kernel_package_name() {
	if [[ -n $CBX_VM_KERNEL_PKG ]]; then
		echo "$CBX_VM_KERNEL_PKG"
		return
	fi
	# linux-image-amd64 is a metapackage; the candidate's first Depends is the real image.
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n1
}

newest_cached_kernel_package() {
	local dir
	dir=$(ls -1d "$CBX_VM_CACHE"/linux-image-*/.unpacked 2>/dev/null | sort -V | tail -n1)
	[[ -n $dir ]] && basename "$(dirname "$dir")"
}

# Prints the package name; its unpacked tree is $CBX_VM_CACHE/<package>.
fetch_and_unpack_kernel() {
	local pkg deb tree
	mkdir -p "$CBX_VM_CACHE"
	pkg=$(kernel_package_name)
	if [[ -z $pkg ]] && apt_lists_are_empty; then
		apt-get update -q >&2
		pkg=$(kernel_package_name)
	fi
	if [[ -z $pkg ]]; then
		# No apt metadata (offline?): an earlier download still does.
		pkg=$(newest_cached_kernel_package) || die "cannot tell which kernel package linux-image-amd64 depends on"
		log "apt knows no linux-image-amd64; using the cached $pkg"
	fi
	tree=$CBX_VM_CACHE/$pkg
	if [[ ! -e $tree/.unpacked ]]; then
		deb=$(ls -1 "$CBX_VM_CACHE/${pkg}_"*.deb 2>/dev/null | sort -V | tail -n1 || true)
		if [[ -z $deb ]]; then
			log "downloading $pkg into $CBX_VM_CACHE"
			# As root apt would drop to the _apt user, who may not write here: stay root.
			(cd "$CBX_VM_CACHE" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >&2)
			deb=$(ls -1 "$CBX_VM_CACHE/${pkg}_"*.deb | sort -V | tail -n1)
		fi
		log "unpacking $(basename "$deb")"
		rm -rf "$tree"
		mkdir -p "$tree"
		dpkg-deb -x "$deb" "$tree"
		depmod -b "$tree" "$(kernel_version_in "$tree")"
		touch "$tree/.unpacked"
	fi
	echo "$pkg"
}

# The package ships exactly one version under lib/modules.
kernel_version_in() {
	local -a versions
	mapfile -t versions < <(ls -1 "$1/lib/modules")
	((${#versions[@]} == 1)) || die "expected one kernel version in $1/lib/modules, found: ${versions[*]}"
	echo "${versions[0]}"
}

# ---------------------------------------------------------------------------------------------
# The initramfs: static busybox, the modules, the two guest scripts and the run's settings.

# Prints "relative/path.ko [params]" for each module to insmod, dependencies first, each once.
module_load_order() {
	local tree=$1 version=$2 module deps line path params
	local -A seen=()
	for module in "${GUEST_MODULES[@]}"; do
		if ! deps=$(modprobe -d "$tree" -S "$version" --show-depends "$module" 2>&1); then
			die "module $module: neither a module nor built into $version ($deps)"
		fi
		while read -r line; do
			case $line in
			builtin\ *) continue ;;
			insmod\ *) ;;
			*) die "module $module: unexpected modprobe line: $line" ;;
			esac
			line=${line#insmod }
			path=${line%% *}
			params=
			[[ $line == *' '* ]] && params=${line#* }
			[[ -n ${seen[$path]:-} ]] && continue
			seen[$path]=1
			echo "${path#"$tree"/} $params"
		done <<<"$deps"
	done
}

# The guest stops the suite itself a little before the host would kill the whole VM, so a hung
# test still leaves the results of the others (boot and smoke checks take under a minute).
suite_time_limit() {
	local limit=$((CBX_VM_TIMEOUT - 90))
	((limit >= 30)) || limit=30
	echo "$limit"
}

# Single-quotes a value for a POSIX shell.
sh_quote() {
	printf "'%s'" "${1//\'/\'\\\'\'}"
}

# The variables the guest's suite sees: CI and the project's own knobs.
write_guest_env() {
	local name
	while read -r name; do
		case $name in CI | CBOXLAB* | CBX_*) ;; *) continue ;; esac
		case $name in CBX_VM_* | CBX_RESULTS) continue ;; esac
		printf 'export %s=%s\n' "$name" "$(sh_quote "${!name}")"
	done < <(compgen -e | sort)
}

build_initramfs() {
	local tree=$1 version=$2 initrd=$3 stage
	# staged in the output folder (not /tmp): nothing to clean up if a step fails
	stage=$CBX_VM_OUT/initramfs
	rm -rf "$stage"
	mkdir -p "$stage"/{bin,sbin,dev,proc,sys,lower,rw,newroot,cbxvm,lib/modules}
	cp /bin/busybox "$stage/bin/busybox"
	cp "$SCRIPT_DIR/guest-init.sh" "$stage/init"
	cp "$SCRIPT_DIR/guest-stage2.sh" "$SCRIPT_DIR/smoke.sh" "$stage/cbxvm/"
	chmod 755 "$stage/init" "$stage/cbxvm/"*.sh

	local rel params
	module_load_order "$tree" "$version" >"$stage/cbxvm/modules.order"
	while read -r rel params; do
		install -D -m 644 "$tree/$rel" "$stage/lib/modules/$rel"
	done <"$stage/cbxvm/modules.order"

	{
		printf 'CBX_VM_KERNEL_VERSION=%s\n' "$(sh_quote "$version")"
		printf 'CBX_VM_MODULE_TREE=%s\n' "$(sh_quote "$tree/lib/modules/$version")"
		printf 'CBX_VM_AUTOLOAD=%s\n' "$(sh_quote "$CBX_VM_AUTOLOAD")"
		printf 'CBX_VM_PROJECT_DIR=%s\n' "$(sh_quote "$PROJECT_DIR")"
		printf 'CBX_VM_SUITE_V2=%s\n' "$(sh_quote "$(suite_for v2)")"
		printf 'CBX_VM_SUITE_V1=%s\n' "$(sh_quote "$(suite_for v1)")"
		printf 'CBX_VM_SMOKE=%s\n' "$(sh_quote "$CBX_VM_SMOKE")"
		printf 'CBX_VM_SUITE_TIMEOUT=%s\n' "$(suite_time_limit)"
		printf 'CBX_VM_RESULT_MARKER=%s\n' "$(sh_quote "$RESULT_MARKER")"
	} >"$stage/cbxvm/settings"
	write_guest_env >"$stage/cbxvm/env"

	# No cpio binary on a stock Debian: busybox has one. The archive must list every
	# directory before its contents, which find's pre-order gives.
	(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | /bin/busybox cpio -o -H newc 2>/dev/null) |
		gzip -1 >"$initrd"
}

# ---------------------------------------------------------------------------------------------
# Booting one configuration.

# TCG is the default: it is slower but works everywhere. This project's machines expose
# /dev/kvm, but it is kvm_pvm (no vmx/svm in /proc/cpuinfo), which only runs PVM-enabled
# guest kernels: Debian's kernel hangs silently there (-cpu qemu64/max) or qemu aborts on
# MSR 0x10a (-cpu host). On a machine with hardware virtualization, CBX_VM_ACCEL=kvm works.
accelerator_options() {
	case $CBX_VM_ACCEL in
	tcg) echo "-accel tcg,thread=multi -cpu ${CBX_VM_CPU:-max}" ;;
	kvm)
		[[ -r /dev/kvm && -w /dev/kvm ]] || die "CBX_VM_ACCEL=kvm but /dev/kvm is not usable"
		grep -qwE 'vmx|svm' /proc/cpuinfo ||
			log "warning: no vmx/svm CPU flag: KVM here is probably not able to boot a stock kernel"
		echo "-accel kvm -cpu host"
		;;
	*) die "CBX_VM_ACCEL must be tcg or kvm, not $CBX_VM_ACCEL" ;;
	esac
}

# Boots the guest for one cgroup layout; streams its console to stdout and into the log.
# Returns the guest's status, or 124 on a time-out, or 125 if no status came back.
boot_configuration() {
	local config=$1 vmlinuz=$2 initrd=$3
	local console_log=$CBX_VM_OUT/$config-console.log
	local results_raw=$CBX_VM_OUT/$config-results.raw
	local results=$CBX_VM_OUT/$config-results.txt
	local -a accel nic
	read -ra accel <<<"$ACCEL_OPTIONS"
	read -ra nic <<<"${CBX_VM_NIC:--nic none}"
	rm -f "$console_log" "$results_raw" "$results"

	# -nic none: no network device (none is needed, and its option ROM may be missing).
	# The console (ttyS0) goes to stdout; a second serial port (ttyS1) goes to a file and
	# carries only the results, so kernel messages on the console cannot garble them.
	# multidevs=remap: the exported / spans several host file systems; without it their
	# inode numbers could collide in the guest.
	# A scratch disk, sparse (the guest writes a few MB to it), made empty for each boot: the
	# guest formats it and gives its folder to the suite as $CBX_TEST_BLOCK_DIR.
	local scratch=$CBX_VM_OUT/$config-scratch.img
	rm -f "$scratch"
	truncate -s 256M "$scratch"
	local -a qemu=(
		qemu-system-x86_64 -name "cbxvm-$config" "${accel[@]}" -m "$CBX_VM_MEM" -smp "$CBX_VM_SMP"
		-display none -monitor none -no-reboot "${nic[@]}"
		-drive "file=$scratch,format=raw,if=virtio,cache=unsafe"
		-serial stdio -serial "file:$results_raw"
		-virtfs "local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap"
		-kernel "$vmlinuz" -initrd "$initrd"
		-append "console=ttyS0 quiet panic=-1 cbxvm.cgroup=$config"
	)
	log "booting $config ($CBX_VM_ACCEL, time limit ${CBX_VM_TIMEOUT}s)"
	# stdin from /dev/null: the guest never reads, and CI has no terminal. --foreground keeps
	# qemu in our process group, so Ctrl-C stops it too. The console's carriage returns are
	# dropped so the log reads like the native run's. `&& true` keeps set -e from acting and
	# PIPESTATUS intact.
	timeout --foreground -k 10 "$CBX_VM_TIMEOUT" "${qemu[@]}" </dev/null 2>&1 |
		sed -u 's/\r$//' | tee "$console_log" && true
	local qemu_status=${PIPESTATUS[0]}
	rm -f "$scratch"

	if [[ -s $results_raw ]]; then
		# keep only well-formed result lines
		tr -d '\r' <"$results_raw" | grep -E '^(pass|fail|skip) ' >"$results" || true
	fi
	local rc
	rc=$(guest_status_from "$results_raw" "$console_log")
	if [[ $qemu_status == 124 || $qemu_status == 137 ]]; then  # timeout's TERM, then KILL
		log "$config: the guest did not finish within ${CBX_VM_TIMEOUT}s (CBX_VM_TIMEOUT)"
		return 124
	fi
	if [[ -z $rc ]]; then
		log "$config: the guest reported no status (qemu exited with $qemu_status); see $console_log"
		return 125
	fi
	return "$rc"
}

guest_status_from() {
	local file
	for file in "$@"; do
		[[ -s $file ]] || continue
		tr -d '\r' <"$file" | grep -ao "$RESULT_MARKER rc=[0-9]*" | tail -n1 | sed 's/.*rc=//' &&
			return 0
	done
	return 0
}

# ---------------------------------------------------------------------------------------------

main() {
	local what=${1:-all}
	local -a configs
	case $what in
	all) configs=(v2 v1) ;;
	v1 | v2) configs=("$what") ;;
	-h | --help) usage; return 0 ;;
	*) usage >&2; return 2 ;;
	esac
	if [[ $(suite_for v2) == 'tests/run integration'* && ! -x $PROJECT_DIR/tests/run ]]; then
		die "tests/run does not exist yet: set CBX_VM_SUITE to the command to run (e.g. CBX_VM_SUITE=true for the smoke checks alone)"
	fi

	# qemu handles Ctrl-C and exits normally: stop here instead of booting the next one
	trap 'log "interrupted"; exit 130' INT TERM
	local t0=$SECONDS
	ACCEL_OPTIONS=$(accelerator_options)
	ensure_host_packages
	local pkg tree version
	pkg=$(fetch_and_unpack_kernel)
	tree=$CBX_VM_CACHE/$pkg
	version=$(kernel_version_in "$tree")
	mkdir -p "$CBX_VM_OUT"
	local initrd=$CBX_VM_OUT/initrd.gz
	build_initramfs "$tree" "$version" "$initrd"
	log "kernel $version, initramfs $(du -k "$initrd" | cut -f1) KiB, prepared in $((SECONDS - t0)) s"

	local config start rc failed=0
	local -a report=()
	for config in "${configs[@]}"; do
		start=$SECONDS
		rc=0
		boot_configuration "$config" "$tree/boot/vmlinuz-$version" "$initrd" || rc=$?
		report+=("$(printf '%-3s rc=%-3s %4d s  %s' "$config" "$rc" $((SECONDS - start)) \
			"$CBX_VM_OUT/$config-results.txt")")
		((rc == 0)) || failed=1
	done

	echo
	echo "== VM runs (kernel $version, $CBX_VM_ACCEL, total $((SECONDS - t0)) s)"
	printf '%s\n' "${report[@]}"
	echo
	# only the configurations run now: a file left from an earlier run would mislead
	local -a columns=("native=$PROJECT_DIR/build/native-results.txt")
	for config in "${configs[@]}"; do
		columns+=("vm-$config=$CBX_VM_OUT/$config-results.txt")
	done
	"$SCRIPT_DIR/summary.sh" "${columns[@]}" || true
	# The end of the log is what a CI page shows: the first failure of each
	# script with its diagnostics and what the script printed just before
	# (a failed `up` makes every later check of its script fail), how each
	# run ended, and every failed check with its configuration.
	for config in "${configs[@]}"; do
		[[ -r $CBX_VM_OUT/$config-console.log ]] &&
			first_failures "$config" "$CBX_VM_OUT/$config-console.log"
	done
	echo
	printf 'VM run %s\n' "${report[@]}"
	for config in "${configs[@]}"; do
		[[ -r $CBX_VM_OUT/$config-results.txt ]] &&
			sed -n "s/^fail /FAILED in vm-$config: /p" "$CBX_VM_OUT/$config-results.txt"
	done
	return "$failed"
}

# For each script with a failure, its first "not ok" line, the diagnostics
# after it, and the lines that are not TAP (stderr: cboxlab's own errors)
# among the 12 before it; at most 6 scripts.
first_failures() { # config console-log
	awk -v config="$1" '
		/^# integration: / { script = $3; seen = 0; n = 0 }
		/^not ok / && !seen && shown < 6 {
			seen = 1; shown++; tail = 4
			print "== first failure in vm-" config " " script ":"
			for (i = (n > 12 ? n - 12 : 0); i < n; i++)
				if (before[i % 12] !~ /^(ok |not ok |#|1\.\.)/) print "   " before[i % 12]
			print "   " $0
			next
		}
		tail > 0 && /^#/ { print "   " $0; tail--; next }
		{ tail = 0; before[n % 12] = $0; n++ }
	' "$2"
}

main "$@"
