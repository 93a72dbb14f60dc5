/* A frame in one line, for `capture` without -w: enough to see what goes by
 * (who talks to whom, with what), not a dissector; -w and tcpdump or
 * wireshark are for the rest. Every length is checked against what was
 * captured: a frame is the nodes' to make, and may be anything. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "lab/cboxlab.h"

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static const char *icmp_name(int v6, uint8_t type)
{
	if (v6)
		switch (type) {
		case 128:
			return "echo request";
		case 129:
			return "echo reply";
		case 135:
			return "neighbor solicitation";
		case 136:
			return "neighbor advertisement";
		case 133:
			return "router solicitation";
		case 134:
			return "router advertisement";
		case 1:
			return "unreachable";
		default:
			return NULL;
		}
	switch (type) {
	case 8:
		return "echo request";
	case 0:
		return "echo reply";
	case 3:
		return "unreachable";
	case 11:
		return "time exceeded";
	default:
		return NULL;
	}
}

static void transport(char *buf, size_t size, int v6, uint8_t proto, const uint8_t *l4, size_t left)
{
	const char *name;

	switch (proto) {
	case 1:
	case 58:
		name = left >= 1 ? icmp_name(v6, l4[0]) : NULL;
		if (name)
			snprintf(buf, size, " %s %s", v6 ? "ICMP6" : "ICMP", name);
		else if (left >= 1)
			snprintf(buf, size, " %s type %u", v6 ? "ICMP6" : "ICMP", l4[0]);
		else
			snprintf(buf, size, " %s", v6 ? "ICMP6" : "ICMP");
		return;
	case 6:
	case 17:
		if (left >= 4)
			snprintf(buf, size, " %s %u > %u", proto == 6 ? "TCP" : "UDP", be16(l4),
				 be16(l4 + 2));
		else
			snprintf(buf, size, " %s", proto == 6 ? "TCP" : "UDP");
		return;
	default:
		snprintf(buf, size, " protocol %u", proto);
	}
}

void lab_packet_describe(const uint8_t *data, uint32_t caplen, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], l4[64] = "";
	const uint8_t *p = data + 14;
	size_t left = caplen > 14 ? caplen - 14 : 0;
	uint16_t type;

	if (caplen < 14) {
		snprintf(buf, size, "a runt frame of %u bytes", caplen);
		return;
	}
	type = be16(data + 12);
	if (type == 0x0800 && left >= 20 && (p[0] >> 4) == 4) {
		size_t ihl = (size_t)(p[0] & 0xf) * 4;
		inet_ntop(AF_INET, p + 12, a, sizeof(a));
		inet_ntop(AF_INET, p + 16, b, sizeof(b));
		if (ihl >= 20 && ihl <= left)
			transport(l4, sizeof(l4), 0, p[9], p + ihl, left - ihl);
		snprintf(buf, size, "IPv4 %s > %s%s", a, b, l4);
	} else if (type == 0x86dd && left >= 40 && (p[0] >> 4) == 6) {
		inet_ntop(AF_INET6, p + 8, a, sizeof(a));
		inet_ntop(AF_INET6, p + 24, b, sizeof(b));
		transport(l4, sizeof(l4), 1, p[6], p + 40, left - 40);
		snprintf(buf, size, "IPv6 %s > %s%s", a, b, l4);
	} else if (type == 0x0806 && left >= 28) {
		inet_ntop(AF_INET, p + 24, a, sizeof(a));
		inet_ntop(AF_INET, p + 14, b, sizeof(b));
		if (be16(p + 6) == 1)
			snprintf(buf, size, "ARP who-has %s tell %s", a, b);
		else
			snprintf(buf, size, "ARP %s is-at %02x:%02x:%02x:%02x:%02x:%02x", b, p[8],
				 p[9], p[10], p[11], p[12], p[13]);
	} else {
		snprintf(buf, size, "ethertype 0x%04x, %u bytes", type, caplen);
	}
}
