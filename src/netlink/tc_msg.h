/* Traffic-control qdisc builders for link impairments: pure functions that
 * write one rtnetlink message into a caller's buffer and return its length,
 * or a negative errno (-ENOSPC when it does not fit). Requests carry
 * NLM_F_REQUEST|NLM_F_ACK and sequence number 0 (the transport assigns it).
 * The unit tests read each one back (tests/unit/test_tc_msg.c).
 */
#ifndef CBX_TC_MSG_H
#define CBX_TC_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "topo/topo.h"

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

#define TC_PSCHED_LINUX \
	{ \
		.t2us = 1000, .us2t = 64, .clock_res = 1000000 \
	}

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
 * ifindex (it does not filter, `tc` filters itself): check each answer's
 * tcm_ifindex. */
int tc_build_qdisc_dump(void *buf, size_t size, int ifindex);

#endif
