/* Steps that make and wire the nodes: clone them, create their veth pairs,
 * configure their networks, and start their commands. */
#include <errno.h>
#include <fcntl.h>
#include <linux/netfilter.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bridge/impair.h"
#include "bridge/sysctl.h"
#include "bridge/vlan.h"
#include "bridge/wiring.h"
#include "common/cleanup.h"
#include "common/clock.h"
#include "common/text.h"
#include "lab/fault_impair.h"
#include "lab/flood_budget.h"
#include "lab/neigh_budget.h"
#include "lab/node_proc.h"
#include "lab/ns_holds.h"
#include "lab/pins.h"
#include "lab/steps.h"
#include "netlink/nft_msg.h"
#include "runtime/netns.h"

/* --- nodes -------------------------------------------------------------- */

#define HOST_ENDS_TIMEOUT_MS 3000
#define UNDETACHED_WAIT_MS 2000

static const struct cbx_node **step_nodes(const struct step *s, size_t n)
{
	const struct cbx_node **nodes = calloc(n ? n : 1, sizeof(*nodes));

	for (size_t i = 0; nodes && i < n; i++)
		nodes[i] = s[i].u.node;
	return nodes;
}

/* Clone every node of the phase that is not yet. */
static int clone_nodes(struct lab_ctx *ctx, const struct step *s, size_t n, struct cbx_error *err)
{
	size_t detached = 0, to_clone = 0;
	long deadline = 0;

	for (size_t i = 0; i < n; i++)
		to_clone += ctx->nodes[s[i].u.node->index].proc.pid <= 0;
	if (to_clone && lab_node_mntns(ctx, to_clone, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		/* Close what the nodes before needed, as they stop needing it,
		 * so that the low part of our descriptor table, which each new
		 * node copies, stays small. Under a tight open-file limit, wait
		 * for them (they run at a lower priority than ours) rather than
		 * run out (lab_check_descriptors); a node that never detaches
		 * (it failed) is waited for a while only, once, then left to
		 * fail the `up` in its turn. */
		for (;;) {
			while (detached < i &&
			       node_spawn_detach(&ctx->nodes[s[detached].u.node->index].proc))
				detached++;
			if (deadline < 0)
				break;
			if (i - detached < ctx->max_undetached) {
				deadline = 0;
				break;
			}
			if (!deadline)
				deadline = cbx_now_ms() + UNDETACHED_WAIT_MS;
			else if (cbx_now_ms() > deadline)
				deadline = -1;
			usleep(100);
		}
		if (ctx->nodes[s[i].u.node->index].proc.pid <= 0 &&
		    lab_clone_node(ctx, s[i].u.node, false, err) < 0)
			return -1;
		lab_progress(ctx, i + 1);
	}
	return 0;
}

/* cgroup v1: a node needs no cgroup of the lab's to be cloned and make its
 * namespaces, the slowest part of its start (0.6 of the 3.5 ms a one-node
 * lab took here): it waits for 'C' before it touches them. So the nodes are
 * cloned as soon as the lab's state directory is there (their new mount
 * namespaces copy the tmpfs mounted on it; one made before would hold only
 * an empty directory, the host's mounts being private or not) and come up
 * while the cgroups are made. On v2 a node is cloned into its cgroup, which
 * needs the lab's: nothing to begin. */
static int node_prestart(struct lab_ctx *ctx, const struct step *s, size_t n, struct cbx_error *err)
{
	if (ctx->cg.v2)
		return 0;
	return clone_nodes(ctx, s, n, err);
}

/* The plan failed before the nodes' turn: the clones go. By pid: each is
 * our child, not reaped until here, so the pid is still its own. */
static void node_cancel(struct lab_ctx *ctx, const struct step *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct node_rt *rt = &ctx->nodes[s[i].u.node->index];
		if (rt->proc.pid <= 0)
			continue;
		kill(rt->proc.pid, SIGKILL);
		/* Reaped before its first process's memory (lab_node_rt_reset) goes. */
		while (waitpid(rt->proc.pid, NULL, 0) < 0 && errno == EINTR)
			;
		lab_node_rt_reset(rt);
	}
}

