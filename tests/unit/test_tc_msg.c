/* qdisc builders: build each message, check the raw TCA_OPTIONS layout with
 * libmnl, then read it back with parse_qdisc (below: the program itself
 * never reads qdiscs) and compare with what was asked for. Short buffers
 * must fail without a byte written past their end. No root needed. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <math.h> /* NAN */
#include <stdbool.h>
#include <string.h>

#include "attrs.h"
#include "netlink/tc_msg.h"
#include "overflow.h"
#include "tap.h"

static char buf[8192] __attribute__((aligned(4)));
static char obuf[8192 + 256] __attribute__((aligned(4)));

/* ---- reading a qdisc message back ---- */

/* A qdisc as an RTM_NEWQDISC message describes it (one of the requests
 * built here, or the kernel's answer to a dump). */
struct qdisc_info {
	char kind[16]; /* "netem", "tbf", "noqueue", ... */
	int ifindex;
	uint32_t handle, parent;
	/* netem: everything; tbf: the rate. Zero for other kinds. Percentages
	 * come back as the kernel keeps them, to within 1e-7. */
	struct cbx_impair impair;
	uint32_t limit;        /* netem: packets; tbf: bytes */
	uint32_t gap;          /* netem: reorder gap */
	uint32_t buffer_ticks; /* tbf: the bucket in psched ticks */
	uint32_t burst;        /* tbf: the bucket in bytes, when the message says
				  (requests do; the kernel's answers do not) */
};

static double u32_to_percent(uint32_t v)
{
	return (double)v / UINT32_MAX * 100;
}

/* The payload of `a` if it holds at least `len` bytes. */
static const void *payload_of(const struct nlattr *a, size_t len)
{
	return a && mnl_attr_get_payload_len(a) >= len ? mnl_attr_get_payload(a) : NULL;
}

static bool get_u64(const struct nlattr *a, uint64_t *v)
{
	const void *p = payload_of(a, sizeof(*v));

	if (p)
		memcpy(v, p, sizeof(*v));
	return p != NULL;
}

static uint64_t bytes_to_bits(uint64_t bytes)
{
	return bytes > UINT64_MAX / 8 ? UINT64_MAX : bytes * 8;
}

static int parse_netem(const struct nlattr *opts, struct qdisc_info *out)
{
	const struct tc_netem_qopt *qopt = payload_of(opts, sizeof(*qopt));
	const struct tc_netem_corrupt *corrupt;
	const struct tc_netem_reorder *reorder;
	const struct tc_netem_rate *rate;
	struct attrs tb = { 0 };
	size_t skip = MNL_ALIGN(sizeof(*qopt));
	uint64_t v;

	if (!qopt)
		return -EINVAL;
	out->limit = qopt->limit;
	out->gap = qopt->gap;
	out->impair.loss = u32_to_percent(qopt->loss);
	out->impair.duplicate = u32_to_percent(qopt->duplicate);
	if (mnl_attr_get_payload_len(opts) > skip &&
	    mnl_attr_parse_payload((const char *)qopt + skip, mnl_attr_get_payload_len(opts) - skip,
				   collect, &tb) != MNL_CB_OK)
		return -EINVAL;
	/* Kernels since 4.15 always answer with the 64-bit times. */
	if (get_u64(tb.a[TCA_NETEM_LATENCY64], &v) && (int64_t)v > 0)
		out->impair.delay_us = v / 1000;
	if (get_u64(tb.a[TCA_NETEM_JITTER64], &v) && (int64_t)v > 0)
		out->impair.jitter_us = v / 1000;
	if ((corrupt = payload_of(tb.a[TCA_NETEM_CORRUPT], sizeof(*corrupt))))
		out->impair.corrupt = u32_to_percent(corrupt->probability);
	/* The kernel reports a reorder probability even when off; only a gap
	 * turns it on. */
	if (qopt->gap && (reorder = payload_of(tb.a[TCA_NETEM_REORDER], sizeof(*reorder))))
		out->impair.reorder = u32_to_percent(reorder->probability);
	if ((rate = payload_of(tb.a[TCA_NETEM_RATE], sizeof(*rate))))
		out->impair.rate_bps = bytes_to_bits(rate->rate);
	if (get_u64(tb.a[TCA_NETEM_RATE64], &v))
		out->impair.rate_bps = bytes_to_bits(v);
	return 0;
}

