#include "lab/host_ports.h"

#include <dirent.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "netlink/diag_msg.h"
#include "netlink/transport.h"

struct port_user {
	const struct cbx_topo *t;
	uint8_t proto;
	const struct cbx_publish *pub; /* the published port in use, once found */
	struct cbx_ip addr;            /* where it is bound */
	unsigned long inode;
};

static int socket_cb(const struct nlmsghdr *nlh, void *data)
{
	struct port_user *u = data;
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	uint16_t port;

	if (u->pub || nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*m))
		return MNL_CB_OK;
	port = ntohs(m->id.idiag_sport);
	for (size_t i = 0; i < u->t->n_publish; i++) {
		const struct cbx_publish *p = &u->t->publish[i];
		/* Over hosts: the ports this host publishes. */
		if (p->proto != u->proto || p->host_port != port || !cbx_node_here(u->t, p->node))
			continue;
		u->pub = p;
		u->addr.family = m->idiag_family;
		memcpy(u->addr.bytes, m->id.idiag_src, cbx_ip_bytes(m->idiag_family));
		u->inode = m->idiag_inode;
		break;
	}
	return MNL_CB_OK;
}

/* Does process `pid` (its /proc directory's name) hold the socket whose
 * link reads `want` ("socket:[inode]")? */
static bool holds_socket(const char *pid, const char *want)
{
	char path[300], link[64];
	cleanup_closedir DIR *fds = NULL;
	struct dirent *fd;

	snprintf(path, sizeof(path), "/proc/%s/fd", pid);
	if (!(fds = opendir(path)))
		return false;
	while ((fd = readdir(fds))) {
		ssize_t n = readlinkat(dirfd(fds), fd->d_name, link, sizeof(link) - 1);

		if (n <= 0)
			continue;
		link[n] = '\0';
		if (!strcmp(link, want))
			return true;
	}
	return false;
}

/* "python3 (pid 1234)": the process holding the socket, found by its inode
 * among every process's descriptors; "" when none is found (a socket of
 * another user namespace, or one that is already gone). Error path only. */
static void socket_owner(unsigned long inode, char *buf, size_t size)
{
	cleanup_closedir DIR *proc = opendir("/proc");
	char want[48], path[300], comm[64] = "?";
	cleanup_fclose FILE *f = NULL;
	struct dirent *p;

	buf[0] = '\0';
	snprintf(want, sizeof(want), "socket:[%lu]", inode);
	while (proc && inode && (p = readdir(proc))) {
		if (p->d_name[0] < '1' || p->d_name[0] > '9' || !holds_socket(p->d_name, want))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", p->d_name);
		if ((f = fopen(path, "re")) && fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = '\0';
		snprintf(buf, size, "%.32s (pid %.16s)", comm, p->d_name);
		return;
	}
}

int host_ports_check(const struct cbx_topo *t, struct cbx_error *err)
{
	static const uint8_t families[] = { AF_INET, AF_INET6 };
	struct port_user u = { .t = t };
	struct nl_conn c = { 0 };
	char owner[128], where[CBX_PREFIX_STRLEN];
	bool tcp = false, udp = false;
	int rc = 0;

	for (size_t i = 0; i < t->n_publish; i++) {
		if (!cbx_node_here(t, t->publish[i].node))
			continue;
		tcp |= t->publish[i].proto == IPPROTO_TCP;
		udp |= t->publish[i].proto == IPPROTO_UDP;
	}
	if (!tcp && !udp)
		return 0;
	if (nl_open(&c, NETLINK_SOCK_DIAG, err) < 0)
		return cbx_error_wrap(err, "list the host's sockets");
	for (int proto = 0; proto < 2 && rc == 0 && !u.pub; proto++) {
		if (!(proto == 0 ? tcp : udp))
			continue;
		u.proto = proto == 0 ? IPPROTO_TCP : IPPROTO_UDP;
		for (size_t f = 0; f < sizeof(families) && rc == 0 && !u.pub; f++) {
			char req[128];
			/* TCP: listening sockets; UDP: any bound one (unconnected
			 * ones are in TCP_CLOSE, connected ones TCP_ESTABLISHED). */
			diag_build_inet_dump(req, sizeof(req), families[f], u.proto,
					     proto == 0 ? 1u << TCP_LISTEN : ~0u);
			rc = nl_dump(&c, (struct nlmsghdr *)req, socket_cb, &u,
				     "list the host's sockets", err);
		}
	}
	nl_close(&c);
	if (rc < 0 || !u.pub)
		return rc;
	socket_owner(u.inode, owner, sizeof(owner));
	cbx_ip_str(&u.addr, where, sizeof(where));
	return cbx_error_set(err, CBX_ERR_STATE,
			     "%s: host port %u/%s is in use: %s %s at %s; the lab would take its traffic over (publish another host port)",
			     u.pub->path, u.pub->host_port, u.proto == IPPROTO_TCP ? "tcp" : "udp",
			     owner[0] ? owner : "a socket",
			     u.proto == IPPROTO_TCP ? "listens on it" : "is bound to it", where);
}
