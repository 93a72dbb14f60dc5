/* The one small netlink transport: a socket, sequence numbers, ACKs with the
 * kernel's extended-ACK text, and batches of many requests per sendmsg.
 *
 * Messages are built elsewhere by pure functions into a batch's buffer
 * (nl_batch_reserve + a builder + nl_batch_push); this file only sends them
 * and matches the kernel's answers to them. Every request carries a label
 * ("add address 10.0.0.2/24 to h1:eth0") so a failure names its object.
 */
#ifndef CBX_NL_TRANSPORT_H
#define CBX_NL_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <errno.h>
#include <linux/netlink.h>

#include "common/error.h"

struct mnl_socket;
struct nlmsghdr;

struct nl_conn {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
	int bus;
	int rcvbuf; /* what SO_RCVBUF was last set to */
};

/* Largest single message a builder may write; nl_batch_reserve guarantees it. */
#define NL_MSG_MAX 8192

/* A request whose failure with one of these errnos counts as success, for
 * idempotent teardown ("delete link that is already gone"). */
#define NL_REQ_IGNORE_MISSING 0x1
#define NL_REQ_IGNORE_EXISTS 0x2
/* ... or EAFNOSUPPORT / EOPNOTSUPP: an optional setting the kernel lacks
 * (IPv6 settings on a kernel booted without IPv6). */
#define NL_REQ_IGNORE_UNSUPPORTED 0x4

struct nl_req {
	size_t off;     /* where the message starts in the buffer */
	uint32_t seq;   /* assigned when sent */
	unsigned flags; /* NL_REQ_* */
	char *label;    /* what the request does, for errors */
};

struct nl_batch {
	char *buf;
	size_t len, cap;
	struct nl_req *reqs;
	size_t nreqs, reqs_cap;
	int build_error; /* a build or push failed (errno): commit reports it */
};

int nl_open(struct nl_conn *c, int bus, struct cbx_error *err);
void nl_close(struct nl_conn *c);

void nl_batch_init(struct nl_batch *b);
void nl_batch_free(struct nl_batch *b);
void nl_batch_reset(struct nl_batch *b);
/* Nothing to commit: no request, and no build error to report. */
bool nl_batch_empty(const struct nl_batch *b);

/* Room for the next message: at least NL_MSG_MAX bytes, zeroed. NULL when out
 * of memory. The pointer is valid until the next reserve or push. */
void *nl_batch_reserve(struct nl_batch *b, size_t *room);

/* Append the message just built at the reserved place (its nlmsg_len says
 * how long it is). The label is printf-style. Does nothing once the batch
 * has a build_error. */
void nl_batch_push(struct nl_batch *b, unsigned flags, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Build one message at the end of a batch with a pure builder
 * (`builder(buf, room, args...)`), to be followed by nl_batch_push:
 *   NL_BUILD(b, rtnl_build_addr_add, ifindex, &addr);
 *   nl_batch_push(b, 0, "add address %s to %s", ...);
 * A failed build is remembered in the batch: this and every later push is
 * skipped and the commit reports the error, so callers need not check each
 * message. */
#define NL_BUILD(b, builder, ...) \
	({ \
		size_t room_; \
		void *msg_ = nl_batch_reserve((b), &room_); \
		int len_ = msg_ ? builder(msg_, room_, ##__VA_ARGS__) : -ENOMEM; \
		if (len_ < 0) \
			(b)->build_error = -len_; \
		len_; \
	})

/* Send every message and wait for every ACK. Requests are sent in order in
 * as few sendmsg calls as the socket buffers allow. On failure the error
 * names the first failing request by its label and carries the kernel's
 * extended-ACK text; later requests were still processed by the kernel
 * (rtnetlink) or rolled back with the transaction (nftables). */
int nl_batch_commit(struct nl_conn *c, struct nl_batch *b, struct cbx_error *err);

/* Ready requests [first, last) of a batch to be sent in one sendmsg: number
 * them from *seq on, and make one of them ask the kernel's ACK, the others
 * not: the last, or on NETLINK_NETFILTER the last inside the transaction
 * (between its begin and end markers). Its ACK comes after the answer to
 * every request before (a failing request is answered whether it asked or
 * not), so that one ACK says the whole chunk is done, and the kernel queues
 * one answer per failure, not one per request. Returns its index, SIZE_MAX
 * when there is none (a transaction with nothing in it). Pure: no socket. */
size_t nl_batch_prepare(struct nl_batch *b, int bus, size_t first, size_t last, uint32_t *seq);

/* A dump request (NLM_F_DUMP): `cb` is called for every message until DONE.
 * `cb` returns MNL_CB_OK to go on, MNL_CB_STOP or MNL_CB_ERROR to stop.
 * When the kernel's list changed during the dump, it fails with err->code
 * EINTR and the caller starts over (what it collected may be incomplete). */
typedef int (*nl_dump_cb)(const struct nlmsghdr *nlh, void *data);
int nl_dump(struct nl_conn *c, struct nlmsghdr *nlh, nl_dump_cb cb, void *data, const char *label,
	    struct cbx_error *err);
/* One request answered by one message (a GET without NLM_F_DUMP), to `cb`. */
int nl_query(struct nl_conn *c, struct nlmsghdr *nlh, nl_dump_cb cb, void *data, const char *label,
	     struct cbx_error *err);

/* Notifications: subscribe a connection of its own (answers to requests
 * would mix with them) to a multicast group (RTNLGRP_LINK, ...), then read
 * what arrives. nl_read_events waits up to timeout_ms for some, passes each
 * message of one datagram to `cb` (its return value is ignored) and returns
 * 1 when some came, 0 when none did; -1 with err->code ENOBUFS when the kernel dropped
 * some (the receive buffer was full), and the caller must look again. */
int nl_subscribe(struct nl_conn *c, unsigned group, struct cbx_error *err);
int nl_read_events(struct nl_conn *c, int timeout_ms, nl_dump_cb cb, void *data,
		   struct cbx_error *err);

#endif
