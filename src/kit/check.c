/* `check`: the reachability matrix and the declared checks of a running
 * lab. The probes of both go out in one round (probe.c), the port checks in
 * another (ports.c), then the routes and the commands, one by one. */
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "kit/kit.h"

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static bool family_ok(const struct cbx_check *c, int family)
{
	return !c->family || c->family == family;
}

/* Each address a reach check asks for: `to_ip`, or the node's (of the
 * check's family). */
static size_t targets(const struct cbx_check *c, struct cbx_ip *out, size_t max)
{
	size_t n = 0;

	if (!c->to) {
		out[0] = c->to_ip;
		return 1;
	}
	for (size_t i = 0; i < c->to->n_ifaces; i++)
		for (unsigned k = 0; k < c->to->ifaces[i]->n_addrs && n < max; k++)
			if (family_ok(c, c->to->ifaces[i]->addrs[k].ip.family))
				out[n++] = c->to->ifaces[i]->addrs[k].ip;
	return n;
}

#define TARGETS_MAX 64

static size_t count_probes(const struct cbx_topo *t, const struct lab_check_opts *o)
{
	size_t n = 0;
	struct cbx_ip tg[TARGETS_MAX];

	if (o->matrix)
		for (size_t j = 0; j < t->n_nodes; j++)
			for (size_t i = 0; i < t->nodes[j].n_ifaces; i++)
				n += (t->n_nodes - 1) * t->nodes[j].ifaces[i]->n_addrs;
	for (size_t c = 0; o->checks && c < t->n_checks; c++)
		if (t->checks[c].kind == CBX_CHECK_REACH || t->checks[c].kind == CBX_CHECK_NO_REACH)
			n += targets(&t->checks[c], tg, TARGETS_MAX);
	return n;
}

static int matrix(const struct cbx_topo *t, struct kit_probe *pr, size_t *np,
		  struct lab_check_report *rep)
{
	size_t n = 0;

	for (size_t a = 0; a < t->n_nodes; a++)
		for (size_t b = 0; b < t->n_nodes; b++) {
			const struct cbx_node *to = &t->nodes[b];
			if (a == b)
				continue;
			for (size_t i = 0; i < to->n_ifaces; i++)
				for (unsigned k = 0; k < to->ifaces[i]->n_addrs; k++) {
					struct lab_reach_pair *p = &rep->pairs[n];
					p->from = &t->nodes[a];
					p->to = to;
					p->addr = to->ifaces[i]->addrs[k].ip;
					p->expected = lab_reach_expected(t, p->from, &p->addr);
					pr[n].from = a;
					pr[n].dst = p->addr;
					pr[n].expected = p->expected;
					n++;
				}
		}
	rep->n_pairs = n;
	*np = n;
	return 0;
}

/* The check's probes, after the matrix's: [first, first + count). */
struct reach_span {
	size_t first, count;
};

static void reach_probes(const struct cbx_topo *t, struct kit_probe *pr, size_t *np,
			 struct reach_span *span)
{
	for (size_t c = 0; c < t->n_checks; c++) {
		const struct cbx_check *ck = &t->checks[c];
		struct cbx_ip tg[TARGETS_MAX];
		size_t k;

		span[c].first = *np;
		span[c].count = 0;
		if (ck->kind != CBX_CHECK_REACH && ck->kind != CBX_CHECK_NO_REACH)
			continue;
		k = targets(ck, tg, TARGETS_MAX);
		for (size_t i = 0; i < k; i++) {
			pr[*np].from = ck->from->index;
			pr[*np].dst = tg[i];
			/* A no-reach check waits out the timeout: an answer
			 * that comes late is still an answer. */
			pr[*np].expected = true;
			(*np)++;
		}
		span[c].count = k;
	}
}

static void reach_verdict(const struct cbx_check *ck, const struct kit_probe *pr,
			  const struct reach_span *sp, struct lab_check_result *r)
{
	size_t len = 0, reached = 0;
	char ip[CBX_PREFIX_STRLEN];

	if (sp->count == 0) {
		snprintf(r->detail, sizeof(r->detail), "%s has no address to probe",
			 ck->to ? ck->to->name : "the target");
		r->ok = false;
		return;
	}
	for (size_t i = 0; i < sp->count; i++) {
		const struct kit_probe *p = &pr[sp->first + i];
		reached += p->reached;
		if (len < sizeof(r->detail))
			len += (size_t)snprintf(r->detail + len, sizeof(r->detail) - len, "%s%s %s",
						i ? ", " : "", cbx_ip_str(&p->dst, ip, sizeof(ip)),
						p->reached ? "answers" : "does not answer");
	}
	r->ok = ck->kind == CBX_CHECK_REACH ? reached == sp->count : reached == 0;
}

