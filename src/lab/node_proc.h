/* A node's processes over its life (see node_proc.c). */
#ifndef CBX_NODE_PROC_H
#define CBX_NODE_PROC_H

#include <stdbool.h>

#include "lab/lab_ctx.h"

/* Clone the node: cgroups, rootfs, init waiting for 'G'. A first start makes
 * a new netns (lab_pin_node pins it); a restart joins the pinned one and
 * reuses the cgroups and the overlay's upper layer. Both halves of it:
 * lab_clone_node (on v2 with the node's cgroups, which it is cloned into)
 * and lab_node_cgroups (v1: the node's cgroups, then 'C'; it waits for that
 * before it touches the lab's state or cgroups). */
int lab_spawn_node(struct lab_ctx *ctx, const struct cbx_node *n, bool restart,
		   struct cbx_error *err);
int lab_clone_node(struct lab_ctx *ctx, const struct cbx_node *n, bool restart,
		   struct cbx_error *err);
/* Make the mount namespace new nodes start from (runtime/mntns.h), for
 * `to_clone` nodes, unless there is one: lab_clone_node makes it for one
 * node, a phase for all of its own at once. It stays until
 * lab_drop_node_mntns. */
int lab_node_mntns(struct lab_ctx *ctx, size_t to_clone, struct cbx_error *err);
int lab_node_cgroups(struct lab_ctx *ctx, const struct cbx_node *n, bool restart,
		     struct cbx_error *err);
/* Wait until each node has its namespaces ('N'): only then may it be wired
 * and pinned. */
int lab_wait_namespaces(struct lab_ctx *ctx, const struct cbx_node *const *nodes, size_t n,
			struct cbx_error *err);
/* Pin a new node's netns at /run/netns/<lab>-<node>, as a link of template
 * when there is one (runtime/netns.h). */
int lab_pin_node(struct lab_ctx *ctx, const struct cbx_node *n, const char *template,
		 struct cbx_error *err);
/* Send 'G' to each node and wait until each has started its command. */
int lab_release_nodes(struct lab_ctx *ctx, const struct cbx_node *const *nodes, size_t n,
		      struct cbx_error *err);
/* Stop nodes and wait until they are gone. grace_ms > 0: SIGTERM first (init
 * passes it on) and SIGKILL what is left after grace_ms; 0: SIGKILL now.
 * SIGKILL to a PID namespace's init takes the namespace with it, and init
 * exits last, so its pidfd turning readable means the node is gone; the
 * cgroups cover a node whose init is not known (an `up` killed before
 * writing it). Netns pins and cgroups stay. */
int lab_kill_nodes(struct lab_ctx *ctx, const struct cbx_node *const *nodes, size_t n, int grace_ms,
		   struct cbx_error *err);
/* When a phase fails, a node may have failed first (and the phase failed
 * because of it): replace err with the node's own message, keeping the
 * phase's as a consequence. Looks without waiting. */
void lab_nodes_explain_failure(struct lab_ctx *ctx, struct cbx_error *err);

#endif
