#include "lab/faults.h"

#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <linux/netfilter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bridge/impair.h"
#include "bridge/partition.h"
#include "bridge/wiring.h"
#include "common/fsutil.h"
#include "lab/lab.h"
#include "lab/node_proc.h"
#include "netlink/rtnl_msg.h"
#include "runtime/netns.h"

/* The record: {"impairments": {"node:iface": "delay=50ms loss=2%"},
 *              "partition": {"node": ["node", ...]},
 *              "links_down": ["node:iface", ...]}
 * Paused and stopped nodes are read from the kernel (freezer, init alive). */

static int record_path(const struct cbx_ctx *cbx, const char *lab, char *buf, size_t size)
{
	return lab_state_path(cbx, lab, "faults.json", buf, size);
}

static json_t *record_load(const struct cbx_ctx *cbx, const char *lab)
{
	char path[512];
	json_t *r;

	record_path(cbx, lab, path, sizeof(path));
	r = json_load_file(path, 0, NULL);
	if (!json_is_object(r)) {
		json_decref(r);
		r = json_object();
	}
	return r;
}

static int record_save(const struct cbx_ctx *cbx, const char *lab, json_t *r,
		       struct cbx_error *err)
{
	char path[512], tmp[520];

	record_path(cbx, lab, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (json_dump_file(r, tmp, JSON_INDENT(2) | JSON_SORT_KEYS) < 0)
		return cbx_error_sys(err, errno ? errno : EIO, "write %s", tmp);
	if (rename(tmp, path) < 0)
		return cbx_error_sys(err, errno, "rename %s", tmp);
	return 0;
}

static json_t *record_obj(json_t *r, const char *key)
{
	json_t *o = json_object_get(r, key);

	if (!json_is_object(o)) {
		o = json_object();
		json_object_set_new(r, key, o);
	}
	return o;
}

int fault_lab_open(const struct cbx_ctx *cbx, const char *lab, const struct cbx_topo *t,
		   struct fault_lab *fl, struct cbx_error *err)
{
	int rc;

	memset(fl, 0, sizeof(*fl));
	fl->ctx.lock_fd = -1;
	if (!t) {
		if (lab_load_saved(cbx, lab, &fl->owned, err) < 0)
			return -1;
		t = fl->owned;
	}
	fl->t = t;
	if (lab_ctx_init(&fl->ctx, cbx, fl->t, true, err) < 0)
		goto fail;
	cbx_cgroups_for_lab(&fl->ctx.cg, fl->t);
	rc = lab_lock(cbx, lab, false, &fl->ctx.lock_fd, err);
	if (rc < 0)
		goto fail;
	/* `down` may have run while we waited for the lock. */
	if (rc == 1 || access(fl->ctx.state_dir, F_OK) < 0) {
		cbx_error_set(err, CBX_ERR_STATE, "lab \"%s\" is not up", lab);
		goto fail;
	}
	fl->record = record_load(cbx, lab);
	return 0;
fail:
	lab_ctx_fini(&fl->ctx);
	cbx_topo_free(fl->owned);
	memset(fl, 0, sizeof(*fl));
	return -1;
}

int fault_lab_close(struct fault_lab *fl, struct cbx_error *err)
{
	int rc = 0;

	if (fl->dirty && fl->record)
		rc = record_save(fl->ctx.cbx, fl->t->name, fl->record, err);
	json_decref(fl->record);
	lab_ctx_fini(&fl->ctx);
	cbx_topo_free(fl->owned);
	memset(fl, 0, sizeof(*fl));
	return rc;
}

int fault_lab_run(const struct cbx_ctx *cbx, const char *lab, const struct cbx_topo *t,
		  int (*fn)(struct fault_lab *fl, void *arg, struct cbx_error *err), void *arg,
		  struct cbx_error *err)
{
	struct fault_lab fl;
	struct cbx_error close_err;
	int rc;

	if (fault_lab_open(cbx, lab, t, &fl, err) < 0)
		return -1;
	rc = fn(&fl, arg, err);
	return cbx_error_keep_first(rc, err, fault_lab_close(&fl, &close_err), &close_err);
}

int fault_node(const struct cbx_topo *t, const char *name, const struct cbx_node **out,
	       struct cbx_error *err)
{
	*out = cbx_topo_node(t, name);
	if (!*out)
		return cbx_error_set(err, CBX_ERR_INPUT, "lab %s has no node \"%s\"", t->name, name);
	return 0;
}

int fault_iface(const struct cbx_topo *t, const char *spec, const struct cbx_iface **out,
		struct cbx_error *err)
{
	char node[CBX_NODE_NAME_MAX + 2];
	const char *colon = strchr(spec, ':');
	const struct cbx_node *n;

