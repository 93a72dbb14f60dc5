#include "netlink/tc_msg.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <stdio.h>

#include "common/cleanup.h"
#include "netlink/msg_put.h"

/* ---- numbers as the kernel takes them ---- */

/* Probabilities are fractions of UINT32_MAX (iproute2 rounds to nearest). */
static bool percent_ok(double pct)
{
	return pct >= 0 && pct <= 100; /* false for NaN too */
}

static uint32_t percent_to_u32(double pct)
{
	return (uint32_t)(pct / 100 * UINT32_MAX + 0.5);
}

/* Time to send `bytes` at `rate` bytes/s, in psched ticks, rounded up and
 * capped as iproute2's tc_calc_xmittime does, but in exact integer
 * arithmetic: bytes/rate seconds at (t2us/us2t) * (clock_res/10^6) ticks per
 * microsecond. (Floating point gives 2901 ticks for 232 bytes at 10 Mbit/s,
 * not 2900.) */
static uint32_t xmit_ticks(const struct tc_psched *c, uint64_t rate, uint64_t bytes)
{
	/* iproute2's compatibility rule (tc_core.c): with a nanosecond clock
	 * the kernel's t2us, kept at 1000 for old binaries, really is us2t. */
	uint32_t t2us = c->clock_res == 1000000000 ? c->us2t : c->t2us;
	unsigned __int128 num = (unsigned __int128)bytes * t2us * c->clock_res;
	unsigned __int128 den = (unsigned __int128)rate * c->us2t;
	unsigned __int128 t = (num + den - 1) / den;

	return t > UINT32_MAX ? UINT32_MAX : (uint32_t)t;
}

int tc_psched_read(struct tc_psched *clock)
{
	cleanup_fclose FILE *f = fopen("/proc/net/psched", "re");

	if (!f)
		return -errno;
	if (fscanf(f, "%8x %8x %8x", &clock->t2us, &clock->us2t, &clock->clock_res) != 3 ||
	    !clock->us2t || !clock->clock_res)
		return -EINVAL;
	return 0;
}

/* ---- builders ---- */

static struct nlmsghdr *put_qdisc_header(void *buf, size_t size, uint16_t type, uint16_t flags,
					 int ifindex, uint32_t handle, uint32_t parent)
{
	struct nlmsghdr *nlh = nl_put_request(buf, size, type, flags, sizeof(struct tcmsg));
	struct tcmsg *tcm;

	if (!nlh)
		return NULL;
	tcm = mnl_nlmsg_get_payload(nlh);
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = ifindex;
	tcm->tcm_handle = handle;
	tcm->tcm_parent = parent;
	return nlh;
}

static uint16_t create_flags(bool replace)
{
	return NLM_F_CREATE | (replace ? NLM_F_REPLACE : NLM_F_EXCL);
}

int tc_build_qdisc_netem(void *buf, size_t size, int ifindex, uint32_t handle, uint32_t parent,
			 const struct cbx_impair *im, bool replace)
{
	struct tc_netem_qopt qopt = { .limit = TC_NETEM_LIMIT };
	struct tc_netem_corrupt corrupt = { 0 };
	struct tc_netem_reorder reorder = { 0 };
	struct tc_netem_rate rate = { 0 };
	uint64_t rate_bytes = im->rate_bps / 8;
	struct nlmsghdr *nlh;
	struct nlattr *opts;

	if (!percent_ok(im->loss) || !percent_ok(im->duplicate) || !percent_ok(im->corrupt) ||
	    !percent_ok(im->reorder))
		return -EINVAL;
	if (im->delay_us > INT64_MAX / 1000 || im->jitter_us > INT64_MAX / 1000)
		return -ERANGE;
	/* netem reorders by sending some packets at once while the rest wait
	 * out the delay: without a delay there is nothing to overtake. */
	if (im->reorder > 0 && !im->delay_us)
		return -EINVAL;
	if (im->rate_bps && !rate_bytes)
		return -EINVAL;

	qopt.loss = percent_to_u32(im->loss);
	qopt.duplicate = percent_to_u32(im->duplicate);
	corrupt.probability = percent_to_u32(im->corrupt);
	if (im->reorder > 0) {
		reorder.probability = percent_to_u32(im->reorder);
		/* iproute2's default: any packet may be the one sent early. */
		qopt.gap = 1;
	}
	rate.rate = rate_bytes > UINT32_MAX ? UINT32_MAX : (uint32_t)rate_bytes;

	PUT(nlh = put_qdisc_header(buf, size, RTM_NEWQDISC, create_flags(replace), ifindex, handle,
				   parent));
	PUT(mnl_attr_put_strz_check(nlh, size, TCA_KIND, "netem"));
	/* TCA_OPTIONS is not a nest: its payload is a bare tc_netem_qopt,
	 * followed by TCA_NETEM_* attributes; its length is stretched over
	 * them at the end. The old tick-based latency and jitter fields stay 0:
	 * the 64-bit nanosecond attributes replace them. */
	opts = mnl_nlmsg_get_payload_tail(nlh);
	PUT(mnl_attr_put_check(nlh, size, TCA_OPTIONS, sizeof(qopt), &qopt));
	if (im->delay_us)
		PUT(mnl_attr_put_u64_check(nlh, size, TCA_NETEM_LATENCY64, im->delay_us * 1000));
	if (im->jitter_us)
		PUT(mnl_attr_put_u64_check(nlh, size, TCA_NETEM_JITTER64, im->jitter_us * 1000));
	/* Corrupt, reorder and rate are sent even when off: on a replace the
	 * kernel keeps whatever an absent attribute had before. */
	PUT(mnl_attr_put_check(nlh, size, TCA_NETEM_CORRUPT, sizeof(corrupt), &corrupt));
	PUT(mnl_attr_put_check(nlh, size, TCA_NETEM_REORDER, sizeof(reorder), &reorder));
	PUT(mnl_attr_put_check(nlh, size, TCA_NETEM_RATE, sizeof(rate), &rate));
	if (rate_bytes > UINT32_MAX)
		PUT(mnl_attr_put_u64_check(nlh, size, TCA_NETEM_RATE64, rate_bytes));
	opts->nla_len = (uint16_t)((char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)opts);
	return (int)nlh->nlmsg_len;
}

