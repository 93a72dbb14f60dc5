/* `check`'s pure parts, without root: the "checks" a topology declares
 * (each kind, and each mistake with its JSON path), where a topology's
 * routes lead (the matrix's expectations), and the route matcher run on a
 * message built as `up` builds it. */
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kit/kit.h"
#include "netlink/rtnl_msg.h"
#include "tap.h"
#include "topo/topo.h"

static struct cbx_topo *load(const char *json, struct cbx_error *err)
{
	struct cbx_topo *t = NULL;

	cbx_error_clear(err);
	if (cbx_topo_load_text(json, strlen(json), "lab.json", &t, err) < 0)
		return NULL;
	return t;
}

#define TWO_NODES \
	"{\"name\": \"lab\", \"links\": [{\"endpoints\": [\"a:eth0\", \"b:eth0\"], \"subnet\": " \
	"\"10.0.0.0/30\"}], \"nodes\": {\"a\": {}, \"b\": {}}, \"checks\": "

static void rejects(const char *checks, const char *want, const char *what)
{
	char json[2048];
	struct cbx_error err;
	struct cbx_topo *t;

	snprintf(json, sizeof(json), "%s%s}", TWO_NODES, checks);
	t = load(json, &err);
	ok(!t && err.kind == CBX_ERR_INPUT, "rejected: %s", what);
	if (t)
		cbx_topo_free(t);
	else
		has_str(err.msg, want, "message for: %s", what);
}

static void test_parse(void)
{
	struct cbx_error err;
	struct cbx_topo *t =
		load(TWO_NODES
		     "[{\"from\": \"a\", \"reach\": \"b\"},"
		     " {\"from\": \"a\", \"no-reach\": \"10.9.9.9\", \"name\": \"nowhere\"},"
		     " {\"from\": \"b\", \"tcp\": \"a\", \"port\": 80},"
		     " {\"from\": \"b\", \"udp\": \"a\", \"port\": 53, \"open\": false},"
		     " {\"on\": \"a\", \"exec\": \"ip route\", \"match\": \"10\\\\.0\"},"
		     " {\"on\": \"a\", \"route\": \"10.0.0.0/30\"},"
		     " {\"on\": \"b\", \"route\": \"default\", \"via\": \"10.0.0.1\"}]}",
		     &err);

	if (!ok(t, "checks of every kind load")) {
		printf("#   %s\n", err.msg);
		return;
	}
	is_int(t->n_checks, 7, "seven checks");
	is_int(t->checks[0].kind, CBX_CHECK_REACH, "reach");
	ok(t->checks[0].to == cbx_topo_node(t, "b"), "reach's target is node b");
	is_str(t->checks[0].name, "a reaches b", "a name made from the check");
	is_int(t->checks[1].to_ip.family, AF_INET, "no-reach to an address");
	is_str(t->checks[1].name, "nowhere", "the check's own name");
	is_int(t->checks[2].port, 80, "tcp port");
	ok(t->checks[2].open, "open by default");
	ok(!t->checks[3].open, "\"open\": false");
	is_str(t->checks[3].name, "b: udp port 53 on a is closed", "udp's name");
	is_str(t->checks[4].argv[2], "ip route", "a string command runs with sh -c");
	is_str(t->checks[4].match, "10\\.0", "match");
	is_int(t->checks[5].dst.len, 30, "route's prefix");
	is_int(t->checks[6].dst.len, 0, "default route");
	is_int(t->checks[6].via.family, AF_INET, "via");
	is_str(t->checks[6].name, "b has a route to default via 10.0.0.1", "route's name");
	cbx_topo_free(t);

	rejects("{}", "checks: expected an array", "checks not an array");
	rejects("[{\"from\": \"a\"}]", "checks[0]: a check needs one of", "no kind");
	rejects("[{\"from\": \"a\", \"reach\": \"b\", \"tcp\": \"b\"}]", "not both", "two kinds");
	rejects("[{\"reach\": \"b\"}]", "checks[0]: a \"reach\" check needs \"from\"", "no from");
	rejects("[{\"from\": \"x\", \"reach\": \"b\"}]", "checks[0].from: no node \"x\"",
		"unknown node");
	rejects("[{\"from\": \"a\", \"reach\": \"zz\"}]", "neither a node nor an IP address",
		"bad target");
	rejects("[{\"from\": \"a\", \"tcp\": \"b\"}]", "needs \"port\"", "tcp without port");
	rejects("[{\"from\": \"a\", \"tcp\": \"b\", \"port\": 70000}]", "checks[0].port",
		"port out of range");
	rejects("[{\"on\": \"a\", \"exec\": \"true\", \"match\": \"(\"}]",
		"not an extended regular expression", "bad regex");
	rejects("[{\"on\": \"a\", \"exec\": []}]", "expected a command", "empty command");
	rejects("[{\"on\": \"a\", \"route\": \"10.0.0.1/24\"}]", "did you mean 10.0.0.0/24",
		"route with host bits");
	rejects("[{\"from\": \"a\", \"reach\": \"b\", \"via\": \"10.0.0.1\"}]", "does not belong",
		"via on a reach check");
	rejects("[{\"from\": \"a\", \"reach\": \"b\", \"famly\": 4}]", "did you mean \"family\"",
		"a typo");
}

