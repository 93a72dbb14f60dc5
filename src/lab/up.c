#include <errno.h>
#include <linux/netlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "common/cleanup.h"
#include "lab/host_check.h"
#include "lab/host_underlay.h"
#include "lab/lab.h"
#include "lab/plan.h"
#include "runtime/node_setup.h"

/* What the host has that the lab would collide with (lab/host_check.h). */
static int check_host(struct lab_ctx *ctx, struct cbx_error *err)
{
	struct nl_conn *c;

	if (!host_check_needed(ctx->t))
		return 0;
	if (!(c = lab_rtnl(ctx, err)))
		return -1;
	return lab_check_host(ctx->cbx, ctx->t, c, err);
}

/* A host's part of a lab over hosts: on that host, over an underlay that
 * carries what the file says (lab/host_underlay.h). */
static int check_underlay(struct lab_ctx *ctx, struct cbx_error *err)
{
	struct nl_conn *c;

	if (!ctx->t->local)
		return 0;
	if (!(c = lab_rtnl(ctx, err)))
		return -1;
	return lab_check_underlay(ctx->t, c, err);
}

/* A lab over hosts comes up a host's part at a time, each on its host. */
static int check_part(const struct cbx_topo *t, struct cbx_error *err)
{
	if (!t->n_hosts || t->local)
		return 0;
	return cbx_error_set(err, CBX_ERR_INPUT,
			     "lab %s spans %zu hosts: bring up each host's part on that host, with --host NAME (the first is \"%s\")",
			     t->name, t->n_hosts, t->hosts[0].name);
}

int lab_up(const struct cbx_ctx *cbx, const struct cbx_topo *t, const char *text, size_t len,
	   struct lab_up_report *rep, struct cbx_error *err)
{
	struct timespec t0, t1;
	struct lab_ctx ctx;
	struct plan plan = { 0 };
	int rc = -1;

	memset(rep, 0, sizeof(*rep));
	if (check_part(t, err) < 0)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* Nothing is made before these checks; an image's layers are
	 * unpacked into the cache (not the lab's) among them, so a bad image
	 * leaves nothing of the lab, not even its lock file. */
	if (lab_ctx_init(&ctx, cbx, t, true, err) < 0 || lab_check_descriptors(&ctx, err) < 0 ||
	    check_host(&ctx, err) < 0 || check_underlay(&ctx, err) < 0 ||
	    lab_images_prepare(&ctx, err) < 0 ||
	    lab_lock(cbx, t->name, true, &ctx.lock_fd, err) < 0)
		goto out;
	cbx_cgroups_for_lab(&ctx.cg, t);
	/* Nodes set themselves up in parallel at the lowest priority, and
	 * wait for us: we go first (runtime/node_setup.h). Best effort. */
	setpriority(PRIO_PROCESS, 0, CBX_UP_NICE);
	ctx.topology_text = text;
	ctx.topology_len = len;
	if (plan_build(cbx, t, &plan, err) < 0)
		goto out;
	if (plan_execute(&ctx, &plan, err) < 0)
		goto out;

	rep->pids = calloc(t->n_nodes ? t->n_nodes : 1, sizeof(pid_t));
	if (rep->pids)
		for (size_t i = 0; i < t->n_nodes; i++)
			rep->pids[i] = ctx.nodes[i].proc.pid;
	memcpy(rep->phase_us, ctx.phase_us, sizeof(ctx.phase_us));
	rep->pins_left_out = ctx.pins_left_out;
	/* Copies: a warning may live in the lab's arena, gone with ctx. */
	for (size_t i = 0; i < ctx.n_warnings; i++)
		if ((rep->warnings[rep->n_warnings] = strdup(ctx.warnings[i])))
			rep->n_warnings++;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	rep->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	rc = 0;
out:
	plan_free(&plan);
	/* A failed `up` of a new lab leaves no lock file either; a second `up`
	 * of a lab that is up leaves that lab's alone. */
	lab_unlock(cbx, t->name, ctx.lock_fd, rc < 0 && ctx.state_owned);
	ctx.lock_fd = -1;
	lab_ctx_fini(&ctx);
	return rc;
}

int lab_plan_check(const struct cbx_ctx *cbx, const struct cbx_topo *t, struct plan **out,
		   struct cbx_error *err)
{
	cleanup_free struct plan *p = NULL;
	struct nl_conn rtnl = { 0 };
	int rc;

	*out = NULL;
	if (check_part(t, err) < 0)
		return -1;
	/* Read only: the host's routes, addresses and sockets. */
	if (host_check_needed(t)) {
		rc = nl_open(&rtnl, NETLINK_ROUTE, err);
		if (rc == 0)
			rc = lab_check_host(cbx, t, &rtnl, err);
		nl_close(&rtnl);
		if (rc < 0)
			return -1;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return cbx_error_sys(err, ENOMEM, "plan lab %s", t->name);
	if (plan_build(cbx, t, p, err) < 0)
		return -1;
	*out = p;
	p = NULL;
	return 0;
}

size_t lab_plan_size(const struct plan *p)
{
	return p->n;
}

void lab_plan_describe(const struct plan *p, size_t i, bool undo, char *buf, size_t size)
{
	plan_step_describe(&p->steps[i], undo, buf, size);
}

void lab_plan_free(struct plan *p)
{
	if (!p)
		return;
	plan_free(p);
	free(p);
}

void lab_up_report_free(struct lab_up_report *rep)
{
	free(rep->pids);
	rep->pids = NULL;
	for (size_t i = 0; i < rep->n_warnings; i++)
		free((char *)rep->warnings[i]);
	rep->n_warnings = 0;
}