static int node_run(struct lab_ctx *ctx, const struct step *s, size_t n, struct cbx_error *err)
{
	cleanup_free const struct cbx_node **nodes = NULL;
	char template[512];
	bool linked;
	int rc = 0;

	if (clone_nodes(ctx, s, n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (lab_node_cgroups(ctx, s[i].u.node, false, err) < 0)
			return -1;
	/* Pins once every node has its namespaces: a node's new mount
	 * namespace is a copy of the whole mount table, and a pin is a mount.
	 * Pinning as we went would make each node copy all the pins before
	 * it: O(N^2). */
	nodes = step_nodes(s, n);
	if (!nodes)
		return cbx_error_sys(err, ENOMEM, "start nodes");
	rc = lab_wait_namespaces(ctx, nodes, n, err);
	/* What `down` will know its pins by, before there are any. */
	if (rc == 0)
		rc = lab_pins_record(ctx, nodes, n, err);
	lab_drop_node_mntns(ctx);
	linked = rc == 0 && netns_pin_template(template, sizeof(template), ctx->t->name) == 0;
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = lab_pin_node(ctx, s[i].u.node, linked ? template : NULL, err);
	if (linked)
		unlink(template);
	return rc;
}

/* The nodes' interfaces on networks: each has a host end, a bridge port. */
static size_t host_end_count(const struct step *s, size_t n)
{
	size_t count = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < s[i].u.node->n_ifaces; k++)
			count += s[i].u.node->ifaces[k]->network != NULL;
	return count;
}

/* The host ends of the nodes' veth pairs go with the nodes' netns: the
 * kernel tears all of them down in one batch, where deleting each pair
 * would cost an RCU grace period apiece (seconds for a hundred nodes). Wait
 * for that; a pair whose netns something else still holds (a shell in
 * `ip netns exec`) is deleted after a while. */
static int wait_host_ends_gone(struct lab_ctx *ctx, const struct step *s, size_t n,
			       struct cbx_error *err)
{
	struct nl_conn *c = lab_rtnl(ctx, err);
	cleanup_free struct owned_link *links = NULL;
	size_t count = 0, left = 0;
	int rc = 0;

	if (!c)
		return -1;
	count = host_end_count(s, n);
	if (!count)
		return 0;
	links = calloc(count, sizeof(*links));
	if (!links)
		return cbx_error_sys(err, ENOMEM, "wait for veths");
	count = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < s[i].u.node->n_ifaces; k++) {
			const struct cbx_iface *ifc = s[i].u.node->ifaces[k];
			if (ifc->network)
				links[count++] = (struct owned_link){ ifc->host_name, ifc->host_mac,
								      "veth" };
		}
	rc = wiring_wait_links_gone(c, links, count, HOST_ENDS_TIMEOUT_MS, &left, err);
	if (rc == 0 && left)
		rc = wiring_del_owned_links(c, links, count, err);
	return rc;
}

/* Unpin the nodes' network namespaces, each held (ns_holds.h). */
static int unpin_nodes(struct lab_ctx *ctx, const struct step *s, size_t n,
		       struct lab_ns_holds *held, struct cbx_error *err)
{
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		const struct cbx_node *node = s[i].u.node;
		struct cbx_error one;
		char pin[512];

		netns_pin_path(pin, sizeof(pin), ctx->t->name, node->name);
		if (lab_pin_to_remove(ctx, node, pin))
			rc = cbx_error_keep_first(rc, err, lab_ns_unpin_held(held, pin, &one),
						  &one);
	}
	return rc;
}