static int parse_tbf(const struct nlattr *opts, struct qdisc_info *out)
{
	struct attrs tb = { 0 };
	const struct tc_tbf_qopt *qopt;
	uint64_t rate;

	if (mnl_attr_parse_nested(opts, collect, &tb) != MNL_CB_OK)
		return -EINVAL;
	if (!(qopt = payload_of(tb.a[TCA_TBF_PARMS], sizeof(*qopt))))
		return -EINVAL;
	rate = qopt->rate.rate;
	get_u64(tb.a[TCA_TBF_RATE64], &rate);
	out->impair.rate_bps = bytes_to_bits(rate);
	out->limit = qopt->limit;
	out->buffer_ticks = qopt->buffer;
	if (payload_of(tb.a[TCA_TBF_BURST], sizeof(uint32_t)))
		out->burst = mnl_attr_get_u32(tb.a[TCA_TBF_BURST]);
	return 0;
}

/* Read an RTM_NEWQDISC message. 0, or -EINVAL when it is not a well-formed
 * qdisc message. */
static int parse_qdisc(const struct nlmsghdr *nlh, struct qdisc_info *out)
{
	const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);
	struct attrs tb = { 0 };
	const char *kind;
	size_t kind_len;

	memset(out, 0, sizeof(*out));
	if (nlh->nlmsg_type != RTM_NEWQDISC || nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*tcm))
		return -EINVAL;
	out->ifindex = tcm->tcm_ifindex;
	out->handle = tcm->tcm_handle;
	out->parent = tcm->tcm_parent;
	if (mnl_attr_parse(nlh, sizeof(*tcm), collect, &tb) != MNL_CB_OK || !tb.a[TCA_KIND])
		return -EINVAL;
	kind = mnl_attr_get_payload(tb.a[TCA_KIND]);
	kind_len = strnlen(kind, mnl_attr_get_payload_len(tb.a[TCA_KIND]));
	if (kind_len >= sizeof(out->kind))
		return -EINVAL;
	memcpy(out->kind, kind, kind_len);
	if (!tb.a[TCA_OPTIONS])
		return 0;
	if (!strcmp(out->kind, "netem"))
		return parse_netem(tb.a[TCA_OPTIONS], out);
	if (!strcmp(out->kind, "tbf"))
		return parse_tbf(tb.a[TCA_OPTIONS], out);
	return 0;
}

/* ---- tests ---- */

/* Percentages come back through a 32-bit fraction: equal to within 1e-6. */
#define near(got, want, ...) ok((got) - (want) < 1e-6 && (want) - (got) < 1e-6, __VA_ARGS__)

/* The kernel's probability for a percentage (no libm: the project links
 * without -lm). */
static uint32_t prob(double pct)
{
	return (uint32_t)(pct / 100 * 4294967295.0 + 0.5);
}

static void check_tcmsg(const char *what, int len, uint16_t type, uint16_t flags, int ifindex,
			uint32_t handle, uint32_t parent)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);

	ok(len > 0, "%s: builds", what);
	is_int(nlh->nlmsg_len, len, "%s: returns its length", what);
	is_int(nlh->nlmsg_type, type, "%s: message type", what);
	is_int(nlh->nlmsg_flags, NLM_F_REQUEST | flags, "%s: flags", what);
	is_int(nlh->nlmsg_seq, 0, "%s: sequence left to the transport", what);
	is_int(tcm->tcm_family, AF_UNSPEC, "%s: family", what);
	is_int(tcm->tcm_ifindex, ifindex, "%s: ifindex", what);
	is_int(tcm->tcm_handle, handle, "%s: handle", what);
	is_int(tcm->tcm_parent, parent, "%s: parent", what);
}

