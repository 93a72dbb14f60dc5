#include "netlink/transport.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <limits.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <stdarg.h>
#include <stdio.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

/* rtnetlink runs each request inside sendmsg, in order, and answers every
 * failing request even without NLM_F_ACK. So a chunk of requests needs one
 * ACK only, on its last request: when that ACK arrives, all are done, and any
 * failures have already been queued before it. Chunks stay small enough that
 * the error answers of a whole chunk fit in the receive buffer. */
#define CHUNK_MSGS 128
#define CHUNK_BYTES (128 * 1024)
#define RCVBUF_BYTES (4 * 1024 * 1024)
#define RECV_TIMEOUT_SEC 30

/* A netfilter transaction, by contrast, is one sendmsg however long, and
 * nfnetlink queues its answers until the whole batch has been processed:
 * nothing can be read in between. So it too asks one ACK only, on its last
 * request (nfnetlink answers a failing request whether it asked or not,
 * before that ACK), and the receive buffer is made to hold an answer to
 * every request, should all of them fail. Asking an ACK of each overflowed
 * 8 MiB at 16,000 requests (the rules of 8,000 published ports; a down of
 * 10,000 nodes) with ENOBUFS. An answer's kernel memory (its sk_buff) was
 * 520-840 bytes there; the kernel doubles what SO_RCVBUF asks. */
#define NFT_ANSWER_BYTES 1024

int nl_open(struct nl_conn *c, int bus, struct cbx_error *err)
{
	static const int one = 1;
	int rcvbuf = RCVBUF_BYTES;
	struct timeval tv = { .tv_sec = RECV_TIMEOUT_SEC };
	int fd;

	c->sock = mnl_socket_open2(bus, SOCK_CLOEXEC);
	if (!c->sock)
		return cbx_error_sys(err, errno, "open netlink socket");
	c->bus = bus;
	fd = mnl_socket_get_fd(c->sock);
	/* Extended ACKs carry the kernel's own explanation of a failure;
	 * capped ACKs keep error answers small (no copy of the request). */
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	c->rcvbuf = rcvbuf;
	/* A lost answer must fail the command, never hang it. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (mnl_socket_bind(c->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;
		mnl_socket_close(c->sock);
		c->sock = NULL;
		return cbx_error_sys(err, e, "bind netlink socket");
	}
	c->portid = mnl_socket_get_portid(c->sock);
	c->seq = (uint32_t)time(NULL);
	return 0;
}

void nl_close(struct nl_conn *c)
{
	if (c->sock)
		mnl_socket_close(c->sock);
	c->sock = NULL;
}

void nl_batch_init(struct nl_batch *b)
{
	memset(b, 0, sizeof(*b));
}

void nl_batch_reset(struct nl_batch *b)
{
	for (size_t i = 0; i < b->nreqs; i++)
		free(b->reqs[i].label);
	b->nreqs = 0;
	b->len = 0;
	b->build_error = 0;
}

void nl_batch_free(struct nl_batch *b)
{
	nl_batch_reset(b);
	free(b->buf);
	free(b->reqs);
	nl_batch_init(b);
}

bool nl_batch_empty(const struct nl_batch *b)
{
	/* A failed build leaves something to commit: its error. */
	return b->nreqs == 0 && !b->build_error;
}

void *nl_batch_reserve(struct nl_batch *b, size_t *room)
{
	if (b->cap - b->len < NL_MSG_MAX) {
		size_t cap = b->cap ? b->cap * 2 : 4 * NL_MSG_MAX;
		char *bigger;
		while (cap - b->len < NL_MSG_MAX)
			cap *= 2;
		bigger = realloc(b->buf, cap);
		if (!bigger) {
			b->build_error = ENOMEM;
			return NULL;
		}
		b->buf = bigger;
		b->cap = cap;
	}
	memset(b->buf + b->len, 0, NL_MSG_MAX);
	*room = NL_MSG_MAX;
	return b->buf + b->len;
}

