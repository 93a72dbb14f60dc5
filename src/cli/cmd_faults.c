/* impair, link, partition, heal, and the node faults: stop, start, restart,
 * kill, pause, resume, fill, unfill, and throttle. Every argument is checked before anything changes. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/cleanup.h"

/* What the command did, a line each ("node a stopped"): printed once it
 * is done (what was done before a failure too), or with --json the
 * "lines" of its report. */
static json_t *said;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	json_array_append_new(said, json_string(line));
}

/* --json: {"lab", "command", "lines", "faults_in_force"} (docs/json.md). */
static int print_report(const struct cli_call *c)
{
	cleanup_topo struct cbx_topo *t = NULL;
	struct lab_status st;
	struct cbx_error err;
	json_t *lab, *report;

	if (lab_load_saved(&c->cbx, c->argv[0], &t, &err) < 0 ||
	    lab_status(&c->cbx, c->argv[0], t, &st, &err) < 0)
		return cli_fail(&err);
	lab = cli_lab_json(c->argv[0], t, &st);
	lab_status_free(&st);
	report = json_pack("{s:s, s:s, s:O, s:O}", "lab", c->argv[0], "command", c->verb->name,
			   "lines", said, "faults_in_force",
			   json_object_get(lab, "faults_in_force"));
	json_decref(lab);
	cli_print_json(report);
	return 0;
}

/* lab_faults_run on the command's LAB, errors printed the CLI's way. */
static int with_lab(const struct cli_call *c, lab_faults_fn fn, void *arg)
{
	struct cbx_error err;
	size_t i;
	json_t *line;
	int rc;

	said = json_array();
	rc = lab_faults_run(&c->cbx, c->argv[0], NULL, fn, arg, &err);
	if (rc == 0 && c->opt[OPT_JSON])
		rc = print_report(c);
	else if (!c->opt[OPT_QUIET] && !c->opt[OPT_JSON])
		json_array_foreach (said, i, line)
			puts(json_string_value(line));
	if (rc < 0)
		rc = cli_fail(&err);
	json_decref(said);
	return rc;
}

/* --- impair ------------------------------------------------------------- */

/* "KEY=VALUE" into key (at most 31 bytes) and *value, or an error that
 * shows `example`. */
static int split_kv(const char *arg, char key[32], const char **value, const char *example,
		    struct cbx_error *err)
{
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg || (size_t)(eq - arg) >= 32)
		return cbx_error_set(err, CBX_ERR_INPUT, "\"%s\" is not KEY=VALUE (e.g. %s)", arg,
				     example);
	memcpy(key, arg, (size_t)(eq - arg));
	key[eq - arg] = '\0';
	*value = eq + 1;
	return 0;
}

struct impair_args {
	const char *iface; /* NULL: show */
	bool clear;
	char **kv;
	int n_kv;
};

static int show_impairments(struct lab_faults *fl, struct cbx_error *err)
{
	cleanup_free struct lab_impairment *all = NULL;
	size_t n;

	if (lab_faults_impairments(fl, &all, &n, err) < 0)
		return -1;
	if (!n)
		say("no impairments in lab %s", lab_faults_topo(fl)->name);
	for (size_t i = 0; i < n; i++)
		say("%-24s %s", all[i].iface, all[i].text);
	return 0;
}

