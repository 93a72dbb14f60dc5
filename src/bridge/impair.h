/* Link impairments on one interface, configured from inside the interface's
 * network namespace:
 *   - netem as the root qdisc for delay, jitter, loss, duplicate, corrupt,
 *     reorder (with a rate, netem's own rate);
 *   - tbf as the root qdisc for a rate alone.
 * A kernel without sch_netem (CONFIG_NET_SCH_NETEM unset, as on some
 * distribution and cloud kernels) still gets loss, from an nftables
 * `numgen random` rule in a table of its own, and rate, from tbf; what has no
 * fallback fails with an error that names the missing option.
 *
 * The loss rule sits where the interface's packets arrive (the other end of
 * its link: a node, or the host's bridge port), because netfilter dropping a
 * packet on its way out fails a local sender with EPERM, while a lossy link
 * (and netem) loses packets silently. */
#ifndef CBX_IMPAIR_H
#define CBX_IMPAIR_H

#include "netlink/transport.h"
#include "topo/topo.h"

struct impair_target {
	struct nl_conn *rtnl; /* in the interface's netns */
	const char *ifname;
	int ifindex;
	/* Where its packets arrive: netfilter socket of that netns, family
	 * (NFPROTO_INET in a node, NFPROTO_BRIDGE at the host's bridge port)
	 * and the receiving interface. */
	struct nl_conn *peer_nft;
	int peer_family;
	const char *peer_ifname;
	/* Never impaired before (a node just made): there is no loss table
	 * to remove, and peer_nft may be NULL unless `im` has loss. */
	bool fresh;
};

/* Replace whatever impairs the interface with `im`; an `im` with nothing
 * set clears it. */
int impair_apply(const struct impair_target *t, const struct cbx_impair *im, struct cbx_error *err);

/* Remove the loss tables a fallback may have left at any of the n
 * interfaces `peer_ifnames` (fine where there is none). For teardown: the
 * family's tables are listed once, and only those there are deleted, in one
 * transaction. (Adding and deleting each interface's table, sure to be
 * there or not, cost the kernel a walk of its list of tables per table:
 * 0.02 s of a 1000-node `down`, 0.8 s at 5000.) */
int impair_remove_loss_tables(struct nl_conn *nft, int peer_family, const char *const *peer_ifnames,
			      size_t n, struct cbx_error *err);

#endif
