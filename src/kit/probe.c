/* ICMP echo from inside each node's network namespace, every pair at once.
 *
 * Each node that sends gets a raw ICMP and a raw ICMPv6 socket, opened in
 * its netns from this thread (lab/node_netns.h: the thread enters the
 * netns for the socket() call and leaves; the socket stays bound to the
 * node's stack). No process runs in the node: a node without ping, a
 * paused or a stopped node (its netns is pinned) is probed all the same,
 * and a hundred nodes' matrix costs a few thousand packets, not thousands
 * of forks. Raw rather than "ping" sockets because a new netns's
 * net.ipv4.ping_group_range lets no group use those.
 *
 * Raw sockets see every echo reply of their netns: ours carry an
 * identifier chosen per run and, in the payload, a cookie and the probe's
 * index, and a reply counts only from the address asked. */
#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "kit/kit.h"
#include "lab/node_netns.h"

/* Resend what is unanswered this often; stop early this long after every
 * expected probe answered (an unexpected pair still gets that chance). */
#define RESEND_MS 250
/* linux/icmp.h's, which clashes with netinet/ip_icmp.h. */
#ifndef ICMP_FILTER
#define ICMP_FILTER 1
#endif
#define GRACE_MS 300

struct payload {
	uint64_t cookie;
	uint32_t index;
	uint32_t pad;
};

struct node_socks {
	int fd[2]; /* AF_INET, AF_INET6; -1: none */
};

struct run {
	const struct cbx_topo *t;
	struct kit_probe *pr;
	size_t n;
	struct node_socks *socks;
	uint64_t cookie;
	uint16_t id;
	uint64_t *sent_us; /* per probe: when last sent; 0: not yet */
	int ep;
};

static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static uint16_t csum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

struct open_arg {
	struct node_socks *s;
	bool want[2];
};

static int open_raw(void *arg, struct cbx_error *err)
{
	struct open_arg *a = arg;
	int buf = 1 << 20;

	for (int f = 0; f < 2; f++) {
		int fd;
		if (!a->want[f])
			continue;
		fd = socket(f ? AF_INET6 : AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    f ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
		if (fd < 0)
			return cbx_error_sys(err, errno, "open a raw %s socket",
					     f ? "ICMPv6" : "ICMP");
		a->s->fd[f] = fd;
		/* Replies of every pair of a large lab arrive at once. */
		setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf));
		if (f) {
			struct icmp6_filter filt;
			ICMP6_FILTER_SETBLOCKALL(&filt);
			ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filt);
			setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filt, sizeof(filt));
		} else {
			uint32_t mask = ~(1u << ICMP_ECHOREPLY);
			setsockopt(fd, SOL_RAW, ICMP_FILTER, &mask, sizeof(mask));
		}
	}
	return 0;
}

static void send_one(struct run *r, size_t i)
{
	const struct kit_probe *p = &r->pr[i];
	int v6 = p->dst.family == AF_INET6;
	int fd = r->socks[p->from].fd[v6];
	struct {
		struct icmphdr h; /* the same 8 bytes as an icmp6_hdr's */
		struct payload pl;
	} pkt = { 0 };
	struct sockaddr_storage ss = { 0 };
	socklen_t sl;

	pkt.h.type = v6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
	pkt.h.un.echo.id = htons(r->id);
	pkt.h.un.echo.sequence = htons((uint16_t)i);
	pkt.pl.cookie = r->cookie;
	pkt.pl.index = (uint32_t)i;
	if (!v6) /* the kernel sums ICMPv6 itself */
		pkt.h.checksum = csum(&pkt, sizeof(pkt));
	if (v6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, p->dst.bytes, 16);
		sl = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, p->dst.bytes, 4);
		sl = sizeof(*s4);
	}
	/* A full socket buffer or an unreachable route: the next round
	 * tries again; what never answers is the result. */
	if (sendto(fd, &pkt, sizeof(pkt), 0, (struct sockaddr *)&ss, sl) >= 0)
		r->sent_us[i] = now_us();
}

static void receive(struct run *r, int fd, int family)
{
	uint8_t buf[1500];
	struct sockaddr_storage ss;

	for (;;) {
		socklen_t sl = sizeof(ss);
		ssize_t len = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&ss, &sl);
		const uint8_t *icmp = buf;
		struct payload pl;
		struct cbx_ip from = { .family = (uint8_t)family };
		struct kit_probe *p;

		if (len < 0)
			return;
		if (family == AF_INET) { /* raw IPv4 sockets get the IP header too */
			size_t ihl = (size_t)(buf[0] & 0xf) * 4;
			if ((size_t)len < ihl)
				continue;
			icmp += ihl;
			len -= (ssize_t)ihl;
			memcpy(from.bytes, &((struct sockaddr_in *)&ss)->sin_addr, 4);
		} else {
			memcpy(from.bytes, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
		}
		if ((size_t)len < 8 + sizeof(pl))
			continue;
		if (icmp[0] != (family == AF_INET ? ICMP_ECHOREPLY : ICMP6_ECHO_REPLY) ||
		    ((uint16_t)(icmp[4] << 8 | icmp[5])) != r->id)
			continue;
		memcpy(&pl, icmp + 8, sizeof(pl));
		if (pl.cookie != r->cookie || pl.index >= r->n)
			continue;
		p = &r->pr[pl.index];
		if (p->reached || !cbx_ip_equal(&p->dst, &from) || !r->sent_us[pl.index])
			continue;
		if (r->socks[p->from].fd[family == AF_INET6] != fd)
			continue;
		p->reached = true;
		p->rtt_us = (uint32_t)(now_us() - r->sent_us[pl.index]);
	}
}

