/* Internal to src/topo: the state of one topology load, and the helpers the
 * parsing steps share (JSON paths, type checks, unknown keys, errors). */
#ifndef CBX_TOPO_PARSER_H
#define CBX_TOPO_PARSER_H

#include <jansson.h>

#include "common/arena.h"
#include "topo/topo.h"
#include "topo/yaml.h"

/* What the file said about an interface, kept until addresses are resolved. */
struct iface_input {
	json_t *addresses;       /* the "addresses" array, or NULL: allocate */
	json_t *impair;          /* the interface's own "impair", or its link's, or NULL */
	const char *impair_path; /* where that object is in the file */
	json_t *vlan, *vlans;    /* "vlan", "vlans" (topo/vlans.c), or NULL */
};

struct node_input {
	json_t *json;       /* the node's object */
	json_t *gateway[2]; /* "gateway", "gateway6" (AF_INET, AF_INET6), or NULL */
};

struct network_input {
	bool gw_auto[2]; /* "gateway": true (IPv4), "gateway6": true: first free address */
};

struct parser {
	const struct cbx_topo_opts *opts;
	struct cbx_topo *t;
	struct cbx_arena *a;
	struct cbx_error *err;
	/* The file's text, so messages can say where in it (positions.c):
	 * marks maps a JSON path to its struct topo_mark, filled by the
	 * YAML reader, or from a JSON text at its first message. */
	const char *text;
	size_t len;
	struct cbx_strmap marks;
	bool marks_built;
	/* Errors so far; with opts->errors, each is listed there and the
	 * steps go on to the next item (validate reports every error). */
	size_t n_failed;
	json_t *root;
	json_t *defaults;
	/* "defaults" parsed once, at the first node (so a bad default is
	 * reported where it always was); every node starts from a copy. The
	 * arrays it points to are shared, never written: a node's own env,
	 * sysctls or cmd get arrays of their own. */
	struct cbx_node defaults_tmpl;
	bool defaults_parsed;
	/* A key of "defaults" a netns node cannot take was reported (at the
	 * first such node: once, not once per node). */
	bool defaults_kind_failed;
	struct iface_input *iface_in; /* indexed like t->ifaces */
	size_t ifaces_cap;
	struct node_input *node_in;   /* indexed like t->nodes */
	struct network_input *net_in; /* indexed like t->networks */
};

/* Fail with "<file>:<line>:<column>: <path>: <message>" as bad input
 * (without the position where the text does not say); returns -1. */
