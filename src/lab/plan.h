/* A lab as a plan: an ordered list of typed steps, each with its undo.
 *
 * `up` builds the plan from the topology and executes it; a failure undoes
 * what was attempted, in reverse. `down` builds the same plan from the saved
 * topology and runs every undo: undos tolerate missing objects, so `down`
 * also cleans up after an `up` that crashed or was killed halfway.
 *
 * Consecutive steps of one kind form a phase that runs together (one netlink
 * batch for all bridges, all nodes cloned before any is waited for), which
 * is what keeps `up` fast; `cboxlab up --dry-run` prints the plan. */
#ifndef CBX_PLAN_H
#define CBX_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/error.h"
#include "topo/topo.h"

struct cbx_ctx;
struct lab_ctx;

enum step_kind {
	STEP_LAB_STATE,  /* state directory (the lab's lock), saved topology, /etc/hosts */
	STEP_LAB_CGROUP, /* the lab's parent cgroups */
	STEP_NETWORK,    /* a network, as its kind makes it: a bridge with its gateway addresses */
	STEP_NAT,        /* the lab's nftables table: masquerade, published ports */
	STEP_NODE,       /* clone a node: namespaces, cgroup, rootfs; pin its netns */
	STEP_VETH,       /* a veth pair from a node interface to its network's bridge */
	STEP_LINK,       /* a veth pair between two nodes */
	STEP_NODE_NET,   /* lo, addresses, routes, sysctls inside a node */
	STEP_NODE_START, /* let the node's init start its command; wait until ready */
	STEP_LAB_READY,  /* record the lab as up */
	STEP_KIND_COUNT
};

struct step {
	enum step_kind kind;
	const struct cbx_topo *t;
	const char *state_root; /* for descriptions: the lab's state is under it */
	union {
		const struct cbx_network *net;
		const struct cbx_node *node;
		const struct cbx_iface *iface;
		const struct cbx_link *link;
	} u;
};

struct plan {
	const struct cbx_topo *t;
	struct step *steps;
	size_t n;
};

int plan_build(const struct cbx_ctx *cbx, const struct cbx_topo *t, struct plan *p,
	       struct cbx_error *err);
void plan_free(struct plan *p);

/* What a step does, and what its undo does, in words. */
void plan_step_describe(const struct step *s, bool undo, char *buf, size_t size);
void plan_print(const struct plan *p, FILE *out);

/* Run every step; on failure undo what was attempted and return -1 with the
 * failure in err (and any undo failure appended to it). Once the first phase
 * (the lab's state) is done, a later phase may begin ahead of its turn what
 * needs nothing more (on cgroup v1, the nodes' clones: their namespaces are
 * the slowest part of a node, and come up while the lab's cgroups are
 * made); a failure before its turn cancels that. */
int plan_execute(struct lab_ctx *ctx, struct plan *p, struct cbx_error *err);
/* Undo steps [0, upto) in reverse, every one even after a failure; returns
 * -1 with the first failure. */
int plan_undo(struct lab_ctx *ctx, struct plan *p, size_t upto, struct cbx_error *err);

#endif
