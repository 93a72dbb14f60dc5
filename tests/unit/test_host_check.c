/* A lab's host-side subnets against what the host has (lab/host_check.h):
 * a synthetic view of routes and addresses, no netlink, no root. */
#include <arpa/inet.h>
#include <string.h>

#include "lab/host_check.h"
#include "tap.h"

static const char *fake_ifname(void *arg, int ifindex, char *buf, size_t size)
{
	(void)arg;
	snprintf(buf, size, "%s", ifindex == 7 ? "lan-b0, lab lan's network lan" : "eth0");
	return buf;
}

static struct cbx_prefix pfx(const char *s)
{
	struct cbx_prefix p = { 0 };

	cbx_prefix_parse(s, false, &p);
	return p;
}

/* The message for the lab in `json` against the view; "" when none. */
static const char *clash(const char *json, const struct host_view *h, struct cbx_error *err)
{
	struct cbx_topo *t = NULL;
	int rc;

	cbx_error_clear(err);
	if (cbx_topo_load_text(json, strlen(json), "lab.json", &t, err) < 0)
		return err->msg;
	rc = host_clash_find(t, h, fake_ifname, NULL, err);
	ok(rc < 0 ? err->kind == CBX_ERR_STATE : 1, "a clash is a state error");
	cbx_topo_free(t);
	return rc < 0 ? err->msg : "";
}

#define NET(net) \
	"{\"name\": \"t\", \"networks\": {\"n\": " net "}, " \
	"\"nodes\": {\"a\": {\"interfaces\": {\"eth0\": {\"network\": \"n\"}}}}}"

int main(void)
{
	struct host_route routes[] = {
		{ .dst = pfx("0.0.0.0/0"), .oif = 4 },
		{ .dst = pfx("192.0.2.0/24"), .oif = 4 },
		{ .dst = pfx("10.10.0.0/24"), .oif = 7 },
		{ .dst = pfx("fd00::/64"), .oif = 4 },
	};
	struct host_addr addrs[] = {
		{ .ip = pfx("192.0.2.2").ip, .ifindex = 4 },
		{ .ip = pfx("10.99.0.5").ip, .ifindex = 4 }, /* a /32 with no route */
	};
	struct host_view h = { routes, 4, addrs, 2 };
	struct cbx_error err;

	routes[0].gw = pfx("172.31.0.1").ip;

	is_str(clash(NET("{\"subnet\": \"10.10.0.0/24\", \"nat\": true}"), &h, &err),
	       "network n: subnet 10.10.0.0/24 overlaps the host's route to 10.10.0.0/24 on lan-b0, lab lan's network lan: the host could not tell the two apart (give the network another subnet, or no host gateway and NAT)",
	       "another lab's subnet, with NAT: refused, naming the lab");
	has_str(clash(NET("{\"subnet\": \"10.10.0.128/25\", \"gateway\": true}"), &h, &err),
		"subnet 10.10.0.128/25 overlaps the host's route to 10.10.0.0/24 on lan-b0",
		"a part of it, with a host gateway");
	has_str(clash(NET("{\"subnet\": \"10.0.0.0/8\", \"gateway\": \"10.200.0.1\"}"), &h, &err),
		"subnet 10.0.0.0/8 overlaps the host's route to 10.10.0.0/24",
		"a subnet holding another lab's");
	is_str(clash(NET("{\"subnet\": \"10.10.0.0/24\"}"), &h, &err), "",
	       "the same subnet without a host side is isolated: fine");
	has_str(clash(NET("{\"subnet\": \"192.0.2.0/25\", \"gateway\": true}"), &h, &err),
		"overlaps the host's route to 192.0.2.0/24 on eth0", "the uplink's subnet");
	is_str(clash(NET("{\"subnet\": \"10.99.0.0/24\", \"gateway\": true}"), &h, &err),
	       "network n: subnet 10.99.0.0/24 holds 10.99.0.5, an address of the host (on eth0): give the network another subnet, or no host gateway and NAT",
	       "a host address with no route of its own");
	is_str(clash(NET("{\"subnet\": \"172.31.0.0/24\", \"nat\": true}"), &h, &err),
	       "network n: subnet 172.31.0.0/24 holds 172.31.0.1, the host's default gateway (on eth0): give the network another subnet, or no host gateway and NAT",
	       "the default gateway");
	is_str(clash(NET("{\"subnet\": \"10.20.0.0/24\", \"gateway\": true}"), &h, &err), "",
	       "a free subnet: fine (the default route overlaps everything and does not count)");
	has_str(clash(NET("{\"subnet\": \"10.20.0.0/24\", \"subnet6\": \"fd00::/64\", \"gateway6\": true}"),
		      &h, &err),
		"subnet fd00::/64 overlaps the host's route to fd00::/64 on eth0",
		"IPv6 with a host gateway");
	is_str(clash(NET("{\"subnet\": \"10.20.0.0/24\", \"subnet6\": \"fd00::/64\", \"gateway\": true}"),
		     &h, &err),
	       "", "an IPv6 subnet without an IPv6 host gateway is not the host's");
	return tap_done();
}
