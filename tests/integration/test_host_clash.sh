# A lab must not collide with what the host already has: a host-side subnet
# another lab or the host itself routes (two labs on 10.10.0.0/24 both came
# up, and the second one's traffic went to the first), or a published port
# something listens on. Refused before anything is made, naming the other.
# Safety: the host's own routes and addresses are only read, and labs on
# its subnets only ever planned (--dry-run), never brought up.
source "$(dirname "$0")/lib.sh"

net() { # lab subnet settings...
	printf '{ "name": "%s", "networks": { "n": { "subnet": "%s"%s } },\n' "$1" "$2" "${3:+, $3}"
	printf '  "nodes": { "a": { "interfaces": { "eth0": { "network": "n" } }%s } } }\n' "${4:+, $4}"
}

net tovl1 10.91.0.0/24 '"nat": true' >"$TMP/tovl1.json"
net tovl2 10.91.0.0/24 '"gateway": true' >"$TMP/tovl2.json"
net tovl3 10.91.0.0/25 >"$TMP/tovl3.json"
lab_up "$TMP/tovl1.json" >/dev/null
_labs+=(tovl2 tovl3)
check_exit "a second lab on the same host-side subnet is refused, naming the first" 1 \
	"network n: subnet 10.91.0.0/24 overlaps the host's route to 10.91.0.0/24 on tovl1-b0, lab tovl1's network n" \
	cbx up "$TMP/tovl2.json"
check_ok "and nothing of it is made" '^$' leftovers tovl2
check_exit "up --dry-run says so too" 1 'overlaps the host.s route to 10.91.0.0/24 on tovl1-b0' \
	cbx up --dry-run "$TMP/tovl2.json"
check_ok "a network without a host side may overlap it (it is isolated)" 'lab tovl3 is up' \
	cbx up "$TMP/tovl3.json"
check_down_clean "down leaves nothing" tovl3
check_down_clean "down leaves nothing" tovl1
check_ok "once the first is down, the second comes up" 'lab tovl2 is up' cbx up "$TMP/tovl2.json"
check_down_clean "down leaves nothing" tovl2

# The host's own: eth0's subnets, read from the machine.
for fam in 4 6; do
	sub=$(ip -$fam -o addr show dev eth0 scope global 2>/dev/null | awk '{print $4; exit}' |
		python3 -c 'import ipaddress, sys; print(ipaddress.ip_interface(sys.stdin.read().strip()).network)' 2>/dev/null)
	if [ -z "$sub" ]; then
		skip "a host-side subnet on eth0's (IPv$fam) is refused" "eth0 has no global IPv$fam address"
		continue
	fi
	if [ $fam = 4 ]; then
		net tovl4 "$sub" '"nat": true' >"$TMP/tovl4.json"
	else
		net tovl4 10.92.0.0/24 "\"subnet6\": \"$sub\", \"gateway6\": true" >"$TMP/tovl4.json"
	fi
	# Only --dry-run: a build without the check would put the uplink's
	# subnet on a bridge (a real `up`'s refusal is tested above).
	check_exit "up --dry-run refuses a host-side subnet on eth0's ($sub)" 1 \
		"subnet $sub overlaps the host's route to $sub on eth0" cbx up --dry-run "$TMP/tovl4.json"
	check_ok "nothing of it is made" '^$' leftovers tovl4
done
gw=$(ip -4 route show default 2>/dev/null | awk '/via/ {print $3; exit}')
if [ -n "$gw" ]; then
	net tovl4 "${gw%.*}.0/24" '"gateway": true' >"$TMP/tovl4.json"
	check_exit "a subnet holding the host's default gateway is refused" 1 "network n: subnet ${gw%.*}.0/24 " \
		cbx up --dry-run "$TMP/tovl4.json"
fi

# A published host port something listens on, TCP or UDP, IPv4 or IPv6.
listen() { # proto address port
	# Emptied first: the previous listener's "ready" must not be taken
	# for this one's.
	: >"$TMP/listen.out"
	python3 -c '
import socket, sys, time
fam = socket.AF_INET6 if ":" in sys.argv[2] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM if sys.argv[1] == "tcp" else socket.SOCK_DGRAM)
s.bind((sys.argv[2], int(sys.argv[3])))
if sys.argv[1] == "tcp":
    s.listen()
print("ready", flush=True)
time.sleep(60)' "$@" >"$TMP/listen.out" &
	listener=$!
	for _ in $(seq 50); do grep -q ready "$TMP/listen.out" 2>/dev/null && return; sleep 0.1; done
}
net tport 10.93.0.0/24 '"nat": true' '"publish": ["18998:80", "18996:53/udp"]' >"$TMP/tport.json"
_labs+=(tport)
listen tcp 127.0.0.1 18998
check_exit "a published TCP port a host process listens on is refused, naming it" 1 \
	"nodes.a.publish\\[0\\]: host port 18998/tcp is in use: python3 \\(pid $listener\\) listens on it at 127.0.0.1" \
	cbx up "$TMP/tport.json"
check_ok "and nothing of the lab is made" '^$' leftovers tport
kill "$listener"; wait "$listener" 2>/dev/null
listen udp ::1 18996
check_exit "a published UDP port bound on the host (IPv6) is refused too" 1 \
	"host port 18996/udp is in use: python3 \\(pid $listener\\) is bound to it at ::1" cbx up "$TMP/tport.json"
kill "$listener"; wait "$listener" 2>/dev/null
check_ok "with the ports free, the lab comes up" 'lab tport is up' cbx up "$TMP/tport.json"
check_down_clean "down leaves nothing" tport
finish
