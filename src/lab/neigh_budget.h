/* The kernel's neighbour tables (ARP, NDP) are one per protocol for the
 * whole host: every network namespace's entries count against the limits
 * of the host's own (net.ipv4.neigh.default.gc_thresh3, 1024 unless
 * raised; only the initial namespace may set it). Past it a new neighbour
 * is refused ("neighbor table overflow" in the kernel's log) and the packet
 * waiting for it is lost: at 10,000 routers, a quarter of the first pings
 * across the fabric were, until the entries of the first ones aged out.
 * `up` warns when a lab could need more than that at once. */
#ifndef CBX_NEIGH_BUDGET_H
#define CBX_NEIGH_BUDGET_H

#include <stddef.h>

#include "topo/topo.h"

/* How many neighbour entries the lab's nodes on this host need when each
 * interface has spoken to one neighbour, and the host's side of each
 * network (its gateway address) to each of the network's members: a
 * floor, not a ceiling. The limit read is IPv4's; IPv6's (net.ipv6.neigh.
 * default.gc_thresh3) is the same by default. */
size_t lab_neigh_entries_floor(const struct cbx_topo *t);

/* The warning for a lab that could need more than `limit` entries (the
 * host's gc_thresh3) at once, into buf; NULL when it fits. */
const char *lab_neigh_budget_warning(const struct cbx_topo *t, long limit, char *buf, size_t size);

#endif
