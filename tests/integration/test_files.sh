# Files in nodes: "binds" (read-only unless :rw), "files" (a private copy,
# variables substituted per node), "overlay" folders; what validate refuses;
# and the attacks each new way into a node invites: a symlink in a base or
# an overlay folder at a DST that points at the host, "..", a bind used to
# climb out, writing through a read-only bind (or a mount below it).
source "$(dirname "$0")/lib.sh"

L=$TMP/lab # the topology's folder: relative paths are resolved against it
mkdir -p "$L/conf" "$L/data" "$L/nodes/a/etc" "$L/hostdir"
echo "conf from the host" >"$L/conf/app.conf"
echo "motd from the host" >"$L/motd.txt"
echo "overlay of a" >"$L/nodes/a/etc/motd"
echo "host-secret" >"$L/hostdir/victim"

bad() { # name pattern json: exit 2 at validate, with the JSON path
	printf '%s' "$3" >"$L/bad.json"
	check_exit "$1" 2 "$2" "$CBOXLAB" validate "$L/bad.json"
}

# --- what works ---------------------------------------------------------------
cat >"$L/tfiles.json" <<'EOF'
{ "name": "tfiles",
  "networks": { "lan": { "subnet": "10.79.0.0/24", "subnet6": "fd00:79::/64" } },
  "defaults": {
    "overlay": "nodes/${node}",
    "files": { "/etc/frr/frr.conf": { "content": "hostname ${node}\nrouter-id ${eth0.ipv4}\n! ${eth0.ipv6} in ${lab}\n", "mode": "0600" } } },
  "nodes": {
    "a": { "interfaces": { "eth0": { "network": "lan" } },
           "binds": [ "conf:/etc/app", "data:/data:rw", "conf/app.conf:/opt/one/app.conf" ],
           "files": { "/etc/motd.copy": { "source": "motd.txt" } },
           "cmd": "cat /etc/frr/frr.conf > /tmp/seen-by-cmd; exec sleep 1000" },
    "b": { "interfaces": { "eth0": { "network": "lan" } } } } }
EOF
check_ok "a lab with binds, files and overlay folders comes up" 'lab tfiles is up' lab_up "$L/tfiles.json"
check_ok "a read-only bind shows the host's folder" '^conf from the host$' \
	in_node tfiles a cat /etc/app/app.conf
check_fails_with "writing into a read-only bind fails with EROFS" 'Read-only file system' \
	in_node tfiles a sh -c 'echo x > /etc/app/new'
check_fails_with "so does changing a file of it" 'Read-only file system' \
	in_node tfiles a sh -c 'echo x >> /etc/app/app.conf'
check_fails_with "and remounting it writable from inside" 'Operation not permitted|[Pp]ermission denied' \
	in_node tfiles a mount -o remount,rw /etc/app
check_fails_with "after which it is still read-only" 'Read-only file system' \
	in_node tfiles a sh -c 'echo x > /etc/app/new'
check_ok "the host's folder is unchanged" '^app.conf$' ls "$L/conf"
check_ok "a writable bind takes the node's write" '^$' in_node tfiles a sh -c 'echo from-node > /data/out'
check_ok "and the host sees it" '^from-node$' cat "$L/data/out"
check_ok "a bind of one file gets a mount point made for it" '^conf from the host$' \
	in_node tfiles a cat /opt/one/app.conf
check_ok "binds are nosuid and nodev" 'ro,nosuid,nodev' in_node tfiles a grep ' /etc/app ' /proc/mounts
check_ok "a file's content has the node's variables" \
	'^hostname a$' in_node tfiles a cat /etc/frr/frr.conf
check_ok "IPv4 and IPv6 addresses and the lab's name" \
	'router-id 10\.79\.0\.1.*! fd00:79::1 in tfiles' in_node tfiles a sh -c 'tr "\n" " " < /etc/frr/frr.conf'
check_ok "the same default entry gives b its own" 'hostname b router-id 10\.79\.0\.2 ' \
	in_node tfiles b sh -c 'tr "\n" " " < /etc/frr/frr.conf'
check_ok "the file has its mode" '^-rw------- ' in_node tfiles b ls -l /etc/frr/frr.conf
check_ok "the file is there before the startup command runs" '^hostname a$' \
	in_node tfiles a head -1 /tmp/seen-by-cmd
check_ok "the file is the node's to rewrite" '^rewritten$' \
	in_node tfiles a sh -c 'echo rewritten > /etc/frr/frr.conf && cat /etc/frr/frr.conf'
check_ok "a file copied from a source relative to the topology" '^motd from the host$' \
	in_node tfiles a cat /etc/motd.copy
check_ok "a's overlay folder is laid over its root" '^overlay of a$' in_node tfiles a cat /etc/motd
check_ok "b has no folder, which from defaults is no error" '^no motd$' \
	in_node tfiles b sh -c 'cat /etc/motd 2>/dev/null || echo no motd'
