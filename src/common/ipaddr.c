#include "common/ipaddr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool cbx_ip_parse(const char *s, struct cbx_ip *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, out->bytes) == 1) {
		out->family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, out->bytes) == 1) {
		out->family = AF_INET6;
		return true;
	}
	return false;
}

bool cbx_prefix_parse(const char *s, bool require_len, struct cbx_prefix *out)
{
	char addr[64];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);

	memset(out, 0, sizeof(*out));
	if (alen == 0 || alen >= sizeof(addr))
		return false;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (!cbx_ip_parse(addr, &out->ip))
		return false;
	if (!slash) {
		if (require_len)
			return false;
		out->len = (uint8_t)cbx_ip_bits(out->ip.family);
		return true;
	}
	{
		const char *p = slash + 1;
		char *end;
		unsigned long len;
		if (*p < '0' || *p > '9')
			return false;
		len = strtoul(p, &end, 10);
		if (*end || len > cbx_ip_bits(out->ip.family) || end - p > 3)
			return false;
		out->len = (uint8_t)len;
	}
	return true;
}

const char *cbx_ip_str(const struct cbx_ip *ip, char *buf, size_t size)
{
	if (!ip->family || !inet_ntop(ip->family, ip->bytes, buf, (socklen_t)size))
		snprintf(buf, size, "?");
	return buf;
}

const char *cbx_prefix_str(const struct cbx_prefix *p, char *buf, size_t size)
{
	char ip[INET6_ADDRSTRLEN];

	snprintf(buf, size, "%s/%u", cbx_ip_str(&p->ip, ip, sizeof(ip)), p->len);
	return buf;
}

bool cbx_ip_equal(const struct cbx_ip *a, const struct cbx_ip *b)
{
	return a->family == b->family && !memcmp(a->bytes, b->bytes, cbx_ip_bytes(a->family));
}

static bool bits_equal(const uint8_t *a, const uint8_t *b, unsigned bits)
{
	unsigned full = bits / 8, rest = bits % 8;

	if (memcmp(a, b, full))
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));
		if ((a[full] & mask) != (b[full] & mask))
			return false;
	}
	return true;
}

bool cbx_prefix_contains(const struct cbx_prefix *net, const struct cbx_ip *ip)
{
	return net->ip.family == ip->family && bits_equal(net->ip.bytes, ip->bytes, net->len);
}

bool cbx_prefix_overlaps(const struct cbx_prefix *a, const struct cbx_prefix *b)
{
	unsigned len = a->len < b->len ? a->len : b->len;

	return a->ip.family == b->ip.family && bits_equal(a->ip.bytes, b->ip.bytes, len);
}

struct cbx_prefix cbx_prefix_network(const struct cbx_prefix *p)
{
	struct cbx_prefix n = *p;
	unsigned total = cbx_ip_bytes(p->ip.family);

	for (unsigned i = 0; i < total; i++) {
		unsigned bit = i * 8;
		if (bit >= p->len)
			n.ip.bytes[i] = 0;
		else if (bit + 8 > p->len)
			n.ip.bytes[i] &= (uint8_t)(0xff << (8 - (p->len - bit)));
	}
	return n;
}

bool cbx_prefix_is_network(const struct cbx_prefix *p)
{
	struct cbx_prefix n = cbx_prefix_network(p);

	return cbx_ip_equal(&n.ip, &p->ip);
}

/* Host bits beyond 64 are never needed: labs do not allocate 2^64 hosts. */
static unsigned host_bits(const struct cbx_prefix *net)
{
	return cbx_ip_bits(net->ip.family) - net->len;
}

bool cbx_prefix_nth(const struct cbx_prefix *net, uint64_t n, struct cbx_ip *out)
{
	unsigned hb = host_bits(net);
	unsigned total = cbx_ip_bytes(net->ip.family);
	struct cbx_prefix base = cbx_prefix_network(net);
	uint64_t carry = n;

	if (hb < 64) {
		uint64_t size = (uint64_t)1 << hb;
		if (n >= size)
			return false;
		if (net->ip.family == AF_INET && hb >= 2 && n == size - 1)
			return false; /* broadcast */
	}
	*out = base.ip;
	for (int i = (int)total - 1; i >= 0 && carry; i--) {
		uint64_t v = out->bytes[i] + (carry & 0xff);
		out->bytes[i] = (uint8_t)v;
		carry = (carry >> 8) + (v >> 8);
	}
	return true;
}

uint64_t cbx_prefix_offset(const struct cbx_prefix *net, const struct cbx_ip *ip)
{
	unsigned total = cbx_ip_bytes(net->ip.family);
	unsigned hb = host_bits(net);
	uint64_t v = 0;

	if (hb > 64)
		hb = 64;
	/* The low 64 bits: all of an IPv4 address, the interface id of IPv6. */
	for (unsigned i = total > 8 ? total - 8 : 0; i < total; i++)
		v = (v << 8) | ip->bytes[i];
	return hb == 64 ? v : v & (((uint64_t)1 << hb) - 1);
}

bool cbx_prefix_is_reserved_host(const struct cbx_prefix *net, const struct cbx_ip *ip)
{
	unsigned hb = host_bits(net);
	uint64_t off;

	if (net->ip.family != AF_INET || hb < 2)
		return false;
	off = cbx_prefix_offset(net, ip);
	return off == 0 || off == ((uint64_t)1 << hb) - 1;
}