static int node_undo(struct lab_ctx *ctx, const struct step *s, size_t n, struct cbx_error *err)
{
	cleanup_free const struct cbx_node **nodes = step_nodes(s, n);
	struct lab_ns_holds held;
	struct cbx_error one;
	int rc;

	/* A failed `up`: the nodes' sockets go first (their last words were
	 * read: plan.c's lab_nodes_explain_failure). Killing holds a pidfd
	 * per node, and with the sockets a lab would need two descriptors a
	 * node, more than lab_check_descriptors let it have. */
	for (size_t i = 0; i < n; i++) {
		struct node_rt *rt = &ctx->nodes[s[i].u.node->index];
		if (rt->proc.sync_fd >= 0)
			close(rt->proc.sync_fd);
		rt->proc.sync_fd = -1;
	}
	rc = nodes ? lab_kill_nodes(ctx, nodes, n, 0, err)
		   : cbx_error_sys(err, ENOMEM, "stop nodes");
	/* Their namespaces are let go together (ns_holds.h), before their
	 * cgroups are removed: the kernel's teardown of the namespaces (a
	 * worker, mostly waiting for RCU at each bridge port) then overlaps
	 * the rmdirs below. (Unpinning before the kill gained nothing.) */
	lab_ns_holds_init(&held, n);
	rc = cbx_error_keep_first(rc, err, unpin_nodes(ctx, s, n, &held, &one), &one);
	lab_ns_holds_release(&held);
	for (size_t i = 0; i < n; i++) {
		const struct cbx_node *node = s[i].u.node;

		rc = cbx_error_keep_first(rc, err,
					  cbx_cgroup_node_remove(&ctx->cg, ctx->t->name, node->name,
								 &one),
					  &one);
		lab_node_rt_reset(&ctx->nodes[node->index]);
	}
	/* What an `up` killed while pinning left. */
	if (ctx->teardown && lab_pins_recorded(ctx))
		netns_pin_template_remove(ctx->t->name);
	return rc;
}

/* Once the phases before, but the lab's state, are undone too: deleting a
 * bridge waits for an RCU barrier (br_multicast_dev_del), and the kernel's
 * teardown of the killed nodes' netns goes on meanwhile. A five-node star's
 * `down`: 0.107 -> 0.069 s (medians of 11, alternating). */
static int node_undo_finish(struct lab_ctx *ctx, const struct step *s, size_t n,
			    struct cbx_error *err)
{
	return ctx->host_ends_gone ? 0 : wait_host_ends_gone(ctx, s, n, err);
}

static void node_describe(const struct step *s, bool undo, char *buf, size_t size)
{
	const struct cbx_node *n = s->u.node;

	if (undo)
		snprintf(buf, size,
			 "kill node %s (every process in its cgroup), unpin its netns, remove its cgroup, wait until its veths are gone",
			 n->name);
	else {
		char extra[CBX_NODE_PATH_MAX + 128] = "";
		int len = 0;
		/* What of the host it gets (docs/topology.md, "Files in nodes"). */
		if (n->overlay)
			len += snprintf(extra + len, sizeof(extra) - (size_t)len,
					", overlay folder %s%s", n->overlay,
					n->overlay_optional ? " (where it exists)" : "");
		if (n->n_binds && len < (int)sizeof(extra))
			len += snprintf(extra + len, sizeof(extra) - (size_t)len, ", %zu bind(s)",
					n->n_binds);
		if (n->n_files && len < (int)sizeof(extra))
			snprintf(extra + len, sizeof(extra) - (size_t)len, ", %zu file(s)",
				 n->n_files);
		snprintf(buf, size,
			 "start node %s: new pid/mount/net/uts/ipc/cgroup namespaces, %s rootfs%s, cgroup limits, netns pinned at /run/netns/%s-%s",
			 n->name, cbx_base_kinds[n->base].shown, extra, s->t->name, n->name);
	}
}

static const struct step_ops node_container_ops = {
	.name = "nodes",
	.run = node_run,
	.undo = node_undo,
	.describe = node_describe,
	.prestart = node_prestart,
	.cancel = node_cancel,
};

/* The plan's nodes, as each kind (enum cbx_node_kind) makes them: plan_build
 * lists them by kind, so each kind's are one run of steps, the containers
 * first (their mount namespaces copy the host's mounts: the other kinds'
 * pins, made after, are not in them). The same shape as the networks'
 * (steps_network.c). */
static const struct step_ops *const node_kinds[] = {
	[CBX_NODE_CONTAINER] = &node_container_ops,
	[CBX_NODE_NETNS] = &step_ops_node_netns,
};
_Static_assert(CBX_ARRAY_SIZE(node_kinds) == CBX_NODE_KIND_MAX, "step ops for every node kind");

static const struct step_ops *node_kind_of(const struct step *s)
{
	return node_kinds[s->u.node->kind];
}

static size_t node_run_end(const struct step *s, size_t n, size_t i)
{
	size_t j = i + 1;

	while (j < n && s[j].u.node->kind == s[i].u.node->kind)
		j++;
	return j;
}

