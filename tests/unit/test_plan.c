/* The plan `up` executes and `down` undoes, built without root from a
 * topology: the order of its phases, a do and an undo for every step, and
 * the /etc/hosts the nodes share. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "lab/cboxlab.h"
#include "lab/hosts.h"
#include "lab/plan.h"
#include "tap.h"

static const char lab[] =
	"{\"name\": \"lab\", \"networks\": {\"lan\": {\"subnet\": \"10.1.0.0/24\", \"nat\": true}},"
	" \"links\": [{\"endpoints\": [\"r:eth1\", \"s:eth0\"], \"subnet\": \"10.2.0.0/30\"}],"
	" \"nodes\": {\"h\": {\"interfaces\": {\"eth0\": {\"network\": \"lan\"}}, \"publish\": [\"8080:80\"]},"
	"            \"r\": {\"interfaces\": {\"eth0\": {\"network\": \"lan\"}}},"
	"            \"s\": {\"gateway\": \"10.2.0.1\"}}}";

/* A lab over two hosts: a1 on a; b1, b2 on b; lan spans both, bnat (NAT)
 * is b's, a1 -- b2 crosses. */
static const char span[] =
	"{\"name\": \"span\", \"hosts\": {\"a\": {\"address\": \"192.0.2.1\"}, \"b\": {\"address\": \"192.0.2.2\"}},"
	" \"networks\": {\"lan\": {\"subnet\": \"10.1.0.0/24\"}, \"bnat\": {\"subnet\": \"10.3.0.0/24\", \"nat\": true}},"
	" \"links\": [{\"endpoints\": [\"a1:p0\", \"b2:p0\"], \"subnet\": \"10.2.0.0/30\"}],"
	" \"nodes\": {\"a1\": {\"host\": \"a\", \"interfaces\": {\"eth0\": {\"network\": \"lan\"}}},"
	"            \"b1\": {\"host\": \"b\", \"interfaces\": {\"eth0\": {\"network\": \"lan\"}}},"
	"            \"b2\": {\"host\": \"b\", \"interfaces\": {\"eth0\": {\"network\": \"bnat\"}}}}}";

/* How many steps of kind k the plan of host `host`'s part has; the first's
 * description into first. */
static size_t count_steps(const char *host, enum step_kind k, char *first, size_t size)
{
	struct cbx_topo_opts o = { .host = host };
	struct cbx_topo *t;
	struct cbx_error err;
	struct cbx_ctx cbx;
	struct plan p;
	size_t n = 0;

	if (cbx_topo_load_text_opts(span, sizeof(span) - 1, "span.json", &o, &t, &err) < 0)
		return 999;
	if (cbx_ctx_init(&cbx, &err) == 0 && plan_build(&cbx, t, &p, &err) == 0) {
		for (size_t i = 0; i < p.n; i++)
			if (p.steps[i].kind == k && n++ == 0 && first)
				plan_step_describe(&p.steps[i], false, first, size);
		plan_free(&p);
	}
	cbx_topo_free(t);
	return n;
}

static void test_parts(void)
{
	char what[512];

	is_int(count_steps("a", STEP_NODE, NULL, 0), 1, "host a's plan starts a1 alone");
	is_int(count_steps("b", STEP_NODE, NULL, 0), 2, "host b's starts b1 and b2");
	is_int(count_steps("a", STEP_NETWORK, what, sizeof(what)), 1,
	       "a makes lan alone (bnat has no member on a)");
	has_str(what, "with VXLAN device span-b0x (VNI ", "lan crosses: its VXLAN device");
	is_int(count_steps("b", STEP_NETWORK, NULL, 0), 2, "b makes both networks");
	is_int(count_steps("a", STEP_NAT, NULL, 0), 0, "a NATs nothing: bnat is b's");
	is_int(count_steps("b", STEP_NAT, NULL, 0), 1, "b NATs bnat");
	is_int(count_steps("a", STEP_LINK, what, sizeof(what)), 1, "a has its end of the link");
	has_str(what,
		"create a1:p0, this host's end of the link to b2:p0 on host b: a VXLAN device",
		"the end is a VXLAN device in a1");
	is_int(count_steps("a", STEP_VETH, NULL, 0), 1, "a has a1's veth alone");
}

/* Netns nodes (topo.h's kinds): made after the containers, whatever the
 * file's order (a container's mount namespace must not copy their pins),
 * wired and configured as any node, and never started (nothing to start). */