void nl_batch_push(struct nl_batch *b, unsigned flags, const char *fmt, ...)
{
	struct nlmsghdr *nlh;
	va_list ap;
	char *label = NULL;

	/* After a failed reserve or build there is no message to push (and
	 * none written where it would be); the batch is dead anyway: the
	 * commit reports build_error and sends nothing. */
	if (b->build_error)
		return;
	nlh = (struct nlmsghdr *)(b->buf + b->len);
	if (b->nreqs == b->reqs_cap) {
		size_t cap = b->reqs_cap ? b->reqs_cap * 2 : 32;
		struct nl_req *bigger = realloc(b->reqs, cap * sizeof(*bigger));
		if (!bigger) {
			b->build_error = ENOMEM;
			return;
		}
		b->reqs = bigger;
		b->reqs_cap = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&label, fmt, ap) < 0)
		label = NULL;
	va_end(ap);
	if (!label) {
		b->build_error = ENOMEM;
		return;
	}
	b->reqs[b->nreqs++] = (struct nl_req){ .off = b->len, .flags = flags, .label = label };
	b->len += MNL_ALIGN(nlh->nlmsg_len);
}

/* The kernel's extended-ACK text, if the answer has one. */
static const char *extack_text(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	size_t off;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	off = sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	off = MNL_ALIGN(off);
	if (mnl_nlmsg_get_payload_len(nlh) < off)
		return NULL;
	mnl_attr_for_each_payload((const void *)((const char *)e + off),
				  mnl_nlmsg_get_payload_len(nlh) - off)
	{
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			return mnl_attr_get_str(attr);
	}
	return NULL;
}

static bool error_ignored(unsigned flags, int code)
{
	if ((flags & NL_REQ_IGNORE_MISSING) &&
	    (code == ENOENT || code == ENODEV || code == ESRCH || code == EADDRNOTAVAIL))
		return true;
	if ((flags & NL_REQ_IGNORE_EXISTS) && code == EEXIST)
		return true;
	if ((flags & NL_REQ_IGNORE_UNSUPPORTED) && (code == EAFNOSUPPORT || code == EOPNOTSUPP))
		return true;
	return false;
}

static bool is_batch_marker(const struct nlmsghdr *nlh)
{
	return nlh->nlmsg_type == NFNL_MSG_BATCH_BEGIN || nlh->nlmsg_type == NFNL_MSG_BATCH_END;
}

size_t nl_batch_prepare(struct nl_batch *b, int bus, size_t first, size_t last, uint32_t *seq)
{
	size_t anchor = SIZE_MAX;

	/* The last request, or on the netfilter bus the last one inside the
	 * transaction: kernels before 6.10 do not answer the batch markers. */
	for (size_t i = last; anchor == SIZE_MAX && i-- > first;)
		if (bus != NETLINK_NETFILTER ||
		    !is_batch_marker((const struct nlmsghdr *)(b->buf + b->reqs[i].off)))
			anchor = i;
	for (size_t i = first; i < last; i++) {
		struct nlmsghdr *nlh = (struct nlmsghdr *)(b->buf + b->reqs[i].off);
		b->reqs[i].seq = (*seq)++;
		nlh->nlmsg_seq = b->reqs[i].seq;
		if (i == anchor)
			nlh->nlmsg_flags |= NLM_F_ACK;
		else
			nlh->nlmsg_flags &= ~NLM_F_ACK;
	}
	return anchor;
}

static void set_buffer(int fd, int force, int plain, int bytes)
{
	if (setsockopt(fd, SOL_SOCKET, force, &bytes, sizeof(bytes)) < 0)
		setsockopt(fd, SOL_SOCKET, plain, &bytes, sizeof(bytes));
}

/* After an overrun the kernel drops every answer until the queue has been
 * emptied once (NETLINK_S_CONGESTED): read out what is left, so that the
 * next request on this socket is answered. */
static void drain_answers(struct nl_conn *c, char *buf, size_t size)
{
	for (;;) {
		ssize_t n = recv(mnl_socket_get_fd(c->sock), buf, size, MSG_DONTWAIT);
		if (n <= 0 && !(n < 0 && (errno == EINTR || errno == ENOBUFS)))
			return;
	}
}

/* Send requests [first, last) and collect their answers. The first failure
 * (in request order) is reported; answers are drained either way. */
