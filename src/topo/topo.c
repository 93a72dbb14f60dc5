/* Lookups in a loaded topology, and its end: what every user of a topology
 * needs, and the parsing steps too (an endpoint names a node declared
 * before it). */
#include <string.h>

#include "common/arena.h"
#include "topo/topo.h"

void cbx_topo_free(struct cbx_topo *t)
{
	if (!t)
		return;
	for (size_t i = 0; t->nodes && i < t->n_nodes; i++)
		cbx_strmap_free(&t->nodes[i].iface_by_name);
	cbx_strmap_free(&t->node_by_name);
	cbx_strmap_free(&t->network_by_name);
	cbx_strmap_free(&t->host_by_name);
	cbx_arena_free(t->arena);
}

struct cbx_node *cbx_topo_node(const struct cbx_topo *t, const char *name)
{
	return cbx_strmap_get(&t->node_by_name, name);
}

struct cbx_iface *cbx_node_iface(const struct cbx_node *n, const char *name)
{
	return cbx_strmap_get(&n->iface_by_name, name);
}

const struct cbx_prefix *cbx_node_primary_addr(const struct cbx_node *n)
{
	for (int pass = 0; pass < 2; pass++) {
		int family = pass == 0 ? AF_INET : AF_INET6;
		for (size_t i = 0; i < n->n_ifaces; i++)
			for (unsigned j = 0; j < n->ifaces[i]->n_addrs; j++)
				if (n->ifaces[i]->addrs[j].ip.family == family)
					return &n->ifaces[i]->addrs[j];
	}
	return NULL;
}