static int nodes_prestart(struct lab_ctx *ctx, const struct step *s, size_t n,
			  struct cbx_error *err)
{
	for (size_t i = 0, j; i < n; i = j) {
		j = node_run_end(s, n, i);
		if (node_kind_of(&s[i])->prestart &&
		    node_kind_of(&s[i])->prestart(ctx, &s[i], j - i, err) < 0)
			return -1;
	}
	return 0;
}

static void nodes_cancel(struct lab_ctx *ctx, const struct step *s, size_t n)
{
	for (size_t i = 0, j; i < n; i = j) {
		j = node_run_end(s, n, i);
		if (node_kind_of(&s[i])->cancel)
			node_kind_of(&s[i])->cancel(ctx, &s[i], j - i);
	}
}

static int nodes_run(struct lab_ctx *ctx, const struct step *s, size_t n, struct cbx_error *err)
{
	if (netns_prepare_dir(err) < 0)
		return -1;
	for (size_t i = 0, j; i < n; i = j) {
		j = node_run_end(s, n, i);
		if (node_kind_of(&s[i])->run(ctx, &s[i], j - i, err) < 0)
			return -1;
	}
	return 0;
}

/* Every kind's undo, even after one failed; the first failure is kept. */
static int nodes_undo(struct lab_ctx *ctx, const struct step *s, size_t n, struct cbx_error *err)
{
	struct cbx_error one;
	int rc = 0;

	for (size_t i = 0, j; i < n; i = j) {
		j = node_run_end(s, n, i);
		rc = cbx_error_keep_first(rc, err,
					  node_kind_of(&s[i])->undo(ctx, &s[i], j - i, &one), &one);
	}
	/* Their files go with them, now (lab_nodes_dir_unmount): at 10,000
	 * nodes the kernel spends a second freeing them, which overlaps its
	 * teardown of their namespaces here but would come after it in the
	 * state's undo. Kept if a node could not be stopped: a second `down`
	 * finds its PID there. */
	if (rc == 0 && ctx->state_owned)
		rc = lab_nodes_dir_unmount(ctx, err);
	/* A big lab's host ends go before its bridges. Deleting a bridge
	 * that still holds them removes each port itself and tells of it
	 * twice, and each notice names the peer's netns by its id in the
	 * host's, found by a walk of one id per node (O(N^2), under RTNL);
	 * the kernel's own teardown of their netns drops those ids first.
	 * A small lab's bridges go meanwhile instead (node_undo_finish):
	 * their RCU barriers overlap the teardown. */
	if (rc == 0 && host_end_count(s, n) >= ctx->cbx->host_ends_first) {
		rc = wait_host_ends_gone(ctx, s, n, err);
		ctx->host_ends_gone = rc == 0;
	}
	return rc;
}

static void nodes_describe(const struct step *s, bool undo, char *buf, size_t size)
{
	node_kind_of(s)->describe(s, undo, buf, size);
}

const struct step_ops step_ops_node = {
	.name = "nodes",
	.run = nodes_run,
	.undo = nodes_undo,
	.describe = nodes_describe,
	.prestart = nodes_prestart,
	.cancel = nodes_cancel,
	.undo_finish = node_undo_finish,
};

/* Where the kernel is to put a device of the node (bridge/wiring.h). */
static struct wiring_netns node_netns(const struct lab_ctx *ctx, const struct cbx_node *n)
{
	const struct node_rt *rt = &ctx->nodes[n->index];

	return (struct wiring_netns){ rt->proc.pid, rt->netns_fd };
}

/* For steps whose objects go with something else's undo. */
static int nothing_to_undo(struct lab_ctx *ctx, const struct step *s, size_t n,
			   struct cbx_error *err)
{
	(void)ctx;
	(void)s;
	(void)n;
	(void)err;
	return 0;
}

/* --- veth pairs --------------------------------------------------------- */

static int port_vlans_run(struct nl_conn *c, const struct step *s, size_t n, struct nl_batch *b,
			  struct cbx_error *err);
static int remove_port_loss_tables(struct lab_ctx *ctx, const struct step *s, size_t n,
				   struct cbx_error *err);

