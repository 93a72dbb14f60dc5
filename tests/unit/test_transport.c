/* The transport's one pure part, nl_batch_prepare: which request of a chunk
 * asks the kernel's ACK. A netfilter transaction of 16,000 requests that
 * each asked one overflowed the socket's receive buffer (ENOBUFS): the
 * kernel queues every answer of a transaction before any can be read. So
 * one request asks, the last inside the transaction; every request is
 * numbered in order. No socket, no root. */
#include <linux/netfilter.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <string.h>

#include "netlink/nft_msg.h"
#include "netlink/rtnl_msg.h"
#include "netlink/transport.h"
#include "tap.h"

static const struct nlmsghdr *msg(const struct nl_batch *b, size_t i)
{
	return (const struct nlmsghdr *)(b->buf + b->reqs[i].off);
}

/* The requests that ask an ACK, as a string of their indexes ("3"). */
static const char *acks(const struct nl_batch *b)
{
	static char out[64];
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < b->nreqs && n + 4 < sizeof(out); i++)
		if (msg(b, i)->nlmsg_flags & NLM_F_ACK)
			n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%zu", n ? "," : "", i);
	return out;
}

static void transaction(struct nl_batch *b, int tables)
{
	nl_batch_init(b);
	NL_BUILD(b, nft_build_batch_begin);
	nl_batch_push(b, 0, "begin");
	for (int i = 0; i < tables; i++) {
		char name[32];
		snprintf(name, sizeof(name), "cbxt-%d", i);
		NL_BUILD(b, nft_build_table_add, NFPROTO_INET, name);
		nl_batch_push(b, 0, "add %s", name);
	}
	NL_BUILD(b, nft_build_batch_end);
	nl_batch_push(b, 0, "end");
}

int main(void)
{
	struct nl_batch b;
	uint32_t seq = 1000;
	size_t anchor;
	bool numbered = true;

	/* The builders ask an ACK of every object message. */
	transaction(&b, 3);
	is_str(acks(&b), "1,2,3", "as built, each table message asks an ACK");
	anchor = nl_batch_prepare(&b, NETLINK_NETFILTER, 0, b.nreqs, &seq);
	is_int(anchor, 3, "a transaction: the last request inside it is the one to ask");
	is_str(acks(&b), "3", "and the only one that asks (not the end marker)");
	for (size_t i = 0; i < b.nreqs; i++)
		numbered &= msg(&b, i)->nlmsg_seq == 1000 + i && b.reqs[i].seq == 1000 + i;
	ok(numbered, "every request is numbered in order, from the sequence given");
	is_int(seq, 1005, "and the sequence moves past them");
	nl_batch_free(&b);

	transaction(&b, 0);
	is_int(nl_batch_prepare(&b, NETLINK_NETFILTER, 0, b.nreqs, &seq), SIZE_MAX,
	       "a transaction with nothing inside: nothing to ask (nothing is sent)");
	is_str(acks(&b), "", "and no marker asks");
	nl_batch_free(&b);

	/* rtnetlink: chunks of requests, the last of each asks. */
	nl_batch_init(&b);
	for (int i = 0; i < 6; i++) {
		NL_BUILD(&b, rtnl_build_link_delete, 10 + i, NULL);
		nl_batch_push(&b, 0, "delete link %d", 10 + i);
	}
	is_int(nl_batch_prepare(&b, NETLINK_ROUTE, 0, 4, &seq), 3,
	       "rtnetlink: the last request of the chunk asks");
	is_int(nl_batch_prepare(&b, NETLINK_ROUTE, 4, 6, &seq), 5, "and of the next chunk");
	is_str(acks(&b), "3,5", "only those two ask");
	nl_batch_free(&b);
	return tap_done();
}
