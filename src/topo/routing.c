/* Routes and default gateways of each node, checked for reachability: a
 * gateway must sit in a subnet the node is directly attached to. */
#include <string.h>

#include "common/arena.h"
#include "topo/parser.h"

static const char *const route_keys[] = { "to", "via", "dev", "metric", NULL };

/* One node's addresses and routes, indexed: a clos's spine has ten thousand
 * interfaces and twice as many routes, and a scan of them for each route
 * made validating a 10,000-node clos take seconds (N^2). Keys are text, in
 * the parser's arena. */
struct node_index {
	struct cbx_strmap subnet; /* "10.0.0.0/30": the node's first interface in it */
	struct cbx_strmap own;    /* "10.0.0.1": the node's own addresses */
	struct cbx_strmap route;  /* "10.1.0.0/16 5": destination and metric, for duplicates */
	bool has_len[2][129];     /* the prefix lengths of the node's addresses, per family */
};

static void node_index_free(struct node_index *x)
{
	cbx_strmap_free(&x->subnet);
	cbx_strmap_free(&x->own);
	cbx_strmap_free(&x->route);
}

static char *ip_key(struct parser *p, const struct cbx_ip *ip)
{
	char buf[CBX_PREFIX_STRLEN];
	return cbx_arena_strdup(p->a, cbx_ip_str(ip, buf, sizeof(buf)));
}

static char *subnet_key(struct parser *p, const struct cbx_ip *ip, uint8_t len)
{
	char buf[CBX_PREFIX_STRLEN];
	struct cbx_prefix net = { .ip = *ip, .len = len };

	net = cbx_prefix_network(&net);
	return cbx_arena_strdup(p->a, cbx_prefix_str(&net, buf, sizeof(buf)));
}

static int node_index_build(struct parser *p, const struct cbx_node *n, struct node_index *x)
{
	for (size_t i = 0; i < n->n_ifaces; i++) {
		struct cbx_iface *ifc = n->ifaces[i];
		for (unsigned k = 0; k < ifc->n_addrs; k++) {
			const struct cbx_prefix *a = &ifc->addrs[k];
			char *sk = subnet_key(p, &a->ip, a->len), *ok = ip_key(p, &a->ip);
			bool oom = false;
			if (!sk || !ok)
				return -1;
			/* An address already there keeps its first interface. */
			if ((!cbx_strmap_put(&x->subnet, sk, ifc, &oom) && oom) ||
			    (!cbx_strmap_put(&x->own, ok, ifc, &oom) && oom))
				return -1;
			x->has_len[a->ip.family == AF_INET6][a->len] = true;
		}
	}
	return 0;
}

/* The node's interface (dev, if given) with an address whose subnet holds
 * `via` (the first such in the node's order); NULL if the gateway cannot be
 * reached in one hop. Sets *own when `via` is one of the node's own
 * addresses. */
static const struct cbx_iface *onlink_iface(const struct node_index *x, const struct cbx_iface *dev,
					    const struct cbx_ip *via, bool *own)
{
	const struct cbx_iface *best = NULL;
	const int f = via->family == AF_INET6;
	char buf[CBX_PREFIX_STRLEN];

	*own = cbx_strmap_get(&x->own, cbx_ip_str(via, buf, sizeof(buf))) != NULL;
	if (dev) {
		for (unsigned k = 0; k < dev->n_addrs; k++)
			if (cbx_prefix_contains(&dev->addrs[k], via))
				return dev;
		return NULL;
	}
	for (unsigned len = 0; len <= (f ? 128u : 32u); len++) {
		struct cbx_prefix net = { .ip = *via, .len = (uint8_t)len };
		const struct cbx_iface *ifc;
		if (!x->has_len[f][len])
			continue;
		net = cbx_prefix_network(&net);
		ifc = cbx_strmap_get(&x->subnet, cbx_prefix_str(&net, buf, sizeof(buf)));
		if (ifc && (!best || ifc->index < best->index))
			best = ifc;
	}
	return best;
}

