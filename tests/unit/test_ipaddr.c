/* Prefix arithmetic used by validation and address allocation. */
#include <string.h>

#include "common/ipaddr.h"
#include "tap.h"

static struct cbx_prefix P(const char *s) {
	struct cbx_prefix p;
	cbx_prefix_parse(s, false, &p);
	return p;
}

int main(void)
{
	struct cbx_prefix p, net;
	struct cbx_ip ip;
	char buf[CBX_PREFIX_STRLEN];

	ok(cbx_prefix_parse("10.0.0.0/24", true, &p) && p.len == 24 && p.ip.family == AF_INET,
	   "v4 prefix");
	ok(cbx_prefix_parse("fd00::1/64", true, &p) && p.len == 64 && p.ip.family == AF_INET6,
	   "v6 prefix");
	ok(!cbx_prefix_parse("10.0.0.0", true, &p), "a required length must be there");
	ok(cbx_prefix_parse("10.0.0.7", false, &p) && p.len == 32, "a bare address is a /32");
	ok(!cbx_prefix_parse("10.0.0.0/", true, &p) && !cbx_prefix_parse("10.0.0.0/x", true, &p) &&
		   !cbx_prefix_parse("10.0.0.0/129", true, &p) &&
		   !cbx_prefix_parse("10.0.0/8", true, &p),
	   "malformed prefixes");
	ok(!cbx_prefix_parse("fd00::/129", true, &p), "v6 prefix too long");

	net = P("10.0.0.0/24");
	ok(cbx_prefix_nth(&net, 1, &ip) && !strcmp(cbx_ip_str(&ip, buf, sizeof(buf)), "10.0.0.1"),
	   "1st host");
	ok(cbx_prefix_nth(&net, 254, &ip), "254th host");
	ok(!cbx_prefix_nth(&net, 255, &ip), "the broadcast address is not handed out");
	net = P("10.0.0.0/31");
	ok(cbx_prefix_nth(&net, 1, &ip) && !strcmp(cbx_ip_str(&ip, buf, sizeof(buf)), "10.0.0.1"),
	   "/31 has no broadcast");
	net = P("10.0.0.0/16");
	ok(cbx_prefix_nth(&net, 300, &ip) &&
		   !strcmp(cbx_ip_str(&ip, buf, sizeof(buf)), "10.0.1.44"),
	   "offsets carry across bytes");
	is_int(cbx_prefix_offset(&net, &ip), 300, "offset is the inverse of nth");
	net = P("fd00:1::/64");
	ok(cbx_prefix_nth(&net, 0x1234, &ip) &&
		   !strcmp(cbx_ip_str(&ip, buf, sizeof(buf)), "fd00:1::1234"),
	   "v6 nth");
	is_int(cbx_prefix_offset(&net, &ip), 0x1234, "v6 offset");

	p = P("10.0.0.0/16");
	net = P("10.0.5.0/24");
	ok(cbx_prefix_overlaps(&p, &net) && cbx_prefix_overlaps(&net, &p),
	   "containment overlaps both ways");
	net = P("10.1.0.0/16");
	ok(!cbx_prefix_overlaps(&p, &net), "neighbours do not overlap");
	net = P("fd00::/8");
	ok(!cbx_prefix_overlaps(&p, &net), "families never overlap");
	ok(!cbx_prefix_is_network(&(struct cbx_prefix){ P("10.0.0.1").ip, 24 }), "host bits set");
	p = cbx_prefix_network(&(struct cbx_prefix){ P("10.0.3.77").ip, 22 });
	is_str(cbx_prefix_str(&p, buf, sizeof(buf)), "10.0.0.0/22", "network of a /22");
	net = P("10.0.0.0/24");
	ip = P("10.0.0.255").ip;
	ok(cbx_prefix_is_reserved_host(&net, &ip), "broadcast is reserved");
	ip = P("10.0.0.0").ip;
	ok(cbx_prefix_is_reserved_host(&net, &ip), "network address is reserved");
	ip = P("10.0.0.9").ip;
	ok(!cbx_prefix_is_reserved_host(&net, &ip), "a host address is not");
	return tap_done();
}