/* The top-level attributes, and TCA_KIND checked to carry its NUL. */
static void top_attrs(const char *what, const char *kind, struct attrs *top)
{
	memset(top, 0, sizeof(*top));
	mnl_attr_parse((struct nlmsghdr *)buf, sizeof(struct tcmsg), collect, top);
	ok(top->a[TCA_KIND] && mnl_attr_get_payload_len(top->a[TCA_KIND]) == strlen(kind) + 1,
	   "%s: kind with its NUL", what);
	is_str(mnl_attr_get_str(top->a[TCA_KIND]), kind, "%s: kind", what);
	ok(top->a[TCA_OPTIONS] != NULL, "%s: options", what);
}

/* netem's TCA_OPTIONS: a bare qopt, then attributes. */
static const struct tc_netem_qopt *netem_layout(const char *what, struct attrs *na)
{
	struct attrs top;
	const struct nlattr *opts;
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	size_t skip = MNL_ALIGN(sizeof(struct tc_netem_qopt));

	top_attrs(what, "netem", &top);
	opts = top.a[TCA_OPTIONS];
	memset(na, 0, sizeof(*na));
	if (!opts)
		return NULL;
	ok(!(opts->nla_type & NLA_F_NESTED), "%s: options not flagged as a nest", what);
	is_int((const char *)opts + opts->nla_len - (const char *)nlh, nlh->nlmsg_len,
	       "%s: options stretched to the end of the message", what);
	ok(mnl_attr_get_payload_len(opts) >= skip, "%s: options start with a qopt", what);
	is_int(mnl_attr_parse_payload((const char *)mnl_attr_get_payload(opts) + skip,
				      mnl_attr_get_payload_len(opts) - skip, collect, na),
	       MNL_CB_OK, "%s: attributes after the qopt parse", what);
	return mnl_attr_get_payload(opts);
}