static int check_gateway(struct parser *p, const struct node_index *x, const struct cbx_node *n,
			 const struct cbx_iface *dev, const struct cbx_ip *via, const char *path)
{
	char buf[CBX_PREFIX_STRLEN];
	bool own;

	if (onlink_iface(x, dev, via, &own) && !own)
		return 0;
	cbx_ip_str(via, buf, sizeof(buf));
	if (own)
		return topo_fail(p, path, "gateway %s is node %s's own address", buf, n->name);
	if (dev)
		return topo_fail(p, path,
				 "gateway %s is unreachable from node %s: it is in no subnet of %s",
				 buf, n->name, dev->name);
	return topo_fail(p, path,
			 "gateway %s is unreachable from node %s: it is in no subnet of the node's interfaces",
			 buf, n->name);
}

static int parse_route(struct parser *p, const struct node_index *x, struct cbx_node *n, json_t *v,
		       const char *path, struct cbx_route *r)
{
	char buf[CBX_PREFIX_STRLEN];
	json_t *to, *via, *dev, *metric;
	const char *s;

	if (topo_expect_object(p, v, path) < 0 || topo_check_keys(p, v, path, route_keys) < 0)
		return -1;
	r->path = (char *)path;
	to = json_object_get(v, "to");
	via = json_object_get(v, "via");
	dev = json_object_get(v, "dev");
	metric = json_object_get(v, "metric");
	if (!to)
		return topo_fail(p, path, "a route needs \"to\" (a subnet or \"default\")");
	if (!via && !dev)
		return topo_fail(p, path,
				 "a route needs \"via\" (a gateway) or \"dev\" (an interface)");
	if (via) {
		const char *vpath = topo_path_key(p, path, "via");
		if (topo_expect_string(p, via, vpath) < 0)
			return -1;
		if (!cbx_ip_parse(json_string_value(via), &r->via))
			return topo_fail(p, vpath, "\"%s\" is not an IP address",
					 topo_shown(p, json_string_value(via)));
	}
	if (dev) {
		const char *dpath = topo_path_key(p, path, "dev");
		if (topo_expect_string(p, dev, dpath) < 0)
			return -1;
		r->dev = cbx_node_iface(n, json_string_value(dev));
		if (!r->dev)
			return topo_fail(p, dpath, "node %s has no interface \"%s\"", n->name,
					 topo_shown(p, json_string_value(dev)));
	}
	if (topo_expect_string(p, to, topo_path_key(p, path, "to")) < 0)
		return -1;
	s = json_string_value(to);
	if (!strcmp(s, "default")) {
		r->dst.ip.family = r->via.family == AF_INET6 ? AF_INET6 : AF_INET;
		r->dst.len = 0;
	} else if (!cbx_prefix_parse(s, true, &r->dst)) {
		return topo_fail(p, topo_path_key(p, path, "to"),
				 "\"%s\" is not a subnet such as 10.1.0.0/16, or \"default\"",
				 topo_shown(p, s));
	} else if (!cbx_prefix_is_network(&r->dst)) {
		struct cbx_prefix net = cbx_prefix_network(&r->dst);
		return topo_fail(p, topo_path_key(p, path, "to"),
				 "%s has host bits set; did you mean %s?", s,
				 cbx_prefix_str(&net, buf, sizeof(buf)));
	}
	if (r->via.family && r->via.family != r->dst.ip.family)
		return topo_fail(p, path, "\"to\" and \"via\" are of different address families");
	if (metric) {
		uint64_t m;
		if (topo_expect_uint(p, metric, topo_path_key(p, path, "metric"), 0, UINT32_MAX,
				     &m) < 0)
			return -1;
		r->metric = (uint32_t)m;
	}
	if (r->via.family)
		return check_gateway(p, x, n, r->dev, &r->via, topo_path_key(p, path, "via"));
	return 0;
}

static bool has_default(const struct cbx_node *n, int family)
{
	for (size_t i = 0; i < n->n_routes; i++)
		if (n->routes[i].dst.len == 0 && n->routes[i].dst.ip.family == family)
			return true;
	return false;
}

/* "gateway": "10.0.0.1" adds a default route; false asks for none; absent,
 * a node on a network with a host gateway goes out through it (the first
 * such network in the node's interface order), as Docker's nodes do. */
