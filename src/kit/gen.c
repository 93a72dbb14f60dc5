/* `gen`: topologies of the usual shapes, routed. A shape is a graph of
 * nodes joined by point-to-point links (a /30 each) and LANs (a /24 each,
 * for clos's hosts); every node with one interface is a host, with a
 * gateway, and every other a router, forwarding, with a static route to
 * each subnet it is not on. Routes follow shortest paths: a router sends
 * toward a subnet through a neighbour one hop nearer to it (on its first
 * interface that has one; the lowest-numbered there), so every path shortens at each hop and no route
 * loops.
 *
 * Those routes cost a search per subnet and a route per router and subnet:
 * N^2 both, which is why those shapes stop at 1000 nodes. A clos is routed
 * as a fabric's operator routes it instead, with addresses that aggregate,
 * and so goes to 10,000 leaves: spine s's links are /30s of 10.s.0.0/16
 * (s from 0); a leaf's default route is its first spine, and it reaches
 * each other spine's /16 through that spine; a spine has a route to each
 * leaf's LAN through that leaf, and to each other spine's /16 through the
 * first leaf. Routes: fewer than 2 x spines x leaves in all, no search.
 *
 * A clos's spine has a link per leaf, and the kernel's work for one netns
 * grows with its links (a carrier change there walks its peer netns ids):
 * a three-tier fabric keeps every router's links to tens. Pods of spines
 * and leaves, as a clos each, under super-spines: super-spine k links to
 * spine k of every pod (a plane). Addresses aggregate per pod and per pod's
 * spine: pod p's spine k's links are /30s of 10.p.(32k).0/19 (its link to
 * super-spine k first), pod p's LANs /24s of 10.(100+p).0.0/16. A leaf's
 * default route is its pod's first spine, and it reaches each other spine's
 * /19 through that spine; a spine's default route is its super-spine, and
 * it reaches each of its pod's LANs through that leaf and each other spine's
 * /19 through the pod's first leaf; a super-spine routes each pod's /16s
 * (one without hosts) through that pod's spine. Routes: linear in the size
 * again. An address in those blocks that no node holds goes back and forth
 * between a spine (its default route) and its super-spine (the pod's /16)
 * until its TTL runs out, as in a fabric with default routes; every
 * address a node holds is reached without a loop.
 *
 * Where paths are equal, a reply may come back by another than its
 * request's (a spine answers a leaf directly that reached it through
 * another spine): routers filter reverse paths loosely (rp_filter 2), as
 * fabrics with equal paths do, whatever the host's default. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/cboxlab.h"

#define GEN_NODES_MAX 1000
#define GEN_CLOS_NODES_MAX 20000
#define GEN_IFACES_MAX 64
/* Links take /30s from 10.0.0.0 up to 10.99.255.255, LANs /24s from
 * 10.100.0.0 up to 10.249.255.0. */
#define GEN_LINKS_MAX (100u * 16384)
/* A clos's spine's links: one /16, 16,384 /30s. */
#define GEN_CLOS_LEAVES_MAX 10000
#define GEN_LANS_MAX (150u * 256)
/* A fabric's pods: 10.p.0.0/16 their links (p < 100), 10.(100+p).0.0/16
 * their LANs; a pod's spine's links a /19 (eight in a /16: eight spines). */
#define GEN_FABRIC_PODS_MAX 100
#define GEN_FABRIC_SPINES_MAX 8
#define GEN_FABRIC_LEAVES_MAX 2047 /* a /19's 2048 /30s, less the super-spine's */
#define GEN_FABRIC_LAN_LEAVES_MAX 256

struct g_iface {
	size_t seg;    /* segment index */
	uint32_t addr; /* host-order IPv4 */
};

struct g_node {
	char name[32];
	struct g_iface *ifaces; /* a clos's spine has one per leaf */
	size_t n_ifaces, cap_ifaces;
};

/* A segment: a link (two members) or a LAN (a network). */
struct g_seg {
	bool lan;
	uint32_t net;         /* host order */
	unsigned len;         /* prefix length */
	size_t members[40];   /* a link's 2, a LAN's router and hosts */
	size_t member_if[40]; /* the index of each one's interface on it */
	size_t n_members;
	unsigned next_host;
	char name[32];
};

