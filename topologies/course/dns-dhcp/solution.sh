#!/bin/sh
# The teacher's solution of the DNS and DHCP lab, applied to the running lab:
# ./solution.sh [LAB] (default "dhcpdns"). It writes srv's /etc/dnsmasq.conf,
# starts dnsmasq, and waits (up to 20 s) for both clients' leases; then
# `cboxlab check LAB` passes.
set -e
lab=${1:-dhcpdns}
cbx=${CBOXLAB:-cboxlab}
$cbx exec -i "$lab" srv -- sh -c 'cat >/etc/dnsmasq.conf' <<'CONF'
# DHCP and DNS for the lab's LAN, on eth0 only.
interface=eth0
bind-interfaces
# A pool of 100 addresses, leases of an hour.
dhcp-range=10.43.0.100,10.43.0.199,255.255.255.0,1h
# The lease names this server as the DNS server, and the domain.
dhcp-option=option:dns-server,10.43.0.2
domain=course.test
# Names: this server's /etc/hosts (web, srv...), with the domain added.
expand-hosts
address=/www.course.test/10.43.0.80
# No upstream: the lab is on its own.
no-resolv
CONF
$cbx exec "$lab" srv -- dnsmasq --conf-file=/etc/dnsmasq.conf
for c in c1 c2; do
	tries=0
	until $cbx exec "$lab" "$c" -- ip -4 addr show dev eth0 | grep -q 'inet '; do
		tries=$((tries + 1))
		[ $tries -lt 100 ] || { echo "$c got no lease" >&2; exit 1; }
		sleep 0.2
	done
done