static int resolve_default(struct parser *p, const struct node_index *x, struct cbx_node *n, int f)
{
	int family = f == 0 ? AF_INET : AF_INET6;
	json_t *gw = p->node_in[n->index].gateway[f];
	struct cbx_route *r = &n->routes[n->n_routes];

	if (gw && json_is_false(gw))
		return 0;
	if (gw) {
		const char *path = topo_path_key(p, n->path, f == 0 ? "gateway" : "gateway6");

		if (!json_is_string(gw))
			return topo_fail(p, path, "expected a gateway address or false");
		if (has_default(n, family))
			return topo_fail(p, path,
					 "node %s has a default route in \"routes\" already",
					 n->name);
		if (!cbx_ip_parse(json_string_value(gw), &r->via) || r->via.family != family)
			return topo_fail(p, path, "\"%s\" is not an %s address",
					 topo_shown(p, json_string_value(gw)),
					 f == 0 ? "IPv4" : "IPv6");
		if (check_gateway(p, x, n, NULL, &r->via, path) < 0)
			return -1;
		r->dst.ip.family = (uint8_t)family;
		r->path = (char *)path;
		n->n_routes++;
		return 0;
	}
	if (has_default(n, family))
		return 0;
	for (size_t i = 0; i < n->n_ifaces; i++) {
		const struct cbx_network *net = n->ifaces[i]->network;
		bool own;
		if (!net || !(f == 0 ? net->has_gw4 : net->has_gw6))
			continue;
		r->via = (f == 0 ? net->gw4 : net->gw6).ip;
		if (!onlink_iface(x, n->ifaces[i], &r->via, &own))
			continue; /* no address of this family on that network */
		r->dst.ip.family = (uint8_t)family;
		r->path = n->path;
		n->n_routes++;
		return 0;
	}
	memset(r, 0, sizeof(*r));
	return 0;
}

/* A route already there with the same destination and metric fails. */
static int check_duplicate(struct parser *p, struct node_index *x, const struct cbx_route *r)
{
	char buf[CBX_PREFIX_STRLEN];
	const char *key = cbx_arena_printf(p->a, "%s %u", cbx_prefix_str(&r->dst, buf, sizeof(buf)),
					   r->metric);
	const struct cbx_route *was;
	bool oom = false;

	if (!key)
		return topo_oom(p);
	if (cbx_strmap_put(&x->route, key, (void *)r, &oom))
		return 0;
	if (oom)
		return topo_oom(p);
	was = cbx_strmap_get(&x->route, key);
	return topo_fail(p, r->path, "duplicate route to %s (also %s)",
			 r->dst.len ? buf : "default", was->path);
}

static int resolve_node_routes(struct parser *p, struct cbx_node *n, struct node_index *x)
{
	json_t *routes = json_object_get(p->node_in[n->index].json, "routes");
	const char *rpath = NULL;
	size_t count = 0;

	if (routes) {
		rpath = topo_path_key(p, n->path, "routes");
		if (topo_expect_array(p, routes, rpath) < 0)
			return -1;
		count = json_array_size(routes);
	}
	n->routes = cbx_arena_array(p->a, count + 2, sizeof(*n->routes));
	if (!n->routes || node_index_build(p, n, x) < 0)
		return topo_oom(p);
	for (size_t k = 0; k < count; k++) {
		const char *path = topo_path_index(p, rpath, k);
		struct cbx_route *r = &n->routes[n->n_routes];
		if (parse_route(p, x, n, json_array_get(routes, k), path, r) < 0 ||
		    check_duplicate(p, x, r) < 0)
			return -1;
		n->n_routes++;
	}
	return resolve_default(p, x, n, 0) < 0 || resolve_default(p, x, n, 1) < 0 ? -1 : 0;
}

int topo_resolve_routes(struct parser *p)
{
	for (size_t i = 0; i < p->t->n_nodes; i++) {
		struct node_index x = { 0 };
		int rc = resolve_node_routes(p, &p->t->nodes[i], &x);
		node_index_free(&x);
		if (rc < 0)
			return -1;
	}
	return 0;
}