static void test_netem_full(void)
{
	struct cbx_impair im = { .delay_us = 50000,
				 .jitter_us = 5000,
				 .loss = 2.5,
				 .duplicate = 1,
				 .corrupt = 0.1,
				 .reorder = 25,
				 .rate_bps = 10000000 };
	const struct tc_netem_qopt *q;
	const struct tc_netem_corrupt *corrupt;
	const struct tc_netem_reorder *reorder;
	const struct tc_netem_rate *rate;
	struct qdisc_info info;
	struct attrs na;
	int len;

	len = tc_build_qdisc_netem(buf, sizeof(buf), 7, 0x10000, TC_H_ROOT, &im, false);
	check_tcmsg("netem", len, RTM_NEWQDISC, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, 7, 0x10000,
		    TC_H_ROOT);
	q = netem_layout("netem", &na);
	if (q) {
		is_int(q->limit, 1000, "netem: default limit");
		is_int(q->loss, prob(2.5), "netem: loss as a fraction of UINT32_MAX");
		is_int(q->duplicate, prob(1), "netem: duplicate");
		is_int(q->gap, 1, "netem: gap 1 for reordering");
		ok(q->latency == 0 && q->jitter == 0, "netem: old tick fields unused");
	}
	ok(na.a[TCA_NETEM_LATENCY64] && mnl_attr_get_payload_len(na.a[TCA_NETEM_LATENCY64]) == 8,
	   "netem: 64-bit latency");
	is_int((int64_t)mnl_attr_get_u64(na.a[TCA_NETEM_LATENCY64]), 50000000LL,
	       "netem: latency ns");
	is_int((int64_t)mnl_attr_get_u64(na.a[TCA_NETEM_JITTER64]), 5000000LL, "netem: jitter ns");
	corrupt = na.a[TCA_NETEM_CORRUPT] ? mnl_attr_get_payload(na.a[TCA_NETEM_CORRUPT]) : NULL;
	ok(corrupt && mnl_attr_get_payload_len(na.a[TCA_NETEM_CORRUPT]) == sizeof(*corrupt) &&
		   corrupt->probability == prob(0.1) && corrupt->correlation == 0,
	   "netem: corrupt");
	reorder = na.a[TCA_NETEM_REORDER] ? mnl_attr_get_payload(na.a[TCA_NETEM_REORDER]) : NULL;
	ok(reorder && mnl_attr_get_payload_len(na.a[TCA_NETEM_REORDER]) == sizeof(*reorder) &&
		   reorder->probability == prob(25) && reorder->correlation == 0,
	   "netem: reorder");
	rate = na.a[TCA_NETEM_RATE] ? mnl_attr_get_payload(na.a[TCA_NETEM_RATE]) : NULL;
	ok(rate && mnl_attr_get_payload_len(na.a[TCA_NETEM_RATE]) == sizeof(*rate) &&
		   rate->rate == 1250000 && !rate->packet_overhead && !rate->cell_size &&
		   !rate->cell_overhead,
	   "netem: rate in bytes per second");
	ok(!na.a[TCA_NETEM_RATE64], "netem: no 64-bit rate below 4 GB/s");
	ok(!na.a[TCA_NETEM_CORR] && !na.a[TCA_NETEM_LOSS] && !na.a[TCA_NETEM_DELAY_DIST],
	   "netem: no correlation, loss model or distribution");

	is_int(parse_qdisc((struct nlmsghdr *)buf, &info), 0, "netem: parses back");
	is_str(info.kind, "netem", "netem parsed: kind");
	ok(info.ifindex == 7 && info.handle == 0x10000 && info.parent == TC_H_ROOT,
	   "netem parsed: ifindex, handle, parent");
	is_int(info.impair.delay_us, 50000, "netem parsed: delay");
	is_int(info.impair.jitter_us, 5000, "netem parsed: jitter");
	near(info.impair.loss, 2.5, "netem parsed: loss");
	near(info.impair.duplicate, 1, "netem parsed: duplicate");
	near(info.impair.corrupt, 0.1, "netem parsed: corrupt");
	near(info.impair.reorder, 25, "netem parsed: reorder");
	is_int(info.impair.rate_bps, 10000000, "netem parsed: rate");
	ok(info.limit == 1000 && info.gap == 1, "netem parsed: limit and gap");

	NO_OVERFLOW("netem", len,
		    tc_build_qdisc_netem(obuf, sz_, 7, 0x10000, TC_H_ROOT, &im, false));
}

static void test_netem_minimal(void)
{
	struct cbx_impair im = { .loss = 100 };
	const struct tc_netem_qopt *q;
	const struct tc_netem_corrupt *corrupt;
	const struct tc_netem_reorder *reorder;
	const struct tc_netem_rate *rate;
	struct qdisc_info info;
	struct attrs na;
	int len;

	len = tc_build_qdisc_netem(buf, sizeof(buf), 3, 0, TC_H_ROOT, &im, true);
	check_tcmsg("netem loss", len, RTM_NEWQDISC, NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, 3, 0,
		    TC_H_ROOT);
	q = netem_layout("netem loss", &na);
	if (q) {
		is_int(q->loss, UINT32_MAX, "netem loss: 100%% is UINT32_MAX");
		ok(q->gap == 0 && q->duplicate == 0, "netem loss: no gap, no duplicates");
	}
	ok(!na.a[TCA_NETEM_LATENCY64] && !na.a[TCA_NETEM_JITTER64],
	   "netem loss: no delay or jitter attributes");
	/* Sent even when zero, so a replace clears what an earlier qdisc had. */
	corrupt = na.a[TCA_NETEM_CORRUPT] ? mnl_attr_get_payload(na.a[TCA_NETEM_CORRUPT]) : NULL;
	ok(corrupt && corrupt->probability == 0, "netem loss: corrupt sent as 0");
	reorder = na.a[TCA_NETEM_REORDER] ? mnl_attr_get_payload(na.a[TCA_NETEM_REORDER]) : NULL;
	ok(reorder && reorder->probability == 0, "netem loss: reorder sent as 0");
	rate = na.a[TCA_NETEM_RATE] ? mnl_attr_get_payload(na.a[TCA_NETEM_RATE]) : NULL;
	ok(rate && rate->rate == 0, "netem loss: rate sent as 0 (none)");
	is_int(parse_qdisc((struct nlmsghdr *)buf, &info), 0, "netem loss: parses back");
	near(info.impair.loss, 100, "netem loss parsed: loss");
	ok(!info.impair.delay_us && !info.impair.jitter_us && !info.impair.rate_bps &&
		   info.impair.corrupt == 0 && info.impair.reorder == 0 &&
		   info.impair.duplicate == 0,
	   "netem loss parsed: nothing else");
}