	if (!colon || (size_t)(colon - spec) >= sizeof(node))
		return cbx_error_set(err, CBX_ERR_INPUT, "\"%s\" is not NODE:INTERFACE", spec);
	memcpy(node, spec, (size_t)(colon - spec));
	node[colon - spec] = '\0';
	if (fault_node(t, node, &n, err) < 0)
		return -1;
	*out = cbx_node_iface(n, colon + 1);
	if (!*out)
		return cbx_error_set(err, CBX_ERR_INPUT, "node %s has no interface \"%s\" in lab %s",
				     node, colon + 1, t->name);
	return 0;
}

static char *iface_key(const struct cbx_iface *ifc, char *buf, size_t size)
{
	snprintf(buf, size, "%s:%s", ifc->node->name, ifc->name);
	return buf;
}

/* Sockets inside a node's netns, opened through its pin. */
struct node_socks {
	struct nl_conn rtnl, nft;
};

struct socks_wanted {
	struct node_socks *s;
	bool with_nft;
};

static int open_socks(void *arg, struct cbx_error *err)
{
	const struct socks_wanted *w = arg;

	if (nl_open(&w->s->rtnl, NETLINK_ROUTE, err) < 0)
		return -1;
	return w->with_nft ? nl_open(&w->s->nft, NETLINK_NETFILTER, err) : 0;
}

static int node_socks_open(const struct cbx_topo *t, const struct cbx_node *n, bool with_nft,
			   struct node_socks *s, struct cbx_error *err)
{
	struct socks_wanted w = { s, with_nft };
	char pin[512];
	int fd, rc;

	memset(s, 0, sizeof(*s));
	netns_pin_path(pin, sizeof(pin), t->name, n->name);
	fd = open(pin, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cbx_error_sys(err, errno, "node %s: open its netns %s", n->name, pin);
	rc = netns_run(fd, open_socks, &w, err);
	close(fd);
	if (rc < 0) {
		nl_close(&s->rtnl);
		nl_close(&s->nft);
	}
	return rc;
}

static void node_socks_close(struct node_socks *s)
{
	nl_close(&s->rtnl);
	nl_close(&s->nft);
}

/* --- impairments ---------------------------------------------------------- */

void fault_impair_get(struct fault_lab *fl, const struct cbx_iface *ifc, struct cbx_impair *im)
{
	json_t *v = json_object_get(json_object_get(fl->record, "impairments"),
				    iface_key(ifc, (char[96]){ 0 }, 96));
	char *text, *save = NULL;

	memset(im, 0, sizeof(*im));
	if (!json_is_string(v) || !(text = strdup(json_string_value(v))))
		return;
	for (char *kv = strtok_r(text, " ", &save); kv; kv = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(kv, '=');
		const char *why;
		if (eq) {
			*eq = '\0';
			cbx_impair_set(im, kv, eq + 1, &why);
		}
	}
	free(text);
}

int lab_impair_iface(struct lab_ctx *ctx, const struct cbx_iface *ifc, struct nl_conn *rtnl,
		     const struct cbx_impair *im, bool fresh, struct cbx_error *err)
{
	struct impair_target target = {
		.rtnl = rtnl, .ifname = ifc->name, .ifindex = ifc->ifindex, .fresh = fresh
	};
	struct node_socks peer = { 0 };
	int rc;

	/* Where this interface's packets arrive (see bridge/impair.h): only
	 * for a loss rule, or to remove one an earlier impairment may have
	 * left. */
	if (!fresh || im->loss > 0) {
		if (ifc->network) {
			target.peer_nft = lab_nft(ctx, err);
			if (!target.peer_nft)
				return -1;
			target.peer_family = NFPROTO_BRIDGE;
			target.peer_ifname = ifc->host_name;
		} else {
			const struct cbx_iface *other =
				ifc->link->a == ifc ? ifc->link->b : ifc->link->a;
			if (node_socks_open(ctx->t, other->node, true, &peer, err) < 0)
				return -1;
			target.peer_nft = &peer.nft;
			target.peer_family = NFPROTO_INET;
			target.peer_ifname = other->name;
		}
	}
	rc = impair_apply(&target, im, err);
	node_socks_close(&peer);
	return rc;
}

int fault_impair(struct fault_lab *fl, const struct cbx_iface *ifc, const struct cbx_impair *im,
		 struct cbx_error *err)
{
	struct node_socks s;
	char key[96], text[256];
	json_t *all;
	int rc;

