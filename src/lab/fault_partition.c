/* Partitions: each node's side of a grudge as an nftables table in its own
 * netns (bridge/partition.h), replaced whole. */
#include <errno.h>
#include <stdlib.h>

#include "bridge/partition.h"
#include "common/cleanup.h"
#include "lab/fault.h"
#include "lab/node_netns.h"

/* Every address of a node (what its peers see as the packets' source). */
static size_t node_addrs(const struct cbx_node *n, struct cbx_ip *out)
{
	size_t k = 0;

	for (size_t i = 0; i < n->n_ifaces; i++)
		for (unsigned a = 0; a < n->ifaces[i]->n_addrs; a++)
			out[k++] = n->ifaces[i]->addrs[a].ip;
	return k;
}

/* Node i's table: it drops what the nodes it holds a grudge against send.
 * Its socket is parked, not closed (lab_nft_park): closed one by one, each
 * node would wait for a grace period of its own. */
static int partition_node(struct lab_faults *fl, const struct lab_grudge *g, size_t i,
			  struct cbx_ip *addrs, struct cbx_error *err)
{
	const struct cbx_topo *t = fl->t;
	struct nl_conn nft;
	struct nl_batch b;
	size_t count = 0;
	int rc;

	for (size_t j = 0; j < t->n_nodes; j++)
		if (g->drops[i * g->n + j])
			count += node_addrs(&t->nodes[j], addrs + count);
	if (lab_node_nft_open(t, &t->nodes[i], &nft, err) < 0)
		return -1;
	nl_batch_init(&b);
	partition_add_node_rules(&b, t->nodes[i].name, addrs, count);
	rc = nl_batch_commit(&nft, &b, err);
	nl_batch_free(&b);
	lab_nft_park(&fl->ctx, &nft);
	return rc;
}

int fault_partition(struct lab_faults *fl, const struct lab_grudge *g, struct cbx_error *err)
{
	const struct cbx_topo *t = fl->t;
	cleanup_free struct cbx_ip *addrs =
		calloc(t->n_ifaces * CBX_IFACE_ADDRS_MAX + 1, sizeof(*addrs));

	if (!addrs)
		return cbx_error_sys(err, ENOMEM, "partition");
	/* Every node, not only those whose side the record says changed: after
	 * a partition that failed or was interrupted halfway, the kernel is
	 * the truth, and each node's transaction replaces its table whole. */
	/* Over hosts, each host does its nodes' side; the addresses of the
	 * nodes elsewhere are in the topology all the same. */
	for (size_t i = 0; i < t->n_nodes; i++)
		if (cbx_node_here(t, &t->nodes[i]) && partition_node(fl, g, i, addrs, err) < 0)
			return -1;
	fault_record_partition_set(fl->record, t, g);
	return 0;
}

int fault_heal(struct lab_faults *fl, struct cbx_error *err)
{
	struct lab_grudge none;
	int rc;

	if (lab_grudge_init(&none, fl->t->n_nodes, err) < 0)
		return -1;
	rc = fault_partition(fl, &none, err);
	lab_grudge_free(&none);
	return rc;
}
