#!/bin/bash
# One guest of `make test-multihost` (tests/vm/run-multihost.sh), as host ROLE (a or b) of
# the lab tests/vm/multihost.json: a1 on a; b1, b2 on b; network lan across both, link
# a1 -- b2 across both. The two guests share one virtual Ethernet (the underlay, named
# cbxt-ul here, 192.0.2.1 and .2) and nothing else: each brings up its part, checks what it
# can see, and the two meet over the underlay (a TCP barrier on port 9999) so that b's part
# stays up until a is done with it.
#
#   tests/vm/multihost-guest.sh a|b      (in the guest, in the checkout)
#
# TAP on stdout; with CBX_RESULTS, "pass|fail|skip ROLE: NAME" lines for the host's report.
# Exit status 1 when a check failed.
role=${1:?usage: multihost-guest.sh a|b}
source "$(dirname "$0")/../integration/lib.sh"
f=$TOP/tests/vm/multihost.json
case $role in
a) me=192.0.2.1 peer=192.0.2.2 ;;
b) me=192.0.2.2 peer=192.0.2.1 ;;
*) echo "multihost-guest: role a or b, not $role" >&2; exit 2 ;;
esac
failed=0
results=${CBX_RESULTS:-/dev/null}
ok() { _n=$((_n + 1)); echo "ok $_n - $1"; echo "pass $role: $1" >>"$results"; }
not_ok() {
	local name=$1
	shift
	_n=$((_n + 1))
	echo "not ok $_n - $name"
	printf '%s\n' "$@" | sed 's/^/#   /'
	echo "fail $role: $name" >>"$results"
	failed=1
}
skip() { _n=$((_n + 1)); echo "ok $_n - $1 # SKIP $2"; printf 'skip %s: %s\t%s\n' "$role" "$1" "$2" >>"$results"; }
_labs+=(tmhvm)

# until SECONDS CMD...: CMD again every second until it succeeds, for at most SECONDS.
until_ok() {
	local limit=$1 t0=$SECONDS
	shift
	until "$@"; do
		((SECONDS - t0 < limit)) || return 1
		sleep 1
	done
}

# The barrier: b waits for a's word, a says it (both over the underlay).
barrier_wait() {
	python3 - "$me" <<'EOF2'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 9999))
s.listen(1)
s.settimeout(900)
c, _ = s.accept()
print(c.recv(16).decode().strip())
EOF2
}
barrier_say() {
	python3 - "$peer" <<'EOF2'
import socket, sys, time
for _ in range(120):
    try:
        socket.create_connection((sys.argv[1], 9999), timeout=2).sendall(b"done\n")
        print("said")
        break
    except OSError:
        time.sleep(1)
else:
    sys.exit(1)
EOF2
}

nic=$(ip -o link | awk -F': ' '$2 != "lo" { print $2; exit }' | cut -d@ -f1)
check_ok "the underlay NIC is there" '.' echo "$nic"
ip link set dev "$nic" name cbxt-ul && ip addr add "$me/24" dev cbxt-ul && ip link set cbxt-ul up
check_ok "the other guest answers on the underlay" ' 0% packet loss' \
	until_ok 300 ping -c 1 -W 1 "$peer"
check_ok "up --host $role" "lab tmhvm is up on host $role" cbx up "$f" --host "$role"
check_ok "status says which host's part this is" "lab tmhvm: up on host $role \\($me\\)" cbx status tmhvm
if [ "$role" = a ]; then
	# b may still be coming up: the tunnels drop until its part is there.
	check_ok "ping across guests over the shared network" ' 0% packet loss' \
		until_ok 300 in_node tmhvm a1 ping -c 1 -W 2 10.98.0.2
	check_ok "ping across guests over the crossing link" ' 0% packet loss' \
		until_ok 60 in_node tmhvm a1 ping -c 1 -W 2 10.98.1.2
	check_ok "a full-sized frame (1422 + 28, DF) crosses the tunnel" ' 0% packet loss' \
		nsenter --net=/run/netns/tmhvm-a1 ping -c 1 -W 3 -M 'do' -s 1422 10.98.0.2
	check_ok "TCP across guests over the shared network" '^ping$' tcp_roundtrip tmhvm a1 10.98.0.2 7
	check_ok "TCP across guests over the crossing link" '^ping$' tcp_roundtrip tmhvm a1 10.98.1.2 7
	check_ok "capture on a1's end of the crossing link sees b2's replies" \
		'IPv4 10\.98\.1\.2 > 10\.98\.1\.1 ICMP echo reply' \
		capture_while in_node tmhvm a1 ping -c 1 -W 2 10.98.1.2 -- tmhvm a1:p0 -c 2 icmp
	check_ok "capture of the crossing network on a sees b1's replies" \
		'IPv4 10\.98\.0\.2 > 10\.98\.0\.1 ICMP echo reply' \
		capture_while in_node tmhvm a1 ping -c 1 -W 2 10.98.0.2 -- tmhvm lan -c 2 icmp
	check_ok "partition a1 | b1,b2 (a's side)" 'partition: a1 drops b1,b2' cbx partition tmhvm a1 b1,b2
	check_exit "the partition cuts the shared network" 1 ' 100% packet loss' \
		in_node tmhvm a1 ping -c 2 -W 2 10.98.0.2
	check_exit "and the crossing link" 1 ' 100% packet loss' in_node tmhvm a1 ping -c 2 -W 2 10.98.1.2
	check_ok "heal" 'heal' cbx heal tmhvm
	check_ok "heal restores the shared network" ' 0% packet loss' \
		until_ok 30 in_node tmhvm a1 ping -c 1 -W 2 10.98.0.2
	check_ok "and the crossing link" ' 0% packet loss' \
		until_ok 30 in_node tmhvm a1 ping -c 1 -W 2 10.98.1.2
	check_ok "tell b that a is done" '^said$' barrier_say
else
	check_ok "b reaches a1 over the shared network" ' 0% packet loss' \
		until_ok 300 in_node tmhvm b1 ping -c 1 -W 2 10.98.0.1
	check_ok "and over the crossing link" ' 0% packet loss' \
		until_ok 60 in_node tmhvm b2 ping -c 1 -W 2 10.98.1.1
	check_ok "a says it is done" '^done$' barrier_wait
fi
check_down_clean "down on $role leaves nothing" tmhvm
check_ok_without "no VXLAN device is left" 'vxlan' ip -d -o link
finish
exit $failed