	if (node_socks_open(fl->t, ifc->node, false, &s, err) < 0)
		return -1;
	rc = lab_impair_iface(&fl->ctx, ifc, &s.rtnl, im, false, err);
	node_socks_close(&s);
	if (rc < 0)
		return cbx_error_wrap(err, "impair %s:%s", ifc->node->name, ifc->name);
	all = record_obj(fl->record, "impairments");
	iface_key(ifc, key, sizeof(key));
	if (!cbx_impair_is_set(im)) {
		json_object_del(all, key);
	} else {
		cbx_impair_format(im, text, sizeof(text));
		json_object_set_new(all, key, json_string(text));
	}
	fl->dirty = true;
	return 0;
}

/* --- link state ------------------------------------------------------------ */

static int set_link(struct nl_conn *c, int ifindex, const char *name, bool up, const char *where,
		    struct cbx_error *err)
{
	struct rtnl_link_spec l = RTNL_LINK_SPEC_INIT;
	struct nl_batch b;
	int rc;

	l.ifindex = ifindex;
	l.name = ifindex ? NULL : name;
	l.up = up;
	nl_batch_init(&b);
	NL_BUILD(&b, rtnl_build_link_change, &l);
	nl_batch_push(&b, 0, "set %s %s in %s", name, up ? "up" : "down", where);
	rc = nl_batch_commit(c, &b, err);
	nl_batch_free(&b);
	return rc;
}

static int running_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type == RTM_NEWLINK)
		*(bool *)data = ifi->ifi_flags & IFF_RUNNING;
	return MNL_CB_OK;
}

/* A carrier coming back is acted on by the kernel's link watch, up to a
 * second later: until then the device drops what it is given. Wait for it,
 * so that traffic flows when `link up` returns. */
static int wait_running(struct nl_conn *c, int ifindex, const char *what, struct cbx_error *err)
{
	for (int i = 0; i < 300; i++) {
		char req[64];
		bool running = false;

		rtnl_build_link_get(req, sizeof(req), ifindex);
		if (nl_query(c, (struct nlmsghdr *)req, running_cb, &running, what, err) < 0)
			return -1;
		if (running)
			return 0;
		usleep(10000);
	}
	return cbx_error_set(err, CBX_ERR_SYSTEM, "%s did not come back up within 3 s", what);
}

int fault_link(struct fault_lab *fl, const struct cbx_iface *ifc, bool up, struct cbx_error *err)
{
	char key[96];
	json_t *down, *v;
	size_t i;

	if (ifc->network) {
		/* The bridge port: the node keeps its interface up and sees
		 * the carrier go, as with a cable pulled at the switch. */
		struct nl_conn *c = lab_rtnl(&fl->ctx, err);
		struct node_socks s;
		int rc;
		if (!c || set_link(c, 0, ifc->host_name, up, "the host", err) < 0)
			return -1;
		if (up) {
			if (node_socks_open(fl->t, ifc->node, false, &s, err) < 0)
				return -1;
			rc = wait_running(&s.rtnl, ifc->ifindex, ifc->name, err);
			node_socks_close(&s);
			if (rc < 0)
				return -1;
		}
	} else {
		/* Both ends of the cable. Taking an interface down makes the
		 * kernel drop the routes through it (and its IPv6 addresses):
		 * bringing it up again puts the node's configuration back. */
		const struct cbx_iface *ends[2] = { ifc->link->a, ifc->link->b };
		struct node_socks s[2] = { 0 };
		int rc = 0;

		for (int e = 0; e < 2 && rc == 0; e++)
			rc = node_socks_open(fl->t, ends[e]->node, false, &s[e], err);
		for (int e = 0; e < 2 && rc == 0; e++)
			rc = set_link(&s[e].rtnl, ends[e]->ifindex, ends[e]->name, up,
				      ends[e]->node->name, err);
		/* Each end runs once the other is up too. */
		for (int e = 0; e < 2 && rc == 0 && up; e++)
			rc = wait_running(&s[e].rtnl, ends[e]->ifindex, ends[e]->name, err);
		for (int e = 0; e < 2 && rc == 0 && up; e++) {
			struct nl_batch b;
			nl_batch_init(&b);
			wiring_add_node_config(&b, ends[e]->node, NL_REQ_IGNORE_EXISTS);
			rc = nl_batch_commit(&s[e].rtnl, &b, err);
			nl_batch_free(&b);
		}
		node_socks_close(&s[0]);
		node_socks_close(&s[1]);
		if (rc < 0)
			return -1;
	}
	down = json_object_get(fl->record, "links_down");
	if (!json_is_array(down)) {
		down = json_array();
		json_object_set_new(fl->record, "links_down", down);
	}
	iface_key(ifc, key, sizeof(key));
	json_array_foreach(down, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), key))
			break;
	if (up && i < json_array_size(down))
		json_array_remove(down, i);
	else if (!up && i == json_array_size(down))
		json_array_append_new(down, json_string(key));
	fl->dirty = true;
	return 0;
}