static void test_netem_fast_and_invalid(void)
{
	struct cbx_impair im = { .delay_us = 1000, .rate_bps = 320000000000ull };
	const struct tc_netem_rate *rate;
	struct qdisc_info info;
	struct attrs na;

	tc_build_qdisc_netem(buf, sizeof(buf), 3, 0, TC_H_ROOT, &im, false);
	netem_layout("netem 320 Gbit/s", &na);
	rate = na.a[TCA_NETEM_RATE] ? mnl_attr_get_payload(na.a[TCA_NETEM_RATE]) : NULL;
	ok(rate && rate->rate == UINT32_MAX, "netem 320 Gbit/s: 32-bit rate saturated");
	ok(na.a[TCA_NETEM_RATE64] && mnl_attr_get_u64(na.a[TCA_NETEM_RATE64]) == 40000000000ull,
	   "netem 320 Gbit/s: 64-bit rate in bytes");
	parse_qdisc((struct nlmsghdr *)buf, &info);
	is_int(info.impair.rate_bps, 320000000000ull, "netem 320 Gbit/s parsed: rate");

	im = (struct cbx_impair){ .reorder = 10 };
	is_int(tc_build_qdisc_netem(buf, sizeof(buf), 3, 0, TC_H_ROOT, &im, false), -EINVAL,
	       "netem: reorder without delay is refused");
	im = (struct cbx_impair){ .loss = 100.5 };
	is_int(tc_build_qdisc_netem(buf, sizeof(buf), 3, 0, TC_H_ROOT, &im, false), -EINVAL,
	       "netem: over 100%% is refused");
	im = (struct cbx_impair){ .corrupt = NAN };
	is_int(tc_build_qdisc_netem(buf, sizeof(buf), 3, 0, TC_H_ROOT, &im, false), -EINVAL,
	       "netem: NaN is refused");
	im = (struct cbx_impair){ .duplicate = -1 };
	is_int(tc_build_qdisc_netem(buf, sizeof(buf), 3, 0, TC_H_ROOT, &im, false), -EINVAL,
	       "netem: negative is refused");
	im = (struct cbx_impair){ .rate_bps = 7 };
	is_int(tc_build_qdisc_netem(buf, sizeof(buf), 3, 0, TC_H_ROOT, &im, false), -EINVAL,
	       "netem: a rate under one byte per second is refused");
}

/* TCA_OPTIONS of tbf is a real nest. */
static const struct tc_tbf_qopt *tbf_layout(const char *what, struct attrs *ta)
{
	struct attrs top;

	top_attrs(what, "tbf", &top);
	memset(ta, 0, sizeof(*ta));
	if (!top.a[TCA_OPTIONS])
		return NULL;
	is_int(mnl_attr_parse_nested(top.a[TCA_OPTIONS], collect, ta), MNL_CB_OK,
	       "%s: options parse as a nest", what);
	ok(ta->a[TCA_TBF_PARMS] &&
		   mnl_attr_get_payload_len(ta->a[TCA_TBF_PARMS]) == sizeof(struct tc_tbf_qopt),
	   "%s: parms", what);
	return ta->a[TCA_TBF_PARMS] ? mnl_attr_get_payload(ta->a[TCA_TBF_PARMS]) : NULL;
}