static int do_impair(struct lab_faults *fl, void *arg, struct cbx_error *err)
{
	struct impair_args *a = arg;
	struct lab_fault_op op = { .kind = a->clear ? LAB_FAULT_CLEAR : LAB_FAULT_IMPAIR };
	struct cbx_impair im = { 0 };
	const char *problem;
	char text[256];

	if (!a->iface)
		return show_impairments(fl, err);
	if (lab_find_iface(lab_faults_topo(fl), a->iface, &op.iface, err) < 0)
		return -1;
	for (int i = 0; i < a->n_kv; i++) {
		char key[32];
		const char *value, *why;
		if (split_kv(a->kv[i], key, &value, "delay=50ms", err) < 0)
			return -1;
		if (!cbx_impair_set(&im, key, value, &why))
			return cbx_error_set(err, CBX_ERR_INPUT, "bad %s \"%s\": %s", key, value,
					     why);
	}
	if ((problem = cbx_impair_problem(&im)))
		return cbx_error_set(err, CBX_ERR_INPUT, "%s", problem);
	if (!a->clear && !cbx_impair_is_set(&im))
		return cbx_error_set(err, CBX_ERR_INPUT,
				     "nothing to set: give KEY=VALUE (delay, jitter, loss, duplicate, corrupt, reorder, rate), or clear");
	op.impair = im;
	if (lab_fault_apply(fl, &op, err) < 0)
		return -1;
	cbx_impair_format(&im, text, sizeof(text));
	say("%s: %s", a->iface, a->clear ? "impairments cleared" : text);
	return 0;
}

int cmd_impair(const struct cli_call *c)
{
	struct impair_args a = { 0 };

	if (c->argc == 1 || (c->argc == 2 && !strcmp(c->argv[1], "show")))
		return with_lab(c, do_impair, &a);
	a.iface = c->argv[1];
	if (c->argc == 3 && !strcmp(c->argv[2], "clear"))
		a.clear = true;
	else if (c->argc < 3)
		return cli_usage_error("impair", "expected KEY=VALUE... or clear after %s",
				       c->argv[1]);
	else {
		a.kv = c->argv + 2;
		a.n_kv = c->argc - 2;
	}
	return with_lab(c, do_impair, &a);
}

/* --- throttle ----------------------------------------------------------- */

struct throttle_args {
	const char *node;
	bool clear;
	char **kv;
	int n_kv;
};

static int do_throttle(struct lab_faults *fl, void *arg, struct cbx_error *err)
{
	struct throttle_args *a = arg;
	struct lab_fault_op op = { .kind = a->clear ? LAB_FAULT_UNTHROTTLE : LAB_FAULT_THROTTLE };
	char text[256];

	if (lab_find_node(lab_faults_topo(fl), a->node, &op.node, err) < 0)
		return -1;
	for (int i = 0; i < a->n_kv; i++) {
		char key[32];
		const char *value, *why;
		if (split_kv(a->kv[i], key, &value, "wbps=1M", err) < 0)
			return -1;
		if (!lab_io_max_set(&op.io, key, value, &why))
			return cbx_error_set(err, CBX_ERR_INPUT, "bad %s \"%s\": %s", key, value,
					     why);
	}
	if (lab_fault_apply(fl, &op, err) < 0)
		return -1;
	lab_io_max_format(&op.io, text, sizeof(text));
	printf("node %s: %s\n", op.node->name, a->clear ? "disk limits removed" : text);
	return 0;
}

int cmd_throttle(const struct cli_call *c)
{
	struct throttle_args a = { .node = c->argv[1] };

	if (c->argc == 3 && !strcmp(c->argv[2], "clear"))
		a.clear = true;
	else if (c->argc < 3)
		return cli_usage_error("throttle",
				       "expected KEY=VALUE... (rbps, wbps, riops, wiops) or clear after %s",
				       c->argv[1]);
	a.kv = a.clear ? NULL : c->argv + 2;
	a.n_kv = a.clear ? 0 : c->argc - 2;
	return with_lab(c, do_throttle, &a);
}

/* --- link --------------------------------------------------------------- */

struct link_args {
	bool up;
	const char *what[2];
};

static int do_link(struct lab_faults *fl, void *arg, struct cbx_error *err)
{
	struct link_args *a = arg;
	const struct cbx_topo *t = lab_faults_topo(fl);
	struct lab_fault_op op = { .kind = a->up ? LAB_FAULT_LINK_UP : LAB_FAULT_LINK_DOWN };

	if (a->what[1]) {
		const struct cbx_node *x, *y;
		if (lab_find_node(t, a->what[0], &x, err) < 0 ||
		    lab_find_node(t, a->what[1], &y, err) < 0 ||
		    lab_find_link_between(t, x, y, &op.iface, err) < 0)
			return -1;
	} else if (lab_find_iface(t, a->what[0], &op.iface, err) < 0) {
		return -1;
	}
	if (lab_fault_apply(fl, &op, err) < 0)
		return -1;
	say("link %s:%s is %s", op.iface->node->name, op.iface->name, a->up ? "up" : "down");
	return 0;
}