int fault_link_between(struct fault_lab *fl, const struct cbx_node *a, const struct cbx_node *b,
		       const struct cbx_iface **out, struct cbx_error *err)
{
	for (size_t i = 0; i < a->n_ifaces; i++) {
		const struct cbx_link *l = a->ifaces[i]->link;
		if (l && (l->a->node == b || l->b->node == b)) {
			*out = a->ifaces[i];
			return 0;
		}
	}
	for (size_t i = 0; i < a->n_ifaces; i++)
		for (size_t k = 0; a->ifaces[i]->network && k < b->n_ifaces; k++)
			if (b->ifaces[k]->network == a->ifaces[i]->network)
				return cbx_error_set(err, CBX_ERR_INPUT,
						     "%s and %s share network \"%s\", not a link: take one interface down instead (e.g. %s:%s)",
						     a->name, b->name, a->ifaces[i]->network->name,
						     a->name, a->ifaces[i]->name);
	return cbx_error_set(err, CBX_ERR_INPUT, "nodes %s and %s of lab %s have no link between them",
			     a->name, b->name, fl->t->name);
}

/* --- partitions ------------------------------------------------------------- */

int grudge_init(struct grudge *g, size_t n_nodes, struct cbx_error *err)
{
	g->n = n_nodes;
	g->drops = calloc(n_nodes * n_nodes + 1, sizeof(bool));
	return g->drops ? 0 : cbx_error_sys(err, ENOMEM, "partition");
}

void grudge_free(struct grudge *g)
{
	free(g->drops);
	g->drops = NULL;
}

bool grudge_empty(const struct grudge *g)
{
	for (size_t i = 0; i < g->n * g->n; i++)
		if (g->drops[i])
			return false;
	return true;
}

void grudge_from_groups(struct grudge *g, const int *group_of, bool oneway)
{
	for (size_t i = 0; i < g->n; i++)
		for (size_t j = 0; j < g->n; j++)
			g->drops[i * g->n + j] = oneway ? group_of[i] == 1 && group_of[j] == 0
							: group_of[i] >= 0 && group_of[j] >= 0 &&
								  group_of[i] != group_of[j];
}

/* Groups are read into group_of[node index] = group number (-1: none);
 * groups_start checks their count, group_add one member. */
static int *groups_start(const struct cbx_topo *t, size_t n, bool oneway, struct cbx_error *err)
{
	int *group_of;

	if (n < 2 || (oneway && n != 2)) {
		cbx_error_set(err, CBX_ERR_INPUT, oneway ? "a one-way partition has two groups: FROM TO"
							 : "a partition needs at least two groups");
		return NULL;
	}
	group_of = malloc(t->n_nodes * sizeof(int));
	if (!group_of) {
		cbx_error_sys(err, ENOMEM, "partition");
		return NULL;
	}
	for (size_t i = 0; i < t->n_nodes; i++)
		group_of[i] = -1;
	return group_of;
}

static int group_add(const struct cbx_topo *t, int *group_of, const char *name, size_t k,
		     struct cbx_error *err)
{
	const struct cbx_node *node;

