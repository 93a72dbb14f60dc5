/* Published ports: "8080:80/tcp" makes host port 8080 reach port 80 of the
 * node, through the node's address on a network the host has a gateway on. */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "topo/parser.h"

static const char *const publish_keys[] = { "host", "node", "proto", NULL };

static int parse_proto(struct parser *p, const char *s, const char *path, uint8_t *proto)
{
	if (!strcmp(s, "tcp"))
		*proto = IPPROTO_TCP;
	else if (!strcmp(s, "udp"))
		*proto = IPPROTO_UDP;
	else
		return topo_fail(p, path, "protocol \"%s\" is not \"tcp\" or \"udp\"",
				 topo_shown(p, s));
	return 0;
}

/* "HOST:NODE" or "HOST:NODE/PROTO". */
static int parse_publish_string(struct parser *p, const char *s, const char *path,
				struct cbx_publish *pub)
{
	char buf[64];
	char *colon, *slash;
	const char *proto = "tcp", *why;

	if (strlen(s) >= sizeof(buf) || !(colon = strchr(strcpy(buf, s), ':')))
		return topo_fail(p, path,
				 "\"%s\" is not a port mapping like \"8080:80\" or \"5353:53/udp\"",
				 topo_shown(p, s));
	*colon = '\0';
	if ((slash = strchr(colon + 1, '/'))) {
		*slash = '\0';
		proto = slash + 1;
	}
	if (!cbx_parse_port(buf, &pub->host_port, &why))
		return topo_fail(p, path, "bad host port \"%s\": %s", topo_shown(p, buf), why);
	if (!cbx_parse_port(colon + 1, &pub->node_port, &why))
		return topo_fail(p, path, "bad node port \"%s\": %s", topo_shown(p, colon + 1),
				 why);
	return parse_proto(p, proto, path, &pub->proto);
}

static int parse_publish_object(struct parser *p, json_t *v, const char *path,
				struct cbx_publish *pub)
{
	uint64_t port;
	json_t *x;

	if (topo_check_keys(p, v, path, publish_keys) < 0)
		return -1;
	if (!json_object_get(v, "host") || !json_object_get(v, "node"))
		return topo_fail(p, path, "a published port needs \"host\" and \"node\" ports");
	if (topo_expect_uint(p, json_object_get(v, "host"), topo_path_key(p, path, "host"), 1,
			     65535, &port) < 0)
		return -1;
	pub->host_port = (uint16_t)port;
	if (topo_expect_uint(p, json_object_get(v, "node"), topo_path_key(p, path, "node"), 1,
			     65535, &port) < 0)
		return -1;
	pub->node_port = (uint16_t)port;
	pub->proto = IPPROTO_TCP;
	if ((x = json_object_get(v, "proto"))) {
		if (topo_expect_string(p, x, topo_path_key(p, path, "proto")) < 0 ||
		    parse_proto(p, json_string_value(x), topo_path_key(p, path, "proto"),
				&pub->proto) < 0)
			return -1;
	}
	return 0;
}

/* The node's IPv4 address on the first network where the host has one. */
static bool reachable_addr(const struct cbx_node *n, struct cbx_ip *out)
{
	for (size_t i = 0; i < n->n_ifaces; i++) {
		const struct cbx_iface *ifc = n->ifaces[i];
		if (!ifc->network || !ifc->network->has_gw4)
			continue;
		for (unsigned k = 0; k < ifc->n_addrs; k++)
			if (cbx_prefix_contains(&ifc->network->subnet4, &ifc->addrs[k].ip)) {
				*out = ifc->addrs[k].ip;
				return true;
			}
	}
	return false;
}

int topo_resolve_publish(struct parser *p)
{
	struct cbx_topo *t = p->t;
	size_t total = 0;

	for (size_t i = 0; i < t->n_nodes; i++) {
		json_t *pub = json_object_get(p->node_in[i].json, "publish");
		if (pub && json_is_array(pub))
			total += json_array_size(pub);
	}
	t->publish = cbx_arena_array(p->a, total + 1, sizeof(*t->publish));
	if (!t->publish)
		return topo_oom(p);
	for (size_t i = 0; i < t->n_nodes; i++) {
		struct cbx_node *n = &t->nodes[i];
		json_t *list = json_object_get(p->node_in[i].json, "publish");
		const char *lpath;

		if (!list)
			continue;
		lpath = topo_path_key(p, n->path, "publish");
		if (topo_expect_array(p, list, lpath) < 0)
			return -1;
		for (size_t k = 0; k < json_array_size(list); k++) {
			json_t *v = json_array_get(list, k);
			const char *path = topo_path_index(p, lpath, k);
			struct cbx_publish *pub = &t->publish[t->n_publish];

			if (json_is_string(v)) {
				if (parse_publish_string(p, json_string_value(v), path, pub) < 0)
					return -1;
			} else if (json_is_object(v)) {
				if (parse_publish_object(p, v, path, pub) < 0)
					return -1;
			} else {
				return topo_fail(p, path,
						 "expected \"HOST:NODE[/PROTO]\" or an object");
			}
			pub->node = n;
			pub->path = (char *)path;
			if (!reachable_addr(n, &pub->addr))
				return topo_fail(p, path,
						 "node %s is on no network with a host gateway, so the host cannot reach it (give a network \"gateway\": true or \"nat\": true)",
						 n->name);
			for (size_t j = 0; j < t->n_publish; j++)
				if (t->publish[j].host_port == pub->host_port &&
				    t->publish[j].proto == pub->proto)
					return topo_fail(p, path,
							 "host port %u/%s is already published by %s",
							 pub->host_port,
							 pub->proto == IPPROTO_TCP ? "tcp" : "udp",
							 t->publish[j].path);
			t->n_publish++;
		}
	}
	return 0;
}
