/* IPv4 and IPv6 addresses and prefixes, parsed, printed and compared without
 * touching the network. Used by the topology (validation, allocation) and by
 * the netlink message builders. */
#ifndef CBX_IPADDR_H
#define CBX_IPADDR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include "common/public.h"

struct cbx_ip {
	uint8_t family; /* AF_INET or AF_INET6; 0 means "none" */
	uint8_t bytes[16];
};

/* An address with a prefix length: "10.0.0.2/24" (an interface address) or
 * "10.0.0.0/24" (a subnet), depending on use. */
struct cbx_prefix {
	struct cbx_ip ip;
	uint8_t len;
};

/* Longest text form, with "/128" and the NUL. */
#define CBX_PREFIX_STRLEN 54

static inline unsigned cbx_ip_bytes(int family)
{
	return family == AF_INET ? 4 : 16;
}

static inline unsigned cbx_ip_bits(int family)
{
	return family == AF_INET ? 32 : 128;
}

/* "10.0.0.1" or "fd00::1"; false on anything else. */
CBX_PUBLIC bool cbx_ip_parse(const char *s, struct cbx_ip *out);
/* "10.0.0.0/24"; with require_len false a bare address gets the full length. */
CBX_PUBLIC bool cbx_prefix_parse(const char *s, bool require_len, struct cbx_prefix *out);

CBX_PUBLIC const char *cbx_ip_str(const struct cbx_ip *ip, char *buf, size_t size);
CBX_PUBLIC const char *cbx_prefix_str(const struct cbx_prefix *p, char *buf, size_t size);

CBX_PUBLIC bool cbx_ip_equal(const struct cbx_ip *a, const struct cbx_ip *b);
/* Does subnet `net` (its first `len` bits) contain `ip`? */
CBX_PUBLIC bool cbx_prefix_contains(const struct cbx_prefix *net, const struct cbx_ip *ip);
CBX_PUBLIC bool cbx_prefix_overlaps(const struct cbx_prefix *a, const struct cbx_prefix *b);
/* Are the bits past the prefix length all zero (a proper network address)? */
CBX_PUBLIC bool cbx_prefix_is_network(const struct cbx_prefix *p);
/* The network address of p (host bits cleared). */
CBX_PUBLIC struct cbx_prefix cbx_prefix_network(const struct cbx_prefix *p);

/* The n-th address of a subnet, n counted from the network address; false
 * when it is past the end. The IPv4 broadcast address counts as past the end
 * (except in /31 and /32, which have no broadcast). */
CBX_PUBLIC bool cbx_prefix_nth(const struct cbx_prefix *net, uint64_t n, struct cbx_ip *out);
/* The offset of ip inside net (inverse of cbx_prefix_nth), saturating. */
CBX_PUBLIC uint64_t cbx_prefix_offset(const struct cbx_prefix *net, const struct cbx_ip *ip);
/* Is ip the IPv4 network or broadcast address of net (not usable by a host)? */
CBX_PUBLIC bool cbx_prefix_is_reserved_host(const struct cbx_prefix *net, const struct cbx_ip *ip);

#endif
