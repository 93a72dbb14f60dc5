/* validate, up, down. */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/cleanup.h"

/* Every error of the file, each on its line. */
int cmd_validate(const struct cli_call *c)
{
	cleanup_topo struct cbx_topo *t = NULL;
	struct cbx_topo_errors all = { 0 };
	struct cbx_topo_opts o = { .check_host = true,
				   .state_root = c->cbx.state_root,
				   .errors = &all };
	struct cbx_error err;

	if (cbx_topo_load_opts(c->argv[0], &o, &t, NULL, NULL, &err) < 0) {
		/* All of the same kind: bad input, but for a file not read. */
		for (size_t i = 1; i < all.n; i++) {
			snprintf(err.msg, sizeof(err.msg), "%s", all.msgs[i - 1]);
			cli_fail(&err);
		}
		if (all.n > 0)
			snprintf(err.msg, sizeof(err.msg), "%s", all.msgs[all.n - 1]);
		cbx_topo_errors_free(&all);
		return cli_fail(&err);
	}
	if (c->opt[OPT_JSON])
		cli_print_json(
			json_pack("{s:s, s:s, s:b, s:I, s:I, s:I}", "file", t->source, "name",
				  t->name, "valid", 1, "nodes", (json_int_t)t->n_nodes, "networks",
				  (json_int_t)t->n_networks, "links", (json_int_t)t->n_links));
	else if (!c->opt[OPT_QUIET])
		printf("%s: lab \"%s\" is valid: %zu node(s), %zu network(s), %zu link(s)\n",
		       t->source, t->name, t->n_nodes, t->n_networks, t->n_links);
	return 0;
}

static void print_up_text(const struct cbx_topo *t, const struct lab_up_report *rep)
{
	char ifaces[1024], pid[16];
	size_t here = 0;

	for (size_t i = 0; i < t->n_nodes; i++)
		here += cbx_node_here(t, &t->nodes[i]);
	if (t->local)
		printf("lab %s is up on host %s: %zu of its %zu node(s) in %.3f s\n", t->name,
		       t->local->name, here, t->n_nodes, rep->seconds);
	else
		printf("lab %s is up: %zu node(s) in %.3f s\n", t->name, t->n_nodes, rep->seconds);
	printf("  %-16s %-8s %s\n", "NODE", "PID", "INTERFACES");
	for (size_t i = 0; i < t->n_nodes; i++) {
		if (!cbx_node_here(t, &t->nodes[i]))
			continue;
		cli_ifaces_text(&t->nodes[i], ifaces, sizeof(ifaces));
		/* A node without processes shows its kind where the PID would be. */
		if (cbx_node_kinds[t->nodes[i].kind].processes)
			snprintf(pid, sizeof(pid), "%d", rep->pids ? (int)rep->pids[i] : 0);
		else
			snprintf(pid, sizeof(pid), "%s", cbx_node_kinds[t->nodes[i].kind].word);
		printf("  %-16s %-8s %s\n", t->nodes[i].name, pid, ifaces);
	}
	for (size_t i = 0; i < t->n_publish; i++) {
		const struct cbx_publish *p = &t->publish[i];
		if (!cbx_node_here(t, p->node)) /* another host's to publish */
			continue;
		printf("  published: host port %u/%s -> %s:%u\n", p->host_port,
		       p->proto == IPPROTO_TCP ? "tcp" : "udp", p->node->name, p->node_port);
	}
	printf("  exec: cboxlab exec %s NODE -- CMD    down: cboxlab down %s\n", t->name, t->name);
}

/* The lab as status --json shows it (one shape: docs/json.md), with what
 * only `up` knows. Its status is read after `up`'s time was taken. */
static int print_up_json(const struct cli_call *c, const struct cbx_topo *t,
			 const struct lab_up_report *rep)
{
	json_t *warnings = json_array(), *o;
	struct lab_status st;
	struct cbx_error err;

	if (lab_status(&c->cbx, t->name, t, &st, &err) < 0) {
		json_decref(warnings);
		return cli_fail(&err);
	}
	o = cli_lab_json(t->name, t, &st);
	lab_status_free(&st);
	for (size_t i = 0; i < rep->n_warnings; i++)
		json_array_append_new(warnings, json_string(rep->warnings[i]));
	/* "lab": the name, as `up --json` said it before the shapes were one. */
	json_object_set_new(o, "lab", json_string(t->name));
	json_object_set_new(o, "seconds", json_real(rep->seconds));
	json_object_set_new(o, "warnings", warnings);
	cli_print_json(o);
	return 0;
}

