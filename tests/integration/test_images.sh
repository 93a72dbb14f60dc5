# Images as bases: an OCI layout, the same image as an oci-archive and a
# docker-archive, and a rootfs tarball, built here with umoci and skopeo (no
# registry, no network). Layers are checked by digest, unpacked once into
# the cache (its own, under $TMP) with their whiteouts made overlayfs's,
# and shared; the image's config gives the node's defaults. Bad images fail
# `up` with nothing made; hostile archives cannot write outside their layer.
source "$(dirname "$0")/lib.sh"

for tool in umoci skopeo; do
	if ! command -v "$tool" >/dev/null; then
		skip "images built locally" "$tool is not installed (Debian: apt-get install $tool; make deps)"
		finish
		exit 0
	fi
done

export CBOXLAB_CACHE=$TMP/cache
ROOTFS=$TOP/build/rootfs
IMG=$TMP/img
OUT=$TMP/outside # where hostile archives aim; nothing may appear here
mkdir -p "$OUT"
echo keep >"$OUT/victim"

# --- the image: two layers and a config ---------------------------------------
# Layer 1: the busybox rootfs, /etc/gone and /opq/old. Layer 2 (crafted, as
# umoci would write it): deletes /etc/gone (.wh.gone) and makes /opq opaque
# (.wh..wh..opq) with only /opq/new.
# A setuid-root program that says what it got (busybox drops a setuid
# state itself, so it cannot tell).
build_probe() { # out
	cat >"$TMP/probe.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(void)
{
	char line[256];
	unsigned long long eff = 0;
	FILE *f = fopen("/proc/self/status", "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "CapEff:", 7))
			sscanf(line + 7, "%llx", &eff);
	printf("euid=%d cap_sys_admin=%llu\n", (int)geteuid(), (eff >> 21) & 1);
	return 0;
}
C
	"${CC:-cc}" -static -O1 -o "$1" "$TMP/probe.c"
}

build_image() {
	umoci init --layout "$IMG" &&
		umoci new --image "$IMG:v1" &&
		umoci unpack --image "$IMG:v1" "$TMP/bundle" >/dev/null &&
		cp -a "$ROOTFS/." "$TMP/bundle/rootfs/" &&
		mkdir -p "$TMP/bundle/rootfs/opq" &&
		echo old >"$TMP/bundle/rootfs/opq/old" &&
		echo gone >"$TMP/bundle/rootfs/etc/gone" &&
		mkdir "$TMP/bundle/rootfs/suidbin" &&
		build_probe "$TMP/bundle/rootfs/suidbin/probe" &&
		chmod 4755 "$TMP/bundle/rootfs/suidbin/probe" &&
		umoci repack --image "$IMG:v1" "$TMP/bundle" &&
		python3 - "$TMP/layer2.tar" <<'PY' &&
import io, sys, tarfile
t = tarfile.open(sys.argv[1], "w")
def add(name, data=b"", kind=tarfile.REGTYPE, mode=0o644):
    ti = tarfile.TarInfo(name); ti.type = kind; ti.mode = mode; ti.size = len(data)
    t.addfile(ti, io.BytesIO(data))
add("etc/.wh.gone")
add("opq", kind=tarfile.DIRTYPE, mode=0o755)
add("opq/.wh..wh..opq")
add("opq/new", b"new\n")
t.close()
PY
		umoci raw add-layer --image "$IMG:v1" "$TMP/layer2.tar" &&
		umoci config --image "$IMG:v1" --config.env FOO=from-image \
			--config.env PATH=/bin:/sbin:/usr/bin --config.workingdir /data \
			--config.user 1234:1234 --config.cmd sh --config.cmd -c \
			--config.cmd 'echo "$FOO $(id -u) $(pwd)" > /tmp/started; /suidbin/probe > /tmp/suid; exec sleep 1000000' &&
		skopeo copy --insecure-policy "oci:$IMG:v1" "oci-archive:$TMP/img-oci.tar:v1" &&
		skopeo copy --insecure-policy "oci:$IMG:v1" "docker-archive:$TMP/img-docker.tar:cbxt/img:v1" &&
		tar -C "$ROOTFS" -czf "$TMP/rootfs.tar.gz" .
}
check "an OCI image with two layers, as a folder, an oci-archive and a docker-archive (umoci, skopeo)" build_image

layers_in_cache() { ls "$CBOXLAB_CACHE/layers" 2>/dev/null | wc -l; }
tmp_in_cache() { ls -A "$CBOXLAB_CACHE/tmp" 2>/dev/null | wc -l; }

f=$(topo timgoci <<EOF2
{ "name": "timgoci",
  "defaults": { "base": "oci:$IMG:v1" },
  "nodes": {
    "a": {},
    "b": { "env": { "FOO": "from-file" } },
    "c": { "cmd": "echo override > /tmp/started; exec sleep 1000000" } } }
EOF2
)
check_ok "up: three nodes on an OCI image" 'lab timgoci is up' lab_up "$f"
check_fails_with "a file the second layer deletes (.wh.gone) is gone" \
	"can't open '/etc/gone': No such file or directory" in_node timgoci a cat /etc/gone
check_ok "the opaque folder (.wh..wh..opq) shows the top layer's files only" '^new$' \
	in_node timgoci a sh -c 'echo $(ls -A /opq)'
check_ok "the rest of the lower layer is there" '^BusyBox' in_node timgoci a sh -c 'busybox 2>&1 | head -1'
check_ok "the image's Cmd runs, with its Env, User and WorkingDir" '^from-image 1234 /data$' \
	once_written timgoci a /tmp/started cat /tmp/started
# The image keeps its setuid bits; the node's policy bounds what they give.
check_ok "a setuid-root program of the image, run by its user (1234), is root within the node's capabilities (no CAP_SYS_ADMIN)" \
	'^euid=0 cap_sys_admin=0$' once_written timgoci a /tmp/suid cat /tmp/suid
check_ok "the file's env overrides the image's" '^from-file 1234 /data$' once_written timgoci b /tmp/started cat /tmp/started
check_ok "exec gets the same environment" '^from-image /bin:/sbin:/usr/bin from-file$' \
	sh -c "echo \$('$CBOXLAB' exec timgoci a -- sh -c 'echo \$FOO \$PATH') \$('$CBOXLAB' exec timgoci b -- sh -c 'echo \$FOO')"
check_ok "the file's cmd replaces the image's" '^override$' once_written timgoci c /tmp/started cat /tmp/started
check_ok "the cache holds the image's two layers once for three nodes" '^2$' layers_in_cache
check_ok "images lists them with the lab using them" "sha256:[0-9a-f]{64} .* timgoci +oci:$IMG:v1" \
	cbx images

f=$(topo timgarch <<EOF2
{ "name": "timgarch", "nodes": { "a": { "base": "oci-archive:$TMP/img-oci.tar:v1" } } }
EOF2
)
check_ok "up: the same image as an oci-archive" 'lab timgarch is up' lab_up "$f"
check_ok "its whiteout is honoured, its Cmd run" '^from-image 1234 /data$' \
	once_written timgarch a /tmp/started sh -c '! test -e /etc/gone && cat /tmp/started'
check_ok "two labs, one image: still one copy of each layer" '^2$' layers_in_cache
check_ok "images --json: each layer used by both labs" '^2 2$' sh -c \
	"'$CBOXLAB' images --json | python3 -c 'import json,sys; l=json.load(sys.stdin)[\"layers\"]; print(len(l), sum(x[\"labs\"]==[\"timgarch\",\"timgoci\"] for x in l))'"

check_ok "images prune keeps what labs use" 'removed 0 layer\(s\) \(0 B\); 2 in use kept' cbx images prune
check_ok "the two layers are still there" '^2$' layers_in_cache

f=$(topo timgdock <<EOF2
{ "name": "timgdock", "nodes": { "a": { "base": "docker-archive:$TMP/img-docker.tar" } } }
EOF2
)
check_ok "up: the image as a docker-archive" 'lab timgdock is up' lab_up "$f"
check_ok "its whiteout and opaque folder are honoured, its Cmd run" '^new from-image 1234 /data$' \
	once_written timgdock a /tmp/started sh -c '! test -e /etc/gone && echo $(ls /opq) $(cat /tmp/started)'

f=$(topo timgtar <<EOF2
{ "name": "timgtar", "nodes": { "a": { "base": "$TMP/rootfs.tar.gz", "cmd": "sleep 1000000" } } }
EOF2
)
check_ok "up: a rootfs tarball" 'lab timgtar is up' lab_up "$f"
check_ok "the node runs its programs" '^timgtar a$' in_node timgtar a sh -c 'echo $CBOXLAB_LAB $(cat /etc/hostname)'
check_ok "and writes in its own layer, not the cache's" '^x$' \
	in_node timgtar a sh -c 'echo x > /bin/cbxt-new && cat /bin/cbxt-new'
check_exit "the cached layer is untouched" 1 '^$' sh -c "ls $CBOXLAB_CACHE/layers/*/bin/cbxt-new 2>/dev/null | grep ."
check_ok "the cache is root's alone (its layers keep setuid files)" '^700$' stat -c %a "$CBOXLAB_CACHE"

for lab in timgoci timgarch timgdock timgtar; do
	check_down_clean "down $lab leaves nothing" "$lab"
done
check_ok "down leaves the cache" '^[1-9]' layers_in_cache
# Cached now: the second `up` of an image reads no layer.
f=$(topo timgagain <<EOF2
{ "name": "timgagain", "nodes": { "a": { "base": "oci-archive:$TMP/img-oci.tar:v1" } } }
EOF2
)
start=$(date +%s%N)
check_ok "up again from the cache" 'lab timgagain is up' lab_up "$f"
ms=$((($(date +%s%N) - start) / 1000000))
if [ "$ms" -lt "$(scaled 3000)" ]; then ok "and it is quick (${ms} ms)"; else not_ok "up from the cache took ${ms} ms"; fi
check_down_clean "down timgagain leaves nothing" timgagain

# --- bad images: a clear error at up, nothing made ----------------------------
export CBOXLAB_CACHE=$TMP/cache-bad
nothing_made() { # lab
	local left=""
	[ -e "/run/cboxlab/$1" ] && left+=" state"
	[ -e "/run/cboxlab/$1.lock" ] && left+=" lock"
	[ "$(tmp_in_cache)" = 0 ] || left+=" cache-tmp:$(ls -A "$CBOXLAB_CACHE/tmp")"
	[ "$(layers_in_cache)" = 0 ] || left+=" layers:$(ls "$CBOXLAB_CACHE/layers")"
	[ -z "$left" ] && echo nothing || echo "left:$left"
}
export -f nothing_made layers_in_cache tmp_in_cache
export OUT
bad_up() { # lab base
	f=$(topo "$1" <<EOF2
{ "name": "$1", "nodes": { "a": { "base": "$2" } } }
EOF2
)
	cbx up "$f"
}
# bad_up runs in a check's subshell: its labs are named here for the
# cleanup, so that one a broken check lets up is brought down.
_labs+=(timgbad1 timgbad2 timgbad3 timgbad4 timgbad5 timgxdotdot timgxabsolute timgxwhlink
	timgxopqlink timgxhardabs timgxhardup timgxhardlink timgxbomb)
# The big layer's blob, corrupted two ways in copies of the layout.
big=$(python3 -c '
import json, sys
d = sys.argv[1]
m = json.load(open(d + "/index.json"))["manifests"][0]["digest"].split(":")[1]
print(json.load(open(d + "/blobs/sha256/" + m))["layers"][0]["digest"].split(":")[1])' "$IMG")
cp -a "$IMG" "$TMP/img-mismatch" && cp -a "$IMG" "$TMP/img-corrupt"
tar -C "$TMP" -czf "$TMP/img-mismatch/blobs/sha256/$big" layer2.tar
head -c 100000 "$IMG/blobs/sha256/$big" >"$TMP/img-corrupt/blobs/sha256/$big"
check_fails_with "a layer whose digest does not match: the image, the layer and its file named" \
	"oci:$TMP/img-mismatch:v1: layer 1 of 2 \($TMP/img-mismatch/blobs/sha256/$big\): digest mismatch" \
	bad_up timgbad1 "oci:$TMP/img-mismatch:v1"
check_ok "nothing made, nothing half-unpacked" '^nothing$' nothing_made timgbad1
check_fails_with "a corrupt (truncated) layer" \
	"layer 1 of 2 \($TMP/img-corrupt/blobs/sha256/$big\): .*(corrupt|truncated|damaged|EOF)" \
	bad_up timgbad2 "oci:$TMP/img-corrupt:v1"
check_ok "nothing made, nothing half-unpacked" '^nothing$' nothing_made timgbad2
check_fails_with "a missing tag: the tags there are named" \
	"oci:$IMG:v2: no image tagged \"v2\" in $IMG \(tags: v1\)" bad_up timgbad3 "oci:$IMG:v2"
check_ok "nothing made" '^nothing$' nothing_made timgbad3
head -c 20000 "$TMP/img-oci.tar" >"$TMP/img-cut.tar"
check_fails_with "a truncated oci-archive" "oci-archive:$TMP/img-cut.tar:v1: .*$TMP/img-cut.tar" \
	bad_up timgbad4 "oci-archive:$TMP/img-cut.tar:v1"
check_ok "nothing made" '^nothing$' nothing_made timgbad4
check_fails_with "a missing image" "oci:$TMP/nowhere: open $TMP/nowhere/index.json: No such file" \
	bad_up timgbad5 "oci:$TMP/nowhere"
check_exit "the file alone shows a relative image path: exit 2 at validate" 2 \
	'nodes.a.base: base "oci:img": the image.s path is not absolute' \
	sh -c "echo '{\"name\": \"timgbad6\", \"nodes\": {\"a\": {\"base\": \"oci:img\"}}}' > $TMP/v.json && '$CBOXLAB' validate $TMP/v.json"

# An `up` killed while it unpacks: the layer comes from a FIFO whose writer
# stops halfway, so `up` is caught mid-layer.
tar -C "$ROOTFS" -cf "$TMP/rootfs-plain.tar" .
mkfifo "$TMP/slow.tar"
(head -c 1000000 "$TMP/rootfs-plain.tar" && exec sleep 60) >"$TMP/slow.tar" &
writer=$!
f=$(topo timgcrash <<EOF2
{ "name": "timgcrash", "nodes": { "a": { "base": "$TMP/slow.tar" } } }
EOF2
)
_labs+=(timgcrash)
"$CBOXLAB" up "$f" >/dev/null 2>&1 &
up=$!
for _ in $(seq 100); do
	ls "$CBOXLAB_CACHE"/tmp/*/bin >/dev/null 2>&1 && break
	sleep 0.05
done
kill -9 "$up"
wait "$up" 2>/dev/null
kill "$writer"
check_ok "an up killed mid-layer leaves no layer in the cache, only its temporary folder" '^0 1$' \
	bash -c 'echo $(layers_in_cache) $(tmp_in_cache)'
check_ok "down cleans what the killed up left of the lab" 'timgcrash' cbx down timgcrash
f=$(topo timgafter <<EOF2
{ "name": "timgafter", "nodes": { "a": { "base": "$TMP/rootfs-plain.tar" } } }
EOF2
)
check_ok "the next up unpacks the layer whole" 'lab timgafter is up' lab_up "$f"
check_ok "and what the killed one left in the cache is gone" '^1 0$' \
	bash -c 'echo $(layers_in_cache) $(tmp_in_cache)'
check_down_clean "down timgafter leaves nothing" timgafter
cbx images prune >/dev/null

# --- hostile archives ---------------------------------------------------------
# Crafted with python's tarfile as rootfs tarballs (the same unpacking as an
# image's layers).
craft() { # file kind
	python3 - "$1" "$2" "$OUT" "$ROOTFS" <<'PY'
import io, os, sys, tarfile
path, kind, out, rootfs = sys.argv[1:5]
t = tarfile.open(path, "w:gz" if path.endswith(".gz") else "w", format=tarfile.PAX_FORMAT)
def add(name, data=b"", type=tarfile.REGTYPE, mode=0o644, link="", dev=(0, 0), pax=None):
    ti = tarfile.TarInfo(name); ti.type = type; ti.mode = mode; ti.linkname = link
    ti.devmajor, ti.devminor = dev
    ti.size = len(data) if type == tarfile.REGTYPE else 0
    if pax: ti.pax_headers = pax
    t.addfile(ti, io.BytesIO(data) if ti.size else None)
if kind == "dotdot":    add("../../../../../../.." + out + "/cbxt-dotdot", b"x")
if kind == "absolute":  add(out + "/cbxt-abs", b"x")
if kind == "wh-link":   add("lnk", type=tarfile.SYMTYPE, link=out); add("lnk/.wh.victim")
if kind == "opq-link":  add("lnk", type=tarfile.SYMTYPE, link=out); add("lnk/.wh..wh..opq")
if kind == "hard-abs":  add("h", type=tarfile.LNKTYPE, link=out + "/victim")
if kind == "hard-up":   add("h", type=tarfile.LNKTYPE, link="../../../../../../.." + out + "/victim")
if kind == "hard-link": add("s", type=tarfile.SYMTYPE, link=out); add("h", type=tarfile.LNKTYPE, link="s/victim")
if kind == "bomb":      add("zeros", b"\0" * (64 << 20))
if kind.startswith("link-"):  # link-DIR-root|up: the rootfs with /DIR a symlink out
    _, d, how = kind.split("-")
    t.add(rootfs, arcname=".", filter=lambda ti: None if ti.name in (d, "./" + d) or
          ti.name.startswith((d + "/", "./" + d + "/")) else ti)
    add(d, type=tarfile.SYMTYPE, link="/" if how == "root" else "../" * 16)
if kind == "mixed":
    t.add(rootfs, arcname=".")
    add("etc2", type=tarfile.SYMTYPE, link=out)     # then a file through it
    add("etc2/cbxt-through", b"inside\n")
    add("fix", type=tarfile.DIRTYPE, mode=0o700)     # its mode and time are set last,
    add("fix", type=tarfile.SYMTYPE, link=out)       # once it is a symlink out
    add("mem", type=tarfile.CHRTYPE, mode=0o666, dev=(1, 1))
    add("sda", type=tarfile.BLKTYPE, mode=0o666, dev=(8, 0))
    add("suidbin", type=tarfile.DIRTYPE, mode=0o755)
    add("suidbin/cat", open(rootfs + "/bin/busybox", "rb").read(), mode=0o4755)
    add("ovl", type=tarfile.DIRTYPE, mode=0o755,
        pax={"SCHILY.xattr.trusted.overlay.opaque": "y", "SCHILY.xattr.user.kept": "1"})
t.close()
PY
}
attack() { # name kind message [file]
	local file=${4:-$TMP/$2.tar} lab=timgx${2//-/}
	craft "$file" "$2"
	check_fails_with "$1: refused" "rootfs tarball $file: $3" bad_up "$lab" "$file"
	check_ok "$1: nothing outside the layer, nothing made" '^nothing keep$' bash -c \
		"echo \$(nothing_made $lab) \$(ls $OUT | grep -v '^victim$')\$(cat $OUT/victim)"
}
attack "an entry with .." dotdot 'entry ".*cbxt-dotdot": a path with ".."'
attack "an absolute entry" absolute 'entry "/.*cbxt-abs": an absolute path'
attack "a whiteout through a symlink out of the layer" wh-link 'whiteout lnk/.wh.victim: (Too many levels of symbolic links|Invalid cross-device link)'
attack "an opaque marker through a symlink out of the layer" opq-link 'opaque folder lnk/.wh..wh..opq: (Too many levels of symbolic links|Invalid cross-device link)'
attack "a hard link to an absolute path" hard-abs 'entry "h": a hard link to "/.*victim": an absolute path'
attack "a hard link up and out" hard-up 'entry "h": a hard link to "\.\./.*victim": a path with ".."'
attack "a hard link through a symlink out of the layer" hard-link 'entry "h": a hard link to what is not a file of the layer'
CBOXLAB_LAYER_MAX=16M attack "a layer that unpacks to more than CBOXLAB_LAYER_MAX (64 MiB of zeros)" \
	bomb 'unpacks to more than 16777216 bytes' "$TMP/bomb.tar.gz"
check_ok "the bomb was small" '^[0-9]{5,6}$' stat -c %s "$TMP/bomb.tar.gz"
# Mount points that are symbolic links: init mounts the node's /proc, /sys,
# /dev, /run and /tmp before the pivot, and a mount through a link out of
# the root lands on the host (with `tmp -> /`, the node's processes walked
# the host's files from /..; with `dev -> /`, init made /null and the rest
# in the host's /).
root_before=$(ls -A /)
i=0
for point in tmp:root tmp:up dev:root run:root sys:root proc:root; do
	d=${point%%:*} how=${point#*:} i=$((i + 1))
	_labs+=("til$i")
	craft "$TMP/link-$d-$how.tar" "link-$d-$how"
	check_fails_with "a base whose /$d is a symbolic link out ($how) is refused" \
		"the node's /$d is a symbolic link in its base" bad_up "til$i" "$TMP/link-$d-$how.tar"
	check_ok "... and leaves nothing of the lab" '^$' leftovers "til$i"
done
host_root_same() { [ "$(ls -A /)" = "$root_before" ] && echo same || echo "differs: $(ls -A / | tr '\n' ' ')"; }
check_ok "nothing appeared in the host's /" '^same$' host_root_same
mkdir -p "$TMP/ovl" && ln -s / "$TMP/ovl/etc"
f=$(topo til9 <<EOF2
{ "name": "til9", "nodes": { "a": { "base": "host", "overlay": "$TMP/ovl" } } }
EOF2
)
_labs+=(til9)
check_fails_with "a host-base node's overlay folder whose etc is a symbolic link out is refused" \
	"the node's /etc is a symbolic link in its base \(or overlay folder" cbx up "$f"
check_ok "... and leaves nothing of the lab" '^$' leftovers til9
craft "$TMP/mixed.tar" mixed
f=$(topo timgxmixed <<EOF2
{ "name": "timgxmixed", "nodes": { "a": { "base": "$TMP/mixed.tar" } } }
EOF2
)
check_ok "up: a rootfs with a symlink out, devices, a setuid file, a trusted.overlay xattr" \
	'lab timgxmixed is up' lab_up "$f"
check_ok "a file written through a symlink to the host lands inside the layer" '^inside$' \
	in_node timgxmixed a cat /etc2/cbxt-through
check_ok "and not on the host" '^victim keep$' bash -c "echo \$(ls -A $OUT) \$(cat $OUT/victim)"
check_ok "a folder's deferred mode and time are not applied through the symlink that replaced it" \
	'^755 [1-9]' stat -c '%a %Y' "$OUT"
check_exit "device nodes from the archive are dropped" 1 '^$' in_node timgxmixed a sh -c 'ls /mem /sda 2>/dev/null'
check_ok "a setuid file keeps its mode" '^-rwsr-xr-x' in_node timgxmixed a ls -l /suidbin/cat
# user.* is kept where the cache's filesystem has user xattrs (tmpfs only
# since Linux 6.6: not the stock-kernel VM's /tmp); trusted.overlay.* never.
if python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.cbxt", b"1")' "$CBOXLAB_CACHE" 2>/dev/null; then user_kept=1; else user_kept=none; fi
check_ok "an archive's trusted.overlay.* xattr is dropped, user.* kept where the filesystem has them" \
	"^none $user_kept\$" python3 -c "
import glob, os
d = [p for p in glob.glob('$CBOXLAB_CACHE/layers/*/ovl')][0]
def x(n):
    try: return os.getxattr(d, n).decode()
    except OSError: return 'none'
print(x('trusted.overlay.opaque'), x('user.kept'))"
check_down_clean "down timgxmixed leaves nothing" timgxmixed

check_ok "images prune: nothing in use, every layer removed" 'removed [1-9][0-9]* layer\(s\).*0 in use kept' \
	cbx images prune
check_ok "the cache holds no layer" '^0 0$' bash -c 'echo $(layers_in_cache) $(tmp_in_cache)'
export CBOXLAB_CACHE=$TMP/cache
check_ok "images prune in the first cache too" 'removed [1-9][0-9]* layer\(s\).*0 in use kept' cbx images prune
check_ok "images lists none: its header alone" '^1 LAYER +SIZE +LABS +IMAGES$' \
	bash -c "echo \$('$CBOXLAB' images | wc -l) \$('$CBOXLAB' images)"
finish
