/* Networks (L2, one bridge each) and point-to-point links between nodes:
 * the lab's name, subnets, gateways, and which interface goes where. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "topo/parser.h"

/* clang-format off */
static const char *const network_keys[] = {
	"subnet", "subnet6", "gateway", "gateway6", "nat", "mtu", "ports_per_bridge", "description",
	NULL,
};
/* clang-format on */
/* clang-format off */
static const char *const link_keys[] = {
	"endpoints", "subnet", "subnet6", "mtu", "impair", "description", NULL,
};
/* clang-format on */

/* The lab's name: one rule for the file and every command (lab_name.c). */
int topo_parse_lab_name(struct parser *p)
{
	json_t *v = json_object_get(p->root, "name");
	const char *name, *why;

	if (!v)
		return topo_fail(p, "", "the lab has no \"name\"");
	if (topo_expect_string(p, v, "name") < 0)
		return -1;
	name = json_string_value(v);
	if ((why = cbx_lab_name_problem(name)))
		return topo_fail(p, "name", "\"%s\" is not a lab name: %s", topo_shown(p, name),
				 why);
	p->t->name = cbx_arena_strdup(p->a, name);
	return p->t->name ? 0 : topo_oom(p);
}

/* A subnet: "10.0.0.0/24" of the expected family, host bits clear. */
static int parse_subnet(struct parser *p, json_t *v, const char *path, int family,
			struct cbx_prefix *out)
{
	const char *s, *why;
	char buf[CBX_PREFIX_STRLEN];

	if (topo_expect_string(p, v, path) < 0)
		return -1;
	s = json_string_value(v);
	if (!cbx_prefix_parse(s, true, out))
		return topo_fail(p, path, "\"%s\" is not a valid CIDR subnet such as %s",
				 topo_shown(p, s),
				 family == AF_INET ? "10.0.0.0/24" : "fd00:1::/64");
	if (out->ip.family != family)
		return topo_fail(p, path, "%s is not an %s subnet", s,
				 family == AF_INET ? "IPv4" : "IPv6");
	if (!cbx_prefix_is_network(out)) {
		struct cbx_prefix net = cbx_prefix_network(out);
		return topo_fail(p, path, "%s has host bits set; did you mean %s?", s,
				 cbx_prefix_str(&net, buf, sizeof(buf)));
	}
	if ((why = topo_subnet_problem(out)))
		return topo_fail(p, path, "subnet %s %s", s, why);
	return 0;
}

static int parse_network_gateway(struct parser *p, struct cbx_network *net, int fam_idx, json_t *v,
				 const char *path)
{
	int family = fam_idx == 0 ? AF_INET : AF_INET6;
	bool has_subnet = family == AF_INET ? net->has_subnet4 : net->has_subnet6;
	struct cbx_prefix *subnet = family == AF_INET ? &net->subnet4 : &net->subnet6;
	struct cbx_prefix *gw = family == AF_INET ? &net->gw4 : &net->gw6;
	bool *has_gw = family == AF_INET ? &net->has_gw4 : &net->has_gw6;
	char buf[CBX_PREFIX_STRLEN];
	struct cbx_ip ip;

	if (json_is_false(v))
		return 0;
	if (!json_is_true(v) && !json_is_string(v))
		return topo_fail(p, path, "expected true, false or an address");
	if (!has_subnet)
		return topo_fail(p, path, "a gateway needs the network's %s",
				 family == AF_INET ? "\"subnet\"" : "\"subnet6\"");
	*has_gw = true;
	if (json_is_true(v)) {
		p->net_in[net->index].gw_auto[fam_idx] = true;
		return 0;
	}
	if (!cbx_ip_parse(json_string_value(v), &ip) || ip.family != family)
		return topo_fail(p, path, "\"%s\" is not an %s address",
				 topo_shown(p, json_string_value(v)),
				 family == AF_INET ? "IPv4" : "IPv6");
	if (!cbx_prefix_contains(subnet, &ip) || cbx_prefix_is_reserved_host(subnet, &ip))
		return topo_fail(p, path, "%s is not a usable address of subnet %s",
				 json_string_value(v), cbx_prefix_str(subnet, buf, sizeof(buf)));
	gw->ip = ip;
	gw->len = subnet->len;
	return 0;
}