static void test_tbf(void)
{
	const struct tc_psched clock = TC_PSCHED_LINUX;
	const struct tc_tbf_qopt *q;
	const uint32_t *rtab;
	struct qdisc_info info;
	struct attrs ta;
	bool rtab_ok = true;
	int len;

	/* 10 Mbit/s = 1250000 B/s; 32 KiB take 26214.4 us = 409600 ticks of
	 * 64 ns; 50 ms at that rate queue 62500 bytes, plus the bucket. */
	len = tc_build_qdisc_tbf(buf, sizeof(buf), 9, 0x20000, TC_H_ROOT, 10000000, 32768, 50000,
				 false, &clock);
	check_tcmsg("tbf", len, RTM_NEWQDISC, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, 9, 0x20000,
		    TC_H_ROOT);
	q = tbf_layout("tbf", &ta);
	if (q) {
		is_int(q->rate.rate, 1250000, "tbf: rate in bytes per second");
		is_int(q->rate.cell_log, 3, "tbf: cell_log for an MTU of 2047");
		is_int(q->rate.cell_align, -1, "tbf: cell_align");
		is_int(q->rate.linklayer, TC_LINKLAYER_ETHERNET, "tbf: ethernet link layer");
		ok(q->rate.mpu == 0 && q->rate.overhead == 0, "tbf: no mpu, no overhead");
		is_int(q->limit, 62500 + 32768, "tbf: limit from latency");
		is_int(q->buffer, 409600, "tbf: bucket in ticks");
		ok(q->mtu == 0 && q->peakrate.rate == 0, "tbf: no peak rate");
	}
	is_int(mnl_attr_get_u32(ta.a[TCA_TBF_BURST]), 32768, "tbf: burst in bytes");
	ok(!ta.a[TCA_TBF_RATE64], "tbf: no 64-bit rate below 4 GB/s");
	ok(ta.a[TCA_TBF_RTAB] && mnl_attr_get_payload_len(ta.a[TCA_TBF_RTAB]) == 1024,
	   "tbf: a rate table of 256 words");
	/* Each 8-byte cell takes 6.4 us = 100 ticks. */
	rtab = ta.a[TCA_TBF_RTAB] ? mnl_attr_get_payload(ta.a[TCA_TBF_RTAB]) : NULL;
	for (unsigned i = 0; rtab && i < 256; i++)
		if (rtab[i] != 100 * (i + 1)) {
			printf("#   rtab[%u] = %u\n", i, rtab[i]);
			rtab_ok = false;
			break;
		}
	ok(rtab && rtab_ok, "tbf: rtab[i] is the time for (i + 1) * 8 bytes");

	is_int(parse_qdisc((struct nlmsghdr *)buf, &info), 0, "tbf: parses back");
	is_str(info.kind, "tbf", "tbf parsed: kind");
	ok(info.ifindex == 9 && info.handle == 0x20000 && info.parent == TC_H_ROOT,
	   "tbf parsed: ifindex, handle, parent");
	is_int(info.impair.rate_bps, 10000000, "tbf parsed: rate");
	is_int(info.limit, 95268, "tbf parsed: limit");
	is_int(info.buffer_ticks, 409600, "tbf parsed: bucket ticks");
	is_int(info.burst, 32768, "tbf parsed: burst");
	ok(!info.impair.delay_us && info.impair.loss == 0, "tbf parsed: no netem fields");

	NO_OVERFLOW("tbf", len,
		    tc_build_qdisc_tbf(obuf, sz_, 9, 0x20000, TC_H_ROOT, 10000000, 32768, 50000,
				       false, &clock));
}