int tc_build_qdisc_tbf(void *buf, size_t size, int ifindex, uint32_t handle, uint32_t parent,
		       uint64_t rate_bps, uint32_t burst_bytes, uint32_t latency_us, bool replace,
		       const struct tc_psched *clock)
{
	struct tc_tbf_qopt qopt = { 0 };
	uint64_t rate = rate_bps / 8; /* tc speaks bytes per second */
	uint32_t rtab[256];
	unsigned __int128 limit;
	struct nlmsghdr *nlh;
	struct nlattr *opts;

	if (!rate || !burst_bytes || !clock->us2t || !clock->clock_res)
		return -EINVAL;

	/* As iproute2's q_tbf.c: the queue holds what the rate sends in
	 * `latency`, plus a full bucket. */
	limit = (unsigned __int128)rate * latency_us / 1000000 + burst_bytes;
	qopt.limit = limit > UINT32_MAX ? UINT32_MAX : (uint32_t)limit;
	qopt.rate.rate = rate > UINT32_MAX ? UINT32_MAX : (uint32_t)rate;
	qopt.buffer = xmit_ticks(clock, rate, burst_bytes);

	/* The rate table (tc_core.c's tc_calc_rtable, for an unknown MTU of
	 * 2047 and no minimum packet size): rtab[i] is the time to send
	 * (i + 1) << cell_log bytes. Kernels that are told the link layer
	 * compute rates themselves and ignore it; tc sends it all the same. */
	qopt.rate.cell_log = 3;
	qopt.rate.cell_align = -1;
	qopt.rate.linklayer = TC_LINKLAYER_ETHERNET;
	for (unsigned i = 0; i < 256; i++)
		rtab[i] =
			xmit_ticks(clock, qopt.rate.rate, (uint64_t)(i + 1) << qopt.rate.cell_log);

	PUT(nlh = put_qdisc_header(buf, size, RTM_NEWQDISC, create_flags(replace), ifindex, handle,
				   parent));
	PUT(mnl_attr_put_strz_check(nlh, size, TCA_KIND, "tbf"));
	PUT(opts = mnl_attr_nest_start_check(nlh, size, TCA_OPTIONS));
	PUT(mnl_attr_put_check(nlh, size, TCA_TBF_PARMS, sizeof(qopt), &qopt));
	/* With the burst in bytes the kernel sizes the bucket itself, exactly. */
	PUT(mnl_attr_put_u32_check(nlh, size, TCA_TBF_BURST, burst_bytes));
	if (rate > UINT32_MAX)
		PUT(mnl_attr_put_u64_check(nlh, size, TCA_TBF_RATE64, rate));
	PUT(mnl_attr_put_check(nlh, size, TCA_TBF_RTAB, sizeof(rtab), rtab));
	mnl_attr_nest_end(nlh, opts);
	return (int)nlh->nlmsg_len;
}

int tc_build_qdisc_del(void *buf, size_t size, int ifindex, uint32_t parent)
{
	struct nlmsghdr *nlh = put_qdisc_header(buf, size, RTM_DELQDISC, 0, ifindex, 0, parent);

	PUT(nlh);
	return (int)nlh->nlmsg_len;
}

int tc_build_qdisc_dump(void *buf, size_t size, int ifindex)
{
	struct nlmsghdr *nlh = put_qdisc_header(buf, size, RTM_GETQDISC, NLM_F_DUMP, ifindex, 0, 0);

	PUT(nlh);
	nlh->nlmsg_flags &= ~NLM_F_ACK;
	return (int)nlh->nlmsg_len;
}
