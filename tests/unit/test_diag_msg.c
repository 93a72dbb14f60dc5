/* sock_diag builders: the request parsed back. No root needed. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#include "netlink/diag_msg.h"
#include "tap.h"

int main(void)
{
	char buf[256];
	const struct nlmsghdr *nlh = (const void *)buf;
	const struct inet_diag_req_v2 *req;
	static const char zero[sizeof(req->id)];
	int len = diag_build_inet_dump(buf, sizeof(buf), AF_INET6, IPPROTO_TCP, 1u << TCP_LISTEN);

	ok(len > 0 && (size_t)len == nlh->nlmsg_len, "inet dump: length");
	is_int(nlh->nlmsg_type, SOCK_DIAG_BY_FAMILY, "inet dump: type");
	is_int(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP, "inet dump: a dump, no ACK asked");
	is_int(mnl_nlmsg_get_payload_len(nlh), sizeof(*req), "inet dump: one inet_diag_req_v2");
	req = mnl_nlmsg_get_payload(nlh);
	is_int(req->sdiag_family, AF_INET6, "inet dump: family");
	is_int(req->sdiag_protocol, IPPROTO_TCP, "inet dump: protocol");
	is_int(req->idiag_states, 1u << TCP_LISTEN, "inet dump: states");
	is_int(req->idiag_ext, 0, "inet dump: no extensions asked");
	ok(!memcmp(&req->id, zero, sizeof(zero)), "inet dump: every socket (no id)");
	is_int(diag_build_inet_dump(buf, 20, AF_INET, IPPROTO_UDP, ~0u), -ENOSPC,
	       "inet dump: too small a buffer");
	return tap_done();
}