/* The address a port check connects to: to_ip, or the node's first of the
 * check's family. */
static bool port_target(const struct cbx_check *ck, struct cbx_ip *ip)
{
	struct cbx_ip tg[TARGETS_MAX];
	size_t k = targets(ck, tg, TARGETS_MAX);

	for (size_t i = 0; i < k; i++)
		if (tg[i].family == AF_INET || i + 1 == k) {
			*ip = tg[i];
			return true;
		}
	return false;
}

static int run_ports(const struct cbx_topo *t, const struct lab_check_opts *o,
		     struct lab_check_report *rep, struct cbx_error *err)
{
	struct kit_port_probe *pp = calloc(t->n_checks ? t->n_checks : 1, sizeof(*pp));
	size_t *which = calloc(t->n_checks ? t->n_checks : 1, sizeof(*which));
	size_t n = 0;
	int rc = 0;

	if (!pp || !which) {
		free(pp);
		free(which);
		return cbx_error_sys(err, ENOMEM, "check ports");
	}
	for (size_t c = 0; c < t->n_checks; c++) {
		const struct cbx_check *ck = &t->checks[c];
		if (ck->kind != CBX_CHECK_TCP && ck->kind != CBX_CHECK_UDP)
			continue;
		if (!port_target(ck, &pp[n].dst)) {
			snprintf(rep->results[c].detail, sizeof(rep->results[c].detail),
				 "%s has no address to connect to", ck->to->name);
			continue;
		}
		pp[n].from = ck->from->index;
		pp[n].port = ck->port;
		pp[n].udp = ck->kind == CBX_CHECK_UDP;
		which[n++] = c;
	}
	rc = kit_ports_run(t, pp, n, o->timeout_ms, err);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct lab_check_result *r = &rep->results[which[i]];
		char ip[CBX_PREFIX_STRLEN];
		r->ok = pp[i].open == r->check->open;
		snprintf(r->detail, sizeof(r->detail), "%s port %u: %s",
			 cbx_ip_str(&pp[i].dst, ip, sizeof(ip)), pp[i].port, pp[i].seen);
	}
	free(pp);
	free(which);
	return rc;
}

/* Its output, for the match and for the report: up to this much. */
#define OUTPUT_MAX 65536

