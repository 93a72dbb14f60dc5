#include "bridge/impair.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/pkt_sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strmap.h"

#include "netlink/nft_msg.h"
#include "netlink/tc_msg.h"

/* Handle 0 with NLM_F_REPLACE, as `tc qdisc replace ... root` sends it: the
 * kernel changes a root qdisc of the same kind in place and grafts a new
 * one over a different kind (a fixed handle would fail with "Invalid qdisc
 * name" when switching between netem and tbf). */
#define ROOT_HANDLE 0
/* tbf: a bucket of 20 ms at the rate (at least two full frames) and a queue
 * of 50 ms, so a measured rate is the configured one. */
#define TBF_BURST_MS 20
#define TBF_LATENCY_US 50000

static bool needs_netem(const struct cbx_impair *im)
{
	return im->delay_us || im->jitter_us || im->duplicate > 0 || im->corrupt > 0 ||
	       im->reorder > 0;
}

#define LOSS_TABLE_PREFIX "cboxlab-loss-"

static void loss_table_name(char *buf, size_t size, const char *ifname)
{
	snprintf(buf, size, LOSS_TABLE_PREFIX "%s", ifname);
}

static int commit_and_free(struct nl_conn *c, struct nl_batch *b, struct cbx_error *err)
{
	int rc = nl_batch_commit(c, b, err);

	nl_batch_free(b);
	return rc;
}

/* "Add, then delete" removes a table whether or not it was there, inside
 * one transaction that then cannot fail for its absence. */
static void add_table_removal(struct nl_batch *b, int family, const char *table)
{
	NL_BUILD(b, nft_build_table_add, family, table);
	nl_batch_push(b, 0, "create table %s", table);
	NL_BUILD(b, nft_build_table_del, family, table);
	nl_batch_push(b, 0, "delete table %s", table);
}

/* The family's loss tables, by name. */
struct loss_tables {
	struct cbx_strmap names;
	char **owned;
	size_t n, cap;
	bool oom;
};

static int collect_loss_table(const struct nlmsghdr *nlh, void *data)
{
	struct loss_tables *lt = data;
	char name[64], *copy;

	if (nft_parse_table_name(nlh, name, sizeof(name)) < 0 ||
	    strncmp(name, LOSS_TABLE_PREFIX, strlen(LOSS_TABLE_PREFIX)))
		return MNL_CB_OK;
	if (lt->n == lt->cap) {
		size_t cap = lt->cap ? lt->cap * 2 : 16;
		char **bigger = realloc(lt->owned, cap * sizeof(*bigger));
		if (!bigger) {
			lt->oom = true;
			return MNL_CB_OK;
		}
		lt->owned = bigger;
		lt->cap = cap;
	}
	if (!(copy = strdup(name))) {
		lt->oom = true;
		return MNL_CB_OK;
	}
	lt->owned[lt->n++] = copy;
	cbx_strmap_put(&lt->names, copy, copy, &lt->oom);
	return MNL_CB_OK;
}

static void loss_tables_free(struct loss_tables *lt)
{
	cbx_strmap_free(&lt->names);
	for (size_t i = 0; i < lt->n; i++)
		free(lt->owned[i]);
	free(lt->owned);
}

/* List the family's tables; a list the kernel changed meanwhile is
 * listed again. */
static int list_loss_tables(struct nl_conn *nft, int family, struct loss_tables *lt,
			    struct cbx_error *err)
{
	for (int tries = 0;; tries++) {
		union {
			struct nlmsghdr h;
			char bytes[256];
		} req;
		int rc;

		loss_tables_free(lt);
		memset(lt, 0, sizeof(*lt));
		cbx_strmap_init(&lt->names);
		if (nft_build_table_dump(req.bytes, sizeof(req.bytes), family) < 0)
			return cbx_error_sys(err, EINVAL, "list nftables tables");
		rc = nl_dump(nft, &req.h, collect_loss_table, lt, "list nftables tables", err);
		if (rc == 0 && lt->oom)
			return cbx_error_sys(err, ENOMEM, "list nftables tables");
		if (rc == 0 || err->code != EINTR || tries == 3)
			return rc;
	}
}

int impair_remove_loss_tables(struct nl_conn *nft, int peer_family, const char *const *peer_ifnames,
			      size_t n, struct cbx_error *err)
{
	struct loss_tables lt = { 0 };
	struct nl_batch b;
	char table[64];
	size_t found = 0;
	int rc;

	cbx_strmap_init(&lt.names);
	if (list_loss_tables(nft, peer_family, &lt, err) < 0) {
		loss_tables_free(&lt);
		return -1;
	}
	nl_batch_init(&b);
	NL_BUILD(&b, nft_build_batch_begin);
	nl_batch_push(&b, 0, "begin nftables transaction");
	for (size_t i = 0; lt.n && i < n; i++) {
		loss_table_name(table, sizeof(table), peer_ifnames[i]);
		if (!cbx_strmap_get(&lt.names, table))
			continue;
		/* Gone since it was listed: the same. */
		NL_BUILD(&b, nft_build_table_del, peer_family, table);
		nl_batch_push(&b, NL_REQ_IGNORE_MISSING, "delete table %s", table);
		found++;
	}
	NL_BUILD(&b, nft_build_batch_end);
	nl_batch_push(&b, 0, "end nftables transaction");
	rc = found ? nl_batch_commit(nft, &b, err) : 0;
	nl_batch_free(&b);
	loss_tables_free(&lt);
	return rc;
}

/* One nftables transaction: replace (or just remove, per_million 0) the
 * loss table at the receiving interface. */
