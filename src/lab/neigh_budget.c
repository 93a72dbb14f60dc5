/* Whether a lab fits the host's neighbour tables (neigh_budget.h). */
#include <stdio.h>

#include "lab/neigh_budget.h"

size_t lab_neigh_entries_floor(const struct cbx_topo *t)
{
	size_t n = 0;

	/* This host's part of a lab that spans hosts: its nodes' entries. */
	for (size_t i = 0; i < t->n_ifaces; i++)
		n += cbx_node_here(t, t->ifaces[i].node);
	for (size_t i = 0; i < t->n_networks; i++)
		if (t->networks[i].has_gw4 || t->networks[i].has_gw6)
			n += cbx_network_members_here(t, &t->networks[i]);
	return n;
}

const char *lab_neigh_budget_warning(const struct cbx_topo *t, long limit, char *buf, size_t size)
{
	size_t need = lab_neigh_entries_floor(t);

	if (limit <= 0 || need <= (size_t)limit)
		return NULL;
	snprintf(buf, size,
		 "this lab needs at least %zu neighbour (ARP, NDP) entries once its interfaces "
		 "have spoken, and the host's tables hold %ld for every namespace together "
		 "(net.ipv4.neigh.default.gc_thresh3): past that, new neighbours are refused and "
		 "their first packets lost. Raise the limits, e.g. sysctl -w "
		 "net.ipv4.neigh.default.gc_thresh3=%zu net.ipv4.neigh.default.gc_thresh2=%zu "
		 "(and net.ipv6.neigh.default.* for IPv6)",
		 need, limit, 2 * need, need);
	return buf;
}
