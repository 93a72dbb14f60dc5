#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "lab/lab.h"
#include "lab/plan.h"

/* A lab holds a few descriptors per node while it comes up (sync socket,
 * netns); a 1000-node lab needs more than the usual soft limit of 1024. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int lab_up(const struct cbx_topo *t, const char *text, size_t len, struct lab_up_report *rep,
	   struct cbx_error *err)
{
	struct timespec t0, t1;
	struct lab_ctx ctx;
	struct plan plan = { 0 };
	int rc = -1;

	memset(rep, 0, sizeof(*rep));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	raise_fd_limit();
	if (lab_ctx_init(&ctx, t, true, err) < 0)
		goto out;
	ctx.topology_text = text;
	ctx.topology_len = len;
	if (plan_build(t, &plan, err) < 0 || plan_execute(&ctx, &plan, err) < 0)
		goto out;

	rep->pids = calloc(t->n_nodes ? t->n_nodes : 1, sizeof(pid_t));
	if (rep->pids)
		for (size_t i = 0; i < t->n_nodes; i++)
			rep->pids[i] = ctx.nodes[i].proc.pid;
	memcpy(rep->phase_us, ctx.phase_us, sizeof(rep->phase_us));
	for (size_t i = 0; i < ctx.n_warnings; i++)
		rep->warnings[rep->n_warnings++] = ctx.warnings[i];
	clock_gettime(CLOCK_MONOTONIC, &t1);
	rep->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	rc = 0;
out:
	plan_free(&plan);
	lab_ctx_fini(&ctx);
	return rc;
}

void lab_up_report_free(struct lab_up_report *rep)
{
	free(rep->pids);
	rep->pids = NULL;
}
