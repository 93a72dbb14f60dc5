/* status and ls. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "lab/faults.h"
#include "lab/lab.h"
#include "runtime/cgroup.h"

struct node_status {
	pid_t pid;
	const char *state; /* running, paused, stopped */
	int64_t memory;    /* bytes, -1 unknown */
};

static struct node_status node_status(const struct cbx_cgroups *cg, const char *lab,
				      const struct cbx_node *n)
{
	struct node_status s = { .pid = lab_node_pid(&cli_cbx, lab, n->name), .memory = -1 };

	s.state = "stopped";
	if (s.pid > 0) {
		s.state = cg->ops->frozen(cg, lab, n->name) == 1 ? "paused" : "running";
		s.memory = cg->ops->memory_current(cg, lab, n->name);
	}
	return s;
}

static void human_bytes(int64_t v, char *buf, size_t size)
{
	if (v < 0)
		snprintf(buf, size, "-");
	else if (v >= 1 << 20)
		snprintf(buf, size, "%.1fMiB", (double)v / (1 << 20));
	else
		snprintf(buf, size, "%.0fKiB", (double)v / 1024);
}

static json_t *lab_json(const struct cbx_cgroups *cg, const char *lab, struct cbx_topo *t)
{
	json_t *nodes = json_array();

	for (size_t i = 0; t && i < t->n_nodes; i++) {
		struct node_status s = node_status(cg, lab, &t->nodes[i]);
		json_t *o = json_pack("{s:s, s:i, s:s, s:o}", "name", t->nodes[i].name, "pid",
				      (int)s.pid, "state", s.state, "interfaces",
				      cli_ifaces_json(&t->nodes[i]));
		json_object_set_new(o, "memory_bytes", s.memory >= 0 ? json_integer(s.memory) : json_null());
		json_array_append_new(nodes, o);
	}
	return json_pack("{s:s, s:s, s:o, s:o}", "name", lab, "state", lab_state(&cli_cbx, lab), "nodes", nodes,
			 "faults", fault_summary(&cli_cbx, lab, t, cg));
}

static void lab_text(const struct cbx_cgroups *cg, const char *lab, struct cbx_topo *t)
{
	char ifaces[1024], mem[32];
	json_t *faults, *f;
	size_t k;

	printf("lab %s: %s\n", lab, lab_state(&cli_cbx, lab));
	if (!t)
		return;
	printf("  %-16s %-8s %-8s %-9s %s\n", "NODE", "STATE", "PID", "MEMORY", "INTERFACES");
	for (size_t i = 0; i < t->n_nodes; i++) {
		struct node_status s = node_status(cg, lab, &t->nodes[i]);
		cli_ifaces_text(&t->nodes[i], ifaces, sizeof(ifaces));
		human_bytes(s.memory, mem, sizeof(mem));
		printf("  %-16s %-8s %-8d %-9s %s\n", t->nodes[i].name, s.state, (int)s.pid, mem, ifaces);
	}
	faults = fault_summary(&cli_cbx, lab, t, cg);
	json_array_foreach(faults, k, f)
		printf("  fault: %s\n", json_string_value(f));
	json_decref(faults);
}

int cmd_status(int argc, char **argv)
{
	bool json = cli_take_flag(&argc, argv, "--json");
	struct cbx_cgroups cg;
	struct cbx_error err;
	char **labs = NULL;
	size_t n = 0;
	json_t *all = NULL;

	if (argc > 2)
		return cli_usage_error("status", "expected at most one LAB");
	if (cbx_cgroups_detect(&cg, &err) < 0)
		return cli_fail(&err);
	if (argc == 2) {
		struct cbx_topo *t;
		if (lab_load_saved(&cli_cbx, argv[1], &t, &err) < 0)
			return cli_fail(&err);
		if (json)
			cli_print_json(lab_json(&cg, argv[1], t));
		else
			lab_text(&cg, argv[1], t);
		cbx_topo_free(t);
		return 0;
	}
	if (lab_list(&cli_cbx, &labs, &n, &err) < 0)
		return cli_fail(&err);
	if (json)
		all = json_array();
	else if (n == 0)
		printf("no labs are up\n");
	for (size_t i = 0; i < n; i++) {
		struct cbx_topo *t = NULL;
		lab_load_saved(&cli_cbx, labs[i], &t, &err);
		if (json)
			json_array_append_new(all, lab_json(&cg, labs[i], t));
		else
			lab_text(&cg, labs[i], t);
		cbx_topo_free(t);
	}
	if (json)
		cli_print_json(json_pack("{s:o}", "labs", all));
	lab_list_free(labs, n);
	return 0;
}

int cmd_ls(int argc, char **argv)
{
	bool json = cli_take_flag(&argc, argv, "--json");
	struct cbx_error err;
	char **labs;
	size_t n;
	json_t *arr = json ? json_array() : NULL;

	if (argc != 1)
		return cli_usage_error("ls", "takes no arguments");
	if (lab_list(&cli_cbx, &labs, &n, &err) < 0)
		return cli_fail(&err);
	if (!json)
		printf("%-12s %-11s %s\n", "LAB", "STATE", "NODES");
	for (size_t i = 0; i < n; i++) {
		struct cbx_topo *t = NULL;
		size_t nodes = 0;
		if (lab_load_saved(&cli_cbx, labs[i], &t, &err) == 0)
			nodes = t->n_nodes;
		if (json)
			json_array_append_new(arr, json_pack("{s:s, s:s, s:i}", "name", labs[i], "state",
							     lab_state(&cli_cbx, labs[i]), "nodes", (int)nodes));
		else
			printf("%-12s %-11s %zu\n", labs[i], lab_state(&cli_cbx, labs[i]), nodes);
		cbx_topo_free(t);
	}
	if (json)
		cli_print_json(json_pack("{s:o}", "labs", arr));
	lab_list_free(labs, n);
	return 0;
}
