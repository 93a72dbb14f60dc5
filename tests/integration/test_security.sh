# Attacks from inside a node, as a student with a shell in a lab would try
# them: each must fail, and the host must stay out of reach. Every way into
# a node (its PID 1, exec, startup commands, restarts, /proc, /sys, system
# calls, a host-base node's /etc) has its attack here.
source "$(dirname "$0")/lib.sh"

ESCAPE=$TOP/build/tests/helpers/escape
echo "host-secret" >"$TMP/host-marker"

f=$(topo tsec <<'EOF2'
{ "name": "tsec",
  "links": [ { "endpoints": ["b:eth0", "h:eth0"], "subnet": "10.78.0.0/30" } ],
  "nodes": {
    "b": { "cmd": "ls /proc/self/fd > /tmp/cmd-fds; exec sleep 1000" },
    "h": { "base": "host" } } }
EOF2
)
# A descriptor of the host's that cboxlab's caller has open: no node may get it.
exec 7<"$TMP"
lab_up "$f" >/dev/null
# The attack tool, copied into each node through exec's stdin.
copy_escape() { "$CBOXLAB" exec -i tsec "$1" -- sh -c 'cat > /tmp/escape && chmod 755 /tmp/escape' <"$ESCAPE"; }
copy_escape b
copy_escape h

# --- PID 1 ------------------------------------------------------------------
caps_of() { # node pid: its CapEff and CapPrm
	in_node tsec "$1" sh -c "grep -E '^Cap(Eff|Prm|Inh|Amb)' /proc/$2/status | tr '\n' ' '"
}
check_ok "PID 1 holds no capability the node's shell does not" "^$(caps_of b self)\$" caps_of b 1
check_ok "no process of a node has inheritable or ambient capabilities" \
	'CapInh:	0{16} .*CapAmb:	0{16}' caps_of b self
check_ok "no PID 1 descriptor leads to the host" '^$' \
	in_node tsec h sh -c 'for f in /proc/1/fd/*; do readlink $f; done | grep -v -e "^/dev/null$" -e "^anon_inode" -e "^socket:" -e "/console.log$" -e "/fate$" || true'
if [ "$(uname -m)" = x86_64 ]; then
	check_ok "PID 1, ptraced, cannot set the hostname" '^refused: EPERM' \
		in_node tsec b /tmp/escape pid1 sethostname pwned
	check_ok "and the hostname is unchanged" '^b$' in_node tsec b hostname
	check_ok "PID 1, ptraced, cannot make device nodes" '^refused: EPERM' \
		in_node tsec b /tmp/escape pid1 mknod /tmp/null2
	check_ok "PID 1, ptraced, cannot open the host's root by handle" '^refused: EPERM' \
		in_node tsec h /tmp/escape pid1 handle-root /usr
else
	skip "PID 1, ptraced, cannot set the hostname" "the ptrace helper is x86_64 only"
fi

# --- descriptors --------------------------------------------------------------
check_ok "exec does not pass the caller's descriptors into the node" '^0 1 2 3$' \
	in_node tsec b sh -c 'echo $(ls /proc/self/fd)'
check_fails_with "an inherited directory cannot be used to walk to the host" 'can.t cd|No such file' \
	in_node tsec b sh -c 'cd -P /proc/self/fd/7/../../.. && ls'
check_ok "the startup command got no descriptor of the host's either" '^0 1 2 3$' \
	once_written tsec b /tmp/cmd-fds sh -c 'echo $(cat /tmp/cmd-fds)'
cbx restart tsec b >/dev/null
check_ok "nor does a restarted node's command" '^0 1 2 3$' \
	once_written tsec b /tmp/cmd-fds sh -c 'echo $(cat /tmp/cmd-fds)'
copy_escape b # the restart emptied its /tmp
check_ok "exec's working directory is the node's /" '^/$' in_node tsec b pwd
# A process of the node (which has CAP_SYS_PTRACE) takes descriptor 7 of
# each process born in the node the moment it exists (pidfd_getfd), while
# the host runs execs there with descriptor 7 open on a host folder: the
# command must be born without it, not close it soon after.
steal_while_execs() {
	local i
	"$CBOXLAB" exec tsec b -- /tmp/escape steal-fd 7 "$(scaled 4)" >"$TMP/steal.out" 2>&1 &
	local pid=$!
	for i in $(seq 100); do grep -q watching "$TMP/steal.out" && break; sleep 0.05; done
	for i in $(seq 20); do "$CBOXLAB" exec tsec b -- true; done
	wait $pid
	cat "$TMP/steal.out"
}
check_ok "a node cannot take a descriptor from an exec's command as it is born" \
	'^refused: no descriptor 7 taken' steal_while_execs