static int run_exec(const struct cbx_ctx *cbx, const struct cbx_topo *t, const struct cbx_check *ck,
		    int timeout_ms, struct lab_check_result *r, struct cbx_error *err)
{
	int fd = memfd_create("cboxlab-check", MFD_CLOEXEC);
	/* A command may take longer than a ping, but not forever: a grading run
	 * must end. */
	struct lab_exec x = {
		.node = ck->on, .argv = ck->argv, .out_fd = fd, .timeout_ms = 10 * timeout_ms
	};
	char *out = NULL;
	ssize_t len;
	int status = -1;

	if (fd < 0)
		return cbx_error_sys(err, errno, "memfd_create");
	if (lab_exec(cbx, t, &x, &status, err) < 0) {
		/* A node that is stopped or paused fails the check, not the run. */
		if (err->kind != CBX_ERR_STATE) {
			close(fd);
			return -1;
		}
		snprintf(r->detail, sizeof(r->detail), "%.500s", err->msg);
		close(fd);
		return 0;
	}
	out = malloc(OUTPUT_MAX + 1);
	len = out ? pread(fd, out, OUTPUT_MAX, 0) : -1;
	close(fd);
	if (len < 0) {
		free(out);
		return cbx_error_sys(err, errno ? errno : ENOMEM, "read the command's output");
	}
	out[len] = '\0';
	r->ok = status == 0;
	if (r->ok && ck->match) {
		regex_t re;
		r->ok = regcomp(&re, ck->match, REG_EXTENDED | REG_NOSUB) == 0 &&
			regexec(&re, out, 0, NULL, 0) == 0;
		regfree(&re);
	}
	/* The output's first line, control bytes shown as '?'. */
	out[strcspn(out, "\n")] = '\0';
	for (char *c = out; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	snprintf(r->detail, sizeof(r->detail), "exit %d%s%s%s", status,
		 ck->match && status == 0 && !r->ok ? ", no match in: " : ": ",
		 out[0] ? "" : "(no output)", out);
	free(out);
	return 0;
}

/* The neighbour entries (ARP or NDP) every pair of a family needs: each
 * node one per other node on each of its segments. The kernel's tables are
 * the host's, shared by every netns, and hold gc_thresh3 entries: past that
 * a pair fails for want of room, not of a route. */
static size_t neighbours_needed(const struct cbx_topo *t, int family)
{
	size_t total = 0;

	for (size_t i = 0; i < t->n_networks; i++) {
		size_t m = 0;
		for (size_t k = 0; k < t->networks[i].n_members; k++)
			for (unsigned a = 0; a < t->networks[i].members[k]->n_addrs; a++)
				if (t->networks[i].members[k]->addrs[a].ip.family == family) {
					m++;
					break;
				}
		total += m * (m ? m - 1 : 0);
	}
	for (size_t i = 0; i < t->n_links; i++)
		total += t->links[i].a->n_addrs && t->links[i].b->n_addrs ? 2 : 0;
	return total;
}

static void check_neighbour_room(const struct cbx_topo *t, struct lab_check_report *rep)
{
	static const char *const files[] = { "/proc/sys/net/ipv4/neigh/default/gc_thresh3",
					     "/proc/sys/net/ipv6/neigh/default/gc_thresh3" };

	for (int f = 0; f < 2; f++) {
		size_t need = neighbours_needed(t, f ? AF_INET6 : AF_INET);
		unsigned long room = 0;
		FILE *in = fopen(files[f], "re");

		if (!in)
			continue;
		if (fscanf(in, "%lu", &room) != 1)
			room = 0;
		fclose(in);
		if (room && need > room) {
			snprintf(rep->warning, sizeof(rep->warning),
				 "every pair needs %zu %s neighbour entries and the host's tables hold %lu (net.%s.neigh.default.gc_thresh3): pairs past that fail",
				 need, f ? "NDP" : "ARP", room, f ? "ipv6" : "ipv4");
			return;
		}
	}
}

int lab_check(const struct cbx_ctx *cbx, const struct cbx_topo *t, const struct lab_check_opts *o,
	      struct lab_check_report *rep, struct cbx_error *err)
{
	size_t n_probes = count_probes(t, o), np = 0;
	struct kit_probe *pr = calloc(n_probes ? n_probes : 1, sizeof(*pr));
	struct reach_span *span = calloc(t->n_checks ? t->n_checks : 1, sizeof(*span));
	struct timespec t0;
	int rc = -1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(rep, 0, sizeof(*rep));
	rep->pairs = calloc(n_probes ? n_probes : 1, sizeof(*rep->pairs));
	rep->results = calloc(t->n_checks ? t->n_checks : 1, sizeof(*rep->results));
	if (!pr || !span || !rep->pairs || !rep->results) {
		cbx_error_sys(err, ENOMEM, "check lab %s", t->name);
		goto out;
	}
	if (o->matrix) {
		matrix(t, pr, &np, rep);
		check_neighbour_room(t, rep);
	}
	if (o->checks) {
		reach_probes(t, pr, &np, span);
		rep->n_results = t->n_checks;
		for (size_t c = 0; c < t->n_checks; c++)
			rep->results[c].check = &t->checks[c];
	}
	if (kit_probe_run(t, pr, np, o->timeout_ms, err) < 0)
		goto out;
	for (size_t i = 0; i < rep->n_pairs; i++) {
		rep->pairs[i].reached = pr[i].reached;
		rep->pairs[i].rtt_ms = pr[i].rtt_us / 1000.0;
		rep->failed += rep->pairs[i].expected && !rep->pairs[i].reached;
	}
	if (o->checks && run_ports(t, o, rep, err) < 0)
		goto out;
	for (size_t c = 0; c < rep->n_results; c++) {
		const struct cbx_check *ck = &t->checks[c];
		struct lab_check_result *r = &rep->results[c];
		bool present;

		switch (ck->kind) {
		case CBX_CHECK_REACH:
		case CBX_CHECK_NO_REACH:
			reach_verdict(ck, pr, &span[c], r);
			break;
		case CBX_CHECK_EXEC:
			if (run_exec(cbx, t, ck, o->timeout_ms, r, err) < 0)
				goto out;
			break;
		case CBX_CHECK_ROUTE:
			if (kit_route_present(t, ck->on, &ck->dst, &ck->via, &present, err) < 0)
				goto out;
			r->ok = present;
			snprintf(r->detail, sizeof(r->detail), "%s",
				 present ? "present" : "absent");
			break;
		default:
			break;
		}
		rep->failed += !r->ok;
	}
	rep->seconds = seconds_since(&t0);
	rc = 0;
out:
	free(pr);
	free(span);
	if (rc < 0)
		lab_check_report_free(rep);
	return rc;
}

void lab_check_report_free(struct lab_check_report *rep)
{
	free(rep->pairs);
	free(rep->results);
	memset(rep, 0, sizeof(*rep));
}