	if (fault_node(t, name, &node, err) < 0)
		return -1;
	if (group_of[node->index] >= 0)
		return cbx_error_set(err, CBX_ERR_INPUT,
				     "node %s is in two groups (%zu and %zu): groups must not overlap",
				     name, (size_t)group_of[node->index] + 1, k + 1);
	group_of[node->index] = (int)k;
	return 0;
}

static int groups_finish(struct grudge *g, int *group_of, bool oneway, int rc)
{
	if (rc == 0)
		grudge_from_groups(g, group_of, oneway);
	free(group_of);
	return rc;
}

int grudge_parse_groups(struct grudge *g, const struct cbx_topo *t, char *const *groups, size_t n,
			bool oneway, struct cbx_error *err)
{
	int *group_of = groups_start(t, n, oneway, err);
	int rc = 0;

	if (!group_of)
		return -1;
	for (size_t k = 0; k < n && rc == 0; k++) {
		char *copy = strdup(groups[k]), *save = NULL;
		if (!copy) {
			rc = cbx_error_sys(err, ENOMEM, "partition");
			break;
		}
		for (char *name = strtok_r(copy, ",", &save); name && rc == 0;
		     name = strtok_r(NULL, ",", &save))
			rc = group_add(t, group_of, name, k, err);
		free(copy);
	}
	return groups_finish(g, group_of, oneway, rc);
}

int grudge_parse_group_lists(struct grudge *g, const struct cbx_topo *t, json_t *groups,
			     bool oneway, struct cbx_error *err)
{
	int *group_of = groups_start(t, json_array_size(groups), oneway, err);
	json_t *list, *name;
	size_t k, i;
	int rc = 0;

	if (!group_of)
		return -1;
	json_array_foreach(groups, k, list) {
		json_array_foreach(list, i, name) {
			if (rc == 0)
				rc = group_add(t, group_of, json_string_value(name), k, err);
		}
	}
	return groups_finish(g, group_of, oneway, rc);
}

int grudge_parse_json(struct grudge *g, const struct cbx_topo *t, json_t *map, const char *what,
		      struct cbx_error *err)
{
	const char *name;
	json_t *list;

	if (!json_is_object(map))
		return cbx_error_set(err, CBX_ERR_INPUT,
				     "%s: a grudge is an object: {\"node\": [\"nodes it drops\", ...]}",
				     what);
	json_object_foreach(map, name, list) {
		const struct cbx_node *from, *victim;
		size_t i;
		json_t *v;

		if (fault_node(t, name, &victim, err) < 0)
			return cbx_error_wrap(err, "%s", what);
		if (!json_is_array(list))
			return cbx_error_set(err, CBX_ERR_INPUT, "%s.%s: expected an array of node names",
					     what, name);
		json_array_foreach(list, i, v) {
			if (!json_is_string(v))
				return cbx_error_set(err, CBX_ERR_INPUT,
						     "%s.%s[%zu]: expected a node name", what, name, i);
			if (fault_node(t, json_string_value(v), &from, err) < 0)
				return cbx_error_wrap(err, "%s.%s[%zu]", what, name, i);
			if (from == victim)
				return cbx_error_set(err, CBX_ERR_INPUT,
						     "%s.%s: a node cannot drop its own packets", what, name);
			g->drops[victim->index * g->n + from->index] = true;
		}
	}
	return 0;
}

void grudge_describe(const struct grudge *g, const struct cbx_topo *t, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < g->n && len < size; i++) {
		bool first = true;
		for (size_t j = 0; j < g->n && len < size; j++) {
			if (!g->drops[i * g->n + j])
				continue;
			len += (size_t)snprintf(buf + len, size - len, "%s%s%s", first ? (len ? "; " : "") : ",",
						first ? t->nodes[i].name : "", first ? " drops " : "");
			if (len < size)
				len += (size_t)snprintf(buf + len, size - len, "%s", t->nodes[j].name);
			first = false;
		}
	}
}

/* Every address of a node (what its peers see as the packets' source). */
static size_t node_addrs(const struct cbx_node *n, struct cbx_ip *out)
{
	size_t k = 0;

	for (size_t i = 0; i < n->n_ifaces; i++)
		for (unsigned a = 0; a < n->ifaces[i]->n_addrs; a++)
			out[k++] = n->ifaces[i]->addrs[a].ip;
	return k;
}