int topo_fail(struct parser *p, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* After a failure: true when the caller should go on with its next item
 * (a load that lists every error), false when it should return. A step
 * that goes on fails in the end when p->n_failed grew. */
bool topo_keep_going(struct parser *p);
/* Where the value at `path`, or the nearest value above it, is in the
 * file; NULL when unknown (positions.c). */
const struct topo_mark *topo_mark_of(struct parser *p, const char *path);
int topo_oom(struct parser *p);

/* A value of the file as a message shows it: control bytes quoted (\x1b),
 * cut after CBX_EXCERPT_MAX bytes. In the arena; "" when out of memory. */
const char *topo_shown(struct parser *p, const char *s);
/* One character so: "'/'", or "\\x1b" for a control byte. */
const char *topo_shown_char(struct parser *p, char c);

/* "parent.key", or parent["key"] when the key is not a plain word (shown
 * as above: paths are for messages). */
char *topo_path_key(struct parser *p, const char *parent, const char *key);
/* The same in any arena (the YAML reader names values as the parser does). */
char *topo_path_key_in(struct cbx_arena *a, const char *parent, const char *key);
char *topo_path_index(struct parser *p, const char *parent, size_t i);

/* Every key of `obj` must be in the NULL-terminated list `known`; an unknown
 * one fails with the closest known key as a suggestion. */
int topo_check_keys(struct parser *p, json_t *obj, const char *path, const char *const *known);

/* Type checks that fail with "expected X, got Y". */
int topo_expect_object(struct parser *p, json_t *v, const char *path);
int topo_expect_array(struct parser *p, json_t *v, const char *path);
int topo_expect_string(struct parser *p, json_t *v, const char *path);
int topo_expect_bool(struct parser *p, json_t *v, const char *path);
/* An integer in [min, max]. */
int topo_expect_uint(struct parser *p, json_t *v, const char *path, uint64_t min, uint64_t max,
		     uint64_t *out);
/* A string, or a number turned into its decimal text (for sizes, CPUs...).
 * The text lives in the arena. */
int topo_expect_scalar_text(struct parser *p, json_t *v, const char *path, const char **out);

/* The parsing steps, in the order cbx_topo_load runs them. */
int topo_parse_lab_name(struct parser *p);
int topo_parse_hosts(struct parser *p);
int topo_parse_networks(struct parser *p);
int topo_parse_nodes(struct parser *p);
int topo_parse_links(struct parser *p);
/* The top level's "limits": the whole lab's (after the nodes: it counts
 * them). */
int topo_parse_lab_limits(struct parser *p);
/* "vlan", "vlans" and VLAN sub-interfaces ("eth0.10"); then every
 * interface must lead somewhere. */
int topo_resolve_vlans(struct parser *p);
int topo_resolve_addresses(struct parser *p);
int topo_resolve_routes(struct parser *p);
int topo_resolve_publish(struct parser *p);
int topo_resolve_impairments(struct parser *p);
/* Which networks and links cross hosts, their MTUs, the local host. */
int topo_resolve_hosts(struct parser *p);
int topo_assign_names_and_macs(struct parser *p);
/* The crossing networks' and links' VNIs, VXLAN names and MACs (macs: the
 * lab's MACs so far); from topo_assign_names_and_macs. */
int topo_name_tunnels(struct parser *p, struct cbx_strmap *macs);
/* A MAC from a hash of the lab's name and a, b, c, unique among `seen`. */
int topo_derive_mac(struct parser *p, struct cbx_strmap *seen, uint8_t mac[6], const char *a,
		    const char *b, const char *c, const char *what);
/* A node's "host" (parse_hosts.c). */
int topo_parse_node_host(struct parser *p, struct cbx_node *n, json_t *v);
/* Files' content with its variables replaced, and the host checks
 * (cbx_topo_opts.check_host); last, when addresses are known. */
int topo_resolve_files(struct parser *p);

/* "binds", "files", "overlay" of a node or of "defaults" (node_files.c):
 * merged into n, the node's own winning. */
int topo_parse_node_files(struct parser *p, struct cbx_node *n, json_t *obj, const char *path,
			  bool from_defaults);

/* "checks": an array of assertions (v NULL: none), at `path`. */
int topo_parse_checks(struct parser *p, json_t *v, const char *path);

/* Adds an interface to node n (the arrays were sized beforehand). */
struct cbx_iface *topo_add_iface(struct parser *p, struct cbx_node *n, const char *name,
				 const char *path);
/* An MTU: an integer in [68, 65535]. */
int topo_parse_mtu(struct parser *p, json_t *v, const char *path, uint32_t *mtu);
/* Why a node interface cannot have this subnet or address (the kernel
 * refuses a multicast or loopback address on one), or NULL. */
const char *topo_subnet_problem(const struct cbx_prefix *net);
const char *topo_address_problem(const struct cbx_ip *ip);
/* "restart" and "ready" of a node or of "defaults" (parse_daemon.c), and
 * what they need of the node once it is whole. */
int topo_parse_daemon_settings(struct parser *p, struct cbx_node *n, json_t *obj, const char *path);
int topo_check_daemon(struct parser *p, const struct cbx_node *n);
/* Checks an interface name against the kernel's rules. */
int topo_check_ifname(struct parser *p, const char *name, const char *path);

#endif