struct g {
	struct g_node *nodes;
	size_t n_nodes, cap_nodes;
	struct g_seg *segs;
	size_t n_segs, cap_segs;
	size_t n_links, n_lans;
	unsigned clos_spines, clos_hosts; /* a clos: routed as a fabric (clos_routes) */
	/* A three-tier fabric (fabric_routes): pods of spines and leaves. */
	unsigned fab_pods, fab_spines, fab_leaves, fab_hosts;
	struct cbx_error *err;
};

/* fmt takes up to three numbers. */
static int add_node3(struct g *g, const char *fmt, unsigned a, unsigned b, unsigned c)
{
	if (g->n_nodes == g->cap_nodes)
		return cbx_error_set(g->err, CBX_ERR_INPUT, "more than %zu nodes", g->cap_nodes);
	snprintf(g->nodes[g->n_nodes].name, sizeof(g->nodes[0].name), fmt, a, b, c);
	return (int)g->n_nodes++;
}

static int add_node(struct g *g, const char *fmt, unsigned a, unsigned b)
{
	return add_node3(g, fmt, a, b, 0);
}

static int attach(struct g *g, size_t node, size_t seg)
{
	struct g_node *n = &g->nodes[node];
	struct g_seg *s = &g->segs[seg];

	if (n->n_ifaces == n->cap_ifaces) {
		size_t cap = n->cap_ifaces ? 2 * n->cap_ifaces : 4;
		struct g_iface *grown = realloc(n->ifaces, cap * sizeof(*grown));
		if (!grown)
			return cbx_error_sys(g->err, ENOMEM, "gen");
		n->ifaces = grown;
		n->cap_ifaces = cap;
	}
	if (s->n_members == sizeof(s->members) / sizeof(s->members[0]))
		return cbx_error_set(g->err, CBX_ERR_INPUT, "more than %zu nodes on a LAN",
				     sizeof(s->members) / sizeof(s->members[0]));
	n->ifaces[n->n_ifaces].seg = seg;
	n->ifaces[n->n_ifaces].addr = s->net + ++s->next_host;
	n->n_ifaces++;
	s->member_if[s->n_members] = n->n_ifaces - 1;
	s->members[s->n_members++] = node;
	return 0;
}

static int new_seg(struct g *g, bool lan)
{
	struct g_seg *s;

	if (g->n_segs == g->cap_segs ||
	    (lan ? g->n_lans >= GEN_LANS_MAX : g->n_links >= GEN_LINKS_MAX))
		return cbx_error_set(g->err, CBX_ERR_INPUT, "too many %s", lan ? "LANs" : "links");
	s = &g->segs[g->n_segs];
	memset(s, 0, sizeof(*s));
	s->lan = lan;
	if (lan) {
		/* 10.100.0.0/24, 10.100.1.0/24 ... 10.101.0.0/24 ... */
		s->net = (10u << 24) | (uint32_t)(100 + g->n_lans / 256) << 16 |
			 (uint32_t)(g->n_lans % 256) << 8;
		s->len = 24;
		snprintf(s->name, sizeof(s->name), "lan%zu", g->n_lans + 1);
		g->n_lans++;
	} else {
		/* 10.0.0.0/30, 10.0.0.4/30 ... 10.1.0.0/30 ... */
		s->net = (10u << 24) + 4 * (uint32_t)g->n_links;
		s->len = 30;
		g->n_links++;
	}
	return (int)g->n_segs++;
}

static int link_nodes(struct g *g, size_t a, size_t b)
{
	int s = new_seg(g, false);

	if (s < 0 || attach(g, a, (size_t)s) < 0 || attach(g, b, (size_t)s) < 0)
		return -1;
	return 0;
}

