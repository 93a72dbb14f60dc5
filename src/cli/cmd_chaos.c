/* chaos: a fault timeline from a plan file or a nemesis, with an event log. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/cleanup.h"

/* The plan the command line asks for: a file, or a nemesis's settings. */
static int make_plan(const struct cli_call *c, const struct cbx_topo *t, uint64_t seed,
		     struct chaos_plan **plan, struct cbx_error *err)
{
	struct cbx_nemesis_args nemesis = {
		.name = c->opt[OPT_NEMESIS],
		.interval = c->opt[OPT_INTERVAL],
		.duration = c->opt[OPT_DURATION],
		.nodes = c->opt[OPT_NODES],
		.loss = c->opt[OPT_LOSS],
	};

	if (nemesis.name)
		return cbx_chaos_plan_nemesis(t, &nemesis, seed, plan, err);
	return cbx_chaos_plan_load(t, c->argv[1], seed, plan, err);
}

static int run_plan(const struct cli_call *c, const struct cbx_topo *t,
		    const struct chaos_plan *plan)
{
	const char *log_path = c->opt[OPT_LOG];
	struct cbx_error err;
	bool interrupted;
	FILE *log = stdout;
	int rc;

	if (log_path && strcmp(log_path, "-") && !(log = fopen(log_path, "we"))) {
		cbx_error_sys(&err, errno, "open the event log %s", log_path);
		return cli_fail(&err);
	}
	rc = cbx_chaos_run(&c->cbx, t->name, plan, log, &interrupted, &err);
	if (log != stdout)
		fclose(log);
	if (rc < 0)
		return cli_fail(&err);
	return interrupted ? 130 : 0;
}

int cmd_chaos(const struct cli_call *c)
{
	const char *seed_s = c->opt[OPT_SEED];
	cleanup_topo struct cbx_topo *t = NULL;
	struct chaos_plan *plan;
	struct cbx_error err;
	uint64_t seed;
	int rc;

	if (c->argc != (c->opt[OPT_NEMESIS] ? 1 : 2))
		return cli_usage_error("chaos",
				       "expected LAB PLAN.json, or LAB --nemesis NAME --interval T --duration T [--nodes a,b] [--loss P]; options --seed N --log FILE --dry-run");
	if (seed_s) {
		char *end;
		errno = 0;
		seed = strtoull(seed_s, &end, 10);
		if (errno || *end || !*seed_s)
			return cli_usage_error("chaos", "--seed takes a number");
	} else {
		/* Logged in the start event, so the run can be replayed. */
		seed = cbx_chaos_seed();
	}
	if (lab_load_saved(&c->cbx, c->argv[0], &t, &err) < 0 ||
	    make_plan(c, t, seed, &plan, &err) < 0)
		return cli_fail(&err);
	if (c->opt[OPT_DRY_RUN]) {
		cbx_chaos_plan_print(plan, stdout);
		rc = 0;
	} else {
		rc = run_plan(c, t, plan);
	}
	cbx_chaos_plan_free(plan);
	return rc;
}
