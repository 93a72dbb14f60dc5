/* Private to the rtnetlink builders (rtnl_msg.c, tc_msg.c): the shape every
 * one of them follows — a request header, a fixed struct, then attributes
 * with the _check variants of libmnl (false on overflow). */
#ifndef CBX_NL_MSG_PUT_H
#define CBX_NL_MSG_PUT_H

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <stddef.h>
#include <stdint.h>

/* In a builder: fail with -ENOSPC when `ok` is false (or NULL). */
#define PUT(ok) \
	do { \
		if (!(ok)) \
			return -ENOSPC; \
	} while (0)

/* A request header (NLM_F_REQUEST|NLM_F_ACK|flags) and `extra` zeroed bytes
 * of fixed struct after it; NULL when they do not fit in `size`. */
static inline struct nlmsghdr *nl_put_request(void *buf, size_t size, uint16_t type, uint16_t flags,
					      size_t extra)
{
	struct nlmsghdr *nlh;

	if (size < MNL_NLMSG_HDRLEN + MNL_ALIGN(extra))
		return NULL;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	mnl_nlmsg_put_extra_header(nlh, extra);
	return nlh;
}

#endif