static void test_netns_kind(void)
{
	static const char mixed[] =
		"{\"name\": \"mixed\", \"networks\": {\"lan\": {\"subnet\": \"10.1.0.0/24\"}},"
		" \"nodes\": {\"n1\": {\"kind\": \"netns\", \"interfaces\": {\"eth0\": {\"network\": \"lan\"}}},"
		"            \"c\": {\"interfaces\": {\"eth0\": {\"network\": \"lan\"}}},"
		"            \"n2\": {\"kind\": \"netns\", \"interfaces\": {\"eth0\": {\"network\": \"lan\"}}}}}";
	struct cbx_topo *t;
	struct cbx_error err;
	struct cbx_ctx cbx;
	struct plan p;
	const char *nodes[3] = { 0 }, *started[3] = { 0 };
	size_t n_nodes = 0, n_started = 0, n_net = 0;
	char what[512] = "", undo[512] = "";

	if (!ok(cbx_topo_load_text(mixed, sizeof(mixed) - 1, "mixed.json", &t, &err) == 0,
		"a lab of netns nodes and a container loads"))
		return;
	if (ok(cbx_ctx_init(&cbx, &err) == 0 && plan_build(&cbx, t, &p, &err) == 0,
	       "its plan builds")) {
		for (size_t i = 0; i < p.n; i++) {
			const struct step *s = &p.steps[i];
			if (s->kind == STEP_NODE && n_nodes < 3)
				nodes[n_nodes++] = s->u.node->name;
			if (s->kind == STEP_NODE_START && n_started < 3)
				started[n_started++] = s->u.node->name;
			n_net += s->kind == STEP_NODE_NET;
			if (s->kind == STEP_NODE && !strcmp(s->u.node->name, "n1")) {
				plan_step_describe(s, false, what, sizeof(what));
				plan_step_describe(s, true, undo, sizeof(undo));
			}
		}
		ok(n_nodes == 3 && !strcmp(nodes[0], "c") && !strcmp(nodes[1], "n1") &&
			   !strcmp(nodes[2], "n2"),
		   "the container is made first, then the netns nodes");
		ok(n_started == 1 && !strcmp(started[0], "c"), "only the container is started");
		is_int(n_net, 3, "every node is configured");
		has_str(what, "make node n1: a network namespace only", "the plan says what it is");
		has_str(what, "pinned at /run/netns/mixed-n1", "and where it is pinned");
		has_str(undo, "unpin node n1's netns", "its undo unpins it");
		plan_free(&p);
	}
	cbx_topo_free(t);
}

int main(void)
{
	test_parts();
	test_netns_kind();
	static const enum step_kind order[] = {
		STEP_LAB_STATE,  STEP_LAB_CGROUP, STEP_NETWORK,  STEP_NAT,        STEP_NODE,
		STEP_NODE,       STEP_NODE,       STEP_VETH,     STEP_VETH,       STEP_LINK,
		STEP_NODE_NET,   STEP_NODE_NET,   STEP_NODE_NET, STEP_NODE_START, STEP_NODE_START,
		STEP_NODE_START, STEP_LAB_READY,
	};
	struct cbx_topo *t;
	struct cbx_error err;
	struct cbx_ctx cbx;
	struct plan p;
	char what[512], undo[512], path[] = "/tmp/cbx-hosts-XXXXXX", *text = NULL;
	bool all_described = true, in_order;
	int fd;

	if (!ok(cbx_topo_load_text(lab, sizeof(lab) - 1, "lab.json", &t, &err) == 0, "lab loads"))
		return tap_done();
	ok(cbx_ctx_init(&cbx, &err) == 0 && plan_build(&cbx, t, &p, &err) == 0, "plan builds");
	is_int(p.n, sizeof(order) / sizeof(order[0]), "one step per object, in phases");
	in_order = p.n == sizeof(order) / sizeof(order[0]);
	for (size_t i = 0; in_order && i < p.n; i++)
		in_order = p.steps[i].kind == order[i];
	ok(in_order,
	   "state, cgroups, networks, NAT, nodes, veths, links, node config, start, ready");
	for (size_t i = 0; i < p.n; i++) {
		plan_step_describe(&p.steps[i], false, what, sizeof(what));
		plan_step_describe(&p.steps[i], true, undo, sizeof(undo));
		all_described &= what[0] && undo[0];
	}
	ok(all_described, "every step says what it does and what its undo does");
	for (int k = 0; k < STEP_KIND_COUNT; k++)
		ok(lab_phase_name(k) && *lab_phase_name(k), "phase %d has a name for timings", k);
	is_str(lab_phase_name(STEP_NODE_NET), "node-net", "each phase its own name");
	ok(lab_phase_name(STEP_KIND_COUNT) == NULL, "and past the last, none");
	plan_step_describe(&p.steps[7], true, undo, sizeof(undo));
	is_str(undo, "veth lab-0 goes with the netns of h (the node's undo waits for it)",
	       "a veth goes with its node");
	plan_step_describe(&p.steps[9], false, what, sizeof(what));
	is_str(what, "create link r:eth1 -- s:eth0, each end in its node's netns", "a link step");

	fd = mkstemp(path);
	close(fd);
	ok(lab_write_hosts(t, path, &err) == 0 && cbx_read_file(path, &text, NULL, &err) == 0,
	   "hosts file written");
	has_str(text, "10.1.0.2\th h-eth0\n", "a node's name at its primary address");
	has_str(text, "10.2.0.1\tr-eth1\n", "other addresses as node-iface");
	has_str(text, "127.0.0.1\tlocalhost\n", "localhost is there");
	free(text);
	unlink(path);
	plan_free(&p);
	cbx_topo_free(t);
	return tap_done();
}
