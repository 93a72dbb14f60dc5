#include "bridge/partition.h"

#include <errno.h>
#include <linux/netfilter.h>
#include <stdlib.h>

#include "netlink/nft_msg.h"

/* raw priority: before conntrack, so a dropped packet leaves no state. */
#define PRIO_RAW (-300)

static void add_set(struct nl_batch *b, const char *node, const char *set, int family,
		    const struct cbx_ip *addrs, size_t n)
{
	size_t count = 0, done = 0;
	struct cbx_ip *mine = calloc(n ? n : 1, sizeof(*mine));

	if (!mine) {
		b->build_error = ENOMEM;
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (addrs[i].family == family)
			mine[count++] = addrs[i];
	NL_BUILD(b, nft_build_set_add, NFPROTO_INET, PARTITION_TABLE, set, family, (uint32_t)count);
	nl_batch_push(b, 0, "create set %s in node %s", set, node);
	/* A message holds as many elements as fit: send them in slices. */
	while (done < count) {
		size_t consumed = 0;
		NL_BUILD(b, nft_build_set_elems_add, NFPROTO_INET, PARTITION_TABLE, set,
			 mine + done, count - done, &consumed);
		nl_batch_push(b, 0, "add %zu address(es) to set %s in node %s", consumed, set,
			      node);
		if (!consumed)
			break;
		done += consumed;
	}
	NL_BUILD(b, nft_build_rule_drop_saddr_set, NFPROTO_INET, PARTITION_TABLE, "in", family,
		 set);
	nl_batch_push(b, 0, "drop packets from set %s in node %s", set, node);
	free(mine);
}

void partition_add_node_rules(struct nl_batch *b, const char *node, const struct cbx_ip *addrs,
			      size_t n)
{
	NL_BUILD(b, nft_build_batch_begin);
	nl_batch_push(b, 0, "begin nftables transaction");
	/* Add, then delete: gone whether or not it was there. */
	NL_BUILD(b, nft_build_table_add, NFPROTO_INET, PARTITION_TABLE);
	nl_batch_push(b, 0, "create table " PARTITION_TABLE " in node %s", node);
	NL_BUILD(b, nft_build_table_del, NFPROTO_INET, PARTITION_TABLE);
	nl_batch_push(b, 0, "delete table " PARTITION_TABLE " in node %s", node);
	if (n) {
		NL_BUILD(b, nft_build_table_add, NFPROTO_INET, PARTITION_TABLE);
		nl_batch_push(b, 0, "create table " PARTITION_TABLE " in node %s", node);
		NL_BUILD(b, nft_build_chain_add, NFPROTO_INET, PARTITION_TABLE, "in", "filter",
			 NF_INET_PRE_ROUTING, PRIO_RAW, NF_ACCEPT);
		nl_batch_push(b, 0, "create chain in in node %s", node);
		add_set(b, node, "drop4", AF_INET, addrs, n);
		add_set(b, node, "drop6", AF_INET6, addrs, n);
	}
	NL_BUILD(b, nft_build_batch_end);
	nl_batch_push(b, 0, "end nftables transaction");
}
