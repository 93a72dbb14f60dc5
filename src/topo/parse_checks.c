/* "checks": what a running lab must satisfy, declared with it (or in a file
 * of its own) and verified by `cboxlab check`: a teacher's grading sheet, a
 * CI job's assertions. Each names nodes of the topology, so it is resolved
 * here, with the JSON path of anything wrong, and nothing is run. */
#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "topo/parser.h"

/* clang-format off */
static const char *const check_keys[] = {
	"name", "from", "on", "reach", "no-reach", "tcp", "udp", "port", "open", "family",
	"exec", "match", "route", "via", NULL,
};
/* clang-format on */

/* Indexed by enum cbx_check_kind: the key that makes a check of that kind. */
static const char *const kind_keys[CBX_CHECK_KIND_MAX] = {
	[CBX_CHECK_REACH] = "reach", [CBX_CHECK_NO_REACH] = "no-reach", [CBX_CHECK_TCP] = "tcp",
	[CBX_CHECK_UDP] = "udp",     [CBX_CHECK_EXEC] = "exec",         [CBX_CHECK_ROUTE] = "route",
};

const char *cbx_check_kind_name(enum cbx_check_kind k)
{
	return k < CBX_CHECK_KIND_MAX ? kind_keys[k] : "?";
}

static int node_ref(struct parser *p, json_t *obj, const char *key, const char *path,
		    struct cbx_node **out)
{
	json_t *v = json_object_get(obj, key);
	const char *kpath = topo_path_key(p, path, key);

	if (topo_expect_string(p, v, kpath) < 0)
		return -1;
	*out = cbx_topo_node(p->t, json_string_value(v));
	if (!*out)
		return topo_fail(p, kpath, "no node \"%s\"", topo_shown(p, json_string_value(v)));
	return 0;
}

/* A target: a node's name or an address. */
static int target(struct parser *p, struct cbx_check *c, json_t *v, const char *path)
{
	const char *s;

	if (topo_expect_string(p, v, path) < 0)
		return -1;
	s = json_string_value(v);
	c->to = cbx_topo_node(p->t, s);
	if (c->to)
		return 0;
	if (!cbx_ip_parse(s, &c->to_ip))
		return topo_fail(p, path, "\"%s\" is neither a node nor an IP address",
				 topo_shown(p, s));
	return 0;
}

static int parse_argv(struct parser *p, struct cbx_check *c, json_t *v, const char *path)
{
	if (json_is_string(v)) {
		if (!*json_string_value(v))
			return topo_fail(p, path, "the command is empty");
		c->argv = cbx_arena_array(p->a, 4, sizeof(char *));
		if (!c->argv)
			return topo_oom(p);
		c->argv[0] = "/bin/sh";
		c->argv[1] = "-c";
		c->argv[2] = cbx_arena_strdup(p->a, json_string_value(v));
		return c->argv[2] ? 0 : topo_oom(p);
	}
	if (!json_is_array(v) || json_array_size(v) == 0)
		return topo_fail(p, path, "expected a command: a string, or an array of strings");
	c->argv = cbx_arena_array(p->a, json_array_size(v) + 1, sizeof(char *));
	if (!c->argv)
		return topo_oom(p);
	for (size_t i = 0; i < json_array_size(v); i++) {
		json_t *arg = json_array_get(v, i);
		if (topo_expect_string(p, arg, topo_path_index(p, path, i)) < 0)
			return -1;
		c->argv[i] = cbx_arena_strdup(p->a, json_string_value(arg));
		if (!c->argv[i])
			return topo_oom(p);
	}
	return 0;
}

static int parse_match(struct parser *p, struct cbx_check *c, json_t *v, const char *path)
{
	regex_t re;
	int rc;

	if (topo_expect_string(p, v, path) < 0)
		return -1;
	rc = regcomp(&re, json_string_value(v), REG_EXTENDED | REG_NOSUB);
	if (rc != 0) {
		char why[128];
		regerror(rc, &re, why, sizeof(why));
		return topo_fail(p, path, "\"%s\" is not an extended regular expression: %s",
				 topo_shown(p, json_string_value(v)), why);
	}
	regfree(&re);
	c->match = cbx_arena_strdup(p->a, json_string_value(v));
	return c->match ? 0 : topo_oom(p);
}

