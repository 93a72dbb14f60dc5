/* Whether a broadcast fits the host's receive backlog (flood_budget.h). */
#include <stdio.h>

#include "lab/flood_budget.h"

const struct cbx_network *lab_flood_widest(const struct cbx_topo *t, size_t *copies)
{
	const struct cbx_network *widest = NULL;

	*copies = 0;
	for (size_t i = 0; i < t->n_networks; i++) {
		const struct cbx_network *net = &t->networks[i];
		size_t n;

		if (!cbx_network_here(t, net))
			continue;
		n = net->n_leaves + cbx_network_members_here(t, net);
		if (n > *copies) {
			*copies = n;
			widest = net;
		}
	}
	return widest;
}

const char *lab_flood_budget_warning(const struct cbx_topo *t, long backlog, char *buf, size_t size)
{
	size_t copies;
	const struct cbx_network *net = lab_flood_widest(t, &copies);

	if (!net || backlog <= 0 || copies <= (size_t)backlog)
		return NULL;
	snprintf(buf, size,
		 "network %s copies each broadcast (an ARP request) to %zu interfaces at once, and "
		 "the host's per-CPU receive backlog holds %ld packets "
		 "(net.core.netdev_max_backlog): the kernel drops the rest, and some nodes never "
		 "see it (ARP for them fails). Raise it, e.g. sysctl -w "
		 "net.core.netdev_max_backlog=%zu",
		 net->name, copies, backlog, 2 * copies);
	return buf;
}