check_ok "the overlay folder is a read-only layer: a write stays in the node" '^mine$' \
	in_node tfiles a sh -c 'echo mine > /etc/motd && cat /etc/motd'
check_ok "and the host's copy is unchanged" '^overlay of a$' cat "$L/nodes/a/etc/motd"
check_ok "a restarted node gets its binds and files again" '^conf from the host hostname a$' \
	sh -c "'$CBOXLAB' restart tfiles a >/dev/null && '$CBOXLAB' exec tfiles a -- sh -c 'echo \$(cat /etc/app/app.conf) \$(head -1 /etc/frr/frr.conf)'"
bad "validate refuses a source in the labs' state (a lab's, while it is up)" \
	'nodes.x.binds\[0\]: the bind.s source /run/cboxlab/tfiles .*cboxlab.s state' \
	'{"name": "tfbad", "nodes": {"x": {"binds": ["/run/cboxlab/tfiles:/x"]}}}'
check_down_clean "tfiles comes down clean" tfiles
check_ok "and the host's sources are still there" '^conf from the host$' cat "$L/conf/app.conf"

# A host-base node: its overlay folder's etc/ over the host's /etc.
mkdir -p "$L/hostov/etc/tfhost" "$L/hostov/srv"
echo "host-base overlay" >"$L/hostov/etc/tfhost/x.conf"
echo "srv file" >"$L/hostov/srv/y"
cat >"$L/tfhost.json" <<'EOF'
{ "name": "tfhost",
  "nodes": { "h": { "base": "host", "overlay": "hostov",
                    "files": { "/etc/tfhost/z.conf": { "content": "z of ${node}" } } } } }
EOF
check_ok "a host-base node with an overlay folder comes up" 'lab tfhost is up' lab_up "$L/tfhost.json"
check_ok "its etc/ is over the host's /etc" '^host-base overlay$' in_node tfhost h cat /etc/tfhost/x.conf
check_ok "its other folders over the node's root" '^srv file$' in_node tfhost h cat /srv/y
check_ok "the host's programs are still there" '^/usr/bin/env$' in_node tfhost h sh -c 'command -v env'
check_ok "a file lands in the node's /etc" '^z of h$' in_node tfhost h cat /etc/tfhost/z.conf
check_ok "and not in the host's" '^absent$' sh -c 'test -e /etc/tfhost && echo present || echo absent'
check_down_clean "tfhost comes down clean" tfhost

# --- bad input: exit 2 at validate, with the JSON path ------------------------
bad "a missing bind source" 'bad.json:1:45: nodes.x.binds\[0\]: the bind.s source .*/nope does not exist' \
	'{"name": "tfbad", "nodes": {"x": {"binds": ["nope:/x"]}}}'
bad "a relative DST" 'nodes.x.binds\[0\]: "etc/x" is not an absolute path in the node' \
	'{"name": "tfbad", "nodes": {"x": {"binds": ["conf:etc/x"]}}}'
bad "a DST under /proc" 'nodes.x.binds\[0\]: "/proc/sys/kernel" is under /proc' \
	'{"name": "tfbad", "nodes": {"x": {"binds": ["conf:/proc/sys/kernel"]}}}'
bad "a DST under /sys" 'defaults.binds\[0\]: "/sys/fs" is under /sys' \
	'{"name": "tfbad", "defaults": {"binds": ["conf:/sys/fs"]}, "nodes": {"x": {}}}'
bad "a DST under /dev" 'nodes.x.files\["/dev/sda"\]: "/dev/sda" is under /dev' \
	'{"name": "tfbad", "nodes": {"x": {"files": {"/dev/sda": {"content": "x"}}}}}'
bad "a DST with .." 'nodes.x.files\["/etc/../../host"\]: "/etc/../../host" contains ".."' \
	'{"name": "tfbad", "nodes": {"x": {"files": {"/etc/../../host": {"content": "x"}}}}}'
bad "an unknown variable" 'nodes.x.files\["/a"\].content: for node x: unknown variable \$\{hostname\}' \
	'{"name": "tfbad", "nodes": {"x": {"files": {"/a": {"content": "${hostname}"}}}}}'
bad "a missing file source" 'nodes.x.files\["/a"\].source: the file.s source .*/nope.txt does not exist' \
	'{"name": "tfbad", "nodes": {"x": {"files": {"/a": {"source": "nope.txt"}}}}}'
bad "a node's own overlay folder that is missing" 'nodes.x.overlay: the overlay folder .*/nodes/zz does not exist' \
	'{"name": "tfbad", "nodes": {"x": {"overlay": "nodes/zz"}}}'

