/* impair, link, partition, heal, and the node faults: stop, start, restart,
 * kill, pause, resume. Every argument is checked before anything changes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "lab/faults.h"

/* fault_lab_run, errors printed the CLI's way. */
static int with_lab(const char *lab, int (*fn)(struct fault_lab *fl, void *arg, struct cbx_error *err),
		    void *arg)
{
	struct cbx_error err;

	return fault_lab_run(&cli_cbx, lab, NULL, fn, arg, &err) < 0 ? cli_fail(&err) : 0;
}

/* --- impair ------------------------------------------------------------- */

struct impair_args {
	const char *iface; /* NULL: show */
	bool clear;
	char **kv;
	int n_kv;
};

static int show_impairments(struct fault_lab *fl)
{
	json_t *imp = json_object_get(fl->record, "impairments"), *v;
	const char *key;

	if (!json_object_size(imp))
		printf("no impairments in lab %s\n", fl->t->name);
	json_object_foreach(imp, key, v)
		printf("%-24s %s\n", key, json_string_value(v));
	return 0;
}

static int do_impair(struct fault_lab *fl, void *arg, struct cbx_error *err)
{
	struct impair_args *a = arg;
	const struct cbx_iface *ifc;
	struct cbx_impair im = { 0 };
	const char *problem;
	char text[256];

	if (!a->iface)
		return show_impairments(fl);
	if (fault_iface(fl->t, a->iface, &ifc, err) < 0)
		return -1;
	for (int i = 0; i < a->n_kv; i++) {
		char *eq = strchr(a->kv[i], '='), key[32];
		const char *why;
		if (!eq || eq == a->kv[i] || (size_t)(eq - a->kv[i]) >= sizeof(key))
			return cbx_error_set(err, CBX_ERR_INPUT, "\"%s\" is not KEY=VALUE (e.g. delay=50ms)",
					     a->kv[i]);
		memcpy(key, a->kv[i], (size_t)(eq - a->kv[i]));
		key[eq - a->kv[i]] = '\0';
		if (!cbx_impair_set(&im, key, eq + 1, &why))
			return cbx_error_set(err, CBX_ERR_INPUT, "bad %s \"%s\": %s", key, eq + 1, why);
	}
	if ((problem = cbx_impair_problem(&im)))
		return cbx_error_set(err, CBX_ERR_INPUT, "%s", problem);
	if (!a->clear && !cbx_impair_is_set(&im))
		return cbx_error_set(err, CBX_ERR_INPUT,
				     "nothing to set: give KEY=VALUE (delay, jitter, loss, duplicate, corrupt, reorder, rate), or clear");
	if (fault_impair(fl, ifc, &im, err) < 0)
		return -1;
	cbx_impair_format(&im, text, sizeof(text));
	printf("%s: %s\n", a->iface, a->clear ? "impairments cleared" : text);
	return 0;
}

int cmd_impair(int argc, char **argv)
{
	struct impair_args a = { 0 };

	if (argc < 2)
		return cli_usage_error("impair", "expected LAB [NODE:IFACE (KEY=VALUE...|clear)]");
	if (argc == 2 || (argc == 3 && !strcmp(argv[2], "show")))
		return with_lab(argv[1], do_impair, &a);
	a.iface = argv[2];
	if (argc == 4 && !strcmp(argv[3], "clear"))
		a.clear = true;
	else if (argc < 4)
		return cli_usage_error("impair", "expected KEY=VALUE... or clear after %s", argv[2]);
	else {
		a.kv = argv + 3;
		a.n_kv = argc - 3;
	}
	return with_lab(argv[1], do_impair, &a);
}

/* --- link --------------------------------------------------------------- */

struct link_args {
	bool up;
	const char *what[2];
};

static int do_link(struct fault_lab *fl, void *arg, struct cbx_error *err)
{
	struct link_args *a = arg;
	const struct cbx_iface *ifc;

	if (a->what[1]) {
		const struct cbx_node *x, *y;
		if (fault_node(fl->t, a->what[0], &x, err) < 0 || fault_node(fl->t, a->what[1], &y, err) < 0 ||
		    fault_link_between(fl, x, y, &ifc, err) < 0)
			return -1;
	} else if (fault_iface(fl->t, a->what[0], &ifc, err) < 0) {
		return -1;
	}
	if (fault_link(fl, ifc, a->up, err) < 0)
		return -1;
	printf("link %s:%s is %s\n", ifc->node->name, ifc->name, a->up ? "up" : "down");
	return 0;
}

int cmd_link(int argc, char **argv)
{
	struct link_args a = { 0 };

	if (argc < 4 || argc > 5 || (strcmp(argv[2], "up") && strcmp(argv[2], "down")))
		return cli_usage_error("link", "expected LAB up|down NODE:IFACE, or LAB up|down NODE NODE");
	a.up = !strcmp(argv[2], "up");
	a.what[0] = argv[3];
	a.what[1] = argc == 5 ? argv[4] : NULL;
	return with_lab(argv[1], do_link, &a);
}

/* --- partition, heal ---------------------------------------------------- */

struct partition_args {
	bool oneway;
	const char *grudge; /* JSON text or @FILE */
	char **groups;
	int n_groups;
};

