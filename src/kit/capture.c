/* `capture`: a node's interface (or a network's bridge) through libpcap.
 *
 * The packet socket is opened inside the node's netns by this thread
 * (lab/node_netns.h) and stays bound to the node's interface when the thread
 * leaves: the capture runs on the host side, as the CLI's user, and nothing
 * is started in the node or handed to it. A node's interface shows what the
 * node sends and receives and nothing of the host's. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/text.h"
#include "kit/kit.h"
#include "kit/pcap_dl.h"
#include "lab/node_netns.h"

/* Whole frames, as tcpdump takes them by default. */
#define SNAPLEN 262144

int lab_capture_open_output(const char *path, FILE **out, struct cbx_error *err)
{
	char shown[4 * CBX_EXCERPT_MAX + 32];
	struct stat st;
	int fd;

	if (!strcmp(path, "-")) {
		*out = stdout;
		return 0;
	}
	cbx_text_excerpt(shown, sizeof(shown), path, CBX_EXCERPT_MAX);
	/* Root writes where the user says, but not through a link someone
	 * else may have put there, and not into a device. */
	fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC | O_NONBLOCK, 0600);
	if (fd < 0)
		return cbx_error_errno(err, CBX_ERR_INPUT, errno == ELOOP ? EMLINK : errno,
				       "write the capture to %s%s", shown,
				       errno == ELOOP ? " (a symbolic link: not followed)" : "");
	if (fstat(fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode))) {
		close(fd);
		return cbx_error_set(err, CBX_ERR_INPUT,
				     "write the capture to %s: not a regular file or a FIFO",
				     shown);
	}
	if (S_ISREG(st.st_mode) && ftruncate(fd, 0) < 0) {
		int e = errno;
		close(fd);
		return cbx_error_errno(err, CBX_ERR_INPUT, e, "truncate %s", shown);
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	*out = fdopen(fd, "w");
	if (!*out) {
		close(fd);
		return cbx_error_sys(err, errno, "fdopen %s", shown);
	}
	return 0;
}

struct opened {
	const char *dev;
	pcap_t *p;
	char errbuf[PCAP_ERRBUF_SIZE];
	int status;
};

/* pcap_activate makes the packet socket and binds it: in the netns this
 * runs in. */
static int open_pcap(void *arg, struct cbx_error *err)
{
	struct opened *o = arg;

	(void)err;
	o->p = kit_pcap.create(o->dev, o->errbuf);
	if (!o->p)
		return 0;
	kit_pcap.set_snaplen(o->p, SNAPLEN);
	kit_pcap.set_promisc(o->p, 1);
	kit_pcap.set_immediate_mode(o->p, 1);
	kit_pcap.set_timeout(o->p, 100);
	o->status = kit_pcap.activate(o->p);
	return 0;
}

struct loop {
	const struct lab_capture *c;
	pcap_dumper_t *dump;
	struct lab_capture_report *rep;
};

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct loop *l = (struct loop *)user;

	if (l->c->count && l->rep->packets >= l->c->count)
		return;
	l->rep->packets++;
	if (l->dump) {
		kit_pcap.dump((u_char *)l->dump, h, bytes);
		if (l->c->flush)
			kit_pcap.dump_flush(l->dump);
	} else if (l->c->packet) {
		l->c->packet(l->c->arg, &h->ts, bytes, h->caplen, h->len);
	}
}

static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Where to capture: a node's interface (dev, in node *n) or a network's
 * bridge (on the host: *n NULL). */
static int resolve(const struct cbx_topo *t, const char *target, const char **dev,
		   const struct cbx_node **n, struct cbx_error *err)
{
	char shown[4 * CBX_EXCERPT_MAX + 32];
	const struct cbx_iface *ifc;

	*n = NULL;
	if (strchr(target, ':')) {
		if (lab_find_iface(t, target, &ifc, err) < 0)
			return -1;
		*n = ifc->node;
		*dev = ifc->name;
		return 0;
	}
	for (size_t i = 0; i < t->n_networks; i++)
		if (!strcmp(t->networks[i].name, target)) {
			*dev = t->networks[i].bridge;
			return 0;
		}
	return cbx_error_set(err, CBX_ERR_INPUT,
			     "lab %s has no network \"%s\" (capture NODE:IFACE, or a network's name)",
			     t->name,
			     cbx_text_excerpt(shown, sizeof(shown), target, CBX_EXCERPT_MAX));
}