static void test_tbf_clock_and_fast(void)
{
	const struct tc_psched linux_clock = TC_PSCHED_LINUX;
	const struct tc_psched us_clock = { .t2us = 1, .us2t = 1, .clock_res = 1000000 };
	const struct tc_psched ns_clock = { .t2us = 1000, .us2t = 1000, .clock_res = 1000000000 };
	const struct tc_tbf_qopt *q;
	struct qdisc_info info;
	struct attrs ta;

	/* A microsecond clock: 26214.4 us round up to 26215 ticks. */
	tc_build_qdisc_tbf(buf, sizeof(buf), 9, 0, TC_H_ROOT, 10000000, 32768, 50000, true,
			   &us_clock);
	is_int(((struct nlmsghdr *)buf)->nlmsg_flags,
	       NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, "tbf replace: flags");
	q = tbf_layout("tbf us clock", &ta);
	is_int(q ? q->buffer : 0, 26215, "tbf us clock: bucket rounded up to whole ticks");
	/* A nanosecond clock that says t2us 1000 means 1000 ticks per us. */
	tc_build_qdisc_tbf(buf, sizeof(buf), 9, 0, TC_H_ROOT, 10000000, 32768, 50000, true,
			   &ns_clock);
	q = tbf_layout("tbf ns clock", &ta);
	is_int(q ? q->buffer : 0, 26214400, "tbf ns clock: bucket in nanoseconds");

	/* 80 Gbit/s = 10^10 B/s, past 32 bits. */
	tc_build_qdisc_tbf(buf, sizeof(buf), 9, 0, TC_H_ROOT, 80000000000ull, 1000000, 1000, false,
			   &linux_clock);
	q = tbf_layout("tbf 80 Gbit/s", &ta);
	is_int(q ? q->rate.rate : 0, UINT32_MAX, "tbf 80 Gbit/s: 32-bit rate saturated");
	ok(ta.a[TCA_TBF_RATE64] && mnl_attr_get_u64(ta.a[TCA_TBF_RATE64]) == 10000000000ull,
	   "tbf 80 Gbit/s: 64-bit rate in bytes");
	is_int(q ? q->limit : 0, 10000000 + 1000000, "tbf 80 Gbit/s: limit at the full rate");
	is_int(q ? q->buffer : 0, 1563, "tbf 80 Gbit/s: bucket at the full rate (100 us)");
	parse_qdisc((struct nlmsghdr *)buf, &info);
	is_int(info.impair.rate_bps, 80000000000ull, "tbf 80 Gbit/s parsed: rate");

	is_int(tc_build_qdisc_tbf(buf, sizeof(buf), 9, 0, TC_H_ROOT, 7, 1000, 1000, false,
				  &linux_clock),
	       -EINVAL, "tbf: a rate under one byte per second is refused");
	is_int(tc_build_qdisc_tbf(buf, sizeof(buf), 9, 0, TC_H_ROOT, 1000000, 0, 1000, false,
				  &linux_clock),
	       -EINVAL, "tbf: an empty bucket is refused");
}

static void test_del_and_dump(void)
{
	struct attrs top = { 0 };
	int len;

	len = tc_build_qdisc_del(buf, sizeof(buf), 5, TC_H_ROOT);
	check_tcmsg("del", len, RTM_DELQDISC, NLM_F_ACK, 5, 0, TC_H_ROOT);
	is_int(len, MNL_NLMSG_HDRLEN + sizeof(struct tcmsg), "del: no attributes");
	NO_OVERFLOW("del", len, tc_build_qdisc_del(obuf, sz_, 5, TC_H_ROOT));

	len = tc_build_qdisc_dump(buf, sizeof(buf), 5);
	check_tcmsg("dump", len, RTM_GETQDISC, NLM_F_DUMP, 5, 0, 0);
	mnl_attr_parse((struct nlmsghdr *)buf, sizeof(struct tcmsg), collect, &top);
	ok(!top.a[TCA_KIND], "dump: no attributes");
	len = tc_build_qdisc_dump(buf, sizeof(buf), 0);
	is_int(((struct tcmsg *)mnl_nlmsg_get_payload((struct nlmsghdr *)buf))->tcm_ifindex, 0,
	       "dump all: ifindex 0");
	NO_OVERFLOW("dump", len, tc_build_qdisc_dump(obuf, sz_, 0));
}