int fault_partition(struct fault_lab *fl, const struct grudge *g, struct cbx_error *err)
{
	const struct cbx_topo *t = fl->t;
	struct cbx_ip *addrs = calloc(t->n_ifaces * CBX_IFACE_ADDRS_MAX + 1, sizeof(*addrs));
	json_t *rec;
	int rc = 0;

	if (!addrs)
		return cbx_error_sys(err, ENOMEM, "partition");
	/* Every node, not only those whose side the record says changed: after
	 * a partition that failed or was interrupted halfway, the kernel is
	 * the truth, and each node's transaction replaces its table whole. */
	for (size_t i = 0; i < t->n_nodes && rc == 0; i++) {
		const struct cbx_node *n = &t->nodes[i];
		struct node_socks s;
		struct nl_batch b;
		size_t count = 0;

		for (size_t j = 0; j < t->n_nodes; j++)
			if (g->drops[i * g->n + j])
				count += node_addrs(&t->nodes[j], addrs + count);
		if (node_socks_open(fl->t, n, true, &s, err) < 0) {
			rc = -1;
			break;
		}
		nl_batch_init(&b);
		partition_add_node_rules(&b, n->name, addrs, count);
		rc = nl_batch_commit(&s.nft, &b, err);
		nl_batch_free(&b);
		node_socks_close(&s);
	}
	free(addrs);
	if (rc < 0)
		return -1;
	rec = json_object();
	for (size_t i = 0; i < t->n_nodes; i++) {
		json_t *list = json_array();
		for (size_t j = 0; j < t->n_nodes; j++)
			if (g->drops[i * g->n + j])
				json_array_append_new(list, json_string(t->nodes[j].name));
		if (json_array_size(list))
			json_object_set_new(rec, t->nodes[i].name, list);
		else
			json_decref(list);
	}
	if (json_object_size(rec))
		json_object_set_new(fl->record, "partition", rec);
	else {
		json_decref(rec);
		json_object_del(fl->record, "partition");
	}
	fl->dirty = true;
	return 0;
}

int fault_heal(struct fault_lab *fl, struct cbx_error *err)
{
	struct grudge none;
	int rc;

	if (grudge_init(&none, fl->t->n_nodes, err) < 0)
		return -1;
	rc = fault_partition(fl, &none, err);
	grudge_free(&none);
	return rc;
}

/* --- node faults ------------------------------------------------------------ */

bool fault_node_running(struct fault_lab *fl, const struct cbx_node *n)
{
	return lab_node_pid(fl->ctx.cbx, fl->t->name, n->name) > 0;
}

int fault_pause(struct fault_lab *fl, const struct cbx_node *n, bool pause, struct cbx_error *err)
{
	const struct cbx_cgroups *cg = &fl->ctx.cg;

	if (!fault_node_running(fl, n))
		return cbx_error_set(err, CBX_ERR_STATE, "node %s is not running", n->name);
	if (cg->ops->freeze(cg, fl->t->name, n->name, pause, err) < 0)
		return cbx_error_wrap(err, "%s node %s", pause ? "pause" : "resume", n->name);
	/* The freezer works asynchronously: wait until it is done, so that
	 * a paused node is paused when we return. */
	for (int i = 0; i < 5000; i++) {
		if (cg->ops->frozen(cg, fl->t->name, n->name) == (pause ? 1 : 0))
			return 0;
		usleep(1000);
	}
	return cbx_error_set(err, CBX_ERR_SYSTEM, "node %s did not %s within 5 s", n->name,
			     pause ? "freeze" : "thaw");
}

int fault_stop(struct fault_lab *fl, const struct cbx_node *n, int grace_ms, struct cbx_error *err)
{
	const struct cbx_node *nodes[1] = { n };

	return lab_kill_nodes(&fl->ctx, nodes, 1, grace_ms, err);
}

int fault_start(struct fault_lab *fl, const struct cbx_node *n, struct cbx_error *err)
{
	const struct cbx_node *nodes[1] = { n };

	if (fault_node_running(fl, n))
		return cbx_error_set(err, CBX_ERR_STATE, "node %s is already running", n->name);
	if (lab_spawn_node(&fl->ctx, n, true, err) < 0 ||
	    lab_wait_namespaces(&fl->ctx, nodes, 1, err) < 0 ||
	    lab_release_nodes(&fl->ctx, nodes, 1, err) < 0) {
		lab_nodes_explain_failure(&fl->ctx, err);
		return cbx_error_wrap(err, "start node %s", n->name);
	}
	return 0;
}