exec 7<&-

# --- terminals ------------------------------------------------------------------
# `exec` without -t from a terminal: the node gets pipes, never the caller's
# terminal (TIOCSTI would type into the caller's shell, and a process left
# behind could read its keystrokes), nor a session with it as controlling
# terminal (the node's /dev/tty would open it).
on_a_terminal() { script -qec "$*" /dev/null </dev/null; }
check_ok "exec from a terminal hands the node no terminal of the host's" \
	'^refused: /dev/tty: ' on_a_terminal "$CBOXLAB" exec tsec b -- /tmp/escape tty
check_ok_without "... none of its stdio is one" 'is a terminal' \
	on_a_terminal "$CBOXLAB" exec tsec b -- /tmp/escape tty
output_and_status() {
	on_a_terminal "$CBOXLAB" exec tsec b -- sh -c "'echo out; echo err >&2; exit 3'" \; echo '$?' |
		tr -d '\r' | tr '\n' ' '
}
check_ok "exec from a terminal still shows the command's output and its status" \
	'^out err 3 $' output_and_status
check_ok "exec -t gives the command the node's own terminal" 'ok TIOCSTI on fd 0 is a terminal' \
	on_a_terminal "$CBOXLAB" exec -it tsec b -- /tmp/escape tty

# --- /proc and /sys -------------------------------------------------------------
check_fails_with "kernel sysctls are read-only (kernel.printk_ratelimit_burst)" 'Read-only file system' \
	in_node tsec b sh -c 'echo 11 > /proc/sys/kernel/printk_ratelimit_burst'
check_fails_with "kernel.core_pattern cannot be opened for writing" 'Read-only file system' \
	in_node tsec b sh -c 'echo "|/tmp/x" > /proc/sys/kernel/core_pattern'
check_ok "the node's own net.* sysctls stay writable" '^1$' \
	in_node tsec b sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward && cat /proc/sys/net/ipv4/ip_forward'
check_ok "and they are its own: the host's is untouched" "^$(cat /proc/sys/net/ipv4/ip_forward)\$" \
	cat /proc/sys/net/ipv4/ip_forward
for p in /proc/kcore /proc/keys /proc/timer_list /proc/kmsg /proc/interrupts /proc/sched_debug \
	/proc/latency_stats /proc/timer_stats; do
	if [ -e "$p" ]; then
		check_ok "$p is masked (empty)" '^0$' in_node tsec b sh -c "head -c 64 $p | wc -c"
	fi
done
for p in /proc/acpi /proc/asound /proc/scsi /sys/firmware /sys/devices/virtual/powercap; do
	if [ -e "$p" ]; then
		check_ok "$p is masked (an empty directory)" '^0$' in_node tsec b sh -c "ls -A $p | wc -l"
	fi
done
for p in /proc/sysrq-trigger /proc/irq/default_smp_affinity; do
	if [ -e "$p" ]; then
		check_fails_with "$p cannot be written" 'Read-only file system|Permission denied' \
			in_node tsec b sh -c "echo 0 > $p"
	fi
done
check_fails_with "the host's files are not under the node's /proc/1/root" 'No such file' \
	in_node tsec b cat "/proc/1/root$TMP/host-marker"
# A node holds CAP_SYS_CHROOT (as Docker's do): the classic way out of a
# chroot (into a directory, ".." past it, chroot there) ends at the node's
# own root.
check_ok "the chroot way out (CAP_SYS_CHROOT) ends in the node's own root" \
	'^contained: .*\<proc\(' in_node tsec b /tmp/escape chroot-out "$TMP/host-marker"
check_ok "and from a host-base node too" '^contained: .*\<usr\(' \
	in_node tsec h /tmp/escape chroot-out "$TMP/host-marker"

# --- system calls ---------------------------------------------------------------
check_fails_with "unshare -Ur then mount, the user-namespace way to mount, is refused" \
	'Operation not permitted' in_node tsec b unshare -Ur sh -c 'mount -t tmpfs none /mnt && echo mounted'
