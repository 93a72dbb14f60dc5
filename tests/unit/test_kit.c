/* The kit's pure parts, without root: a captured frame in one line (any
 * bytes a node may send, checked against what was captured), the drawings
 * of a topology, and the generated topologies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/cboxlab.h"
#include "tap.h"

static const uint8_t echo4[] = {
	/* ethernet */ 0,
	1,
	2,
	3,
	4,
	5,
	6,
	7,
	8,
	9,
	10,
	11,
	0x08,
	0x00,
	/* IPv4 */ 0x45,
	0,
	0,
	84,
	0,
	0,
	0x40,
	0,
	64,
	1,
	0,
	0,
	10,
	70,
	0,
	2,
	10,
	70,
	0,
	1,
	/* ICMP */ 8,
	0,
	0,
	0,
	0,
	1,
	0,
	1,
};

static const uint8_t arp[] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 6, 7, 8, 9, 10, 11, 0x08, 0x06,
	0,    1,    0x08, 0,    6,    4,    0, 1, 6, 7, 8,  9,  10,   11,
	10,   0,    0,    1,    0,    0,    0, 0, 0, 0, 10, 0,  0,    2,
};

static void test_packets(void)
{
	char buf[256];
	uint8_t tcp6[14 + 40 + 20] = { [12] = 0x86,     [13] = 0xdd,      [14] = 0x60,   [20] = 6,
				       [14 + 8] = 0xfd, [14 + 24] = 0xfd, [14 + 39] = 1, [54] = 0,
				       [55] = 80,       [56] = 0x10,      [57] = 0x92 };

	lab_packet_describe(echo4, sizeof(echo4), buf, sizeof(buf));
	is_str(buf, "IPv4 10.70.0.2 > 10.70.0.1 ICMP echo request", "an IPv4 echo request");
	lab_packet_describe(arp, sizeof(arp), buf, sizeof(buf));
	is_str(buf, "ARP who-has 10.0.0.2 tell 10.0.0.1", "an ARP request");
	lab_packet_describe(tcp6, sizeof(tcp6), buf, sizeof(buf));
	is_str(buf, "IPv6 fd00:: > fd00::1 TCP 80 > 4242", "TCP over IPv6, its ports");
	lab_packet_describe(echo4, 10, buf, sizeof(buf));
	is_str(buf, "a runt frame of 10 bytes", "a frame shorter than its header");
	lab_packet_describe(echo4, 20, buf, sizeof(buf));
	is_str(buf, "ethertype 0x0800, 20 bytes",
	       "an IPv4 header cut short is not read past the capture");
	{
		uint8_t bad[sizeof(echo4)];
		memcpy(bad, echo4, sizeof(bad));
		bad[14] = 0x4f; /* a header length of 60, past the frame */
		lab_packet_describe(bad, sizeof(bad), buf, sizeof(buf));
		is_str(buf, "IPv4 10.70.0.2 > 10.70.0.1",
		       "a header length past the frame: no transport read");
	}
}

static const char *tri =
	"{\"name\": \"tri\", \"networks\": {\"lan\": {\"subnet\": \"10.1.0.0/24\"}},"
	" \"links\": [{\"endpoints\": [\"a:eth1\", \"b:eth1\"], \"subnet\": \"10.0.0.0/30\"}],"
	" \"nodes\": {\"a\": {\"interfaces\": {\"eth0\": {\"network\": \"lan\"}}},"
	" \"b\": {}, \"c\": {\"interfaces\": {\"eth0\": {\"network\": \"lan\"}}}}}";