static int parse_network(struct parser *p, struct cbx_network *net, json_t *v)
{
	const char *path = net->path;
	json_t *x;

	if (topo_expect_object(p, v, path) < 0 || topo_check_keys(p, v, path, network_keys) < 0)
		return -1;
	if ((x = json_object_get(v, "subnet"))) {
		if (parse_subnet(p, x, topo_path_key(p, path, "subnet"), AF_INET, &net->subnet4) <
		    0)
			return -1;
		net->has_subnet4 = true;
	}
	if ((x = json_object_get(v, "subnet6"))) {
		if (parse_subnet(p, x, topo_path_key(p, path, "subnet6"), AF_INET6, &net->subnet6) <
		    0)
			return -1;
		net->has_subnet6 = true;
	}
	if ((x = json_object_get(v, "nat"))) {
		if (topo_expect_bool(p, x, topo_path_key(p, path, "nat")) < 0)
			return -1;
		net->nat = json_is_true(x);
		if (net->nat && !net->has_subnet4)
			return topo_fail(p, topo_path_key(p, path, "nat"),
					 "NAT needs the network's \"subnet\"");
	}
	if ((x = json_object_get(v, "gateway"))) {
		if (parse_network_gateway(p, net, 0, x, topo_path_key(p, path, "gateway")) < 0)
			return -1;
	} else if (net->nat) {
		/* NAT means the nodes leave through the host: it needs an address. */
		net->has_gw4 = true;
		p->net_in[net->index].gw_auto[0] = true;
	}
	if ((x = json_object_get(v, "gateway6")) &&
	    parse_network_gateway(p, net, 1, x, topo_path_key(p, path, "gateway6")) < 0)
		return -1;
	if ((x = json_object_get(v, "mtu")) &&
	    topo_parse_mtu(p, x, topo_path_key(p, path, "mtu"), &net->mtu) < 0)
		return -1;
	if ((x = json_object_get(v, "ports_per_bridge"))) {
		uint64_t ports;
		/* Two at least: a leaf's uplink and one interface. */
		if (topo_expect_uint(p, x, topo_path_key(p, path, "ports_per_bridge"), 2,
				     CBX_BRIDGE_PORTS_MAX, &ports) < 0)
			return -1;
		net->ports_per_bridge = (uint32_t)ports;
	}
	return 0;
}

static int add_network(struct parser *p, const char *name, json_t *v)
{
	struct cbx_topo *t = p->t;
	struct cbx_network *net = &t->networks[t->n_networks];
	bool oom = false;

	net->index = t->n_networks++;
	net->path = topo_path_key(p, "networks", name);
	net->name = cbx_arena_strdup(p->a, name);
	if (!net->path || !net->name)
		return topo_oom(p);
	if (!*name || strlen(name) > 64)
		return topo_fail(p, net->path, "a network name must be 1 to 64 characters");
	if (!cbx_strmap_put(&t->network_by_name, net->name, net, &oom))
		return oom ? topo_oom(p) : topo_fail(p, net->path, "duplicate network");
	return parse_network(p, net, v);
}

int topo_parse_networks(struct parser *p)
{
	json_t *networks = json_object_get(p->root, "networks");
	struct cbx_topo *t = p->t;
	size_t before = p->n_failed;
	const char *name;
	json_t *v;

	if (!networks)
		return 0;
	if (topo_expect_object(p, networks, "networks") < 0)
		return -1;
	t->networks = cbx_arena_array(p->a, json_object_size(networks), sizeof(*t->networks));
	p->net_in = cbx_arena_array(p->a, json_object_size(networks), sizeof(*p->net_in));
	if (!t->networks || !p->net_in)
		return topo_oom(p);
	json_object_foreach (networks, name, v) {
		if (add_network(p, name, v) < 0 && !topo_keep_going(p))
			return -1;
	}
	return p->n_failed > before ? -1 : 0;
}

/* "r1:eth1" → the node and its interface, created if the node did not
 * declare it; an interface may be on one network or one link, not more. */
static int parse_endpoint(struct parser *p, struct cbx_link *l, json_t *v, const char *path,
			  struct cbx_iface **out)
{
	char node_name[CBX_NODE_NAME_MAX + 2];
	const char *s, *colon;
	struct cbx_node *n;
	struct cbx_iface *ifc;