/* A host end is a bridge port: no IPv6 of its own, which it would
 * otherwise get on coming up (an inet6 device, a multicast route in the
 * host's local table). Those routes are one list per prefix, which every
 * port's coming up walks to add its own and every port's going walks to
 * find its own (fib6_add_rt2node, fib6_ifdown): a star of 5,000 came up
 * about 12% faster without them, and went down about 35% faster. Best
 * effort: without IPv6 on the host (no such sysctl) there is nothing to
 * turn off. */
static void host_end_without_ipv6(const struct cbx_iface *ifc)
{
	struct cbx_error ignored;
	char key[64];

	snprintf(key, sizeof(key), "net.ipv6.conf.%s.disable_ipv6", ifc->host_name);
	cbx_sysctl_write(key, "1", &ignored);
}

static int veth_run(struct lab_ctx *ctx, const struct step *s, size_t n, struct cbx_error *err)
{
	struct nl_conn *c = lab_rtnl(ctx, err);
	struct nl_batch b;
	int rc;

	if (!c)
		return -1;
	/* A loss table an earlier run of the lab left (a crash, a killed
	 * `down`) matches the new port by its name: its frames dropped at
	 * the old impairment's rate, and none in `status`. */
	if (remove_port_loss_tables(ctx, s, n, err) < 0)
		return -1;
	nl_batch_init(&b);
	for (size_t i = 0; i < n; i++) {
		const struct cbx_iface *ifc = s[i].u.iface;
		wiring_add_network_veth(&b, ifc, node_netns(ctx, ifc->node));
	}
	rc = nl_batch_commit(c, &b, err);
	for (size_t i = 0; rc == 0 && i < n; i++)
		host_end_without_ipv6(s[i].u.iface);
	if (rc == 0) {
		nl_batch_reset(&b);
		for (size_t i = 0; i < n; i++) {
			const struct cbx_iface *ifc = s[i].u.iface;
			const struct cbx_network *net = ifc->network;
			wiring_add_network_veth_attach(&b, ctx->t, ifc,
						       net->n_leaves
							       ? ctx->leaf_ifindex[net->first_leaf +
										   ifc->leaf]
							       : ctx->net_ifindex[net->index]);
		}
		rc = nl_batch_commit(c, &b, err);
	}
	if (rc == 0)
		rc = port_vlans_run(c, s, n, &b, err);
	nl_batch_free(&b);
	return rc;
}

/* Access ports and trunks on bridges that filter by VLAN, once they are
 * ports (bridge/vlan.h; without the filtering, the network's table has
 * them by name already). */
static int port_vlans_run(struct nl_conn *c, const struct step *s, size_t n, struct nl_batch *b,
			  struct cbx_error *err)
{
	nl_batch_reset(b);
	for (size_t i = 0; i < n; i++) {
		const struct cbx_iface *ifc = s[i].u.iface;
		int port;
		if ((ifc->vlan <= 1 && !ifc->n_vlans) ||
		    !vlan_bridge_filters(cbx_iface_bridge(ifc)))
			continue;
		if (!(port = (int)if_nametoindex(ifc->host_name)))
			return cbx_error_sys(err, errno, "find %s (%s:%s)", ifc->host_name,
					     ifc->node->name, ifc->name);
		vlan_add_port(b, ifc, port);
	}
	return nl_batch_empty(b) ? 0 : nl_batch_commit(c, b, err);
}

/* The loss tables a netem-less impairment puts on the host's bridge ports
 * (bridge/impair.h), named after the ports. */
static int remove_port_loss_tables(struct lab_ctx *ctx, const struct step *s, size_t n,
				   struct cbx_error *err)
{
	struct nl_conn *nft = lab_nft(ctx, err);
	cleanup_free const char **ports = calloc(n ? n : 1, sizeof(*ports));

	if (!nft)
		return -1;
	if (!ports)
		return cbx_error_sys(err, ENOMEM, "remove loss tables");
	for (size_t i = 0; i < n; i++)
		ports[i] = s[i].u.iface->host_name;
	return impair_remove_loss_tables(nft, NFPROTO_BRIDGE, ports, n, err);
}

/* Nothing to delete: the node's undo, which comes after, makes the pair go
 * with the node's netns (see wait_host_ends_gone). Only the loss tables. */
static int veth_undo(struct lab_ctx *ctx, const struct step *s, size_t n, struct cbx_error *err)
{
	return remove_port_loss_tables(ctx, s, n, err);
}

