/* A host's part of a lab over hosts against the machine it is brought up
 * on (lab/host_underlay.h): synthetic views, no netlink, no root. */
#include <errno.h>
#include <string.h>

#include "lab/host_underlay.h"
#include "tap.h"

#define LAB(hosts) \
	"{\"name\": \"u\", \"hosts\": {" hosts "}, " \
	"\"networks\": {\"lan\": {\"subnet\": \"10.1.0.0/24\"}}, " \
	"\"nodes\": {\"a1\": {\"host\": \"a\", \"interfaces\": {\"eth0\": {\"network\": \"lan\"}}}, " \
	"\"b1\": {\"host\": \"b\", \"interfaces\": {\"eth0\": {\"network\": \"lan\"}}}}}"
#define PLAIN "\"a\": {\"address\": \"192.0.2.1\"}, \"b\": {\"address\": \"192.0.2.2\"}"

static struct cbx_ip ip(const char *s)
{
	struct cbx_ip a = { 0 };

	cbx_ip_parse(s, &a);
	return a;
}

/* The message for host `host` of the lab in `json` on view v (its paths'
 * far hosts filled in here: b, then c); "" when nothing is wrong. */
static const char *find(const char *json, const char *host, struct underlay_view *v,
			struct underlay_path *paths, struct cbx_error *err)
{
	static char msg[CBX_ERROR_MSG_MAX];
	struct cbx_topo_opts o = { .host = host };
	struct cbx_topo *t = NULL;
	int rc;

	cbx_error_clear(err);
	if (cbx_topo_load_text_opts(json, strlen(json), "lab.json", &o, &t, err) < 0)
		return err->msg;
	for (size_t i = 0; i < v->n_paths; i++)
		paths[i].far = &t->hosts[i + 1];
	v->paths = paths;
	rc = host_underlay_find(t, v, err);
	ok(rc < 0 ? err->kind == CBX_ERR_STATE : 1, "what is wrong is a state error");
	snprintf(msg, sizeof(msg), "%s", rc < 0 ? err->msg : "");
	cbx_topo_free(t);
	return msg;
}

int main(void)
{
	struct host_addr addrs[] = {
		{ .ip = ip("192.0.2.1"), .ifindex = 3 },
		{ .ip = ip("10.0.0.7"), .ifindex = 2 },
	};
	struct host_view on_a = { NULL, 0, addrs, 2 }, on_b = { NULL, 0, addrs + 1, 1 };
	struct underlay_path p[1] = { { .routed = true, .dev = "eth1", .dev_mtu = 1500 } };
	struct underlay_view v = { .h = &on_a, .n_paths = 1 };
	struct cbx_error err;

	is_str(find(LAB(PLAIN), "a", &v, p, &err), "",
	       "host a on a machine with its address, a route to b, MTU 1500: nothing wrong");
	v.h = &on_b;
	is_str(find(LAB(PLAIN), "a", &v, p, &err),
	       "this machine is not host a: its address 192.0.2.1 is on none of this machine's interfaces (bring host a's part up on host a, or correct hosts.a.address)",
	       "--host a on a machine without a's address: refused, saying so");
	v.h = &on_a;
	ok(strstr(find(LAB(PLAIN), "b", &v, p, &err), "this machine is not host b") != NULL,
	   "--host b on a's machine: refused");

	v.dev_missing = true;
	is_str(find(LAB("\"a\": {\"address\": \"192.0.2.1\", \"dev\": \"ul0\"}, "
			"\"b\": {\"address\": \"192.0.2.2\"}"),
		    "a", &v, p, &err),
	       "host a's underlay device ul0 (hosts.a.dev) is not on this machine",
	       "a \"dev\" the machine has not got: refused");
	v.dev_missing = false;

	p[0].routed = false;
	p[0].err_code = ENETUNREACH;
	is_str(find(LAB("\"a\": {\"address\": \"192.0.2.1\", \"dev\": \"ul0\"}, "
			"\"b\": {\"address\": \"192.0.2.2\"}"),
		    "a", &v, p, &err),
	       "host a has no route to host b (192.0.2.2) through ul0: Network is unreachable; the tunnels to it would carry nothing",
	       "no route to the other host: refused, naming it and the device");
	p[0].routed = true;

	p[0].dev_mtu = 1450;
	is_str(find(LAB(PLAIN), "a", &v, p, &err),
	       "host a reaches host b (192.0.2.2) through eth1, whose device's MTU is 1450, less than the 1500 hosts.a.mtu says (the default, when it says none): set \"mtu\": 1450 for host a in every host's copy of the file, and the tunnels are sized for it",
	       "an underlay smaller than the file's default MTU: refused, saying what to set");
	is_str(find(LAB("\"a\": {\"address\": \"192.0.2.1\", \"mtu\": 1450}, "
			"\"b\": {\"address\": \"192.0.2.2\"}"),
		    "a", &v, p, &err),
	       "", "... and accepted once the file says it");
	is_str(find(LAB("\"a\": {\"address\": \"192.0.2.1\", \"mtu\": 1400}, "
			"\"b\": {\"address\": \"192.0.2.2\"}"),
		    "a", &v, p, &err),
	       "", "a file that says less than the device carries: accepted");
	p[0].dev_mtu = 9000;
	p[0].route_mtu = 1400;
	is_str(find(LAB(PLAIN), "a", &v, p, &err),
	       "host a reaches host b (192.0.2.2) through eth1, whose route's MTU is 1400, less than the 1500 hosts.a.mtu says (the default, when it says none): set \"mtu\": 1400 for host a in every host's copy of the file, and the tunnels are sized for it",
	       "a route with an MTU of its own below the file's: refused, naming the route's");
	p[0].route_mtu = 0;

	v.n_paths = 0;
	v.h = &on_b;
	is_str(find("{\"name\": \"one\", \"nodes\": {\"x\": {}}}", NULL, &v, p, &err), "",
	       "a lab on one host: nothing to check");
	return tap_done();
}