check_ok "open_by_handle_at is refused" '^refused: EPERM' in_node tsec h /tmp/escape handle-root /usr
for call in keyctl unshare-user clone-newuser userfaultfd io_uring_setup bpf perf_event_open \
	clock_settime reboot kexec_load init_module swapon acct mount setns; do
	check_ok "$call is refused with EPERM" '^refused: EPERM' in_node tsec b /tmp/escape syscall "$call"
done
check_ok "clone3 answers ENOSYS, so libc falls back to clone" '^refused: ENOSYS' \
	in_node tsec b /tmp/escape syscall clone3
# A real-time priority or nice -20 would take the host's CPUs from
# everything else on it: no SYS_NICE by default.
check_ok "a real-time priority is refused" '^refused: EPERM' in_node tsec b /tmp/escape syscall sched-fifo
check_ok "and so is nice -20" '^refused: EACCES' in_node tsec b /tmp/escape syscall nice-20
check_ok "the node's status says the filter is on" '^Seccomp:	2' \
	in_node tsec b grep '^Seccomp:' /proc/self/status

# --- a host-base node's /etc ------------------------------------------------------
check_ok "every password in a host-base node's /etc/shadow is locked" '^0$' \
	in_node tsec h sh -c 'awk -F: '"'"'$2 != "!*"'"'"' /etc/shadow | wc -l'
check_ok "and in its /etc/gshadow" '^0$' \
	in_node tsec h sh -c 'awk -F: '"'"'$2 != "!*"'"'"' /etc/gshadow | wc -l'
check_ok "but it lists the host's users (daemons look themselves up)" "^$(cut -d: -f1 /etc/shadow | tr '\n' ' ')\$" \
	in_node tsec h sh -c "cut -d: -f1 /etc/shadow | tr '\n' ' '"
for k in /etc/ssh/ssh_host_rsa_key /etc/ssh/ssh_host_ecdsa_key /etc/ssh/ssh_host_ed25519_key \
	/etc/gshadow- /etc/shadow- /etc/security/opasswd; do
	if [ -e "$k" ]; then
		check_fails_with "$k is not in the node" 'No such file' in_node tsec h cat "$k"
	fi
done
if [ -d /etc/ssl/private ]; then
	check_ok "/etc/ssl/private is empty in the node" '^0$' in_node tsec h sh -c 'ls -A /etc/ssl/private | wc -l'
fi

# --- lab state on the host ---------------------------------------------------------
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; }
check_fails_with "another user cannot read the lab's topology" 'Permission denied' \
	nobody cat /run/cboxlab/tsec/topology.json
check_fails_with "nor list the lab's state" 'Permission denied' nobody ls /run/cboxlab/tsec
check_fails_with "nor take the lab's lock (and stall root's down)" 'Permission denied' \
	nobody flock -n /run/cboxlab/tsec.lock true
check_ok "the state root is root's alone" '^700 0$' stat -c '%a %u' /run/cboxlab

# --- exec's own process: no hang, nothing left when it is killed --------------------
check_exit "exec -it without a terminal is refused at once" 2 '-t needs a terminal' \
	timeout 5 "$CBOXLAB" exec -it tsec b </dev/null
sleepers() { in_node tsec b sh -c 'ps -o stat,comm | grep -c "sleep$"'; }
# Until the node has N sleeps (bounded): the exec's are there before it is
# killed, and after, the node's init has had time to reap them.
sleepers_reach() { # N
	for _ in $(seq $((50 * TIME_SCALE))); do [ "$(sleepers)" = "$1" ] && return; sleep 0.1; done
	return 1
}
before=$(sleepers)
# (Not SIGINT: a script's background job ignores it, and so does exec.)
for sig in TERM HUP KILL; do
	"$CBOXLAB" exec tsec b -- sh -c 'sleep 1000 & sleep 1000' &
	pid=$!
	if sleepers_reach $((before + 2)); then ok "the exec's two sleeps run in the node (for SIG$sig)"
	else not_ok "the exec's two sleeps run in the node (for SIG$sig)" "$(sleepers) sleeps, $before before"; fi
	kill -$sig $pid
	timeout 10 tail --pid=$pid -f /dev/null
	sleepers_reach "$before"
	check_ok "an exec killed with SIG$sig leaves no process in the node, zombie or child" "^$before\$" sleepers
done

check_down_clean "down leaves nothing" tsec