static int open_all(struct run *r, struct cbx_error *err)
{
	for (size_t i = 0; i < r->n; i++) {
		struct kit_probe *p = &r->pr[i];
		struct node_socks *s = &r->socks[p->from];
		int v6 = p->dst.family == AF_INET6;
		struct open_arg a = { s, { !v6, v6 } };

		if (s->fd[v6] >= 0)
			continue;
		a.want[0] = a.want[0] && s->fd[0] < 0;
		if (lab_node_netns_run(r->t, &r->t->nodes[p->from], open_raw, &a, err) < 0)
			return -1;
		for (int f = 0; f < 2; f++) {
			struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)f };
			if (!a.want[f])
				continue;
			ev.data.u64 = (uint64_t)s->fd[f] << 8 | (uint64_t)f;
			if (epoll_ctl(r->ep, EPOLL_CTL_ADD, s->fd[f], &ev) < 0)
				return cbx_error_sys(err, errno, "epoll_ctl");
		}
	}
	return 0;
}

/* Every expected probe answered, or none is left unanswered at all. */
static bool done(const struct run *r, bool *expected_done)
{
	bool all = true;

	*expected_done = true;
	for (size_t i = 0; i < r->n; i++)
		if (!r->pr[i].reached) {
			all = false;
			if (r->pr[i].expected)
				*expected_done = false;
		}
	return all;
}

static void send_round(struct run *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (!r->pr[i].reached)
			send_one(r, i);
}

int kit_probe_run(const struct cbx_topo *t, struct kit_probe *pr, size_t n, int timeout_ms,
		  struct cbx_error *err)
{
	struct run r = { .t = t, .pr = pr, .n = n };
	uint64_t start = now_us(), last_send, expected_at = 0;
	int rc = -1;

	if (n == 0)
		return 0;
	r.socks = malloc(t->n_nodes * sizeof(*r.socks));
	r.sent_us = calloc(n, sizeof(*r.sent_us));
	r.ep = epoll_create1(EPOLL_CLOEXEC);
	if (!r.socks || !r.sent_us || r.ep < 0) {
		cbx_error_sys(err, r.ep < 0 ? errno : ENOMEM, "probe");
		goto out;
	}
	for (size_t i = 0; i < t->n_nodes; i++)
		r.socks[i].fd[0] = r.socks[i].fd[1] = -1;
	if (getrandom(&r.cookie, sizeof(r.cookie), 0) != sizeof(r.cookie))
		r.cookie = start ^ (uint64_t)getpid() << 32;
	r.id = (uint16_t)(r.cookie >> 48);
	for (size_t i = 0; i < n; i++)
		pr[i].reached = false;
	if (open_all(&r, err) < 0)
		goto out;
	send_round(&r);
	last_send = now_us();
	for (;;) {
		struct epoll_event ev[64];
		uint64_t now = now_us();
		bool expected_done;
		int k, wait;

		if (done(&r, &expected_done))
			break;
		if (expected_done && !expected_at)
			expected_at = now;
		if (expected_at && now - start >= GRACE_MS * 1000ull &&
		    now - expected_at >= GRACE_MS * 1000ull / 2)
			break;
		if (now - start >= (uint64_t)timeout_ms * 1000)
			break;
		if (now - last_send >= RESEND_MS * 1000ull) {
			send_round(&r);
			last_send = now_us();
		}
		wait = 20;
		k = epoll_wait(r.ep, ev, 64, wait);
		for (int j = 0; j < k; j++)
			receive(&r, (int)(ev[j].data.u64 >> 8),
				(ev[j].data.u64 & 0xff) ? AF_INET6 : AF_INET);
	}
	rc = 0;
out:
	if (r.socks)
		for (size_t i = 0; i < t->n_nodes; i++)
			for (int f = 0; f < 2; f++)
				if (r.socks[i].fd[f] >= 0)
					close(r.socks[i].fd[f]);
	if (r.ep >= 0)
		close(r.ep);
	free(r.socks);
	free(r.sent_us);
	return rc;
}
