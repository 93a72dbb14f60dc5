#!/bin/sh
# The symbol rules, checked on what the build made (make check-symbols):
#  - every global symbol of libcboxlab carries the prefix of its module, so
#    that two modules never clash and a name says where it lives;
#  - libcboxlab.so exports only what the headers mark public (lab/cboxlab.h,
#    CBX_PUBLIC), all of it named cbx_* or lab_*, and hides the rest;
#  - the CLI linked to libcboxlab.so (cboxlab-shared) runs: it uses nothing
#    the library hides.
#
#   tools/check-symbols.sh BUILD_DIR     (build)
set -eu
build=${1:-build}
obj=$build/obj

# Directory -> the prefixes its files' global symbols may have.
prefixes() {
	case $1 in
	common) echo "cbx_" ;;
	netlink) echo "nl_ rtnl_ nft_ tc_ diag_" ;;
	topo) echo "cbx_ topo_" ;;
	bridge) echo "wiring_ nat_ impair_ partition_ vlan_ cbx_sysctl_" ;;
	runtime) echo "cbx_ node_ netns_ mntns_ caps_ seccomp_ userns_ rootfs_ kernel_view_ host_mask_" ;;
	lab) echo "cbx_ lab_ plan_ step_ops_ fault_ grudge_ host_" ;;
	chaos) echo "cbx_chaos_ chaos_" ;;
	image) echo "cbx_" ;;
	kit) echo "cbx_ lab_ kit_" ;;
	*) echo "" ;;
	esac
}

bad=0
for dir in "$obj"/src/*/; do
	room=$(basename "$dir")
	[ "$room" = cli ] && continue # the program, not the library
	allowed=$(prefixes "$room")
	if [ -z "$allowed" ]; then
		echo "check-symbols: src/$room has no prefixes in tools/check-symbols.sh" >&2
		bad=1
		continue
	fi
	for o in "$dir"*.o; do
		for sym in $(nm -g --defined-only "$o" | awk 'NF == 3 { print $3 }'); do
			ok=0
			for p in $allowed; do
				case $sym in "$p"*) ok=1 ;; esac
			done
			if [ $ok = 0 ]; then
				echo "check-symbols: ${o#"$obj"/}: $sym has none of the prefixes of src/$room ($allowed)" >&2
				bad=1
			fi
		done
	done
done
[ $bad = 0 ] && echo "check-symbols: every global symbol of libcboxlab has its module's prefix"

so=$build/libcboxlab.so
if [ -f "$so" ]; then
	exported=0
	for sym in $(nm -D --defined-only "$so" | awk 'NF == 3 { print $3 }'); do
		case $sym in
		cbx_* | lab_*) exported=$((exported + 1)) ;;
		_init | _fini) ;;
		*)
			echo "check-symbols: libcboxlab.so exports $sym, which is not cbx_* or lab_*" >&2
			bad=1
			;;
		esac
	done
	hidden=$(nm "$so" | awk 'NF == 3 && $2 ~ /^[tdbr]$/' | wc -l)
	echo "check-symbols: libcboxlab.so exports $exported symbols, all cbx_* or lab_*; $hidden others stay inside"
fi
if [ -x "$build/cboxlab-shared" ]; then
	if "$build/cboxlab-shared" validate topologies/lan.json >/dev/null; then
		echo "check-symbols: the CLI runs on libcboxlab.so's exports alone"
	else
		echo "check-symbols: the CLI linked to libcboxlab.so does not run" >&2
		bad=1
	fi
fi
exit $bad