static void veth_describe(const struct step *s, bool undo, char *buf, size_t size)
{
	const struct cbx_iface *ifc = s->u.iface;

	if (undo)
		snprintf(buf, size,
			 "veth %s goes with the netns of %s (the node's undo waits for it)",
			 ifc->host_name, ifc->node->name);
	else
		snprintf(buf, size,
			 "create veth %s:%s in the node's netns, host end %s on bridge %s",
			 ifc->node->name, ifc->name, ifc->host_name, cbx_iface_bridge(ifc));
}

const struct step_ops step_ops_veth = {
	.name = "veths",
	.run = veth_run,
	.undo = veth_undo,
	.describe = veth_describe,
};

static int link_run(struct lab_ctx *ctx, const struct step *s, size_t n, struct cbx_error *err)
{
	struct nl_conn *c = lab_rtnl(ctx, err);
	struct nl_batch b;
	int rc, underlay;

	if (!c || lab_underlay_ifindex(ctx->t, &underlay, err) < 0)
		return -1;
	nl_batch_init(&b);
	for (size_t i = 0; i < n; i++) {
		const struct cbx_link *l = s[i].u.link;
		const struct cbx_node *here =
			cbx_node_here(ctx->t, l->a->node) ? l->a->node : l->b->node;
		if (l->vni && ctx->t->local)
			wiring_add_link_vxlan(&b, ctx->t, l, node_netns(ctx, here), underlay);
		else
			wiring_add_link_veth(&b, l, node_netns(ctx, l->a->node),
					     node_netns(ctx, l->b->node));
	}
	rc = nl_batch_commit(c, &b, err);
	nl_batch_free(&b);
	return rc;
}

static void link_describe(const struct step *s, bool undo, char *buf, size_t size)
{
	const struct cbx_link *l = s->u.link;
	const struct cbx_topo *t = s->t;

	if (l->vni && t->local) {
		const struct cbx_iface *here = cbx_node_here(t, l->a->node) ? l->a : l->b;
		const struct cbx_iface *far = here == l->a ? l->b : l->a;
		if (undo)
			snprintf(buf, size,
				 "nothing: %s:%s, this host's end of the link to %s:%s, goes with its node's netns",
				 here->node->name, here->name, far->node->name, far->name);
		else
			snprintf(buf, size,
				 "create %s:%s, this host's end of the link to %s:%s on host %s: a VXLAN device (VNI %u, MTU %u, UDP port %d) in its node's netns",
				 here->node->name, here->name, far->node->name, far->name,
				 far->node->host->name, l->vni, here->mtu, CBX_VXLAN_PORT);
	} else if (undo)
		snprintf(buf, size, "nothing: link %s:%s -- %s:%s goes with the nodes' netns",
			 l->a->node->name, l->a->name, l->b->node->name, l->b->name);
	else
		snprintf(buf, size, "create link %s:%s -- %s:%s, each end in its node's netns",
			 l->a->node->name, l->a->name, l->b->node->name, l->b->name);
}

/* Both ends of a link live in node netns, which go with their nodes. */
const struct step_ops step_ops_link = {
	.name = "links",
	.run = link_run,
	.undo = nothing_to_undo,
	.describe = link_describe,
};

/* --- node network configuration ---------------------------------------- */

struct node_inside {
	const struct cbx_node *n;
	struct nl_conn *conn;
	int sysctl_dir; /* a procfs's sys/, or AT_FDCWD for the host's /proc/sys */
};

/* In the node's netns: open its rtnetlink socket, write its sysctls (the
 * netns's of whoever walks the procfs: this thread's). */
static int open_and_set_sysctls(void *arg, struct cbx_error *err)
{
	const struct node_inside *in = arg;

	if (nl_open(in->conn, NETLINK_ROUTE, err) < 0)
		return -1;
	for (size_t i = 0; i < in->n->n_sysctls; i++)
		if (cbx_sysctl_write_at(in->sysctl_dir, in->n->sysctls[i].key,
					in->n->sysctls[i].value, err) < 0)
			return -1;
	return 0;
}

