/* The nodes of kind "netns" (topo.h): a network namespace pinned at
 * /run/netns/<lab>-<node> and nothing else, as Mininet's hosts are. No
 * process, mount namespace, root filesystem, pivot_root, PID namespace or
 * cgroup: what makes a container node's cost grow with the lab (pivot_root
 * walks every task, mounting proc and sysfs searches every superblock;
 * docs/performance.md) is not there. `up` makes each namespace from this
 * thread (unshare, then back), keeps its file for the wiring (veths made
 * straight into it, IFLA_NET_NS_FD) and the node's configuration (setns),
 * and pins it; the rest of the plan treats it as any node's netns. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "lab/ns_holds.h"
#include "lab/pins.h"
#include "lab/steps.h"
#include "runtime/netns.h"

static int netns_nodes_run(struct lab_ctx *ctx, const struct step *s, size_t n,
			   struct cbx_error *err)
{
	cleanup_close int own = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	cleanup_free const struct cbx_node **nodes = calloc(n ? n : 1, sizeof(*nodes));
	char template[512];
	bool linked;
	int rc = 0;

	if (own < 0)
		return cbx_error_sys(err, errno, "open own netns");
	if (!nodes)
		return cbx_error_sys(err, ENOMEM, "make netns nodes");
	for (size_t i = 0; i < n; i++) {
		struct node_rt *rt = &ctx->nodes[s[i].u.node->index];
		nodes[i] = s[i].u.node;
		if (rt->netns_fd < 0 && (rt->netns_fd = netns_new(own, err)) < 0)
			return cbx_error_wrap(err, "node %s", nodes[i]->name);
		lab_progress(ctx, i + 1);
	}
	/* What `down` will know its pins by, before there are any. */
	if (lab_pins_record(ctx, nodes, n, err) < 0)
		return -1;
	linked = netns_pin_template(template, sizeof(template), ctx->t->name) == 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct node_rt *rt = &ctx->nodes[nodes[i]->index];
		char pin[512];
		if (netns_pin_path(pin, sizeof(pin), ctx->t->name, nodes[i]->name) < 0 ||
		    netns_pin_fd(rt->netns_fd, pin, linked ? template : NULL, err) < 0)
			rc = cbx_error_wrap(err, "node %s", nodes[i]->name);
		else
			rt->pinned = true;
	}
	if (linked)
		unlink(template);
	return rc;
}

/* Unpin: the namespace goes with its last user (its veths' host ends with
 * it: the node phase's undo_finish waits for them). In a failed `up`, only
 * the pins it made; in `down`, those the lab's record says are its own,
 * and the processes still in them (what `exec` started there, which the
 * node has no PID namespace or cgroup to hold) are killed, by PID.
 *
 * The namespaces are let go all at once, at the end: each is held (a
 * descriptor opened on its pin) until every pin is gone (lab/ns_holds.h). Dropped one by one, they cost 12 of the 13 s of
 * `down` for a fabric of 10,000 routers. */
static int netns_nodes_undo(struct lab_ctx *ctx, const struct step *s, size_t n,
			    struct cbx_error *err)
{
	cleanup_free ino_t *inos = ctx->teardown ? calloc(n ? n : 1, sizeof(*inos)) : NULL;
	cleanup_free bool *ours = calloc(n ? n : 1, sizeof(*ours));
	struct stat dir;
	struct lab_ns_holds held;
	size_t n_inos = 0;
	dev_t dev = 0;
	int rc = 0;

	if (!ours)
		return cbx_error_sys(err, ENOMEM, "remove netns nodes");
	if (stat(CBX_NETNS_DIR, &dir) < 0)
		dir.st_dev = 0;
	/* Which pins are ours, and the namespaces behind them, whose
	 * processes are killed first: while this process still has every
	 * descriptor it may need for that (the holding below takes one per
	 * node). */
	for (size_t i = 0; i < n; i++) {
		const struct cbx_node *node = s[i].u.node;
		struct stat st;
		char pin[512];

		netns_pin_path(pin, sizeof(pin), ctx->t->name, node->name);
		ours[i] = lab_pin_to_remove(ctx, node, pin);
		/* A pin's namespace (not the empty file of one). */
		if (ours[i] && inos && stat(pin, &st) == 0 && st.st_dev != dir.st_dev) {
			dev = st.st_dev;
			inos[n_inos++] = st.st_ino;
		}
	}
	netns_kill_members(dev, inos, n_inos);
	lab_ns_holds_init(&held, n);
	for (size_t i = 0; i < n; i++) {
		const struct cbx_node *node = s[i].u.node;
		struct cbx_error one;
		char pin[512];

		if (!ours[i])
			continue;
		netns_pin_path(pin, sizeof(pin), ctx->t->name, node->name);
		rc = cbx_error_keep_first(rc, err, lab_ns_unpin_held(&held, pin, &one), &one);
	}
	lab_ns_holds_release(&held);
	for (size_t i = 0; i < n; i++)
		lab_node_rt_reset(&ctx->nodes[s[i].u.node->index]);
	if (ctx->teardown && lab_pins_recorded(ctx))
		netns_pin_template_remove(ctx->t->name);
	return rc;
}

static void netns_nodes_describe(const struct step *s, bool undo, char *buf, size_t size)
{
	const struct cbx_node *n = s->u.node;

	if (undo)
		snprintf(buf, size,
			 "unpin node %s's netns (it goes with its veths), wait until its veths are gone",
			 n->name);
	else
		snprintf(buf, size,
			 "make node %s: a network namespace only (kind netns: no process, rootfs or other namespace; commands in it see the host's filesystem), pinned at /run/netns/%s-%s",
			 n->name, s->t->name, n->name);
}

const struct step_ops step_ops_node_netns = {
	.name = "nodes",
	.run = netns_nodes_run,
	.undo = netns_nodes_undo,
	.describe = netns_nodes_describe,
};