static int commit_chunk(struct nl_conn *c, struct nl_batch *b, size_t first, size_t last,
			struct cbx_error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE * 2];
	size_t start = b->reqs[first].off;
	size_t end = last < b->nreqs ? b->reqs[last].off : b->len;
	uint32_t first_seq = c->seq;
	size_t anchor = nl_batch_prepare(b, c->bus, first, last, &c->seq), failed_at = SIZE_MAX;
	/* Begin and end and nothing between: nothing to ask the kernel. */
	size_t pending = anchor != SIZE_MAX;
	int fd = mnl_socket_get_fd(c->sock);

	if (!pending)
		return 0;
	if (c->bus != NETLINK_ROUTE) {
		/* A netfilter transaction must arrive in one sendmsg. */
		size_t answers = (last - first) * NFT_ANSWER_BYTES;
		set_buffer(fd, SO_SNDBUFFORCE, SO_SNDBUF, (int)(end - start) + 4096);
		if (answers > (size_t)c->rcvbuf && answers < INT_MAX) {
			set_buffer(fd, SO_RCVBUFFORCE, SO_RCVBUF, (int)answers);
			c->rcvbuf = (int)answers;
		}
	}
	if (mnl_socket_sendto(c->sock, b->buf + start, end - start) < 0)
		return cbx_error_sys(err, errno, "%s: send netlink request", b->reqs[first].label);

	while (pending > 0) {
		ssize_t n = mnl_socket_recvfrom(c->sock, buf, sizeof(buf));
		const struct nlmsghdr *nlh;
		size_t left;

		if (n < 0) {
			int e = errno;
			if (e == EINTR)
				continue;
			if (e == EAGAIN)
				return cbx_error_sys(err, ETIMEDOUT,
						     "%s: no answer from the kernel",
						     b->reqs[last - 1].label);
			if (e == ENOBUFS) {
				drain_answers(c, buf, sizeof(buf));
				return cbx_error_sys(err, e,
						     "%s: the kernel's answers to %zu requests overflowed the receive buffer (%d bytes); some were lost",
						     b->reqs[first].label, last - first, c->rcvbuf);
			}
			return cbx_error_sys(err, e, "%s: receive netlink answer",
					     b->reqs[first].label);
		}
		left = (size_t)n;
		for (nlh = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, (int)left);
		     nlh = mnl_nlmsg_next(nlh, (int *)&left)) {
			const struct nlmsgerr *e;
			size_t idx;

			if (nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			e = mnl_nlmsg_get_payload(nlh);
			idx = first + (size_t)(nlh->nlmsg_seq - first_seq);
			if (idx < first || idx >= last || b->reqs[idx].seq != nlh->nlmsg_seq)
				continue; /* not ours: a late answer to an earlier request */
			if (idx == anchor)
				pending = 0;
			/* nfnetlink answers a batch it rejects whole (no
			 * nf_tables, no permission, a failed commit) on its
			 * begin marker, and nothing else may come. */
			else if (c->bus == NETLINK_NETFILTER && e->error &&
				 is_batch_marker(
					 (const struct nlmsghdr *)(b->buf + b->reqs[idx].off)))
				pending = 0;
			if (e->error == 0 || error_ignored(b->reqs[idx].flags, -e->error))
				continue;
			if (idx < failed_at) {
				failed_at = idx;
				cbx_error_sys(err, -e->error, "%s", b->reqs[idx].label);
				cbx_error_add_kernel_text(err, extack_text(nlh));
			}
		}
	}
	return failed_at == SIZE_MAX ? 0 : -1;
}

int nl_batch_commit(struct nl_conn *c, struct nl_batch *b, struct cbx_error *err)
{
	size_t first = 0;
	int rc = 0;

	if (b->build_error)
		return cbx_error_sys(err, b->build_error, "build netlink requests");
	while (first < b->nreqs) {
		size_t last = first + 1;
		if (c->bus == NETLINK_ROUTE) {
			while (last < b->nreqs && last - first < CHUNK_MSGS &&
			       b->reqs[last].off - b->reqs[first].off < CHUNK_BYTES)
				last++;
		} else {
			last = b->nreqs;
		}
		/* Keep going after a failure so the kernel's state is known
		 * (every request was tried), but report the first one. */
		if (commit_chunk(c, b, first, last, rc < 0 ? &(struct cbx_error){ 0 } : err) < 0)
			rc = -1;
		first = last;
	}
	return rc;
}