/* a - r1 - r2 - b, routed; c on r2's side without a route back. */
static const char *routed =
	"{\"name\": \"lab\", \"links\": ["
	" {\"endpoints\": [\"a:eth0\", \"r1:eth0\"], \"subnet\": \"10.0.1.0/30\"},"
	" {\"endpoints\": [\"r1:eth1\", \"r2:eth0\"], \"subnet\": \"10.0.2.0/30\"},"
	" {\"endpoints\": [\"r2:eth1\", \"b:eth0\"], \"subnet\": \"10.0.3.0/30\"},"
	" {\"endpoints\": [\"r2:eth2\", \"c:eth0\"], \"subnet\": \"10.0.4.0/30\"}],"
	" \"nodes\": {"
	"  \"a\": {\"gateway\": \"10.0.1.2\"},"
	"  \"r1\": {\"sysctls\": {\"net.ipv4.ip_forward\": 1}, \"routes\": ["
	"    {\"to\": \"10.0.3.0/30\", \"via\": \"10.0.2.2\"},"
	"    {\"to\": \"10.0.4.0/30\", \"via\": \"10.0.2.2\"}]},"
	"  \"r2\": {\"sysctls\": {\"net.ipv4.ip_forward\": 1}, \"routes\": ["
	"    {\"to\": \"10.0.1.0/30\", \"via\": \"10.0.2.1\"}]},"
	"  \"b\": {\"gateway\": \"10.0.3.1\"},"
	"  \"c\": {}}}";

static bool expect(const struct cbx_topo *t, const char *from, const char *dst)
{
	struct cbx_ip ip;

	cbx_ip_parse(dst, &ip);
	return lab_reach_expected(t, cbx_topo_node(t, from), &ip);
}

static void test_expect(void)
{
	struct cbx_error err;
	struct cbx_topo *t = load(routed, &err);

	if (!ok(t, "the routed lab loads")) {
		printf("#   %s\n", err.msg);
		return;
	}
	ok(expect(t, "a", "10.0.1.2"), "a reaches its neighbour r1");
	ok(expect(t, "a", "10.0.3.2"), "a reaches b through r1 and r2 (and b answers back)");
	ok(expect(t, "b", "10.0.1.1"), "b reaches a");
	ok(expect(t, "a", "10.0.2.2"), "a reaches r2's address on the r1-r2 link");
	ok(!expect(t, "a", "10.0.4.2"), "a does not reach c: c has no route back");
	ok(!expect(t, "c", "10.0.1.1"), "c has no route to a");
	ok(expect(t, "c", "10.0.4.1"), "c reaches r2, its neighbour");
	ok(!expect(t, "a", "10.0.9.9"), "an address of no node is not expected");
	ok(!expect(t, "a", "10.0.1.1"), "a node's own address is not a pair");
	ok(kit_forwards(cbx_topo_node(t, "r1"), AF_INET), "r1 forwards IPv4");
	ok(!kit_forwards(cbx_topo_node(t, "r1"), AF_INET6), "r1 does not forward IPv6");
	ok(!kit_forwards(cbx_topo_node(t, "a"), AF_INET), "a does not forward");
	cbx_topo_free(t);

	/* Without forwarding on r1, nothing crosses it. */
	{
		char *json = strdup(routed),
		     *s = strstr(json, "\"r1\": {\"sysctls\": {\"net.ipv4.ip_forward\": 1");
		s = strstr(s, "1}");
		*s = '0';
		t = load(json, &err);
		free(json);
		if (ok(t, "the lab without forwarding loads")) {
			ok(!expect(t, "a", "10.0.3.2"),
			   "a does not reach b when r1 does not forward");
			ok(expect(t, "a", "10.0.1.2"), "a still reaches r1");
			cbx_topo_free(t);
		}
	}
}

static void test_route_matcher(void)
{
	struct rtnl_route_spec r = { 0 };
	struct cbx_prefix dst, other;
	struct cbx_ip via, via2;
	char buf[512];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

	cbx_prefix_parse("10.2.0.0/24", true, &r.dst);
	cbx_ip_parse("10.0.12.2", &r.via);
	ok(rtnl_build_route_add(buf, sizeof(buf), &r) > 0, "a route message is built");
	nlh->nlmsg_type = RTM_NEWROUTE; /* as a dump returns it */
	dst = r.dst;
	cbx_prefix_parse("10.3.0.0/24", true, &other);
	cbx_ip_parse("10.0.12.2", &via);
	cbx_ip_parse("10.0.13.2", &via2);
	ok(kit_route_msg_matches(nlh, &dst, NULL), "the route to 10.2.0.0/24 matches");
	ok(kit_route_msg_matches(nlh, &dst, &via), "... through its gateway");
	ok(!kit_route_msg_matches(nlh, &dst, &via2), "... not through another");
	ok(!kit_route_msg_matches(nlh, &other, NULL), "another prefix does not match");
	dst.len = 16;
	ok(!kit_route_msg_matches(nlh, &dst, NULL), "nor another length");
}

int main(void)
{
	test_parse();
	test_expect();
	test_route_matcher();
	return tap_done();
}
