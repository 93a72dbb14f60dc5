/* Routes and default gateways of each node, checked for reachability: a
 * gateway must sit in a subnet the node is directly attached to. */
#include <string.h>

#include "topo/parser.h"

static const char *const route_keys[] = { "to", "via", "dev", "metric", NULL };

/* The node's interface (dev, if given) with an address whose subnet holds
 * `via`; NULL if the gateway cannot be reached in one hop. Sets *own when
 * `via` is one of the node's own addresses. */
static const struct cbx_iface *onlink_iface(const struct cbx_node *n, const struct cbx_iface *dev,
					    const struct cbx_ip *via, bool *own)
{
	*own = false;
	for (size_t i = 0; i < n->n_ifaces; i++) {
		const struct cbx_iface *ifc = n->ifaces[i];
		for (unsigned k = 0; k < ifc->n_addrs; k++) {
			if (cbx_ip_equal(&ifc->addrs[k].ip, via))
				*own = true;
			if ((!dev || dev == ifc) && cbx_prefix_contains(&ifc->addrs[k], via))
				return ifc;
		}
	}
	return NULL;
}

static int check_gateway(struct parser *p, const struct cbx_node *n, const struct cbx_iface *dev,
			 const struct cbx_ip *via, const char *path)
{
	char buf[CBX_PREFIX_STRLEN];
	bool own;

	if (onlink_iface(n, dev, via, &own) && !own)
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

static int parse_route(struct parser *p, struct cbx_node *n, json_t *v, const char *path,
		       struct cbx_route *r)
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
		return check_gateway(p, n, r->dev, &r->via, topo_path_key(p, path, "via"));
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
static int resolve_default(struct parser *p, struct cbx_node *n, int f)
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
		if (check_gateway(p, n, NULL, &r->via, path) < 0)
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
		if (!onlink_iface(n, n->ifaces[i], &r->via, &own))
			continue; /* no address of this family on that network */
		r->dst.ip.family = (uint8_t)family;
		r->path = n->path;
		n->n_routes++;
		return 0;
	}
	memset(r, 0, sizeof(*r));
	return 0;
}

int topo_resolve_routes(struct parser *p)
{
	for (size_t i = 0; i < p->t->n_nodes; i++) {
		struct cbx_node *n = &p->t->nodes[i];
		json_t *routes = json_object_get(p->node_in[i].json, "routes");
		const char *rpath = NULL;
		size_t count = 0;

		if (routes) {
			rpath = topo_path_key(p, n->path, "routes");
			if (topo_expect_array(p, routes, rpath) < 0)
				return -1;
			count = json_array_size(routes);
		}
		n->routes = cbx_arena_array(p->a, count + 2, sizeof(*n->routes));
		if (!n->routes)
			return topo_oom(p);
		for (size_t k = 0; k < count; k++) {
			const char *path = topo_path_index(p, rpath, k);
			struct cbx_route *r = &n->routes[n->n_routes];
			if (parse_route(p, n, json_array_get(routes, k), path, r) < 0)
				return -1;
			for (size_t j = 0; j < n->n_routes; j++) {
				char buf[CBX_PREFIX_STRLEN];
				if (n->routes[j].dst.len == r->dst.len &&
				    n->routes[j].metric == r->metric &&
				    cbx_ip_equal(&n->routes[j].dst.ip, &r->dst.ip))
					return topo_fail(p, path, "duplicate route to %s (also %s)",
							 r->dst.len ? cbx_prefix_str(&r->dst, buf,
										     sizeof(buf))
								    : "default",
							 n->routes[j].path);
			}
			n->n_routes++;
		}
		if (resolve_default(p, n, 0) < 0 || resolve_default(p, n, 1) < 0)
			return -1;
	}
	return 0;
}