/* --- summary and recovery --------------------------------------------------- */

json_t *fault_summary(const struct cbx_ctx *cbx, const char *lab, const struct cbx_topo *t,
		      const struct cbx_cgroups *cg)
{
	json_t *r = record_load(cbx, lab), *out = json_array(), *v, *p;
	const char *key;
	size_t i;

	json_object_foreach(json_object_get(r, "impairments"), key, v)
		json_array_append_new(out, json_sprintf("impair %s: %s", key, json_string_value(v)));
	p = json_object_get(r, "partition");
	if (json_is_object(p) && json_object_size(p)) {
		char buf[2048] = "";
		size_t len = 0;
		json_object_foreach(p, key, v) {
			json_t *x;
			size_t k;
			len += (size_t)snprintf(buf + len, len < sizeof(buf) ? sizeof(buf) - len : 0,
						"%s%s drops ", len ? "; " : "", key);
			json_array_foreach(v, k, x)
				len += (size_t)snprintf(buf + len, len < sizeof(buf) ? sizeof(buf) - len : 0,
							"%s%s", k ? "," : "", json_string_value(x));
		}
		json_array_append_new(out, json_sprintf("partition: %s", buf));
	}
	json_array_foreach(json_object_get(r, "links_down"), i, v)
		json_array_append_new(out, json_sprintf("link down: %s", json_string_value(v)));
	for (i = 0; t && i < t->n_nodes; i++) {
		if (lab_node_pid(cbx, lab, t->nodes[i].name) <= 0)
			json_array_append_new(out, json_sprintf("stopped: %s", t->nodes[i].name));
		else if (cg->ops->frozen(cg, lab, t->nodes[i].name) == 1)
			json_array_append_new(out, json_sprintf("paused: %s", t->nodes[i].name));
	}
	json_decref(r);
	return out;
}

int fault_clear_all(struct fault_lab *fl, struct cbx_error *err)
{
	const struct cbx_topo *t = fl->t;
	struct cbx_error one;
	json_t *down, *v;
	size_t i;
	int rc = 0;

	/* Every step is tried; the first failure is reported. */
#define TRY(call) (rc = cbx_error_keep_first(rc, err, (call), &one))
	for (i = 0; i < t->n_nodes; i++) {
		const struct cbx_node *n = &t->nodes[i];
		if (!fault_node_running(fl, n))
			TRY(fault_start(fl, n, &one));
		else if (fl->ctx.cg.ops->frozen(&fl->ctx.cg, t->name, n->name) == 1)
			TRY(fault_pause(fl, n, false, &one));
	}
	TRY(fault_heal(fl, &one));
	down = json_deep_copy(json_object_get(fl->record, "links_down"));
	json_array_foreach(down, i, v) {
		const struct cbx_iface *ifc;
		if (json_is_string(v) && fault_iface(t, json_string_value(v), &ifc, &one) == 0)
			TRY(fault_link(fl, ifc, true, &one));
	}
	json_decref(down);
	/* Impairments back to what the topology declares. */
	for (i = 0; i < t->n_ifaces; i++) {
		const struct cbx_iface *ifc = &t->ifaces[i];
		struct cbx_impair now;
		fault_impair_get(fl, ifc, &now);
		if (memcmp(&now, &ifc->impair, sizeof(now)))
			TRY(fault_impair(fl, ifc, &ifc->impair, &one));
	}
#undef TRY
	return rc;
}

int fault_record_initial(const struct lab_ctx *ctx, struct cbx_error *err)
{
	json_t *r = json_object(), *imp = json_object();
	char key[96], text[256];
	int rc;

	for (size_t i = 0; i < ctx->t->n_ifaces; i++) {
		const struct cbx_iface *ifc = &ctx->t->ifaces[i];
		if (!cbx_impair_is_set(&ifc->impair))
			continue;
		cbx_impair_format(&ifc->impair, text, sizeof(text));
		json_object_set_new(imp, iface_key(ifc, key, sizeof(key)), json_string(text));
	}
	json_object_set_new(r, "impairments", imp);
	rc = record_save(ctx->cbx, ctx->t->name, r, err);
	json_decref(r);
	return rc;
}