static int parse_route(struct parser *p, struct cbx_check *c, json_t *obj, const char *path)
{
	json_t *v = json_object_get(obj, "route"), *via = json_object_get(obj, "via");
	const char *rpath = topo_path_key(p, path, "route");
	char buf[CBX_PREFIX_STRLEN];
	const char *s;

	if (topo_expect_string(p, v, rpath) < 0)
		return -1;
	s = json_string_value(v);
	if (via) {
		const char *vpath = topo_path_key(p, path, "via");
		if (topo_expect_string(p, via, vpath) < 0)
			return -1;
		if (!cbx_ip_parse(json_string_value(via), &c->via))
			return topo_fail(p, vpath, "\"%s\" is not an IP address",
					 topo_shown(p, json_string_value(via)));
	}
	if (!strcmp(s, "default") || !strcmp(s, "default6")) {
		c->dst.ip.family = s[7] || c->via.family == AF_INET6 ? AF_INET6 : AF_INET;
		c->dst.len = 0;
	} else if (!cbx_prefix_parse(s, false, &c->dst)) {
		return topo_fail(p, rpath,
				 "\"%s\" is not a subnet such as 10.1.0.0/16, or \"default\"",
				 topo_shown(p, s));
	} else if (!cbx_prefix_is_network(&c->dst)) {
		struct cbx_prefix net = cbx_prefix_network(&c->dst);
		return topo_fail(p, rpath, "%s has host bits set; did you mean %s?", s,
				 cbx_prefix_str(&net, buf, sizeof(buf)));
	}
	if (c->via.family && c->via.family != c->dst.ip.family)
		return topo_fail(p, path,
				 "\"route\" and \"via\" are of different address families");
	return 0;
}

/* The kind: exactly one of the kind keys. */
static int which_kind(struct parser *p, json_t *obj, const char *path, enum cbx_check_kind *k)
{
	int found = -1;

	for (int i = 0; i < CBX_CHECK_KIND_MAX; i++) {
		if (!json_object_get(obj, kind_keys[i]))
			continue;
		if (found >= 0)
			return topo_fail(p, path,
					 "a check has one kind, not both \"%s\" and \"%s\"",
					 kind_keys[found], kind_keys[i]);
		found = i;
	}
	if (found < 0)
		return topo_fail(p, path,
				 "a check needs one of \"reach\", \"no-reach\", \"tcp\", \"udp\", \"exec\", \"route\"");
	*k = (enum cbx_check_kind)found;
	return 0;
}

/* Keys that only some kinds take. */
static int only_for(struct parser *p, json_t *obj, const char *path, const char *key, bool ok)
{
	if (json_object_get(obj, key) && !ok)
		return topo_fail(p, topo_path_key(p, path, key),
				 "\"%s\" does not belong in this kind of check", key);
	return 0;
}

static const char *describe(struct parser *p, const struct cbx_check *c)
{
	char to[CBX_PREFIX_STRLEN];
	const char *target = c->to ? c->to->name : cbx_ip_str(&c->to_ip, to, sizeof(to));

	switch (c->kind) {
	case CBX_CHECK_REACH:
		return cbx_arena_printf(p->a, "%s reaches %s", c->from->name, target);
	case CBX_CHECK_NO_REACH:
		return cbx_arena_printf(p->a, "%s does not reach %s", c->from->name, target);
	case CBX_CHECK_TCP:
	case CBX_CHECK_UDP:
		return cbx_arena_printf(p->a, "%s: %s port %u on %s is %s", c->from->name,
					c->kind == CBX_CHECK_TCP ? "tcp" : "udp", c->port, target,
					c->open ? "open" : "closed");
	case CBX_CHECK_EXEC:
		return cbx_arena_printf(p->a, "%s: %s%s%s", c->on->name,
					c->argv[0] && !strcmp(c->argv[0], "/bin/sh") &&
							c->argv[1] && !strcmp(c->argv[1], "-c") &&
							c->argv[2]
						? c->argv[2]
						: c->argv[0],
					c->match ? " matches " : " succeeds",
					c->match ? c->match : "");
	case CBX_CHECK_ROUTE:
		return cbx_arena_printf(p->a, "%s has a route to %s%s%s", c->on->name,
					c->dst.len ? cbx_prefix_str(&c->dst, to, sizeof(to))
						   : "default",
					c->via.family ? " via " : "",
					c->via.family ? cbx_ip_str(&c->via,
								   (char[CBX_PREFIX_STRLEN]){ 0 },
								   CBX_PREFIX_STRLEN)
						      : "");
	default:
		return "?";
	}
}