/* Read and drop the rest of a dump, up to its NLMSG_DONE. */
static void drain_dump(struct nl_conn *c, char *buf, size_t size, uint32_t seq)
{
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(c->sock, buf, size);
		const struct nlmsghdr *nlh;
		int left;

		if (n <= 0)
			return;
		left = (int)n;
		for (nlh = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, left);
		     nlh = mnl_nlmsg_next(nlh, &left))
			if (nlh->nlmsg_seq == seq &&
			    (nlh->nlmsg_type == NLMSG_DONE || nlh->nlmsg_type == NLMSG_ERROR))
				return;
	}
}

/* A request whose answers (one message, or a dump) go to `cb`, until the
 * kernel's ACK or NLMSG_DONE. */
static int talk(struct nl_conn *c, struct nlmsghdr *nlh, bool dump, nl_dump_cb cb, void *data,
		const char *label, struct cbx_error *err)
{
	char buf[32768];
	uint32_t seq = c->seq++;
	int ret;

	nlh->nlmsg_seq = seq;
	nlh->nlmsg_flags |= NLM_F_REQUEST | (dump ? NLM_F_DUMP : NLM_F_ACK);
	if (mnl_socket_sendto(c->sock, nlh, nlh->nlmsg_len) < 0)
		return cbx_error_sys(err, errno, "%s", label);
	do {
		ssize_t n = mnl_socket_recvfrom(c->sock, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return cbx_error_sys(err, errno == EAGAIN ? ETIMEDOUT : errno, "%s", label);
		}
		ret = mnl_cb_run(buf, (size_t)n, seq, c->portid, (mnl_cb_t)cb, data);
	} while (ret > MNL_CB_STOP);
	if (ret < 0) {
		int e = errno;
		/* EINTR: the kernel's list changed during the dump (NLM_F_DUMP_INTR).
		 * Leave the socket clean for the caller's retry. */
		if (e == EINTR)
			drain_dump(c, buf, sizeof(buf), seq);
		return cbx_error_sys(err, e, "%s", label);
	}
	return 0;
}

int nl_dump(struct nl_conn *c, struct nlmsghdr *nlh, nl_dump_cb cb, void *data, const char *label,
	    struct cbx_error *err)
{
	return talk(c, nlh, true, cb, data, label, err);
}

int nl_query(struct nl_conn *c, struct nlmsghdr *nlh, nl_dump_cb cb, void *data, const char *label,
	     struct cbx_error *err)
{
	return talk(c, nlh, false, cb, data, label, err);
}

int nl_subscribe(struct nl_conn *c, unsigned group, struct cbx_error *err)
{
	int g = (int)group;

	if (setsockopt(mnl_socket_get_fd(c->sock), SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g,
		       sizeof(g)) < 0)
		return cbx_error_sys(err, errno, "subscribe to netlink group %u", group);
	return 0;
}

int nl_read_events(struct nl_conn *c, int timeout_ms, nl_dump_cb cb, void *data,
		   struct cbx_error *err)
{
	union {
		struct nlmsghdr h;
		char bytes[64 * 1024];
	} buf;
	int fd = mnl_socket_get_fd(c->sock), left;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int ready = poll(&p, 1, timeout_ms < 0 ? 0 : timeout_ms);
	ssize_t len;

	if (ready < 0)
		return errno == EINTR ? 0
				      : cbx_error_sys(err, errno, "wait for netlink notifications");
	if (ready == 0)
		return 0;
	/* One datagram per call: the caller decides whether to wait on. */
	len = recv(fd, buf.bytes, sizeof(buf.bytes), MSG_DONTWAIT | MSG_TRUNC);
	if (len < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (len < 0)
		return cbx_error_sys(err, errno, "read netlink notifications");
	/* Cut short: some notifications are lost, as on an overrun. */
	if ((size_t)len > sizeof(buf.bytes))
		return cbx_error_sys(err, ENOBUFS, "read netlink notifications");
	left = (int)len;
	for (const struct nlmsghdr *nlh = &buf.h; mnl_nlmsg_ok(nlh, left);
	     nlh = mnl_nlmsg_next(nlh, &left))
		cb(nlh, data);
	return 1;
}