/* Nodes without a procfs of their own (netns nodes) write their sysctls
 * through one made for `up`, mounted nowhere, and made anew every
 * SHARED_PROCFS_NODES of them. Not the host's /proc: each netns that looks
 * its sysctls up through one procfs adds an entry to one hash chain there,
 * so through one procfs N nodes cost O(N^2) (27% of `up` for a clos of 2000
 * netns routers). Not one procfs per node either: the close of the last
 * descriptor of a mount that is mounted nowhere unmounts it and waits for
 * an RCU grace period (namespace_unlock), which was half of node-net for
 * 2000 routers. Where no procfs may be made (a user namespace that does not
 * own its /proc: inside LXC), the host's /proc does the same, more slowly. */
#define SHARED_PROCFS_NODES 64

struct shared_procfs {
	int dir; /* -1 until made */
	unsigned uses;
	bool refused; /* none may be made here: the host's /proc, from then on */
};

static int shared_procfs_dir(struct shared_procfs *p)
{
	struct cbx_error ignored;

	if (p->dir >= 0 && p->uses == SHARED_PROCFS_NODES) {
		close(p->dir);
		p->dir = -1;
	}
	if (p->dir < 0 && !p->refused) {
		p->dir = cbx_sysctl_private_dir(&ignored);
		p->refused = p->dir < 0;
		p->uses = 0;
	}
	p->uses++;
	return p->dir >= 0 ? p->dir : AT_FDCWD;
}

/* Run fn in node n's netns. setns() with a pidfd and CLONE_NEWNET joins
 * that process's netns: a container's for the moment (its own went when it
 * detached; a node is our child until `up` ends, so its pid cannot be
 * another's). A netns node keeps its namespace's descriptor. */
static int in_node_netns(struct lab_ctx *ctx, const struct cbx_node *n,
			 int (*fn)(void *arg, struct cbx_error *err), void *arg,
			 struct cbx_error *err)
{
	struct node_rt *rt = &ctx->nodes[n->index];
	cleanup_close int pidfd =
		rt->netns_fd >= 0 ? -1 : (int)syscall(SYS_pidfd_open, rt->proc.pid, 0);

	if (rt->netns_fd >= 0)
		return netns_run(rt->netns_fd, fn, arg, err);
	if (pidfd < 0)
		return cbx_error_sys(err, errno, "node %s: pidfd_open", n->name);
	return netns_run(pidfd, fn, arg, err);
}

static int configure_node(struct lab_ctx *ctx, const struct cbx_node *n,
			  struct shared_procfs *procfs, struct cbx_error *err)
{
	struct node_rt *rt = &ctx->nodes[n->index];
	struct nl_conn conn = { 0 };
	/* A container's own /proc/sys (its 'N' brought it), else the shared
	 * procfs (above). */
	struct node_inside in = { n, &conn,
				  rt->sysctl_fd >= 0 ? rt->sysctl_fd
				  : n->n_sysctls     ? shared_procfs_dir(procfs)
						     : AT_FDCWD };
	struct nl_batch b;
	int rc = in_node_netns(ctx, n, open_and_set_sysctls, &in, err);

	if (rc == 0) {
		nl_batch_init(&b);
		wiring_add_node_config(&b, n, 0);
		rc = nl_batch_commit(&conn, &b, err);
		nl_batch_free(&b);
	}
	for (size_t i = 0; rc == 0 && i < n->n_ifaces; i++) {
		const struct cbx_iface *ifc = n->ifaces[i];
		if (cbx_impair_is_set(&ifc->impair))
			rc = lab_impair_iface(ctx, ifc, &conn, &ifc->impair, true, err);
	}
	nl_close(&conn);
	return rc < 0 ? cbx_error_wrap(err, "configure node %s", n->name) : 0;
}

/* In a node's netns: settle the link events its interfaces were born with
 * (wiring.h, wiring_add_link_settle). */
static int settle_node_links(void *arg, struct cbx_error *err)
{
	const struct cbx_node *n = arg;
	struct nl_conn conn = { 0 };
	struct nl_batch b;
	int rc = 0;

	if (nl_open(&conn, NETLINK_ROUTE, err) < 0)
		return -1;
	nl_batch_init(&b);
	/* 32 answers of about 1 KiB (4 with the kernel's accounting) at a
	 * time fit a socket's default receive buffer (net.core.rmem_default,
	 * 208 KiB), where a larger one may not be had; a clos's spine has
	 * 10,000 interfaces. */
	for (size_t i = 0; rc == 0 && i < n->n_ifaces; i++) {
		wiring_add_link_settle(&b, n->ifaces[i]);
		if (b.nreqs == 32 || i + 1 == n->n_ifaces) {
			rc = nl_batch_commit(&conn, &b, err);
			nl_batch_reset(&b);
		}
	}
	nl_batch_free(&b);
	nl_close(&conn);
	return rc;
}

