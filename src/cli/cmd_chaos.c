/* chaos: a fault timeline from a plan file or a nemesis, with an event log. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* The value after `flag`, taken out of argv; NULL when absent. */
static const char *take_value(int *argc, char **argv, const char *flag, bool *missing)
{
	for (int i = 1; i < *argc; i++) {
		if (strcmp(argv[i], flag))
			continue;
		if (i + 1 >= *argc) {
			*missing = true;
			return NULL;
		}
		const char *v = argv[i + 1];
		memmove(&argv[i], &argv[i + 2], (size_t)(*argc - i - 1) * sizeof(char *));
		*argc -= 2;
		return v;
	}
	return NULL;
}

int cmd_chaos(int argc, char **argv)
{
	bool missing = false, dry_run, interrupted;
	const char *seed_s, *log_path;
	struct cbx_nemesis_args nemesis;
	struct chaos_plan *plan;
	struct cbx_topo *t = NULL;
	struct cbx_error err;
	uint64_t seed;
	FILE *log = stdout;
	int rc;

	dry_run = cli_take_flag(&argc, argv, "--dry-run");
	seed_s = take_value(&argc, argv, "--seed", &missing);
	log_path = take_value(&argc, argv, "--log", &missing);
	nemesis.name = take_value(&argc, argv, "--nemesis", &missing);
	nemesis.interval = take_value(&argc, argv, "--interval", &missing);
	nemesis.duration = take_value(&argc, argv, "--duration", &missing);
	nemesis.nodes = take_value(&argc, argv, "--nodes", &missing);
	nemesis.loss = take_value(&argc, argv, "--loss", &missing);
	if (missing || argc != (nemesis.name ? 2 : 3))
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
	if (lab_load_saved(&cli_cbx, argv[1], &t, &err) < 0)
		return cli_fail(&err);
	rc = nemesis.name ? cbx_chaos_plan_nemesis(t, &nemesis, seed, &plan, &err)
			  : cbx_chaos_plan_load(t, argv[2], seed, &plan, &err);
	if (rc < 0) {
		cbx_topo_free(t);
		return cli_fail(&err);
	}
	if (dry_run) {
		cbx_chaos_plan_print(plan, stdout);
		cbx_chaos_plan_free(plan);
		cbx_topo_free(t);
		return 0;
	}
	if (log_path && strcmp(log_path, "-") && !(log = fopen(log_path, "we"))) {
		cbx_error_sys(&err, errno, "open the event log %s", log_path);
		cbx_chaos_plan_free(plan);
		cbx_topo_free(t);
		return cli_fail(&err);
	}
	rc = cbx_chaos_run(&cli_cbx, t->name, plan, log, &interrupted, &err);
	if (log != stdout)
		fclose(log);
	cbx_chaos_plan_free(plan);
	cbx_topo_free(t);
	if (rc < 0)
		return cli_fail(&err);
	return interrupted ? 130 : 0;
}