# --- what each option opens ----------------------------------------------------------
bad=$(topo tsecbad <<'EOF2'
{ "name": "tsecbad", "nodes": { "a": { "cap_add": ["NET_ADMIN", "SYS_WHATEVER"] } } }
EOF2
)
check_exit "an unknown capability is refused at validate, with its JSON path" 2 \
	'nodes\.a\.cap_add\[1\]: unknown capability "SYS_WHATEVER"' cbx validate "$bad"
f=$(topo tsecopt <<'EOF2'
{ "name": "tsecopt",
  "nodes": {
    "adm": { "base": "host", "cap_add": ["SYS_ADMIN"] },
    "undermine": { "cap_add": ["SYS_ADMIN"] },
    "priv": { "privileged": true },
    "open": { "seccomp": false },
    "noraw": { "cap_drop": ["net_raw"] },
    "mk": { "cap_add": ["MKNOD"] },
    "drs": { "base": "host", "cap_add": ["DAC_READ_SEARCH", "SYS_NICE"] },
    "c1": { "base": "host" } } }
EOF2
)
lab_up "$f" >/dev/null
check_ok "with cap_add SYS_ADMIN, ip netns (VRFs of routing suites) works in the node" 'vrf-test' \
	in_node tsecopt adm sh -c 'ip netns add vrf-test && ip netns exec vrf-test ip link show lo >/dev/null && ip netns list; ip netns del vrf-test'
check_ok "and its filter allows what SYS_ADMIN gates (mount)" 'mounted' \
	in_node tsecopt adm sh -c 'mkdir -p /tmp/m && mount -t tmpfs none /tmp/m && echo mounted && umount /tmp/m'
check_ok "a privileged node has no filter" '^Seccomp:	0' in_node tsecopt priv grep '^Seccomp:' /proc/self/status
check_ok "and every capability" "^CapEff:	$(grep ^CapBnd: /proc/self/status | cut -f2)\$" \
	in_node tsecopt priv grep '^CapEff:' /proc/self/status
check_ok "and may mount" 'mounted' in_node tsecopt priv sh -c 'mount -t tmpfs none /mnt && echo mounted'
check_ok "and sees /proc unmasked" '^[1-9]' in_node tsecopt priv sh -c 'head -c 64 /proc/timer_list | wc -c'
copy_escape_to() { "$CBOXLAB" exec -i "$1" "$2" -- sh -c 'cat > /tmp/escape && chmod 755 /tmp/escape' <"$ESCAPE"; }
copy_escape_to tsecopt open
copy_escape_to tsecopt drs
copy_escape_to tsecopt undermine
# A node given SYS_ADMIN (a routing suite's VRFs) may unmount its own root
# (which leaves it broken: a node of its own here). Beneath it there must
# be nothing of the host's: the nodes' namespace has an empty tmpfs there
# (runtime/mntns.h), where the host's root was, and a root moved over the
# host's would show the host's here.
beneath=$(in_node tsecopt undermine /tmp/escape beneath "$TMP/host-marker" 2>&1)
check_ok "with cap_add SYS_ADMIN, what is under the node's root is empty" '^contained: host\(0\)$' \
	echo "$beneath"
check_ok "and takes no file, even remounted writable" '^refused: .*create a file there' \
	echo "$beneath"
# Docker's profile allows open_by_handle_at to DAC_READ_SEARCH; a handle
# names any file of the filesystem, and this node's /usr is the host's.
check_ok "cap_add DAC_READ_SEARCH on a host base still cannot open the host's root by handle" \
	'^refused: EPERM' in_node tsecopt drs /tmp/escape handle-root /usr
check_ok "cap_add SYS_NICE gives a real-time priority" '^ok sched-fifo' \
	in_node tsecopt drs /tmp/escape syscall sched-fifo
check_ok "seccomp: false lifts the filter" '^Seccomp:	0' in_node tsecopt open grep '^Seccomp:' /proc/self/status
check_ok "so keyctl gets through" '^ok keyctl' in_node tsecopt open /tmp/escape syscall keyctl
# The kernel makes no user namespace for a chrooted process: a node's root
# must be its mount namespace's root as the kernel sees it (runtime/mntns.h).
check_ok "and its processes may make a user namespace (their root is no chroot)" \
	'^ok unshare-user' in_node tsecopt open /tmp/escape syscall unshare-user
check_fails_with "cap_drop takes a capability away: no NET_RAW, no ping" 'permission denied|Operation not permitted' \
	in_node tsecopt noraw ping -c 1 -W 1 127.0.0.1