static int set_filter(pcap_t *p, const char *filter, struct cbx_error *err)
{
	char shown[4 * CBX_EXCERPT_MAX + 32], why[PCAP_ERRBUF_SIZE + 64];
	struct bpf_program prog;

	if (!filter || !*filter)
		return 0;
	if (kit_pcap.compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0)
		return cbx_error_set(err, CBX_ERR_INPUT, "filter \"%s\": %s",
				     cbx_text_excerpt(shown, sizeof(shown), filter,
						      CBX_EXCERPT_MAX),
				     cbx_text_escape(why, sizeof(why), kit_pcap.geterr(p)));
	if (kit_pcap.setfilter(p, &prog) < 0) {
		kit_pcap.freecode(&prog);
		return cbx_error_set(err, CBX_ERR_SYSTEM, "set the filter: %s",
				     cbx_text_escape(why, sizeof(why), kit_pcap.geterr(p)));
	}
	kit_pcap.freecode(&prog);
	return 0;
}

int lab_capture_run(const struct cbx_ctx *cbx, const struct cbx_topo *t,
		    const struct lab_capture *c, struct lab_capture_report *rep,
		    struct cbx_error *err)
{
	struct opened o = { 0 };
	struct loop l = { c, NULL, rep };
	const struct cbx_node *n;
	char where[192], why[PCAP_ERRBUF_SIZE + 64];
	struct pcap_stat ps;
	uint64_t start;
	int rc = -1, fd;

	(void)cbx;
	memset(rep, 0, sizeof(*rep));
	if (resolve(t, c->target, &o.dev, &n, err) < 0 || kit_pcap_load(err) < 0)
		return -1;
	if (n && lab_node_netns_run(t, n, open_pcap, &o, err) < 0)
		return -1;
	if (!n)
		open_pcap(&o, err);
	snprintf(where, sizeof(where), "%s%s%s", n ? n->name : "network ", n ? ":" : "",
		 n ? o.dev : c->target);
	if (!o.p)
		return cbx_error_set(err, CBX_ERR_SYSTEM, "capture on %s: %s", where,
				     cbx_text_escape(why, sizeof(why), o.errbuf));
	if (o.status < 0) {
		cbx_error_set(err, CBX_ERR_SYSTEM, "capture on %s: %s", where,
			      cbx_text_escape(why, sizeof(why), kit_pcap.geterr(o.p)));
		goto out;
	}
	if (set_filter(o.p, c->filter, err) < 0)
		goto out;
	if (c->out) {
		l.dump = kit_pcap.dump_fopen(o.p, c->out);
		if (!l.dump) {
			cbx_error_set(err, CBX_ERR_SYSTEM, "write the capture: %s",
				      cbx_text_escape(why, sizeof(why), kit_pcap.geterr(o.p)));
			goto out;
		}
		/* The header now: a pipe's reader (wireshark -k -i -) starts. */
		kit_pcap.dump_flush(l.dump);
	}
	if (kit_pcap.setnonblock(o.p, 1, o.errbuf) < 0 ||
	    (fd = kit_pcap.get_selectable_fd(o.p)) < 0) {
		cbx_error_set(err, CBX_ERR_SYSTEM, "capture on %s: no descriptor to wait on",
			      where);
		goto out;
	}
	if (c->started)
		c->started(c->arg, where);
	start = now_us();
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int wait = 100;

		if ((c->stop && *c->stop) || (c->count && rep->packets >= c->count))
			break;
		if (c->duration_us) {
			uint64_t el = now_us() - start;
			if (el >= c->duration_us)
				break;
			if ((c->duration_us - el) / 1000 < (uint64_t)wait)
				wait = (int)((c->duration_us - el) / 1000) + 1;
		}
		if (poll(&pfd, 1, wait) < 0 && errno != EINTR) {
			cbx_error_sys(err, errno, "poll");
			goto out;
		}
		if (kit_pcap.dispatch(o.p, -1, on_packet, (u_char *)&l) < 0) {
			cbx_error_set(err, CBX_ERR_SYSTEM, "capture on %s: %s", where,
				      cbx_text_escape(why, sizeof(why), kit_pcap.geterr(o.p)));
			goto out;
		}
		if (l.dump && ferror(c->out)) {
			rep->write_failed = true;
			break;
		}
	}
	if (kit_pcap.stats(o.p, &ps) == 0)
		rep->dropped = ps.ps_drop;
	rc = 0;
out:
	if (l.dump) {
		kit_pcap.dump_flush(l.dump);
		if (ferror(c->out))
			rep->write_failed = true;
	}
	/* The caller's FILE stays the caller's: pcap_dump_close would fclose it. */
	kit_pcap.close(o.p);
	return rc;
}