static int do_partition(struct fault_lab *fl, void *arg, struct cbx_error *err)
{
	struct partition_args *a = arg;
	struct grudge g;
	char desc[2048];
	int rc = -1;

	if (grudge_init(&g, fl->t->n_nodes, err) < 0)
		return -1;
	if (a->grudge) {
		json_error_t je;
		json_t *map = a->grudge[0] == '@' ? json_load_file(a->grudge + 1, 0, &je)
						  : json_loads(a->grudge, 0, &je);
		if (!map) {
			char why[256];
			cbx_error_set(err, CBX_ERR_INPUT, "grudge %s: %d:%d: %s", a->grudge, je.line,
				      je.column, cbx_json_error_text(je.text, why, sizeof(why)));
			goto out;
		}
		rc = grudge_parse_json(&g, fl->t, map, "grudge", err);
		json_decref(map);
		if (rc < 0)
			goto out;
	} else {
		if (grudge_parse_groups(&g, fl->t, a->groups, (size_t)a->n_groups, a->oneway, err) < 0)
			goto out;
	}
	if (grudge_empty(&g)) {
		cbx_error_set(err, CBX_ERR_INPUT, "this partition cuts nothing");
		goto out;
	}
	rc = fault_partition(fl, &g, err);
	if (rc == 0) {
		grudge_describe(&g, fl->t, desc, sizeof(desc));
		printf("partition: %s\n", desc);
	}
out:
	grudge_free(&g);
	return rc;
}

int cmd_partition(int argc, char **argv)
{
	struct partition_args a = { 0 };

	a.oneway = cli_take_flag(&argc, argv, "--oneway");
	if (argc >= 3 && !strcmp(argv[2], "--grudge")) {
		if (argc != 4)
			return cli_usage_error("partition", "expected LAB --grudge JSON|@FILE");
		a.grudge = argv[3];
		return with_lab(argv[1], do_partition, &a);
	}
	if (argc < 4)
		return cli_usage_error("partition",
				       "expected LAB GROUP GROUP... (a group is nodes joined by commas: a,b c)");
	if (a.oneway && argc != 4)
		return cli_usage_error("partition", "--oneway takes exactly two groups: FROM TO");
	a.groups = argv + 2;
	a.n_groups = argc - 2;
	return with_lab(argv[1], do_partition, &a);
}

static int do_heal(struct fault_lab *fl, void *arg, struct cbx_error *err)
{
	(void)arg;
	if (fault_heal(fl, err) < 0)
		return -1;
	printf("lab %s: every partition healed\n", fl->t->name);
	return 0;
}

int cmd_heal(int argc, char **argv)
{
	if (argc != 2)
		return cli_usage_error("heal", "expected LAB");
	return with_lab(argv[1], do_heal, NULL);
}

/* --- node faults -------------------------------------------------------- */

enum node_fault { NF_STOP, NF_START, NF_RESTART, NF_KILL, NF_PAUSE, NF_RESUME };

struct node_args {
	enum node_fault what;
	int grace_ms;
	char **names;
	int n;
};

static int do_node_fault(struct fault_lab *fl, void *arg, struct cbx_error *err)
{
	static const char *const done[] = { "stopped", "started", "restarted", "killed", "paused",
					     "resumed" };
	struct node_args *a = arg;
	const struct cbx_node **nodes = calloc((size_t)a->n, sizeof(*nodes));
	int rc = 0;

	if (!nodes)
		return cbx_error_sys(err, ENOMEM, "node faults");
	/* All names first: a typo changes nothing. */
	for (int i = 0; i < a->n && rc == 0; i++)
		rc = fault_node(fl->t, a->names[i], &nodes[i], err);
	for (int i = 0; i < a->n && rc == 0; i++) {
		const struct cbx_node *n = nodes[i];
		switch (a->what) {
		case NF_STOP:
		case NF_KILL:
			rc = fault_stop(fl, n, a->what == NF_STOP ? a->grace_ms : 0, err);
			break;
		case NF_START:
			rc = fault_start(fl, n, err);
			break;
		case NF_RESTART:
			rc = fault_stop(fl, n, a->grace_ms, err);
			if (rc == 0)
				rc = fault_start(fl, n, err);
			break;
		case NF_PAUSE:
		case NF_RESUME:
			rc = fault_pause(fl, n, a->what == NF_PAUSE, err);
			break;
		}
		if (rc == 0)
			printf("node %s %s\n", n->name, done[a->what]);
	}
	free(nodes);
	return rc;
}

static int node_fault(int argc, char **argv, enum node_fault what, const char *cmd)
{
	struct node_args a = { .what = what, .grace_ms = 10000 };

	if ((what == NF_STOP || what == NF_RESTART) && argc >= 3 && !strcmp(argv[1], "--timeout")) {
		char *end;
		double s = strtod(argv[2], &end);
		if (*end || s < 0 || s > 3600)
			return cli_usage_error(cmd, "--timeout takes seconds, e.g. 5 or 0.5");
		a.grace_ms = (int)(s * 1000);
		argv += 2;
		argc -= 2;
	}
	if (argc < 3)
		return cli_usage_error(cmd, "expected LAB NODE...");
	a.names = argv + 2;
	a.n = argc - 2;
	return with_lab(argv[1], do_node_fault, &a);
}

int cmd_stop(int argc, char **argv) { return node_fault(argc, argv, NF_STOP, "stop"); }
int cmd_start(int argc, char **argv) { return node_fault(argc, argv, NF_START, "start"); }
int cmd_restart(int argc, char **argv) { return node_fault(argc, argv, NF_RESTART, "restart"); }
int cmd_kill(int argc, char **argv) { return node_fault(argc, argv, NF_KILL, "kill"); }
int cmd_pause(int argc, char **argv) { return node_fault(argc, argv, NF_PAUSE, "pause"); }
int cmd_resume(int argc, char **argv) { return node_fault(argc, argv, NF_RESUME, "resume"); }