# The device policy: device nodes a node makes (cap_add MKNOD) or finds in
# a base open only if they are among its /dev's.
disk=$(findmnt -no SOURCE / 2>/dev/null)
if [ -b "$disk" ]; then
	mm="$(stat -c '%t %T' "$disk" | while read -r a b; do echo $((16#$a)) $((16#$b)); done)"
	check_fails_with "a node granted MKNOD still cannot make or open the host's disk ($disk, $mm)" \
		'mknod: /dev/disk: Operation not permitted' in_node tsecopt mk sh -c "mknod /dev/disk b $mm && head -c 1 /dev/disk"
else
	skip "a node granted MKNOD still cannot read the host's disk" "no block device under /"
fi
check_fails_with "nor /dev/mem" 'mknod: /dev/mem: Operation not permitted' \
	in_node tsecopt mk sh -c 'mknod /dev/mem c 1 1 && head -c 1 /dev/mem'
check_ok "while its own /dev/null and /dev/zero work" '^4$' \
	in_node tsecopt mk sh -c 'echo x > /dev/null && head -c 4 /dev/zero | wc -c'
check_ok "a privileged node may read a device of the host's (no policy)" '^1$' \
	in_node tsecopt priv sh -c 'mknod /dev/z c 1 5 && head -c 1 /dev/z | wc -c'
# A routing suite that asks for SYS_ADMIN at start (FRR's zebra) dies
# without it and runs with cap_add.
if [ -x /usr/lib/frr/zebra ]; then
	zebra='mkdir -p /run/frr /var/log/frr && chown frr:frr /run/frr /var/log/frr &&
		/usr/lib/frr/zebra -d -u frr -g frr -A 127.0.0.1 && sleep 0.5 && pgrep -x zebra'
	check_ok "with cap_add SYS_ADMIN, FRR's zebra starts" '^[0-9]+$' in_node tsecopt adm sh -c "$zebra"
	check_fails_with "without it, zebra says what it lacks" 'cap_sys_admin' \
		in_node tsecopt c1 sh -c "$zebra"
else
	skip "with cap_add SYS_ADMIN, FRR's zebra starts" "FRR is not installed (Debian's frr)"
fi
check_down_clean "down of the options lab leaves nothing" tsecopt
# --- user namespaces: root in the node is not root on the host -------------------------
f=$(topo tsecu <<'EOF2'
{ "name": "tsecu",
  "links": [ { "endpoints": ["u:eth0", "v:eth0"], "subnet": "10.78.1.0/30" } ],
  "nodes": {
    "u": { "userns": true, "cmd": "exec sleep 1000" },
    "v": { "userns": { "start": 1200000000, "count": 65536 }, "cap_add": ["SYS_ADMIN"] } } }
EOF2
)
lab_up "$f" >/dev/null
check_ok "a userns node's root is uid 0 inside, mapped to the default range" '^ +0 +1000000000 +65536$' \
	in_node tsecu u cat /proc/self/uid_map
check_ok "its base's files are root's inside (an idmapped mount, or a chowned copy)" '^0 0$' \
	in_node tsecu u stat -c '%u %g' /bin/busybox
check "it writes its /tmp and its root" in_node tsecu u sh -c 'touch /tmp/mine /mine'
check_ok "what it writes in /tmp is the mapped user's on the host, not root's" '^1000000000$' \
	stat -c %u /run/cboxlab/tsecu/nodes/u/tmp/mine
check_ok "and so is what it writes in its layer" '^1000000000$' stat -c %u /run/cboxlab/tsecu/nodes/u/upper/mine
check_ok "it still configures its own network" 'ok' in_node tsecu u sh -c 'ip addr add 10.99.0.1/32 dev lo && echo ok'
check_ok "and reaches its neighbour" '1 packets received' in_node tsecu u ping -c 1 -W 2 10.78.1.2
check_ok "a range of its own per node when asked" '^ +0 +1200000000 +65536$' in_node tsecu v cat /proc/self/uid_map
check_ok "SYS_ADMIN in a user namespace mounts what it may" 'mounted' \
	in_node tsecu v sh -c 'mount -t tmpfs none /mnt && echo mounted && umount /mnt'
check_fails_with "but cannot undo the read-only /proc/sys (its mounts are locked)" 'denied|not permitted|busy|Invalid' \
	in_node tsecu v sh -c 'umount /proc/sys'