static void test_graph(void)
{
	struct cbx_topo *t = NULL;
	struct cbx_error err;
	char *text = NULL;
	size_t len;

	if (!ok(cbx_topo_load_text(tri, strlen(tri), "tri.json", &t, &err) == 0, "a lab to draw")) {
		printf("#   %s\n", err.msg);
		return;
	}
	ok(lab_graph(t, NULL, LAB_GRAPH_DOT, &text, &len, &err) == 0, "dot");
	has_str(text, "graph \"tri\" {", "a dot graph named after the lab");
	has_str(text, "  n0 [shape=box", "a node is a box");
	has_str(text, "  w0 [shape=ellipse, style=dashed, label=\"lan\\n10.1.0.0/24\"];",
		"a network is an ellipse with its subnet");
	has_str(text, "  n0 -- w0 [label=\"eth0 10.1.0.1/24\"];", "a member joined to its network");
	has_str(text,
		"  n0 -- n1 [taillabel=\"eth1 10.0.0.1/30\", headlabel=\"eth1 10.0.0.2/30\"];",
		"a link with both ends' addresses");
	ok(text && text[len - 2] == '}', "the graph is closed");
	free(text);

	/* Running: states and faults. */
	{
		struct lab_node_status ns[3] = {
			{ .pid = 1, .state = LAB_NODE_RUNNING, .memory = -1 },
			{ .pid = 0, .state = LAB_NODE_STOPPED, .memory = -1 },
			{ .pid = 2, .state = LAB_NODE_PAUSED, .memory = -1 },
		};
		bool down[8] = { 0 };
		struct cbx_impair im[8] = { 0 };
		bool drops[9] = { 0 };
		struct lab_fault_view fv = { { 3, drops }, down, im };
		struct lab_graph_state st = { ns, &fv };
		const struct cbx_iface *a1 = cbx_node_iface(cbx_topo_node(t, "a"), "eth1");

		down[a1->index] = true;
		im[cbx_node_iface(cbx_topo_node(t, "c"), "eth0")->index].delay_us = 50000;
		drops[0 * 3 + 2] = true; /* a drops c's packets: c to a is cut */
		ok(lab_graph(t, &st, LAB_GRAPH_DOT, &text, &len, &err) == 0,
		   "dot of a running lab");
		has_str(text, "label=\"b\\n(stopped)\"", "a stopped node says so");
		has_str(text, "fillcolor=\"lightblue\", label=\"c\\n(paused)\"",
			"a paused node is blue");
		has_str(text, "eth1 10.0.0.1/30 DOWN\"", "a link down says so");
		has_str(text, "label=\"eth0 10.1.0.2/24 delay=50ms\", color=red",
			"an impaired interface in red");
		has_str(text,
			"  n2 -- n0 [style=dotted, color=red, fontcolor=red, constraint=false, label=\"cut\", dir=forward];",
			"a one-way cut points from the sender whose packets are dropped");
		free(text);
		ok(lab_graph(t, &st, LAB_GRAPH_MERMAID, &text, &len, &err) == 0,
		   "mermaid of a running lab");
		has_str(text, "graph LR\n", "a Mermaid flowchart");
		has_str(text, "  n1[\"b<br/>(stopped)\"]\n  class n1 stopped\n",
			"a stopped node's class");
		has_str(text, "  n0 -.-|\"eth1 10.0.0.1/30 DOWN / eth1 10.0.0.2/30\"| n1",
			"a link down dotted");
		has_str(text, "  n2 -. cut .-x n0", "the cut");
		free(text);
	}
	cbx_topo_free(t);
}

/* Every address of every node is expected from every other: the routes
 * lead everywhere, and back. */
static void all_reach(const char *shape, const unsigned *args, size_t n, size_t want_nodes)
{
	struct cbx_topo *t = NULL;
	struct cbx_error err;
	size_t pairs = 0, missing = 0;
	char *text = NULL, what[64];

	snprintf(what, sizeof(what), "%s %u%s", shape, args[0], n > 1 ? "..." : "");
	if (!ok(lab_gen(shape, args, n, NULL, NULL, &text, &err) == 0, "gen %s", what)) {
		printf("#   %s\n", err.msg);
		return;
	}
	if (!ok(cbx_topo_load_text(text, strlen(text), what, &t, &err) == 0, "gen %s: valid",
		what)) {
		printf("#   %s\n", err.msg);
		free(text);
		return;
	}
	is_int(t->n_nodes, want_nodes, "gen %s: its nodes", what);
	for (size_t a = 0; a < t->n_nodes; a++)
		for (size_t i = 0; i < t->n_ifaces; i++)
			for (unsigned k = 0; k < t->ifaces[i].n_addrs; k++) {
				if (t->ifaces[i].node == &t->nodes[a])
					continue;
				pairs++;
				if (!lab_reach_expected(t, &t->nodes[a],
							&t->ifaces[i].addrs[k].ip)) {
					if (!missing)
						printf("#   %s does not reach %s:%s\n",
						       t->nodes[a].name, t->ifaces[i].node->name,
						       t->ifaces[i].name);
					missing++;
				}
			}
	ok(pairs > 0 && missing == 0,
	   "gen %s: every node's routes reach every address (%zu pairs, %zu not)", what, pairs,
	   missing);
	cbx_topo_free(t);
	free(text);
}