static int parse_check(struct parser *p, json_t *obj, const char *path, struct cbx_check *c)
{
	bool net, on;
	json_t *v;

	if (topo_expect_object(p, obj, path) < 0 || topo_check_keys(p, obj, path, check_keys) < 0 ||
	    which_kind(p, obj, path, &c->kind) < 0)
		return -1;
	c->path = (char *)path;
	c->open = true;
	net = c->kind <= CBX_CHECK_UDP;
	on = !net;
	if (only_for(p, obj, path, "from", net) < 0 || only_for(p, obj, path, "on", on) < 0 ||
	    only_for(p, obj, path, "family", net) < 0 ||
	    only_for(p, obj, path, "port", c->kind == CBX_CHECK_TCP || c->kind == CBX_CHECK_UDP) <
		    0 ||
	    only_for(p, obj, path, "open", c->kind == CBX_CHECK_TCP || c->kind == CBX_CHECK_UDP) <
		    0 ||
	    only_for(p, obj, path, "match", c->kind == CBX_CHECK_EXEC) < 0 ||
	    only_for(p, obj, path, "via", c->kind == CBX_CHECK_ROUTE) < 0)
		return -1;
	if (net && !json_object_get(obj, "from"))
		return topo_fail(p, path, "a \"%s\" check needs \"from\": the node it is made from",
				 kind_keys[c->kind]);
	if (on && !json_object_get(obj, "on"))
		return topo_fail(p, path, "a \"%s\" check needs \"on\": the node it is made on",
				 kind_keys[c->kind]);
	if (net ? node_ref(p, obj, "from", path, &c->from) < 0
		: node_ref(p, obj, "on", path, &c->on) < 0)
		return -1;
	v = json_object_get(obj, kind_keys[c->kind]);
	switch (c->kind) {
	case CBX_CHECK_REACH:
	case CBX_CHECK_NO_REACH:
	case CBX_CHECK_TCP:
	case CBX_CHECK_UDP:
		if (target(p, c, v, topo_path_key(p, path, kind_keys[c->kind])) < 0)
			return -1;
		break;
	case CBX_CHECK_EXEC:
		if (parse_argv(p, c, v, topo_path_key(p, path, "exec")) < 0)
			return -1;
		if ((v = json_object_get(obj, "match")) &&
		    parse_match(p, c, v, topo_path_key(p, path, "match")) < 0)
			return -1;
		break;
	case CBX_CHECK_ROUTE:
		if (parse_route(p, c, obj, path) < 0)
			return -1;
		break;
	default:
		break;
	}
	if ((v = json_object_get(obj, "family"))) {
		uint64_t f;
		if (topo_expect_uint(p, v, topo_path_key(p, path, "family"), 4, 6, &f) < 0)
			return -1;
		if (f == 5)
			return topo_fail(p, topo_path_key(p, path, "family"), "expected 4 or 6");
		c->family = f == 4 ? AF_INET : AF_INET6;
		if (c->to_ip.family && c->to_ip.family != c->family)
			return topo_fail(p, topo_path_key(p, path, "family"),
					 "the address is not of this family");
	}
	if (c->kind == CBX_CHECK_TCP || c->kind == CBX_CHECK_UDP) {
		uint64_t port;
		if (!(v = json_object_get(obj, "port")))
			return topo_fail(p, path, "a \"%s\" check needs \"port\"",
					 kind_keys[c->kind]);
		if (topo_expect_uint(p, v, topo_path_key(p, path, "port"), 1, 65535, &port) < 0)
			return -1;
		c->port = (uint16_t)port;
		if ((v = json_object_get(obj, "open"))) {
			if (topo_expect_bool(p, v, topo_path_key(p, path, "open")) < 0)
				return -1;
			c->open = json_is_true(v);
		}
	}
	if ((v = json_object_get(obj, "name"))) {
		if (topo_expect_string(p, v, topo_path_key(p, path, "name")) < 0)
			return -1;
		c->name = cbx_arena_strdup(p->a, json_string_value(v));
	} else {
		c->name = (char *)describe(p, c);
	}
	return c->name ? 0 : topo_oom(p);
}

int topo_parse_checks(struct parser *p, json_t *v, const char *path)
{
	size_t n;

	if (!v)
		return 0;
	if (topo_expect_array(p, v, path) < 0)
		return -1;
	n = json_array_size(v);
	p->t->checks = cbx_arena_array(p->a, n ? n : 1, sizeof(*p->t->checks));
	if (!p->t->checks)
		return topo_oom(p);
	p->t->n_checks = 0;
	for (size_t i = 0; i < n; i++) {
		const char *cpath = topo_path_index(p, path, i);
		if (!cpath ||
		    parse_check(p, json_array_get(v, i), cpath, &p->t->checks[p->t->n_checks]) < 0)
			return cpath ? -1 : topo_oom(p);
		p->t->n_checks++;
	}
	return 0;
}