static void ip_text(uint32_t a, char *buf, size_t size)
{
	snprintf(buf, size, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

/* Shapes. */
static int shape_linear(struct g *g, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (add_node(g, "n%u", i + 1, 0) < 0 || (i && link_nodes(g, i - 1, i) < 0))
			return -1;
	return 0;
}

static int shape_ring(struct g *g, unsigned n)
{
	return shape_linear(g, n) < 0 ? -1 : link_nodes(g, n - 1, 0);
}

static int shape_star(struct g *g, unsigned n)
{
	if (add_node(g, "hub", 0, 0) < 0)
		return -1;
	for (unsigned i = 0; i < n; i++)
		if (add_node(g, "leaf%u", i + 1, 0) < 0 || link_nodes(g, 0, i + 1) < 0)
			return -1;
	return 0;
}

static int shape_tree(struct g *g, unsigned depth, unsigned fanout)
{
	size_t level_start = 0, level_end;

	if (add_node(g, "t1", 0, 0) < 0)
		return -1;
	for (unsigned d = 0; d < depth; d++) {
		level_end = g->n_nodes;
		for (size_t p = level_start; p < level_end; p++)
			for (unsigned k = 0; k < fanout; k++) {
				int c = add_node(g, "t%u", (unsigned)g->n_nodes + 1, 0);
				if (c < 0 || link_nodes(g, p, (size_t)c) < 0)
					return -1;
			}
		level_start = level_end;
	}
	return 0;
}

static int shape_mesh(struct g *g, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (add_node(g, "n%u", i + 1, 0) < 0)
			return -1;
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = i + 1; j < n; j++)
			if (link_nodes(g, i, j) < 0)
				return -1;
	return 0;
}

/* 10.s.0.0/16: spine s's links (s from 0). */
static uint32_t clos_block(unsigned spine)
{
	return (10u << 24) | (uint32_t)spine << 16;
}

/* A link between nodes a and b on the /30 at net (a clos's and a fabric's
 * are numbered by their place, not in order). */
static int link_at(struct g *g, size_t a, size_t b, uint32_t net)
{
	int seg = new_seg(g, false);

	if (seg < 0)
		return -1;
	g->segs[seg].net = net; /* before attach: it numbers */
	return attach(g, a, (size_t)seg) < 0 || attach(g, b, (size_t)seg) < 0 ? -1 : 0;
}

/* Nodes: the spines, then each leaf followed by its hosts. Segments: each
 * leaf's links to the spines in spine order, then its LAN (when it has
 * hosts). Interfaces: a spine's k-th is its link to leaf k, a leaf's k-th
 * its link to spine k and its last its LAN. clos_routes counts on this
 * order. */
static int shape_clos(struct g *g, unsigned spines, unsigned leaves, unsigned hosts)
{
	g->clos_spines = spines;
	g->clos_hosts = hosts;
	for (unsigned s = 0; s < spines; s++)
		if (add_node(g, "spine%u", s + 1, 0) < 0)
			return -1;
	for (unsigned l = 0; l < leaves; l++) {
		int leaf = add_node(g, "leaf%u", l + 1, 0), lan;
		if (leaf < 0)
			return -1;
		for (unsigned s = 0; s < spines; s++)
			if (link_at(g, s, (size_t)leaf, clos_block(s) + 4 * l) < 0)
				return -1;
		if (!hosts) /* no LAN: a bridge with the leaf alone would serve nothing */
			continue;
		if ((lan = new_seg(g, true)) < 0 || attach(g, (size_t)leaf, (size_t)lan) < 0)
			return -1;
		for (unsigned h = 0; h < hosts; h++) {
			int host = add_node(g, "h%u-%u", l + 1, h + 1);
			if (host < 0 || attach(g, (size_t)host, (size_t)lan) < 0)
				return -1;
		}
	}
	return 0;
}

/* 10.p.(32k).0/19: pod p's spine k's links; its link to super-spine k is
 * the first /30, its link to leaf l the (l+1)-th. */
static uint32_t fabric_block(unsigned pod, unsigned spine)
{
	return (10u << 24) | (uint32_t)pod << 16 | (uint32_t)(32 * spine) << 8;
}

/* 10.(100+p).0.0/16: pod p's LANs, leaf l's the l-th /24. */
static uint32_t fabric_lans(unsigned pod)
{
	return (10u << 24) | (uint32_t)(100 + pod) << 16;
}

/* Nodes: the super-spines, then each pod's spines and its leaves, each leaf
 * followed by its hosts. Interfaces: super-spine k's p-th is its link to
 * pod p; a spine's first its link to its super-spine, its (l+1)-th to leaf
 * l; a leaf's k-th to spine k and its last its LAN. fabric_routes counts on
 * this order (fabric_spine, fabric_leaf). */
static int shape_fabric(struct g *g, unsigned pods, unsigned spines, unsigned leaves,
			unsigned hosts)
{
	g->fab_pods = pods;
	g->fab_spines = spines;
	g->fab_leaves = leaves;
	g->fab_hosts = hosts;
	for (unsigned k = 0; k < spines; k++)
		if (add_node(g, "super%u", k + 1, 0) < 0)
			return -1;
	for (unsigned p = 0; p < pods; p++) {
		size_t first_spine = g->n_nodes;
		for (unsigned k = 0; k < spines; k++) {
			int spine = add_node(g, "spine%u-%u", p + 1, k + 1);
			if (spine < 0 || link_at(g, k, (size_t)spine, fabric_block(p, k)) < 0)
				return -1;
		}
		for (unsigned l = 0; l < leaves; l++) {
			int leaf = add_node(g, "leaf%u-%u", p + 1, l + 1), lan;
			if (leaf < 0)
				return -1;
			for (unsigned k = 0; k < spines; k++)
				if (link_at(g, first_spine + k, (size_t)leaf,
					    fabric_block(p, k) + 4 * (l + 1)) < 0)
					return -1;
			if (!hosts)
				continue;
			if ((lan = new_seg(g, true)) < 0)
				return -1;
			g->segs[lan].net = fabric_lans(p) | (uint32_t)l << 8;
			if (attach(g, (size_t)leaf, (size_t)lan) < 0)
				return -1;
			for (unsigned h = 0; h < hosts; h++) {
				int host = add_node3(g, "h%u-%u-%u", p + 1, l + 1, h + 1);
				if (host < 0 || attach(g, (size_t)host, (size_t)lan) < 0)
					return -1;
			}
		}
	}
	return 0;
}

static const struct g_node *fabric_spine(const struct g *g, unsigned pod, unsigned k)
{
	size_t pod_size = g->fab_spines + (size_t)g->fab_leaves * (1 + g->fab_hosts);

	return &g->nodes[g->fab_spines + pod * pod_size + k];
}

static size_t fabric_leaf(const struct g *g, unsigned pod, unsigned l)
{
	size_t pod_size = g->fab_spines + (size_t)g->fab_leaves * (1 + g->fab_hosts);

	return g->fab_spines + pod * pod_size + g->fab_spines + l * (1 + (size_t)g->fab_hosts);
}

/* Hops from each node to segment s: BFS from its members (which are at 0). */
static void distances(const struct g *g, size_t s, unsigned *dist, size_t *queue)
{
	size_t head = 0, tail = 0;

	for (size_t i = 0; i < g->n_nodes; i++)
		dist[i] = ~0u;
	for (size_t k = 0; k < g->segs[s].n_members; k++) {
		dist[g->segs[s].members[k]] = 0;
		queue[tail++] = g->segs[s].members[k];
	}
	while (head < tail) {
		const struct g_node *n = &g->nodes[queue[head]];
		unsigned d = dist[queue[head++]];
		/* A host forwards nothing: no path goes through it. */
		if (n->n_ifaces < 2 && d > 0)
			continue;
		for (size_t i = 0; i < n->n_ifaces; i++) {
			const struct g_seg *sg = &g->segs[n->ifaces[i].seg];
			for (size_t k = 0; k < sg->n_members; k++)
				if (dist[sg->members[k]] == ~0u) {
					dist[sg->members[k]] = d + 1;
					queue[tail++] = sg->members[k];
				}
		}
	}
}

/* The neighbour's address on a segment both share. */
static uint32_t addr_on(const struct g *g, size_t node, size_t seg)
{
	for (size_t i = 0; i < g->nodes[node].n_ifaces; i++)
		if (g->nodes[node].ifaces[i].seg == seg)
			return g->nodes[node].ifaces[i].addr;
	return 0;
}

static json_t *route_json(uint32_t net, unsigned len, uint32_t via)
{
	char to[32], gw[20];

	ip_text(net, to, sizeof(to));
	snprintf(to + strlen(to), sizeof(to) - strlen(to), "/%u", len);
	ip_text(via, gw, sizeof(gw));
	return json_pack("{s:s, s:s}", "to", to, "via", gw);
}

/* A clos routed as a fabric (see the top of this file), no search. */
static void clos_routes(const struct g *g, json_t **per_node, uint32_t *gateway)
{
	const unsigned S = g->clos_spines;
	const size_t stride = 1 + g->clos_hosts, leaves = (g->n_nodes - S) / stride;
	const struct g_node *first_leaf = &g->nodes[S];

	for (size_t l = 0; l < leaves; l++) {
		const struct g_node *leaf = &g->nodes[S + l * stride];
		gateway[S + l * stride] = g->nodes[0].ifaces[l].addr;
		for (unsigned s = 1; s < S; s++)
			json_array_append_new(per_node[S + l * stride],
					      route_json(clos_block(s), 16,
							 g->nodes[s].ifaces[l].addr));
		for (unsigned s = 0; s < S && g->clos_hosts; s++)
			json_array_append_new(per_node[s],
					      route_json(g->segs[leaf->ifaces[S].seg].net, 24,
							 leaf->ifaces[s].addr));
	}
	for (unsigned s = 0; s < S; s++)
		for (unsigned other = 0; other < S && leaves; other++)
			if (other != s)
				json_array_append_new(per_node[s],
						      route_json(clos_block(other), 16,
								 first_leaf->ifaces[s].addr));
}

/* A three-tier fabric routed as its operator routes it (the top of this
 * file), no search. */
static void fabric_routes(const struct g *g, json_t **per_node, uint32_t *gateway)
{
	const unsigned S = g->fab_spines, L = g->fab_leaves;

	for (unsigned p = 0; p < g->fab_pods; p++) {
		const struct g_node *first_leaf = &g->nodes[fabric_leaf(g, p, 0)];
		for (unsigned k = 0; k < S; k++) {
			size_t spine = (size_t)(fabric_spine(g, p, k) - g->nodes);
			gateway[spine] = g->nodes[k].ifaces[p].addr;
			for (unsigned other = 0; other < S; other++)
				if (other != k)
					json_array_append_new(per_node[spine],
							      route_json(fabric_block(p, other), 19,
									 first_leaf->ifaces[k]
										 .addr));
			for (unsigned l = 0; l < L && g->fab_hosts; l++)
				json_array_append_new(per_node[spine],
						      route_json(fabric_lans(p) | l << 8, 24,
								 g->nodes[fabric_leaf(g, p, l)]
									 .ifaces[k]
									 .addr));
			json_array_append_new(per_node[k],
					      route_json(fabric_block(p, 0) & 0xffff0000u, 16,
							 g->nodes[spine].ifaces[0].addr));
			if (g->fab_hosts)
				json_array_append_new(per_node[k],
						      route_json(fabric_lans(p), 16,
								 g->nodes[spine].ifaces[0].addr));
		}
		for (unsigned l = 0; l < L; l++) {
			size_t leaf = fabric_leaf(g, p, l);
			gateway[leaf] = fabric_spine(g, p, 0)->ifaces[1 + l].addr;
			for (unsigned k = 1; k < S; k++)
				json_array_append_new(per_node[leaf],
						      route_json(fabric_block(p, k), 19,
								 fabric_spine(g, p, k)
									 ->ifaces[1 + l]
									 .addr));
		}
	}
}

/* For every router, a route to each segment it is not on. */
static int routes(struct g *g, json_t **per_node)
{
	unsigned *dist = calloc(g->n_nodes, sizeof(*dist));
	size_t *queue = calloc(g->n_nodes, sizeof(*queue));

	if (!dist || !queue) {
		free(dist);
		free(queue);
		return cbx_error_sys(g->err, ENOMEM, "gen");
	}
	for (size_t i = 0; i < g->n_nodes; i++)
		per_node[i] = json_array();
	for (size_t s = 0; s < g->n_segs; s++) {
		char to[32], via[20];
		distances(g, s, dist, queue);
		ip_text(g->segs[s].net, to, sizeof(to));
		snprintf(to + strlen(to), sizeof(to) - strlen(to), "/%u", g->segs[s].len);
		for (size_t i = 0; i < g->n_nodes; i++) {
			const struct g_node *n = &g->nodes[i];
			size_t best = SIZE_MAX, best_seg = 0;
			if (n->n_ifaces < 2 || dist[i] == 0 || dist[i] == ~0u)
				continue;
			for (size_t k = 0; k < n->n_ifaces && best == SIZE_MAX; k++) {
				const struct g_seg *sg = &g->segs[n->ifaces[k].seg];
				for (size_t m = 0; m < sg->n_members; m++)
					if (sg->members[m] != i &&
					    dist[sg->members[m]] + 1 == dist[i] &&
					    (best == SIZE_MAX || sg->members[m] < best)) {
						best = sg->members[m];
						best_seg = n->ifaces[k].seg;
					}
			}
			if (best == SIZE_MAX)
				continue;
			ip_text(addr_on(g, best, best_seg), via, sizeof(via));
			json_array_append_new(per_node[i],
					      json_pack("{s:s, s:s}", "to", to, "via", via));
		}
	}
	free(dist);
	free(queue);
	return 0;
}

static json_t *to_json(struct g *g, const char *name, const char *description, const char *kind)
{
	json_t *root = json_object(), *nets = json_object(), *links = json_array(),
	       *nodes = json_object();
	json_t **rt = calloc(g->n_nodes ? g->n_nodes : 1, sizeof(*rt));
	uint32_t *gateway = calloc(g->n_nodes ? g->n_nodes : 1, sizeof(*gateway));
	char a[20], b[20];

	bool planned = g->clos_spines || g->fab_pods; /* routed without a search */

	if (rt && gateway && planned) {
		for (size_t i = 0; i < g->n_nodes; i++)
			rt[i] = json_array();
		if (g->clos_spines)
			clos_routes(g, rt, gateway);
		else
			fabric_routes(g, rt, gateway);
	}
	if (!rt || !gateway || (!planned && routes(g, rt) < 0)) {
		free(rt);
		free(gateway);
		json_decref(root);
		json_decref(nets);
		json_decref(links);
		json_decref(nodes);
		return NULL;
	}
	json_object_set_new(root, "name", json_string(name));
	json_object_set_new(root, "description", json_string(description));
	/* A kind without processes has no cgroup to limit. */
	if (kind && strcmp(kind, cbx_node_kinds[CBX_NODE_CONTAINER].word))
		json_object_set_new(root, "defaults", json_pack("{s:s}", "kind", kind));
	else
		json_object_set_new(root, "defaults",
				    json_pack("{s:{s:s}}", "limits", "memory", "32M"));
	for (size_t s = 0; s < g->n_segs; s++) {
		const struct g_seg *sg = &g->segs[s];
		char sub[32], ea[64], eb[64];
		ip_text(sg->net, sub, sizeof(sub));
		snprintf(sub + strlen(sub), sizeof(sub) - strlen(sub), "/%u", sg->len);
		if (sg->lan) {
			json_object_set_new(nets, sg->name, json_pack("{s:s}", "subnet", sub));
			continue;
		}
		for (int e = 0; e < 2; e++)
			snprintf(e ? eb : ea, sizeof(ea), "%s:eth%zu",
				 g->nodes[sg->members[e]].name, sg->member_if[e]);
		json_array_append_new(links, json_pack("{s:[s,s], s:s}", "endpoints", ea, eb,
						       "subnet", sub));
	}
	for (size_t i = 0; i < g->n_nodes; i++) {
		const struct g_node *n = &g->nodes[i];
		json_t *node = json_object(), *ifaces = json_object();
		for (size_t k = 0; k < n->n_ifaces; k++) {
			const struct g_seg *sg = &g->segs[n->ifaces[k].seg];
			char ifname[24];
			if (!sg->lan)
				continue;
			snprintf(ifname, sizeof(ifname), "eth%zu", k);
			ip_text(n->ifaces[k].addr, a, sizeof(a));
			json_object_set_new(ifaces, ifname,
					    json_pack("{s:s, s:[s]}", "network", sg->name,
						      "addresses", a));
		}
		if (json_object_size(ifaces))
			json_object_set_new(node, "interfaces", ifaces);
		else
			json_decref(ifaces);
		if (n->n_ifaces == 1) { /* a host: its gateway is the router on its segment */
			const struct g_seg *sg = &g->segs[n->ifaces[0].seg];
			for (size_t m = 0; m < sg->n_members; m++)
				if (sg->members[m] != i && g->nodes[sg->members[m]].n_ifaces > 1) {
					ip_text(addr_on(g, sg->members[m], n->ifaces[0].seg), b,
						sizeof(b));
					json_object_set_new(node, "gateway", json_string(b));
					break;
				}
			json_decref(rt[i]);
		} else {
			json_object_set_new(node, "sysctls",
					    json_pack("{s:i, s:i}", "net.ipv4.ip_forward", 1,
						      "net.ipv4.conf.all.rp_filter", 2));
			if (gateway[i]) {
				ip_text(gateway[i], b, sizeof(b));
				json_object_set_new(node, "gateway", json_string(b));
			}
			if (json_array_size(rt[i]))
				json_object_set_new(node, "routes", rt[i]);
			else
				json_decref(rt[i]);
		}
		json_object_set_new(nodes, n->name, node);
	}
	free(rt);
	free(gateway);
	if (json_object_size(nets))
		json_object_set_new(root, "networks", nets);
	else
		json_decref(nets);
	if (json_array_size(links))
		json_object_set_new(root, "links", links);
	else
		json_decref(links);
	json_object_set_new(root, "nodes", nodes);
	return root;
}

struct shape {
	const char *name, *args;
	unsigned n_args, n_required, min[4], max[4];
};

static const struct shape shapes[] = {
	{ "linear", "N", 1, 1, { 2 }, { GEN_NODES_MAX } },
	{ "ring", "N", 1, 1, { 3 }, { GEN_NODES_MAX } },
	{ "star", "N", 1, 1, { 1 }, { GEN_IFACES_MAX } },
	{ "tree", "DEPTH FANOUT", 2, 2, { 1, 1 }, { 9, GEN_IFACES_MAX - 1 } },
	{ "mesh", "N", 1, 1, { 2 }, { 40 } },
	{ "clos", "SPINES LEAVES [HOSTS]", 3, 2, { 1, 1, 0 }, { 16, GEN_CLOS_LEAVES_MAX, 32 } },
	{ "fabric",
	  "PODS SPINES LEAVES [HOSTS]",
	  4,
	  3,
	  { 1, 1, 1, 0 },
	  { GEN_FABRIC_PODS_MAX, GEN_FABRIC_SPINES_MAX, GEN_FABRIC_LEAVES_MAX, 32 } },
};

const char *lab_gen_usage(void)
{
	return "linear N | ring N | star N | tree DEPTH FANOUT | mesh N | clos SPINES LEAVES [HOSTS]"
	       " | fabric PODS SPINES LEAVES [HOSTS]";
}

/* How many nodes and segments a clos or a fabric has, checked against the
 * limits; the other shapes stop at GEN_NODES_MAX. */
static int size_planned(struct g *g, const char *shape, const unsigned *v, struct cbx_error *err)
{
	size_t nodes, segs;

	if (!strcmp(shape, "clos")) {
		nodes = v[0] + (size_t)v[1] * (1 + v[2]);
		segs = (size_t)v[1] * (v[0] + 1);
	} else if (!strcmp(shape, "fabric")) {
		if (v[3] && v[2] > GEN_FABRIC_LAN_LEAVES_MAX)
			return cbx_error_set(err, CBX_ERR_INPUT,
					     "fabric %u %u %u %u: a pod with hosts has at most %d "
					     "leaves (its LANs are /24s of one /16); HOSTS 0 makes "
					     "none",
					     v[0], v[1], v[2], v[3], GEN_FABRIC_LAN_LEAVES_MAX);
		nodes = v[1] + (size_t)v[0] * (v[1] + (size_t)v[2] * (1 + v[3]));
		segs = (size_t)v[0] * (v[1] * ((size_t)v[2] + 1) + v[2]);
	} else {
		return 0;
	}
	if (nodes > GEN_CLOS_NODES_MAX) {
		char sizes[64] = "";
		for (int i = 0; i < (strcmp(shape, "clos") ? 4 : 3); i++)
			snprintf(sizes + strlen(sizes), sizeof(sizes) - strlen(sizes), " %u", v[i]);
		return cbx_error_set(err, CBX_ERR_INPUT, "%s%s: %zu nodes, more than %d", shape,
				     sizes, nodes, GEN_CLOS_NODES_MAX);
	}
	g->cap_nodes = nodes;
	g->cap_segs = segs;
	return 0;
}

int lab_gen(const char *shape, const unsigned *args, size_t n_args, const char *name,
	    const char *kind, char **out, struct cbx_error *err)
{
	const struct shape *sh = NULL;
	struct g g = { .err = err };
	char auto_name[CBX_LAB_NAME_MAX + 1], desc[160];
	unsigned v[4] = { 0, 0, 1, 1 };
	json_t *root;
	int rc = -1;

	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
		if (!strcmp(shapes[i].name, shape))
			sh = &shapes[i];
	if (!sh)
		return cbx_error_set(err, CBX_ERR_INPUT, "no shape \"%.32s\" (%s)", shape,
				     lab_gen_usage());
	if (n_args > sh->n_args || n_args < sh->n_required)
		return cbx_error_set(err, CBX_ERR_INPUT, "%s takes %s", sh->name, sh->args);
	for (size_t i = 0; i < n_args; i++) {
		if (args[i] < sh->min[i] || args[i] > sh->max[i])
			return cbx_error_set(err, CBX_ERR_INPUT, "%s %s: %u is not in %u..%u",
					     sh->name, sh->args, args[i], sh->min[i], sh->max[i]);
		v[i] = args[i];
	}
	if (!name) {
		if (!strcmp(shape, "tree"))
			snprintf(auto_name, sizeof(auto_name), "tree%ux%u", v[0], v[1]);
		else if (!strcmp(shape, "clos"))
			snprintf(auto_name, sizeof(auto_name), "clos%ux%ux%u", v[0], v[1], v[2]);
		else if (!strcmp(shape, "fabric"))
			snprintf(auto_name, sizeof(auto_name), "fab%ux%ux%ux%u", v[0], v[1], v[2],
				 v[3]);
		else
			snprintf(auto_name, sizeof(auto_name), "%s%u", shape, v[0]);
		name = auto_name;
	}
	if (cbx_lab_name_check(name, err) < 0)
		return -1;
	for (int k = 0; kind && k <= CBX_NODE_KIND_MAX; k++)
		if (k == CBX_NODE_KIND_MAX)
			return cbx_error_set(err, CBX_ERR_INPUT,
					     "no node kind \"%.32s\" (container or netns)", kind);
		else if (!strcmp(kind, cbx_node_kinds[k].word))
			break;
	g.cap_nodes = GEN_NODES_MAX;
	g.cap_segs = 16384 + 150;
	if (size_planned(&g, shape, v, err) < 0)
		return -1;
	g.nodes = calloc(g.cap_nodes, sizeof(*g.nodes));
	g.segs = calloc(g.cap_segs, sizeof(*g.segs));
	if (!g.nodes || !g.segs) {
		cbx_error_sys(err, ENOMEM, "gen");
		goto out;
	}
	if (!strcmp(shape, "linear"))
		rc = shape_linear(&g, v[0]);
	else if (!strcmp(shape, "ring"))
		rc = shape_ring(&g, v[0]);
	else if (!strcmp(shape, "star"))
		rc = shape_star(&g, v[0]);
	else if (!strcmp(shape, "tree"))
		rc = shape_tree(&g, v[0], v[1]);
	else if (!strcmp(shape, "mesh"))
		rc = shape_mesh(&g, v[0]);
	else if (!strcmp(shape, "clos"))
		rc = shape_clos(&g, v[0], v[1], v[2]);
	else
		rc = shape_fabric(&g, v[0], v[1], v[2], v[3]);
	if (rc < 0)
		goto out;
	rc = -1;
	snprintf(desc, sizeof(desc), "Generated by cboxlab gen %s: %zu nodes, static routes.",
		 shape, g.n_nodes);
	root = to_json(&g, name, desc, kind);
	if (!root) {
		cbx_error_sys(err, ENOMEM, "gen");
		goto out;
	}
	*out = json_dumps(root, JSON_INDENT(2));
	json_decref(root);
	if (!*out) {
		cbx_error_sys(err, ENOMEM, "gen");
		goto out;
	}
	rc = 0;
out:
	for (size_t i = 0; g.nodes && i < g.n_nodes; i++)
		free(g.nodes[i].ifaces);
	free(g.nodes);
	free(g.segs);
	return rc;
}
