/* chaos: a fault timeline from a plan file or a nemesis, with an event log. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chaos/chaos.h"
#include "cli/cli.h"
#include "lab/lab.h"

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

static int nemesis_from_flags(struct chaos_plan *plan, const struct cbx_topo *t, const char *name,
			      const char *interval, const char *duration, const char *nodes,
			      const char *loss, uint64_t seed, struct cbx_error *err)
{
	struct nemesis_spec spec;
	int rc;

	if (chaos_nemesis_spec_init(&spec, name, interval, duration, loss, NEMESIS_FROM_FLAGS, err) < 0)
		return -1;
	if (nodes) {
		char *copy = strdup(nodes), *save = NULL;
		spec.nodes = calloc(strlen(nodes) + 1, sizeof(*spec.nodes));
		if (!copy || !spec.nodes) {
			free(copy);
			free(spec.nodes);
			return cbx_error_sys(err, ENOMEM, "chaos");
		}
		for (char *n = strtok_r(copy, ",", &save); n; n = strtok_r(NULL, ",", &save)) {
			if (lab_find_node(t, n, &spec.nodes[spec.n_nodes++], err) < 0) {
				free(copy);
				free(spec.nodes);
				return -1;
			}
		}
		free(copy);
	}
	rc = chaos_plan_generate(plan, t, &spec, seed, err);
	free(spec.nodes);
	return rc;
}

int cmd_chaos(int argc, char **argv)
{
	bool missing = false, dry_run, interrupted;
	const char *seed_s, *log_path, *nemesis, *interval, *duration, *nodes, *loss;
	struct chaos_plan plan;
	struct cbx_topo *t = NULL;
	struct cbx_error err;
	uint64_t seed;
	FILE *log = stdout;
	int rc;

	dry_run = cli_take_flag(&argc, argv, "--dry-run");
	seed_s = take_value(&argc, argv, "--seed", &missing);
	log_path = take_value(&argc, argv, "--log", &missing);
	nemesis = take_value(&argc, argv, "--nemesis", &missing);
	interval = take_value(&argc, argv, "--interval", &missing);
	duration = take_value(&argc, argv, "--duration", &missing);
	nodes = take_value(&argc, argv, "--nodes", &missing);
	loss = take_value(&argc, argv, "--loss", &missing);
	if (missing || argc != (nemesis ? 2 : 3))
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
		seed = (uint64_t)time(NULL) * 1000003u ^ (uint64_t)getpid();
	}
	if (lab_load_saved(&cli_cbx, argv[1], &t, &err) < 0)
		return cli_fail(&err);
	if (nemesis) {
		rc = nemesis_from_flags(&plan, t, nemesis, interval, duration, nodes, loss, seed, &err);
	} else {
		json_error_t je;
		json_t *doc = json_load_file(argv[2], JSON_REJECT_DUPLICATES, &je);
		if (!doc) {
			char why[256];
			cbx_error_set(&err, CBX_ERR_INPUT, "%s:%d:%d: %s", argv[2], je.line, je.column,
				      cbx_json_error_text(je.text, why, sizeof(why)));
			rc = -1;
		} else {
			rc = chaos_plan_parse(&plan, t, doc, seed, argv[2], &err);
			json_decref(doc);
		}
	}
	if (rc < 0) {
		cbx_topo_free(t);
		return cli_fail(&err);
	}
	if (dry_run) {
		chaos_plan_print(&plan, stdout);
		chaos_plan_free(&plan);
		cbx_topo_free(t);
		return 0;
	}
	if (log_path && strcmp(log_path, "-") && !(log = fopen(log_path, "we"))) {
		cbx_error_sys(&err, errno, "open the event log %s", log_path);
		chaos_plan_free(&plan);
		cbx_topo_free(t);
		return cli_fail(&err);
	}
	rc = chaos_run(&cli_cbx, t->name, &plan, log, &interrupted, &err);
	if (log != stdout)
		fclose(log);
	chaos_plan_free(&plan);
	cbx_topo_free(t);
	if (rc < 0)
		return cli_fail(&err);
	return interrupted ? 130 : 0;
}
