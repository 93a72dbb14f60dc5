/* Is a port open: a TCP connect, or a UDP datagram, made from inside the
 * checking node's netns (a socket opened there, as the probes' are), every
 * check at once. TCP: open when the handshake completes; refused or
 * unanswered is closed. UDP has no handshake: closed when an ICMP port
 * unreachable comes back, open when an answer, or nothing, does (as nmap's
 * "open|filtered"). */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "kit/kit.h"
#include "lab/node_netns.h"

struct open_arg {
	int family, type, fd;
};

static int open_sock(void *arg, struct cbx_error *err)
{
	struct open_arg *a = arg;

	a->fd = socket(a->family, a->type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	return a->fd < 0 ? cbx_error_sys(err, errno, "open a socket") : 0;
}

static socklen_t sockaddr_of(const struct cbx_ip *ip, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (ip->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		memcpy(&s6->sin6_addr, ip->bytes, 16);
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	memcpy(&s4->sin_addr, ip->bytes, 4);
	return sizeof(*s4);
}

/* Start one: a connect under way (or a datagram sent). The socket, or -1
 * with the result already in pp (a connect refused at once). */
static int start(const struct cbx_topo *t, struct kit_port_probe *pp, struct cbx_error *err)
{
	struct open_arg a = { pp->dst.family, pp->udp ? SOCK_DGRAM : SOCK_STREAM, -1 };
	static const char hello[] = "cboxlab check\n";
	struct sockaddr_storage ss;
	socklen_t sl = sockaddr_of(&pp->dst, pp->port, &ss);

	if (lab_node_netns_run(t, &t->nodes[pp->from], open_sock, &a, err) < 0)
		return -2;
	if (connect(a.fd, (struct sockaddr *)&ss, sl) < 0 && errno != EINPROGRESS) {
		snprintf(pp->seen, sizeof(pp->seen), "connect: %s", strerror(errno));
		close(a.fd);
		return -1;
	}
	if (pp->udp && send(a.fd, hello, sizeof(hello) - 1, 0) < 0) {
		snprintf(pp->seen, sizeof(pp->seen), "send: %s", strerror(errno));
		close(a.fd);
		return -1;
	}
	return a.fd;
}

static void settle(struct kit_port_probe *pp, int fd, short revents)
{
	int so_err = 0;
	socklen_t len = sizeof(so_err);
	char buf[64];

	if (pp->udp) {
		/* An error queued by an ICMP unreachable, or an answer. */
		if (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) < 0 && errno != EAGAIN) {
			snprintf(pp->seen, sizeof(pp->seen), "%s", strerror(errno));
			return;
		}
		pp->open = true;
		snprintf(pp->seen, sizeof(pp->seen), "an answer");
		return;
	}
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_err, &len);
	if (so_err || (revents & (POLLERR | POLLHUP) && !(revents & POLLOUT))) {
		snprintf(pp->seen, sizeof(pp->seen), "%s",
			 strerror(so_err ? so_err : ECONNREFUSED));
		return;
	}
	pp->open = true;
	snprintf(pp->seen, sizeof(pp->seen), "connected");
}

int kit_ports_run(const struct cbx_topo *t, struct kit_port_probe *pp, size_t n, int timeout_ms,
		  struct cbx_error *err)
{
	struct pollfd *fds = calloc(n ? n : 1, sizeof(*fds));
	struct timespec t0, t1;
	size_t pending = 0;
	int rc = 0;

	if (!fds)
		return cbx_error_sys(err, ENOMEM, "check ports");
	for (size_t i = 0; i < n; i++) {
		pp[i].open = false;
		pp[i].seen[0] = '\0';
		fds[i].fd = start(t, &pp[i], err);
		if (fds[i].fd == -2) {
			fds[i].fd = -1;
			rc = -1;
			goto out;
		}
		fds[i].events = pp[i].udp ? POLLIN : POLLOUT;
		pending += fds[i].fd >= 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (pending) {
		long elapsed;
		int k;

		clock_gettime(CLOCK_MONOTONIC, &t1);
		elapsed = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
		if (elapsed >= timeout_ms)
			break;
		k = poll(fds, n, (int)(timeout_ms - elapsed));
		if (k < 0 && errno != EINTR) {
			rc = cbx_error_sys(err, errno, "poll");
			goto out;
		}
		for (size_t i = 0; k > 0 && i < n; i++) {
			if (fds[i].fd < 0 || !fds[i].revents)
				continue;
			settle(&pp[i], fds[i].fd, fds[i].revents);
			close(fds[i].fd);
			fds[i].fd = -1;
			pending--;
		}
	}
	/* What is left answered nothing: a silent UDP port is open|filtered,
	 * a TCP connect that never completes is not open. */
	for (size_t i = 0; i < n; i++) {
		if (fds[i].fd < 0)
			continue;
		pp[i].open = pp[i].udp;
		snprintf(pp[i].seen, sizeof(pp[i].seen), "no answer in %d ms", timeout_ms);
	}
out:
	for (size_t i = 0; i < n; i++)
		if (fds[i].fd >= 0)
			close(fds[i].fd);
	free(fds);
	return rc;
}