/* A netem qdisc as the kernel dumps it: every attribute present, the old
 * tick fields filled in, and a reorder probability with gap 0. */
static void test_parse_kernel_answer(void)
{
	struct tc_netem_qopt qopt = { .latency = 156250, .limit = 1000, .gap = 0 };
	struct tc_netem_reorder reorder = { .probability = prob(30) };
	struct tc_netem_corrupt corrupt = { 0 };
	struct tc_netem_rate rate = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct tcmsg *tcm;
	struct nlattr *opts;
	struct qdisc_info info;

	nlh->nlmsg_type = RTM_NEWQDISC;
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_ifindex = 2;
	tcm->tcm_handle = 0x80010000;
	tcm->tcm_parent = TC_H_ROOT;
	mnl_attr_put_strz(nlh, TCA_KIND, "netem");
	opts = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put(nlh, TCA_OPTIONS, sizeof(qopt), &qopt);
	mnl_attr_put_u64(nlh, TCA_NETEM_LATENCY64, 10000000);
	mnl_attr_put_u64(nlh, TCA_NETEM_JITTER64, 0);
	mnl_attr_put(nlh, TCA_NETEM_REORDER, sizeof(reorder), &reorder);
	mnl_attr_put(nlh, TCA_NETEM_CORRUPT, sizeof(corrupt), &corrupt);
	mnl_attr_put(nlh, TCA_NETEM_RATE, sizeof(rate), &rate);
	opts->nla_len = (uint16_t)((char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)opts);
	is_int(parse_qdisc(nlh, &info), 0, "kernel netem: parses");
	is_int(info.impair.delay_us, 10000, "kernel netem: delay from the 64-bit attribute");
	ok(info.impair.reorder == 0, "kernel netem: reorder probability without a gap is off");
	ok(info.handle == 0x80010000 && info.ifindex == 2, "kernel netem: handle and ifindex");

	opts->nla_len = MNL_ATTR_HDRLEN + 8;
	nlh->nlmsg_len = (uint32_t)((char *)opts - buf) + MNL_ALIGN(opts->nla_len);
	is_int(parse_qdisc(nlh, &info), -EINVAL, "parse: options shorter than a qopt");

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWQDISC;
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_ifindex = 1;
	mnl_attr_put_strz(nlh, TCA_KIND, "noqueue");
	is_int(parse_qdisc(nlh, &info), 0, "noqueue: parses");
	is_str(info.kind, "noqueue", "noqueue: kind");
	ok(!cbx_impair_is_set(&info.impair), "noqueue: no impairment");

	nlh->nlmsg_type = RTM_NEWLINK;
	is_int(parse_qdisc(nlh, &info), -EINVAL, "parse: not a qdisc message");
}

static void test_psched(void)
{
	struct tc_psched clock;

	is_int(tc_psched_read(&clock), 0, "psched: /proc/net/psched reads");
	ok(clock.us2t && clock.clock_res, "psched: sane values (%u %u %u)", clock.t2us, clock.us2t,
	   clock.clock_res);
}

int main(void)
{
	test_netem_full();
	test_netem_minimal();
	test_netem_fast_and_invalid();
	test_tbf();
	test_tbf_clock_and_fast();
	test_del_and_dump();
	test_parse_kernel_answer();
	test_psched();
	return tap_done();
}
