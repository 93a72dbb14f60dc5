/* validate, up, down. */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/cleanup.h"

int cmd_validate(const struct cli_call *c)
{
	cleanup_topo struct cbx_topo *t = NULL;
	struct cbx_error err;

	struct cbx_topo_opts o = { .check_host = true, .state_root = c->cbx.state_root };

	if (cbx_topo_load_opts(c->argv[0], &o, &t, NULL, NULL, &err) < 0)
		return cli_fail(&err);
	printf("%s: lab \"%s\" is valid: %zu node(s), %zu network(s), %zu link(s)\n", t->source,
	       t->name, t->n_nodes, t->n_networks, t->n_links);
	return 0;
}

static void print_up_text(const struct cbx_topo *t, const struct lab_up_report *rep)
{
	char ifaces[1024];
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
		printf("  %-16s %-8d %s\n", t->nodes[i].name, rep->pids ? (int)rep->pids[i] : 0,
		       ifaces);
	}
	for (size_t i = 0; i < t->n_publish; i++) {
		const struct cbx_publish *p = &t->publish[i];
		printf("  published: host port %u/%s -> %s:%u\n", p->host_port,
		       p->proto == IPPROTO_TCP ? "tcp" : "udp", p->node->name, p->node_port);
	}
	printf("  exec: cboxlab exec %s NODE -- CMD    down: cboxlab down %s\n", t->name, t->name);
}

static void print_up_json(const struct cbx_topo *t, const struct lab_up_report *rep)
{
	json_t *nodes = json_array(), *warnings = json_array();

	for (size_t i = 0; i < t->n_nodes; i++)
		if (cbx_node_here(t, &t->nodes[i]))
			json_array_append_new(nodes,
					      json_pack("{s:s, s:i, s:o}", "name", t->nodes[i].name,
							"pid", rep->pids ? (int)rep->pids[i] : 0,
							"interfaces",
							cli_ifaces_json(&t->nodes[i])));
	for (size_t i = 0; i < rep->n_warnings; i++)
		json_array_append_new(warnings, json_string(rep->warnings[i]));
	cli_print_json(json_pack("{s:s, s:s, s:f, s:o, s:o, s:o}", "lab", t->name, "state", "up",
				 "seconds", rep->seconds, "nodes", nodes, "warnings", warnings,
				 "host", t->local ? json_string(t->local->name) : json_null()));
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
	struct plan *p;

	if (lab_plan_check(&c->cbx, t, &p, &err) < 0)
		return cli_fail(&err);
	printf("plan for lab %s (%zu steps):\n", t->name, lab_plan_size(p));
	for (size_t i = 0; i < lab_plan_size(p); i++) {
		lab_plan_describe(p, i, false, what, sizeof(what));
		lab_plan_describe(p, i, true, undo, sizeof(undo));
		printf("%3zu  %s\n     undo: %s\n", i + 1, what, undo);
	}
	lab_plan_free(p);
	return 0;
}

static int bring_up(const struct cli_call *c, const struct cbx_topo *t, const char *text,
		    size_t len)
{
	bool json = c->opt[OPT_JSON];
	struct lab_up_report rep;
	struct cbx_error err;

	if (lab_up(&c->cbx, t, text, len, &rep, &err) < 0)
		return cli_fail(&err);
	for (size_t i = 0; i < rep.n_warnings && !json; i++)
		fprintf(stderr, "cboxlab: warning: %s\n", rep.warnings[i]);
	if (json)
		print_up_json(t, &rep);
	else
		print_up_text(t, &rep);
	if (c->opt[OPT_TIMINGS])
		print_timings(rep.phase_us, "up");
	if (c->opt[OPT_TIMINGS] && rep.pins_left_out)
		fprintf(stderr,
			"up: the nodes' mounts were copied without the host's netns pins (%zu or more)\n",
			rep.pins_left_out);
	lab_up_report_free(&rep);
	return 0;
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
	if (geteuid() != 0) {
		fprintf(stderr,
			"cboxlab: up needs root (namespaces, cgroups, netlink): run it as root, or with sudo (--dry-run does not)\n");
		return 1;
	}
	return bring_up(c, t, text, len);
}

int cmd_down(const struct cli_call *c)
{
	uint64_t phase_us[LAB_PHASE_MAX] = { 0 };
	char lab[CBX_LAB_NAME_MAX + 1];
	struct cbx_error err;
	bool was_up;

	if (lab_down(&c->cbx, c->argv[0], lab, &was_up, phase_us, &err) < 0)
		return cli_fail(&err);
	if (c->opt[OPT_TIMINGS])
		print_timings(phase_us, "down");
	printf(was_up ? "lab %s is down\n" : "lab %s was not up; nothing left of it\n", lab);
	return 0;
}