# --- attacks ------------------------------------------------------------------
# A directory base (a copy of the busybox rootfs) whose symlinks point at a
# folder of the host's: an absolute one, one that climbs with "..", one at a
# host file; an overlay folder with the same trick. The folder is outside
# /tmp (a node's /tmp is its own) and the base has one at the same path, so
# that the symlinks lead somewhere in the node too.
H=$(mktemp -d /var/tmp/cbxt-files.XXXXXX)
echo "host-secret" >"$H/victim"
B=$TMP/base
cp -a "$TOP/build/rootfs" "$B"
mkdir -p "$B$H"
ln -s "$H" "$B/etc/evil"
ln -s "$H/victim" "$B/etc/victim.conf"
ln -s ../../../../../../../../.."$H" "$B/etc/climb"
mkdir -p "$TMP/ovatk/etc"
ln -s "$H" "$TMP/ovatk/etc/ovevil"
mkdir -p "$L/bound/inner"
echo "bound" >"$L/bound/file"
ln -s ../hostdir/victim "$L/bound/escape-link"
ln -s "$L/hostdir/victim" "$L/bound/abs-link"
mount -t tmpfs cbxt-inner "$L/bound/inner"
cat >"$TMP/tfatk.json" <<EOF
{ "name": "tfatk",
  "nodes": {
    "a": { "base": "$B", "overlay": "$TMP/ovatk",
           "files": { "/etc/evil/pwned": { "content": "through a folder symlink" },
                      "/etc/victim.conf": { "content": "replaced the symlink" },
                      "/etc/climb/climbed": { "content": "through a climbing symlink" },
                      "/etc/ovevil/pwned2": { "content": "through the overlay's symlink" } },
           "binds": [ "$L/bound:/mnt/bound", "$L/conf:/etc/evil/mnt" ] } } }
EOF
check_ok "a lab whose base and overlay folder have symlinks to the host comes up" \
	'lab tfatk is up' lab_up "$TMP/tfatk.json"
check_ok "a file through a symlinked folder lands in the node" '^through a folder symlink$' \
	in_node tfatk a cat /etc/evil/pwned
check_ok "a file through a climbing symlink lands in the node" '^through a climbing symlink$' \
	in_node tfatk a cat /etc/climb/climbed
check_ok "a file through an overlay folder's symlink lands in the node" \
	'^through the overlay.s symlink$' in_node tfatk a cat /etc/ovevil/pwned2
check_ok "none of them on the host" '^victim$' ls "$H"
check_ok "a symlink at a file's DST is replaced, not followed" '^replaced the symlink$' \
	in_node tfatk a cat /etc/victim.conf
check_ok "and the host's file it pointed at is untouched" '^host-secret$' cat "$H/victim"
check_ok "a bind through a symlinked folder is mounted in the node" '^app.conf$' \
	in_node tfatk a ls /etc/evil/mnt
check_ok "and nothing is mounted on the host's folder" '^$' sh -c "grep ' $H' /proc/mounts || true"
check_fails_with "from a bind, .. leads to the node's root, not the host's" 'No such file' \
	in_node tfatk a cat /mnt/bound/../hostdir/victim
check_fails_with "a relative symlink in a bind cannot reach beside it on the host" 'No such file' \
	in_node tfatk a cat /mnt/bound/escape-link
check_fails_with "nor an absolute one to the host's path" 'No such file' \
	in_node tfatk a cat /mnt/bound/abs-link
check_fails_with "a mount inside a read-only bind is read-only too" 'Read-only file system' \
	in_node tfatk a sh -c 'echo x > /mnt/bound/inner/x'
check_fails_with "chmod through a read-only bind fails" 'Read-only file system' \
	in_node tfatk a chmod 777 /mnt/bound/file
check_fails_with "unmounting the bind from inside fails" 'Operation not permitted|[Pp]ermission denied' \
	in_node tfatk a umount /mnt/bound
check_down_clean "tfatk comes down clean" tfatk
umount "$L/bound/inner"
rm -rf "$H"

# A bind or file whose DST resolves into the node's /proc through a symlink:
# up refuses it, and leaves nothing.
B2=$TMP/base2
cp -a "$TOP/build/rootfs" "$B2"
ln -s /proc/sys/kernel "$B2/etc/k"
cat >"$TMP/tfatk2.json" <<EOF
{ "name": "tfatk2",
  "nodes": { "a": { "base": "$B2", "files": { "/etc/k/core_pattern": { "content": "|/tmp/x" } } } } }
EOF
check_fails_with "a file through a symlink into /proc is refused at up" \
	"/etc/k/core_pattern resolves into the node's /proc" lab_up "$TMP/tfatk2.json"
check_ok "the host's core_pattern is unchanged" "^$(cat /proc/sys/kernel/core_pattern)\$" \
	cat /proc/sys/kernel/core_pattern
check_ok "and the failed up left nothing" '^$' leftovers tfatk2

finish