int cmd_link(const struct cli_call *c)
{
	struct link_args a = { 0 };

	if (strcmp(c->argv[1], "up") && strcmp(c->argv[1], "down"))
		return cli_usage_error("link",
				       "expected LAB up|down NODE:IFACE, or LAB up|down NODE NODE");
	a.up = !strcmp(c->argv[1], "up");
	a.what[0] = c->argv[2];
	a.what[1] = c->argc == 4 ? c->argv[3] : NULL;
	return with_lab(c, do_link, &a);
}

/* --- partition, heal ---------------------------------------------------- */

struct partition_args {
	bool oneway;
	const char *grudge; /* JSON text or @FILE */
	char **groups;
	int n_groups;
};

static int do_partition(struct lab_faults *fl, void *arg, struct cbx_error *err)
{
	struct partition_args *a = arg;
	const struct cbx_topo *t = lab_faults_topo(fl);
	struct lab_fault_op op = { .kind = LAB_FAULT_PARTITION };
	char desc[2048];
	int rc = -1;

	if (lab_grudge_init(&op.grudge, t->n_nodes, err) < 0)
		return -1;
	if (a->grudge ? lab_grudge_load(&op.grudge, t, a->grudge, err) < 0
		      : lab_grudge_parse_groups(&op.grudge, t, a->groups, (size_t)a->n_groups,
						a->oneway, err) < 0)
		goto out;
	if (lab_grudge_empty(&op.grudge)) {
		cbx_error_set(err, CBX_ERR_INPUT, "this partition cuts nothing");
		goto out;
	}
	rc = lab_fault_apply(fl, &op, err);
	if (rc == 0) {
		lab_grudge_describe(&op.grudge, t, desc, sizeof(desc));
		say("partition: %s", desc);
	}
out:
	lab_grudge_free(&op.grudge);
	return rc;
}

int cmd_partition(const struct cli_call *c)
{
	struct partition_args a = { .oneway = c->opt[OPT_ONEWAY], .grudge = c->opt[OPT_GRUDGE] };

	if (a.grudge) {
		if (c->argc != 1)
			return cli_usage_error("partition", "expected LAB --grudge JSON|@FILE");
		return with_lab(c, do_partition, &a);
	}
	if (c->argc < 3)
		return cli_usage_error("partition",
				       "expected LAB GROUP GROUP... (a group is nodes joined by commas: a,b c)");
	if (a.oneway && c->argc != 3)
		return cli_usage_error("partition", "--oneway takes exactly two groups: FROM TO");
	a.groups = c->argv + 1;
	a.n_groups = c->argc - 1;
	return with_lab(c, do_partition, &a);
}

static int do_heal(struct lab_faults *fl, void *arg, struct cbx_error *err)
{
	bool all = *(const bool *)arg;
	struct lab_fault_op op = { .kind = all ? LAB_FAULT_HEAL_ALL : LAB_FAULT_HEAL };

	if (lab_fault_apply(fl, &op, err) < 0)
		return -1;
	say("lab %s: %s", lab_faults_topo(fl)->name,
	    all ? "every fault undone" : "every partition healed");
	return 0;
}

int cmd_heal(const struct cli_call *c)
{
	bool all = c->opt[OPT_ALL] != NULL;

	return with_lab(c, do_heal, &all);
}

/* --- node faults -------------------------------------------------------- */

struct node_args {
	enum lab_fault_kind kind;
	const char *done; /* "stopped" */
	int grace_ms;
	bool set_clock, set_skew;
	int64_t clock_offset_us, clock_skew_us;
	const char *path; /* fill, unfill --path: a volume */
	char **names;
	int n;
};

