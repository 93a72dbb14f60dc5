/* Traffic-control qdisc builders for link impairments: pure functions that
 * write one rtnetlink message into a caller's buffer and return its length,
 * or a negative errno (-ENOSPC when it does not fit). Requests carry
 * NLM_F_REQUEST|NLM_F_ACK and sequence number 0 (the transport assigns it).
 *
 * tc_parse_qdisc reads a qdisc message (the kernel's RTM_NEWQDISC answer to a
 * dump, or one of the requests below) back into a struct cbx_impair; the
 * unit tests check the builders with it (tests/unit/test_tc_msg.c).
 */
#ifndef CBX_TC_MSG_H
#define CBX_TC_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "topo/topo.h"

struct nlmsghdr;

/* Packets netem queues before it drops (iproute2's default). */
#define TC_NETEM_LIMIT 1000

/* The kernel's packet-scheduler clock, the first three words of
 * /proc/net/psched: t2us / us2t * clock_res / 10^6 ticks per microsecond,
 * read as iproute2's tc_core.c reads them. tbf takes its bucket size in these
 * ticks. TC_PSCHED_LINUX holds what every kernel since 2.6.31 reports (a
 * tick is 64 ns). */
struct tc_psched {
	uint32_t t2us, us2t, clock_res;
};

#define TC_PSCHED_LINUX { .t2us = 1000, .us2t = 64, .clock_res = 1000000 }

/* Read /proc/net/psched (the one call here that touches the system).
 * 0, or a negative errno. */
int tc_psched_read(struct tc_psched *clock);

/* A netem qdisc with everything `im` asks for: delay and jitter, loss,
 * duplicate, corrupt and reorder percentages, rate (im->rate_bps, bits/s).
 * Reordering needs a delay (-EINVAL without): a reordered packet is one sent
 * at once while the others wait. replace: change the qdisc in place or
 * create it; otherwise create it and fail if one is there. */
int tc_build_qdisc_netem(void *buf, size_t size, int ifindex, uint32_t handle, uint32_t parent,
			 const struct cbx_impair *im, bool replace);

/* A token-bucket filter: rate_bps bits/s with a bucket of burst_bytes, and a
 * queue as long as latency_us at that rate. The bucket size is sent in the
 * kernel's clock ticks, hence `clock`. */
int tc_build_qdisc_tbf(void *buf, size_t size, int ifindex, uint32_t handle, uint32_t parent,
		       uint64_t rate_bps, uint32_t burst_bytes, uint32_t latency_us, bool replace,
		       const struct tc_psched *clock);

/* Delete the qdisc at `parent` (TC_H_ROOT: the device falls back to its
 * default qdisc). */
int tc_build_qdisc_del(void *buf, size_t size, int ifindex, uint32_t parent);

/* Dump qdiscs. The kernel answers with every device's qdiscs whatever the
 * ifindex (it does not filter, `tc` filters itself): check
 * tc_qdisc_info.ifindex. */
int tc_build_qdisc_dump(void *buf, size_t size, int ifindex);

struct tc_qdisc_info {
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

/* Read an RTM_NEWQDISC message. 0, or -EINVAL when it is not a well-formed
 * qdisc message. */
int tc_parse_qdisc(const struct nlmsghdr *nlh, struct tc_qdisc_info *out);

#endif
