/* The few bytes cboxlab and a node's init say to each other over the node's
 * sync socket (a SOCK_SEQPACKET pair, so each message arrives whole).
 *
 *   cboxlab → node:  setup      what the node sets up itself, waiting for init
 *                               when it starts (runtime/node_setup.h)
 *   node → cboxlab:  'N' + fd   its network (and mount, UTS, IPC) namespaces
 *                               exist: cboxlab may wire and pin them; the fd
 *                               (SCM_RIGHTS) is the node's own procfs, not yet
 *                               mounted, for cboxlab to write its sysctls in
 *   cboxlab → node:  'C'        (cgroup v1) the lab's state directory and the
 *                               node's cgroups, with their limits, exist: the
 *                               node sets itself up and joins them
 *   cboxlab → node:  'G'        the network is configured: start the command
 *   node → cboxlab:  'R'        the command is started: the node is ready
 *                    'E' text   setup or the command's exec failed, with why
 *                    'X' text   after 'R', while cboxlab has not closed its end:
 *                               the command ended ("exited N", "killed SIG"); a
 *                               restart policy may start it again
 *   end of file                 the other side died: the node gives up (before
 *                               'G') or failed (before 'R')
 *
 * 'E' can come instead of 'N' or 'R', and 'F' instead of 'N'. */
#ifndef CBX_INIT_PROTO_H
#define CBX_INIT_PROTO_H

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CBX_SYNC_NAMESPACES 'N'
#define CBX_SYNC_CGROUPS 'C'
#define CBX_SYNC_GO 'G'
#define CBX_SYNC_READY 'R'
#define CBX_SYNC_ERROR 'E'
#define CBX_SYNC_EXITED 'X'
/* From the node's first process before it is init: the errno (an int, in
 * the host's byte order) and the step that failed. */
#define CBX_SYNC_SPAWN_FAILED 'F'
#define CBX_SYNC_MSG_MAX 1024

/* Where the node's setup hands init its sync socket. */
#define CBX_INIT_SYNC_FD 3

/* Send one message: `kind`, then `text` (none when NULL), cut to
 * CBX_SYNC_MSG_MAX. Header-only and libc-minimal: init is built alone,
 * with musl when it is there. */
static inline void cbx_sync_send(int fd, char kind, const char *text)
{
	char msg[CBX_SYNC_MSG_MAX];
	size_t len = text ? strlen(text) : 0;

	if (len > sizeof(msg) - 1)
		len = sizeof(msg) - 1;
	msg[0] = kind;
	if (len)
		memcpy(msg + 1, text, len);
	if (write(fd, msg, len + 1) < 0) {
		/* the other side is gone: there is nobody to tell */
	}
}

/* Send `kind` alone with a copy of the descriptor passfd (SCM_RIGHTS). */
static inline void cbx_sync_send_fd(int fd, char kind, int passfd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} control;
	struct iovec iov = { &kind, 1 };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = control.buf,
			      .msg_controllen = sizeof(control.buf) };
	struct cmsghdr *c;

	memset(&control, 0, sizeof(control));
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &passfd, sizeof(int));
	if (sendmsg(fd, &msg, MSG_NOSIGNAL) < 0) {
		/* the other side is gone: there is nobody to tell */
	}
}

#endif
