/* A broadcast on a network (an ARP request, a DHCP discover) is copied by
 * its bridges to every port at once, and each copy a veth delivers waits
 * in the backlog of the CPU doing the copying, which holds
 * net.core.netdev_max_backlog packets (1000 unless raised; one value for
 * the whole host). The copies of one broadcast are all queued before the
 * first is handled, so on a network of more interfaces than that the
 * kernel drops the rest: on a star of 2,100 nodes, half of them never saw
 * the host's ARP requests and no ping to them was answered (that CPU's
 * drop count in /proc/net/softnet_stat rose by about 2,200 in the second
 * one ping took to fail). A tree of bridges does not help: every leaf
 * floods before any copy is handled. `up` warns of it. */
#ifndef CBX_FLOOD_BUDGET_H
#define CBX_FLOOD_BUDGET_H

#include <stddef.h>

#include "topo/topo.h"

/* The network of this host's part of the lab whose broadcast makes the
 * most copies (its interfaces here and its tree's uplinks: a bound, as the
 * uplinks' copies are handled before the leaves flood), and how many;
 * NULL and 0 when no network here has an interface or a leaf. */
const struct cbx_network *lab_flood_widest(const struct cbx_topo *t, size_t *copies);

/* The warning for a lab whose widest network's broadcast makes more copies
 * than `backlog` (the host's netdev_max_backlog), into buf; NULL when it
 * fits or the backlog is not known (backlog <= 0). */
const char *lab_flood_budget_warning(const struct cbx_topo *t, long backlog, char *buf,
				     size_t size);

#endif