check_fails_with "nor make it writable" 'denied|not permitted|Read-only' \
	in_node tsecu v sh -c 'mount -o remount,rw,bind /proc/sys && echo 1 > /proc/sys/kernel/printk_ratelimit_burst'
cbx restart tsecu u >/dev/null
check_ok "a userns node restarts into its user namespace and netns" '^ +0 +1000000000 +65536$' \
	in_node tsecu u cat /proc/self/uid_map
check_ok "with its network still there" '1 packets received' in_node tsecu u ping -c 1 -W 2 10.78.1.2
check_down_clean "down of the userns lab leaves nothing" tsecu
f=$(topo tsecuh <<'EOF2'
{ "name": "tsecuh", "nodes": { "h": { "userns": true, "base": "host" } } }
EOF2
)
if out=$(lab_up "$f" 2>&1); then
	check_ok "a host-base userns node runs the host's programs as its root" '^0 ok$' \
		in_node tsecuh h sh -c 'echo $(stat -c %u /usr/bin/passwd) $(python3 -c "print(\"ok\")")'
	check "and writes its private /etc" in_node tsecuh h sh -c 'echo x > /etc/cbxt-userns'
	check_ok "as the mapped user on the host" '^1000000000$' stat -c %u /run/cboxlab/tsecuh/nodes/h/etc.upper/cbxt-userns
	check_down_clean "down of the host-base userns lab leaves nothing" tsecuh
elif grep -q 'needs idmapped mounts' <<<"$out"; then
	skip "a host-base userns node runs the host's programs as its root" "the host's / has no idmapped mounts here: $out"
	_labs=("${_labs[@]/tsecuh}")
else
	not_ok "a host-base userns lab comes up" "$out"
fi

# A fork bomb in a default node: it stops at the lab's bound, three
# quarters of the host's PIDs, and the host still starts processes, its
# own and cboxlab's. The bomb stops by itself 200 processes past the bound,
# so that on code without the bound it fails the checks without taking
# every PID of the host. Filling the bound takes about 140 KiB a process
# (24,576 here: 3.4 GiB, 22 s): where the bound is much larger (a host
# whose pid_max and threads-max are both in the hundreds of thousands) or
# the memory short, it is skipped, saying so.
host_pids=$(( $(cat /proc/sys/kernel/pid_max) < $(cat /proc/sys/kernel/threads-max) ?
	$(cat /proc/sys/kernel/pid_max) : $(cat /proc/sys/kernel/threads-max) ))
lab_bound=$(( host_pids / 4 * 3 ))
avail_kib=$(awk '/^MemAvailable/ {print $2}' /proc/meminfo)
bomb_checks=("a fork bomb in a default node stops at the lab's bound ($lab_bound processes)"
	"the lab holds no more than its bound" "the host still starts processes during the bomb"
	"down ends the bomb and leaves nothing")
why=""
if [ "$TIME_SCALE" -gt 1 ]; then
	why="emulated (CBX_TIME_SCALE=$TIME_SCALE): $lab_bound processes would take minutes; run natively"
elif [ "$lab_bound" -gt 40000 ]; then
	why="the bound here is $lab_bound processes: more than a test fills (40,000)"
elif [ $((lab_bound * 280)) -gt "$avail_kib" ]; then
	why="$lab_bound processes need about $((lab_bound * 280 / 1024)) MiB free (twice what they take), $((avail_kib / 1024)) are"
fi
if [ -n "$why" ]; then
	for t in "${bomb_checks[@]}"; do skip "$t" "$why"; done
else
	f=$(topo tsecbomb <<'EOF2'
{ "name": "tsecbomb", "nodes": { "a": {} } }
EOF2
)
	lab_up "$f" >/dev/null
	check_fails_with "${bomb_checks[0]}" "can't fork" in_node tsecbomb a sh -c \
		"i=0; while [ \$i -lt $((lab_bound + 200)) ]; do sleep 300 >/dev/null 2>&1 & i=\$((i+1)); done"
	held=$(cbx status tsecbomb --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["processes"]["count"])')
	if [ "$held" -le "$lab_bound" ] && [ "$held" -ge $((lab_bound - 10)) ]; then ok "${bomb_checks[1]}"
	else not_ok "${bomb_checks[1]}" "the lab holds $held processes, its bound is $lab_bound"; fi
	check "${bomb_checks[2]}" sh -c 'for i in $(seq 200); do /bin/true || exit; done'
	check_down_clean "${bomb_checks[3]}" tsecbomb
fi
finish