static int set_nft_loss(const struct impair_target *t, uint32_t per_million, struct cbx_error *err)
{
	struct nl_batch b;
	char table[64];

	if (!per_million && t->fresh)
		return 0;
	loss_table_name(table, sizeof(table), t->peer_ifname);
	nl_batch_init(&b);
	NL_BUILD(&b, nft_build_batch_begin);
	nl_batch_push(&b, 0, "begin nftables transaction");
	add_table_removal(&b, t->peer_family, table);
	if (per_million) {
		NL_BUILD(&b, nft_build_table_add, t->peer_family, table);
		nl_batch_push(&b, 0, "create table %s", table);
		/* Prerouting is hook 0 in the inet and the bridge families. */
		NL_BUILD(&b, nft_build_chain_add, t->peer_family, table, "in", "filter",
			 NF_INET_PRE_ROUTING, -300, NF_ACCEPT);
		nl_batch_push(&b, 0, "create chain %s in", table);
		NL_BUILD(&b, nft_build_rule_random_drop, t->peer_family, table, "in",
			 t->peer_ifname, per_million);
		nl_batch_push(&b, 0, "drop %.4f%% of what %s sends, at random", per_million / 1e4,
			      t->ifname);
	}
	NL_BUILD(&b, nft_build_batch_end);
	nl_batch_push(&b, 0, "end nftables transaction");
	return commit_and_free(t->peer_nft, &b, err);
}

static int del_root_qdisc(struct nl_conn *rtnl, const char *ifname, int ifindex,
			  struct cbx_error *err)
{
	struct nl_batch b;

	nl_batch_init(&b);
	NL_BUILD(&b, tc_build_qdisc_del, ifindex, TC_H_ROOT);
	/* No root qdisc of ours (a veth's default is noqueue): nothing to do. */
	nl_batch_push(&b, NL_REQ_IGNORE_MISSING, "remove the root qdisc of %s", ifname);
	return commit_and_free(rtnl, &b, err);
}

static int set_netem(struct nl_conn *rtnl, const char *ifname, int ifindex,
		     const struct cbx_impair *im, struct cbx_error *err)
{
	char what[160];
	struct nl_batch b;

	cbx_impair_format(im, what, sizeof(what));
	nl_batch_init(&b);
	NL_BUILD(&b, tc_build_qdisc_netem, ifindex, ROOT_HANDLE, TC_H_ROOT, im, true);
	nl_batch_push(&b, 0, "set netem (%s) on %s", what, ifname);
	return commit_and_free(rtnl, &b, err);
}

static int set_tbf(struct nl_conn *rtnl, const char *ifname, int ifindex, uint64_t rate_bps,
		   struct cbx_error *err)
{
	static struct tc_psched clock;
	uint64_t burst = rate_bps / 8 * TBF_BURST_MS / 1000;
	struct nl_batch b;

	if (!clock.us2t && tc_psched_read(&clock) < 0)
		clock = (struct tc_psched)TC_PSCHED_LINUX;
	if (burst < 3200)
		burst = 3200;
	if (burst > UINT32_MAX / 2)
		burst = UINT32_MAX / 2;
	nl_batch_init(&b);
	NL_BUILD(&b, tc_build_qdisc_tbf, ifindex, ROOT_HANDLE, TC_H_ROOT, rate_bps, (uint32_t)burst,
		 TBF_LATENCY_US, true, &clock);
	nl_batch_push(&b, 0, "set tbf rate %llu bit/s on %s", (unsigned long long)rate_bps, ifname);
	return commit_and_free(rtnl, &b, err);
}

/* The kernel's answer when a qdisc kind is not compiled in (nor a module). */
static bool is_unknown_qdisc(const struct cbx_error *err)
{
	return err->code == ENOENT || err->code == EOPNOTSUPP ||
	       strstr(err->msg, "kind is unknown");
}

int impair_apply(const struct impair_target *t, const struct cbx_impair *im, struct cbx_error *err)
{
	uint32_t per_million = (uint32_t)(im->loss * 10000.0 + 0.5);
	struct nl_conn *rtnl = t->rtnl;
	const char *ifname = t->ifname;
	int ifindex = t->ifindex;
	struct cbx_error netem_err;

	if (!cbx_impair_is_set(im))
		return del_root_qdisc(rtnl, ifname, ifindex, err) < 0 || set_nft_loss(t, 0, err) < 0
			       ? -1
			       : 0;
	if (!needs_netem(im) && im->loss == 0)
		return set_tbf(rtnl, ifname, ifindex, im->rate_bps, err) < 0 ||
				       set_nft_loss(t, 0, err) < 0
			       ? -1
			       : 0;
	if (set_netem(rtnl, ifname, ifindex, im, &netem_err) == 0)
		return set_nft_loss(t, 0, err);
	if (!is_unknown_qdisc(&netem_err)) {
		*err = netem_err;
		return -1;
	}
	if (needs_netem(im))
		return cbx_error_set(err, CBX_ERR_SYSTEM,
				     "impair %s: delay, jitter, duplicate, corrupt and reorder need netem, and this kernel has no sch_netem (CONFIG_NET_SCH_NETEM); loss and rate work without it",
				     ifname);
	/* Loss (and a rate) without netem. */
	if ((im->rate_bps ? set_tbf(rtnl, ifname, ifindex, im->rate_bps, err)
			  : del_root_qdisc(rtnl, ifname, ifindex, err)) < 0)
		return -1;
	return set_nft_loss(t, per_million, err);
}