/* Where the time went, phase by phase (--timings). */
static void print_timings(const uint64_t *phase_us, const char *what)
{
	fprintf(stderr, "%s timings:", what);
	for (unsigned k = 0; lab_phase_name(k); k++)
		if (phase_us[k])
			fprintf(stderr, " %s %.1fms", lab_phase_name(k), phase_us[k] / 1000.0);
	fputc('\n', stderr);
}

/* up --dry-run: what up would refuse here, then its plan. */
static int print_plan(const struct cli_call *c, const struct cbx_topo *t)
{
	char what[512], undo[512];
	struct cbx_error err;
	json_t *steps = NULL;
	struct plan *p;

	if (lab_plan_check(&c->cbx, t, &p, &err) < 0)
		return cli_fail(&err);
	if (c->opt[OPT_JSON])
		steps = json_array();
	else
		printf("plan for lab %s (%zu steps):\n", t->name, lab_plan_size(p));
	for (size_t i = 0; i < lab_plan_size(p); i++) {
		lab_plan_describe(p, i, false, what, sizeof(what));
		lab_plan_describe(p, i, true, undo, sizeof(undo));
		if (steps)
			json_array_append_new(steps, json_pack("{s:I, s:s, s:s}", "step",
							       (json_int_t)(i + 1), "do", what,
							       "undo", undo));
		else
			printf("%3zu  %s\n     undo: %s\n", i + 1, what, undo);
	}
	if (steps)
		cli_print_json(json_pack("{s:s, s:s, s:o}", "name", t->name, "state", "planned",
					 "steps", steps));
	lab_plan_free(p);
	return 0;
}

static int bring_up(const struct cli_call *c, const struct cbx_topo *t, const char *text,
		    size_t len)
{
	bool json = c->opt[OPT_JSON];
	struct lab_up_report rep;
	struct cbx_error err;
	int rc = 0;

	if (lab_up(&c->cbx, t, text, len, &rep, &err) < 0)
		return cli_fail(&err);
	cli_progress_clear();
	for (size_t i = 0; i < rep.n_warnings && !json; i++)
		cli_warn(rep.warnings[i]);
	if (json)
		rc = print_up_json(c, t, &rep);
	else if (!c->opt[OPT_QUIET])
		print_up_text(t, &rep);
	if (c->opt[OPT_TIMINGS])
		print_timings(rep.phase_us, "up");
	if (c->opt[OPT_TIMINGS] && rep.pins_left_out)
		fprintf(stderr,
			"up: the nodes' mounts were copied without the host's netns pins (%zu or more)\n",
			rep.pins_left_out);
	lab_up_report_free(&rep);
	return rc;
}

int cmd_up(const struct cli_call *c)
{
	cleanup_topo struct cbx_topo *t = NULL;
	cleanup_free char *text = NULL;
	struct cbx_topo_opts o = { .check_host = true,
				   .state_root = c->cbx.state_root,
				   .host = c->opt[OPT_HOST] };
	struct cbx_error err;
	size_t len;

	if (cbx_topo_load_opts(c->argv[0], &o, &t, &text, &len, &err) < 0)
		return cli_fail(&err);
	if (c->opt[OPT_DRY_RUN])
		return print_plan(c, t);
	if (geteuid() != 0)
		return cli_error("root", 1,
				 "up needs root (namespaces, cgroups, netlink): run it as root, or with sudo (--dry-run does not)");
	return bring_up(c, t, text, len);
}

int cmd_down(const struct cli_call *c)
{
	struct lab_down_result res;
	struct cbx_error err;

	if (lab_down(&c->cbx, c->argv[0], &res, &err) < 0)
		return cli_fail(&err);
	cli_progress_clear();
	if (c->opt[OPT_TIMINGS])
		print_timings(res.phase_us, "down");
	if (res.unreaped && c->cbx.reap_wait_ms)
		fprintf(stderr,
			"cboxlab: %zu node init(s) killed are still zombies: the host's init (PID 1, their parent) has not reaped them in %ld ms (CBOXLAB_REAP_WAIT_MS); they hold nothing but their PIDs\n",
			res.unreaped, c->cbx.reap_wait_ms);
	if (c->opt[OPT_JSON])
		cli_print_json(json_pack("{s:s, s:s, s:b}", "name", res.lab, "state", "down",
					 "was_up", res.was_up));
	else if (!c->opt[OPT_QUIET])
		printf(res.was_up ? "lab %s is down\n" : "lab %s was not up; nothing left of it\n",
		       res.lab);
	return 0;
}
