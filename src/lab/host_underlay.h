/* A lab over hosts: is this machine the host `up --host NAME` says, and
 * does its underlay carry what the file sizes the tunnels for? Checked by
 * `up` before it makes anything (not by `up --dry-run`, which shows any
 * host's part from anywhere):
 *
 * - the host's "address" is one of this machine's: `--host a` typed on b,
 *   or a wrong address, would otherwise come up and send every tunnel's
 *   packets from an address nobody answers;
 * - each other host of the lab has a route from here (through its "dev"
 *   when the file names one);
 * - that route's device (and the route's own MTU, when it has one) carries
 *   at least the host's "mtu" (1500 unless given): the tunnels' MTU is
 *   sized from it, and a full-sized frame over a smaller underlay is
 *   dropped without a word.
 *
 * The address need not be on "dev" (a VTEP address on lo, routed over the
 * NIC, is common). */
#ifndef CBX_HOST_UNDERLAY_H
#define CBX_HOST_UNDERLAY_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "lab/host_check.h"

/* How this host reaches one other host of the lab. */
struct underlay_path {
	const struct cbx_host *far;
	bool routed;           /* false: no route (err_code says why) */
	int err_code;          /* errno of the route lookup */
	char dev[IF_NAMESIZE]; /* the route's device */
	uint32_t dev_mtu;      /* its MTU */
	uint32_t route_mtu;    /* the route's own MTU (0: none) */
};

struct underlay_view {
	const struct host_view *h; /* this machine's addresses */
	bool dev_missing;          /* the file's "dev" is not on this machine */
	const struct underlay_path *paths;
	size_t n_paths;
};

/* The first thing wrong with t's local host on this view, as an error
 * (CBX_ERR_STATE); 0 when there is none, or the lab is on one host. Pure:
 * no system calls. */
int host_underlay_find(const struct cbx_topo *t, const struct underlay_view *v,
		       struct cbx_error *err);

/* All of it, on this machine: its addresses, a route to every other host
 * of the lab and its device. c: an rtnetlink socket to use. */
int lab_check_underlay(const struct cbx_topo *t, struct nl_conn *c, struct cbx_error *err);

#endif