static int do_node_fault(struct lab_faults *fl, void *arg, struct cbx_error *err)
{
	struct node_args *a = arg;
	const struct cbx_topo *t = lab_faults_topo(fl);
	cleanup_free const struct cbx_node **nodes = calloc((size_t)a->n, sizeof(*nodes));
	int rc = 0;

	if (!nodes)
		return cbx_error_sys(err, ENOMEM, "node faults");
	/* All names first: a typo changes nothing. */
	for (int i = 0; i < a->n && rc == 0; i++)
		rc = lab_find_node(t, a->names[i], &nodes[i], err);
	for (int i = 0; i < a->n && rc == 0; i++) {
		struct lab_fault_op op = { .kind = a->kind,
					   .node = nodes[i],
					   .grace_ms = a->grace_ms,
					   .set_clock = a->set_clock,
					   .clock_offset_us = a->clock_offset_us,
					   .set_skew = a->set_skew,
					   .clock_skew_us = a->clock_skew_us,
					   .path = a->path };
		rc = lab_fault_apply(fl, &op, err);
		if (rc == 0 && a->path)
			say("node %s has its volume %s %s", nodes[i]->name, a->path,
			    a->kind == LAB_FAULT_FILL ? "full" : "back");
		else if (rc == 0)
			say("node %s %s", nodes[i]->name, a->done);
	}
	return rc;
}

int cmd_node_fault(const struct cli_call *c)
{
	/* What each kind did, for the line that says so. */
	/* clang-format off */
	static const char *const done[] = {
		[LAB_FAULT_PAUSE] = "paused",	[LAB_FAULT_RESUME] = "resumed",
		[LAB_FAULT_STOP] = "stopped",	[LAB_FAULT_START] = "started",
		[LAB_FAULT_RESTART] = "restarted", [LAB_FAULT_KILL] = "killed",
		[LAB_FAULT_FILL] = "has its storage full", [LAB_FAULT_UNFILL] = "has its storage back",
	};
	/* clang-format on */
	struct node_args a = { .kind = (enum lab_fault_kind)c->verb->arg, .grace_ms = 10000 };
	const char *timeout = c->opt[OPT_TIMEOUT];

	a.done = done[a.kind];
	if (timeout) {
		char *end;
		double s = strtod(timeout, &end);
		if (!*timeout || *end || s < 0 || s > 3600)
			return cli_usage_error(c->verb->name,
					       "--timeout takes seconds, e.g. 5 or 0.5");
		a.grace_ms = (int)(s * 1000);
	}
	if (c->opt[OPT_CLOCK_OFFSET]) {
		const char *why;
		if (!cbx_parse_clock_offset_us(c->opt[OPT_CLOCK_OFFSET], &a.clock_offset_us, &why))
			return cli_usage_error(c->verb->name, "--clock-offset: %s", why);
		a.set_clock = true;
	}
	if (c->opt[OPT_CLOCK_SKEW]) {
		const char *why;
		if (!cbx_parse_clock_offset_us(c->opt[OPT_CLOCK_SKEW], &a.clock_skew_us, &why))
			return cli_usage_error(c->verb->name, "--clock-skew: %s", why);
		a.set_skew = true;
	}
	if (c->opt[OPT_PATH]) {
		if (c->argc != 2)
			return cli_usage_error(c->verb->name,
					       "--path names one node's volume: LAB NODE --path DST");
		/* "/data/" names the volume at "/data", and says so. */
		static char path[CBX_NODE_PATH_MAX];
		size_t len = strlen(c->opt[OPT_PATH]);
		while (len > 1 && c->opt[OPT_PATH][len - 1] == '/')
			len--;
		snprintf(path, sizeof(path), "%.*s", (int)len, c->opt[OPT_PATH]);
		a.path = path;
	}
	a.names = c->argv + 1;
	a.n = c->argc - 1;
	return with_lab(c, do_node_fault, &a);
}