static void test_gen(void)
{
	struct cbx_error err;
	char *text = NULL;

	all_reach("linear", (unsigned[]){ 5 }, 1, 5);
	all_reach("linear", (unsigned[]){ 2 }, 1, 2);
	all_reach("ring", (unsigned[]){ 6 }, 1, 6);
	all_reach("ring", (unsigned[]){ 3 }, 1, 3);
	all_reach("star", (unsigned[]){ 4 }, 1, 5);
	all_reach("tree", (unsigned[]){ 3, 2 }, 2, 15);
	all_reach("mesh", (unsigned[]){ 5 }, 1, 5);
	all_reach("clos", (unsigned[]){ 2, 3, 2 }, 3, 11);
	all_reach("clos", (unsigned[]){ 3, 2 }, 2, 7);
	/* Fabrics: 2 super-spines, 2 pods of 2 spines and 3 leaves with a
	 * host each; one spine per pod (one super-spine); pods without
	 * hosts; one pod. */
	all_reach("fabric", (unsigned[]){ 2, 2, 3, 1 }, 4, 2 + 2 * (2 + 3 * 2));
	all_reach("fabric", (unsigned[]){ 3, 1, 2 }, 3, 1 + 3 * (1 + 2 * 2));
	all_reach("fabric", (unsigned[]){ 2, 3, 2, 0 }, 4, 3 + 2 * (3 + 2));
	all_reach("fabric", (unsigned[]){ 1, 2, 1, 2 }, 4, 2 + 1 * (2 + 1 * 3));
	all_reach("fabric", (unsigned[]){ 2, 2, 2, 2 }, 4, 2 + 2 * (2 + 2 * 3));
	all_reach("fabric", (unsigned[]){ 2, 8, 2, 0 }, 4, 8 + 2 * (8 + 2));

	ok(lab_gen("ring", (unsigned[]){ 4 }, 1, "tmine", NULL, &text, &err) == 0, "gen --name");
	has_str(text, "\"name\": \"tmine\"", "the lab's name given");
	has_str(text, "\"net.ipv4.ip_forward\": 1", "routers forward");
	free(text);
	text = NULL;
	ok(lab_gen("ring", (unsigned[]){ 2 }, 1, NULL, NULL, &text, &err) < 0 &&
		   err.kind == CBX_ERR_INPUT,
	   "a ring of 2 is refused");
	has_str(err.msg, "ring N: 2 is not in 3..1000", "... saying the sizes");
	ok(lab_gen("blob", (unsigned[]){ 2 }, 1, NULL, NULL, &text, &err) < 0, "an unknown shape");
	has_str(err.msg, "no shape \"blob\" (linear N |", "... listing the shapes");
	ok(lab_gen("tree", (unsigned[]){ 2 }, 1, NULL, NULL, &text, &err) < 0,
	   "tree needs two sizes");
	has_str(err.msg, "tree takes DEPTH FANOUT", "... saying which");
	ok(lab_gen("tree", (unsigned[]){ 9, 9 }, 2, NULL, NULL, &text, &err) < 0,
	   "a tree past 1000 nodes");
	has_str(err.msg, "more than 1000 nodes", "... is refused");
	ok(lab_gen("ring", (unsigned[]){ 4 }, 1, "Bad", NULL, &text, &err) < 0, "a bad lab name");
	ok(lab_gen("fabric", (unsigned[]){ 2, 2 }, 2, NULL, NULL, &text, &err) < 0,
	   "fabric needs three sizes");
	has_str(err.msg, "fabric takes PODS SPINES LEAVES [HOSTS]", "... saying which");
	ok(lab_gen("fabric", (unsigned[]){ 2, 9, 2 }, 3, NULL, NULL, &text, &err) < 0,
	   "a fabric of 9 spines a pod");
	has_str(err.msg, "9 is not in 1..8", "... is refused, saying the range");
	ok(lab_gen("fabric", (unsigned[]){ 2, 2, 257, 1 }, 4, NULL, NULL, &text, &err) < 0,
	   "a pod of 257 leaves with hosts");
	has_str(err.msg, "a pod with hosts has at most 256 leaves", "... is refused, saying why");
	has_str(err.msg, "HOSTS 0 makes none", "... and how to have more leaves");
	ok(lab_gen("fabric", (unsigned[]){ 100, 2, 2000, 0 }, 4, NULL, NULL, &text, &err) < 0,
	   "a fabric past 20,000 nodes");
	has_str(err.msg, "fabric 100 2 2000 0: 200202 nodes, more than 20000",
		"... says how many it would have");
	ok(lab_gen("fabric", (unsigned[]){ 2, 2, 2, 1 }, 4, NULL, NULL, &text, &err) == 0,
	   "gen fabric 2 2 2 1");
	has_str(text, "\"name\": \"fab2x2x2x1\"", "named after its shape");
	has_str(text, "\"super1:eth1\",\n        \"spine2-1:eth0\"",
		"super-spine 1's second link: to pod 2's first spine");
	has_str(text, "\"subnet\": \"10.1.32.4/30\"",
		"pod 2's second spine's link to its first leaf: in 10.1.32.0/19");
	has_str(text, "\"to\": \"10.101.0.0/16\",\n          \"via\": \"10.1.0.2\"",
		"a super-spine reaches pod 2's LANs through its spine");
	free(text);
	text = NULL;
	ok(lab_gen("star", (unsigned[]){ 3 }, 1, NULL, "netns", &text, &err) == 0,
	   "gen --kind netns");
	has_str(text, "\"defaults\": {\n    \"kind\": \"netns\"\n  }",
		"every node a netns node, through defaults");
	ok(!strstr(text, "\"limits\""), "and no limits, which a netns node cannot take");
	free(text);
	text = NULL;
	ok(lab_gen("star", (unsigned[]){ 3 }, 1, NULL, "vm", &text, &err) < 0 &&
		   err.kind == CBX_ERR_INPUT,
	   "an unknown kind is refused");
	has_str(err.msg, "no node kind \"vm\" (container or netns)", "... saying the kinds");
}

int main(void)
{
	test_packets();
	test_graph();
	test_gen();
	return tap_done();
}