	if (topo_expect_string(p, v, path) < 0)
		return -1;
	s = json_string_value(v);
	colon = strchr(s, ':');
	if (!colon || colon == s || !colon[1])
		return topo_fail(p, path,
				 "\"%s\" is not an endpoint of the form \"node:interface\"",
				 topo_shown(p, s));
	if ((size_t)(colon - s) >= sizeof(node_name))
		return topo_fail(p, path, "link to an unknown node (in \"%s\")", topo_shown(p, s));
	memcpy(node_name, s, (size_t)(colon - s));
	node_name[colon - s] = '\0';
	n = cbx_topo_node(p->t, node_name);
	if (!n)
		return topo_fail(p, path, "link to an unknown node \"%s\"",
				 topo_shown(p, node_name));
	if (topo_check_ifname(p, colon + 1, path) < 0)
		return -1;
	ifc = cbx_node_iface(n, colon + 1);
	if (ifc) {
		if (ifc->network)
			return topo_fail(p, path,
					 "interface %s is used twice: it is already on network \"%s\"",
					 s, ifc->network->name);
		if (ifc->link)
			return topo_fail(p, path, "interface %s is used twice: it is already in %s",
					 s, ifc->link->path);
	} else {
		ifc = topo_add_iface(p, n, colon + 1, path);
		if (!ifc)
			return topo_oom(p);
	}
	ifc->link = l;
	*out = ifc;
	return 0;
}

static int parse_link(struct parser *p, struct cbx_link *l, json_t *v)
{
	const char *path = l->path;
	const char *epath = topo_path_key(p, path, "endpoints");
	json_t *ends, *x;

	if (topo_expect_object(p, v, path) < 0 || topo_check_keys(p, v, path, link_keys) < 0)
		return -1;
	ends = json_object_get(v, "endpoints");
	if (!ends)
		return topo_fail(p, path,
				 "a link needs \"endpoints\": [\"node:iface\", \"node:iface\"]");
	if (topo_expect_array(p, ends, epath) < 0)
		return -1;
	if (json_array_size(ends) != 2)
		return topo_fail(p, epath, "a link has exactly 2 endpoints, not %zu",
				 json_array_size(ends));
	if (parse_endpoint(p, l, json_array_get(ends, 0), topo_path_index(p, epath, 0), &l->a) <
		    0 ||
	    parse_endpoint(p, l, json_array_get(ends, 1), topo_path_index(p, epath, 1), &l->b) < 0)
		return -1;
	if (l->a->node == l->b->node)
		return topo_fail(p, epath, "a link joins two different nodes (both ends are on %s)",
				 l->a->node->name);
	if ((x = json_object_get(v, "subnet"))) {
		if (parse_subnet(p, x, topo_path_key(p, path, "subnet"), AF_INET, &l->subnet4) < 0)
			return -1;
		l->has_subnet4 = true;
	}
	if ((x = json_object_get(v, "subnet6"))) {
		if (parse_subnet(p, x, topo_path_key(p, path, "subnet6"), AF_INET6, &l->subnet6) <
		    0)
			return -1;
		l->has_subnet6 = true;
	}
	if ((x = json_object_get(v, "mtu")) &&
	    topo_parse_mtu(p, x, topo_path_key(p, path, "mtu"), &l->mtu) < 0)
		return -1;
	if ((x = json_object_get(v, "impair"))) {
		const char *ipath = topo_path_key(p, path, "impair");
		if (topo_expect_object(p, x, ipath) < 0)
			return -1;
		/* A link's impairment applies to both directions: each end's
		 * egress, unless the end's own interface declares its own. Its
		 * errors name the link's "impair", where the value is. */
		for (int end = 0; end < 2; end++) {
			struct iface_input *in = &p->iface_in[(end ? l->b : l->a)->index];
			if (!in->impair) {
				in->impair = x;
				in->impair_path = ipath;
			}
		}
	}
	return 0;
}

int topo_parse_links(struct parser *p)
{
	json_t *links = json_object_get(p->root, "links");
	struct cbx_topo *t = p->t;

	if (links) {
		if (topo_expect_array(p, links, "links") < 0)
			return -1;
		t->links = cbx_arena_array(p->a, json_array_size(links), sizeof(*t->links));
		if (!t->links)
			return topo_oom(p);
		for (size_t i = 0; i < json_array_size(links); i++) {
			struct cbx_link *l = &t->links[t->n_links];
			l->index = t->n_links++;
			l->path = topo_path_index(p, "links", i);
			if (!l->path)
				return topo_oom(p);
			if (parse_link(p, l, json_array_get(links, i)) < 0 && !topo_keep_going(p))
				return -1;
		}
	}
	return 0;
}
