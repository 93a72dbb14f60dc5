#include "netlink/diag_msg.h"

#include <linux/inet_diag.h>
#include <linux/sock_diag.h>

#include "netlink/msg_put.h"

int diag_build_inet_dump(void *buf, size_t size, uint8_t family, uint8_t protocol, uint32_t states)
{
	struct nlmsghdr *nlh = nl_put_request(buf, size, SOCK_DIAG_BY_FAMILY, NLM_F_DUMP,
					      sizeof(struct inet_diag_req_v2));
	struct inet_diag_req_v2 *req;

	PUT(nlh);
	nlh->nlmsg_flags &= ~NLM_F_ACK;
	req = mnl_nlmsg_get_payload(nlh);
	req->sdiag_family = family;
	req->sdiag_protocol = protocol;
	req->idiag_states = states;
	return (int)nlh->nlmsg_len;
}
