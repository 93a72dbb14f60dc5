#!/bin/sh
# Builds the default node root filesystem from the host's static busybox:
# a few hundred kilobytes, no download, identical on every machine with the
# busybox-static package. Nodes mount it read-only as the lower layer of
# their overlay, so one copy serves every node of every lab.
#
# Usage: tools/mkrootfs.sh DIR
set -eu

out=${1:?usage: mkrootfs.sh DIR}
busybox=${BUSYBOX:-/bin/busybox}

if ! "$busybox" --list >/dev/null 2>&1; then
	echo "mkrootfs: $busybox is missing; install the busybox-static package" >&2
	exit 1
fi
# A dynamic busybox would need the host's libraries inside every node.
case "$(LC_ALL=C ldd "$busybox" 2>&1 || true)" in
*"not a dynamic executable"*|*"statically linked"*) ;;
*)	echo "mkrootfs: $busybox is dynamically linked; install busybox-static" >&2
	exit 1 ;;
esac

tmp="$out.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp"
cd "$tmp"
mkdir -p bin sbin usr/bin usr/sbin etc root tmp run proc sys dev var/log var/run home mnt
chmod 1777 tmp
chmod 700 root
cp "$busybox" bin/busybox
# One symlink per applet, where busybox itself would install it.
"$busybox" --list-full | while read -r applet; do
	[ -e "$applet" ] || ln -s /bin/busybox "$applet"
done
cat > etc/passwd <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat > etc/group <<'GROUP'
root:x:0:
tty:x:5:
nogroup:x:65534:
GROUP
# Replaced in every node by the lab's own /etc/hosts (a read-only bind).
printf '127.0.0.1\tlocalhost\n' > etc/hosts
printf 'hosts: files dns\n' > etc/nsswitch.conf
: > etc/resolv.conf
printf 'export PS1="\\h:\\w# "\n' > etc/profile
cd - >/dev/null
rm -rf "$out"
mv "$tmp" "$out"
