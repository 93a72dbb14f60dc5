#!/bin/sh
# The symbol rule, checked on the built objects (make check-symbols):
# every global symbol of libcboxlab carries the prefix of its module, so
# that two modules never clash and a name says where it lives.
#
#   tools/check-symbols.sh OBJ_DIR     (build/obj)
set -eu
obj=${1:-build/obj}

# Directory -> the prefixes its files' global symbols may have.
prefixes() {
	case $1 in
	common) echo "cbx_" ;;
	netlink) echo "nl_ rtnl_ nft_ tc_ diag_" ;;
	topo) echo "cbx_ topo_" ;;
	bridge) echo "wiring_ nat_ impair_ partition_ cbx_sysctl_" ;;
	runtime) echo "cbx_ node_ netns_ mntns_ caps_ seccomp_ userns_ rootfs_ kernel_view_ host_mask_" ;;
	lab) echo "cbx_ lab_ plan_ step_ops_ fault_ grudge_ host_" ;;
	chaos) echo "cbx_chaos_ chaos_" ;;
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
exit $bad