static int node_net_run(struct lab_ctx *ctx, const struct step *s, size_t n, struct cbx_error *err)
{
	struct shared_procfs procfs = { .dir = -1 };
	int rc = 0;

	char text[512], value[32];
	struct cbx_error ignored;
	const char *warning;

	if (cbx_sysctl_read("net.ipv4.neigh.default.gc_thresh3", value, sizeof(value), &ignored) ==
		    0 &&
	    (warning = lab_neigh_budget_warning(ctx->t, atol(value), text, sizeof(text))) &&
	    (warning = cbx_arena_strdup(ctx->arena, warning)))
		lab_warn(ctx, warning);
	if (cbx_sysctl_read("net.core.netdev_max_backlog", value, sizeof(value), &ignored) == 0 &&
	    (warning = lab_flood_budget_warning(ctx->t, atol(value), text, sizeof(text))) &&
	    (warning = cbx_arena_strdup(ctx->arena, warning)))
		lab_warn(ctx, warning);
	/* Every node's first, before any comes up: each interface brought up
	 * would otherwise walk the events of all those still down (wiring.h,
	 * wiring_add_link_settle). */
	for (size_t i = 0; i < n && rc == 0; i++)
		if (s[i].u.node->n_ifaces)
			rc = in_node_netns(ctx, s[i].u.node, settle_node_links, (void *)s[i].u.node,
					   err);
	for (size_t i = 0; i < n && rc == 0; i++)
		if ((rc = configure_node(ctx, s[i].u.node, &procfs, err)) == 0)
			lab_progress(ctx, i + 1);
	if (procfs.dir >= 0)
		close(procfs.dir);
	return rc;
}

static void node_net_describe(const struct step *s, bool undo, char *buf, size_t size)
{
	const struct cbx_node *n = s->u.node;
	size_t addrs = 0, subs = 0;

	for (size_t i = 0; i < n->n_ifaces; i++) {
		addrs += n->ifaces[i]->n_addrs;
		subs += n->ifaces[i]->parent != NULL;
	}
	if (undo)
		snprintf(buf, size, "nothing: node %s's network configuration goes with its netns",
			 n->name);
	else
		snprintf(buf, size,
			 "configure node %s: lo up, %zu sysctl(s), %s%zu address(es), %zu route(s)",
			 n->name, n->n_sysctls, subs ? "VLAN sub-interface(s), " : "", addrs,
			 n->n_routes);
}

const struct step_ops step_ops_node_net = {
	.name = "node-net",
	.run = node_net_run,
	.undo = nothing_to_undo,
	.describe = node_net_describe,
};

/* --- start -------------------------------------------------------------- */

static int node_start_run(struct lab_ctx *ctx, const struct step *s, size_t n,
			  struct cbx_error *err)
{
	cleanup_free const struct cbx_node **nodes = step_nodes(s, n);

	return nodes ? lab_release_nodes(ctx, nodes, n, err)
		     : cbx_error_sys(err, ENOMEM, "start nodes");
}

static void node_start_describe(const struct step *s, bool undo, char *buf, size_t size)
{
	const struct cbx_node *n = s->u.node;

	if (undo)
		snprintf(buf, size, "nothing: stopping node %s is killing it", n->name);
	else if (n->cmd) {
		char cmd[4 * CBX_EXCERPT_MAX + 32];
		snprintf(buf, size, "start node %s's command (%s%s) and wait until it runs",
			 n->name, cbx_text_excerpt(cmd, sizeof(cmd), n->cmd[0], CBX_EXCERPT_MAX),
			 n->cmd[1] ? " ..." : "");
	} else
		snprintf(buf, size,
			 "let node %s's init run (no command) and wait until it is ready", n->name);
}

const struct step_ops step_ops_node_start = {
	.name = "start",
	.run = node_start_run,
	.undo = nothing_to_undo,
	.describe = node_start_describe,
};
