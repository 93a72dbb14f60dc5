/* status and ls. */
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "common/cleanup.h"

static void human_bytes(int64_t v, char *buf, size_t size)
{
	if (v < 0)
		snprintf(buf, size, "-");
	else if (v >= 1 << 20)
		snprintf(buf, size, "%.1fMiB", (double)v / (1 << 20));
	else
		snprintf(buf, size, "%.0fKiB", (double)v / 1024);
}

/* "2026-12-06T05:50:02.123Z" */
static void iso_time(int64_t ms, char *buf, size_t size)
{
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;

	if (!gmtime_r(&secs, &tm) || !strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm))
		snprintf(buf, size, "?");
	else
		snprintf(buf + strlen(buf), size - strlen(buf), ".%03dZ", (int)(ms % 1000));
}

static const char *signal_name(int sig, char *buf, size_t size)
{
	const char *abbrev = sigabbrev_np(sig);

	if (abbrev)
		snprintf(buf, size, "SIG%s", abbrev);
	else
		snprintf(buf, size, "signal %d", sig);
	return buf;
}

/* "exited 3", "killed by SIGSEGV", "OOM-killed", "running" */
static void command_text(const struct lab_command_status *c, char *buf, size_t size)
{
	char sig[32];

	switch (c->state) {
	case LAB_COMMAND_EXITED:
		snprintf(buf, size, "exited %d", c->code);
		break;
	case LAB_COMMAND_KILLED:
		snprintf(buf, size, "killed by %s", signal_name(c->code, sig, sizeof(sig)));
		break;
	default:
		snprintf(buf, size, "%s", lab_command_state_name(c->state));
	}
}

static json_t *command_json(const struct lab_command_status *c)
{
	char when[64], sig[32];
	json_t *o;

	if (c->state == LAB_COMMAND_NONE)
		return json_null();
	iso_time(c->since_ms, when, sizeof(when));
	o = json_pack("{s:s, s:s, s:I}", "state", lab_command_state_name(c->state), "since", when,
		      "restarts", (json_int_t)c->restarts);
	if (c->state == LAB_COMMAND_EXITED)
		json_object_set_new(o, "exit_code", json_integer(c->code));
	if (c->state == LAB_COMMAND_KILLED || c->state == LAB_COMMAND_OOM_KILLED)
		json_object_set_new(o, "signal",
				    json_string(signal_name(c->code, sig, sizeof(sig))));
	return o;
}

/* A fault in force as an object: {"kind", "node", and "iface", "settings"
 * or "drops" by kind} (docs/json.md). */
static json_t *in_force_json(const struct lab_in_force *f)
{
	json_t *o =
		json_pack("{s:s, s:s}", "kind", lab_in_force_kind_name(f->kind), "node", f->node);

	if (f->iface)
		json_object_set_new(o, "iface", json_string(f->iface));
	if (f->kind == LAB_IN_FORCE_IMPAIR || f->kind == LAB_IN_FORCE_DISK_SLOW) {
		json_t *settings = json_object();
		for (size_t k = 0; k < f->items.n; k++) {
			const char *kv = f->items.v[k], *eq = strchr(kv, '=');
			char key[64];
			if (!eq || (size_t)(eq - kv) >= sizeof(key))
				continue;
			snprintf(key, sizeof(key), "%.*s", (int)(eq - kv), kv);
			json_object_set_new(settings, key, json_string(eq + 1));
		}
		json_object_set_new(o, "settings", settings);
	} else if (f->kind == LAB_IN_FORCE_PARTITION) {
		json_t *drops = json_array();
		for (size_t k = 0; k < f->items.n; k++)
			json_array_append_new(drops, json_string(f->items.v[k]));
		json_object_set_new(o, "drops", drops);
	} else if (f->kind == LAB_IN_FORCE_CLOCK_SKEW && f->items.n) {
		json_object_set_new(o, "skew", json_string(f->items.v[0]));
	} else if (f->kind == LAB_IN_FORCE_DISK_FULL && f->items.n) {
		json_object_set_new(o, "path", json_string(f->items.v[0]));
	}
	return o;
}

/* Each port the host publishes: {"host_port", "proto", "node", "node_port"}. */
static json_t *published_json(const struct cbx_topo *t)
{
	json_t *arr = json_array();

	for (size_t i = 0; t && i < t->n_publish; i++) {
		const struct cbx_publish *p = &t->publish[i];
		if (!cbx_node_here(t, p->node)) /* another host's to publish */
			continue;
		json_array_append_new(arr,
				      json_pack("{s:i, s:s, s:s, s:i}", "host_port",
						(int)p->host_port, "proto",
						p->proto == IPPROTO_TCP ? "tcp" : "udp", "node",
						p->node->name, "node_port", (int)p->node_port));
	}
	return arr;
}

/* {"count": N, "max": M}; max null without a bound; null when unknown. */
static json_t *processes_json(const struct lab_status *st)
{
	if (st->processes < 0)
		return json_null();
	return json_pack("{s:I, s:o}", "count", (json_int_t)st->processes, "max",
			 st->processes_max >= 0 ? json_integer(st->processes_max) : json_null());
}

json_t *cli_lab_json(const char *lab, const struct cbx_topo *t, const struct lab_status *st)
{
	json_t *nodes = json_array(), *faults = json_array(), *in_force = json_array();

	for (size_t i = 0; t && i < t->n_nodes; i++) {
		const struct lab_node_status *s = &st->nodes[i];
		if (!cbx_node_here(t, &t->nodes[i]))
			continue;
		json_t *o = json_pack("{s:s, s:s, s:i, s:s, s:o}", "name", t->nodes[i].name, "kind",
				      cbx_node_kinds[t->nodes[i].kind].word, "pid", (int)s->pid,
				      "state", lab_node_state_name(s->state), "interfaces",
				      cli_ifaces_json(&t->nodes[i]));
		json_object_set_new(o, "memory_bytes",
				    s->memory >= 0 ? json_integer(s->memory) : json_null());
		json_object_set_new(o, "command", command_json(&s->command));
		json_array_append_new(nodes, o);
	}
	for (size_t i = 0; i < st->faults.n; i++)
		json_array_append_new(faults, json_string(st->faults.v[i]));
	for (size_t i = 0; i < st->in_force.n; i++)
		json_array_append_new(in_force, in_force_json(&st->in_force.v[i]));
	return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "name", lab, "state",
			 st->state, "nodes", nodes, "published", published_json(t), "faults",
			 faults, "faults_in_force", in_force, "host",
			 t && t->local ? json_string(t->local->name) : json_null(), "processes",
			 processes_json(st));
}

static void lab_text(const char *lab, const struct cbx_topo *t, const struct lab_status *st)
{
	char ifaces[1024], mem[32], addr[CBX_PREFIX_STRLEN], pid[16];

	if (t && t->local)
		printf("lab %s: %s on host %s (%s), its part of a lab over %zu hosts\n", lab,
		       st->state, t->local->name,
		       cbx_ip_str(&t->local->address, addr, sizeof(addr)), t->n_hosts);
	else
		printf("lab %s: %s\n", lab, st->state);
	if (!t)
		return;
	printf("  %-16s %-8s %-8s %-9s %s\n", "NODE", "STATE", "PID", "MEMORY", "INTERFACES");
	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct lab_node_status *s = &st->nodes[i];
		if (!cbx_node_here(t, &t->nodes[i]))
			continue;
		cli_ifaces_text(&t->nodes[i], ifaces, sizeof(ifaces));
		human_bytes(s->memory, mem, sizeof(mem));
		/* A node without processes shows its kind where the PID would be. */
		if (cbx_node_kinds[t->nodes[i].kind].processes)
			snprintf(pid, sizeof(pid), "%d", (int)s->pid);
		else
			snprintf(pid, sizeof(pid), "%s", cbx_node_kinds[t->nodes[i].kind].word);
		printf("  %-16s %-8s %-8s %-9s %s\n", t->nodes[i].name,
		       lab_node_state_name(s->state), pid, mem, ifaces);
		if (s->command.state != LAB_COMMAND_NONE) {
			char what[64], when[64];
			command_text(&s->command, what, sizeof(what));
			iso_time(s->command.since_ms, when, sizeof(when));
			printf("    command: %s %s %s", what,
			       s->command.state == LAB_COMMAND_RUNNING ? "since" : "at", when);
			if (s->command.restarts)
				printf(" (restarted %u times)", s->command.restarts);
			printf("\n");
		}
	}
	for (size_t i = 0; i < t->n_publish; i++) {
		const struct cbx_publish *p = &t->publish[i];
		if (!cbx_node_here(t, p->node))
			continue;
		printf("  published: host port %u/%s -> %s:%u\n", p->host_port,
		       p->proto == IPPROTO_TCP ? "tcp" : "udp", p->node->name, p->node_port);
	}
	for (size_t h = 0; t->local && h < t->n_hosts; h++) {
		if (&t->hosts[h] == t->local)
			continue;
		printf("  on host %s:", t->hosts[h].name);
		for (size_t i = 0; i < t->n_nodes; i++)
			if (t->nodes[i].host == &t->hosts[h])
				printf(" %s", t->nodes[i].name);
		printf("\n");
	}
	if (st->processes >= 0 && st->processes_max >= 0)
		printf("  processes: %" PRId64 " of at most %" PRId64 "\n", st->processes,
		       st->processes_max);
	for (size_t i = 0; i < st->faults.n; i++)
		printf("  fault: %s\n", st->faults.v[i]);
}

/* One lab, as JSON (appended to `all`, or printed when all is NULL) or text. */
static int show_lab(const struct cli_call *c, const char *lab, const struct cbx_topo *t,
		    json_t *all)
{
	bool json = c->opt[OPT_JSON];
	struct lab_status st;
	struct cbx_error err;

	if (lab_status(&c->cbx, lab, t, &st, &err) < 0)
		return cli_fail(&err);
	if (json && all)
		json_array_append_new(all, cli_lab_json(lab, t, &st));
	else if (json)
		cli_print_json(cli_lab_json(lab, t, &st));
	else
		lab_text(lab, t, &st);
	lab_status_free(&st);
	return 0;
}

int cmd_status(const struct cli_call *c)
{
	bool json = c->opt[OPT_JSON];
	struct cbx_error err;
	char **labs = NULL;
	size_t n = 0;
	json_t *all = NULL;
	int rc = 0;

	if (c->argc == 1) {
		cleanup_topo struct cbx_topo *t = NULL;
		if (lab_load_saved(&c->cbx, c->argv[0], &t, &err) < 0)
			return cli_fail(&err);
		return show_lab(c, c->argv[0], t, NULL);
	}
	if (lab_list(&c->cbx, &labs, &n, &err) < 0)
		return cli_fail(&err);
	if (json)
		all = json_array();
	else if (n == 0)
		printf("no labs are up\n");
	for (size_t i = 0; i < n && rc == 0; i++) {
		cleanup_topo struct cbx_topo *t = NULL;
		lab_load_saved(&c->cbx, labs[i], &t, &err);
		rc = show_lab(c, labs[i], t, all);
	}
	if (json && rc == 0)
		cli_print_json(json_pack("{s:o}", "labs", all));
	else
		json_decref(all);
	lab_list_free(labs, n);
	return rc;
}

int cmd_ls(const struct cli_call *c)
{
	bool json = c->opt[OPT_JSON];
	struct cbx_error err;
	char **labs;
	size_t n;
	json_t *arr = json ? json_array() : NULL;

	if (lab_list(&c->cbx, &labs, &n, &err) < 0) {
		json_decref(arr);
		return cli_fail(&err);
	}
	if (!json)
		printf("%-12s %-11s %s\n", "LAB", "STATE", "NODES");
	for (size_t i = 0; i < n; i++) {
		cleanup_topo struct cbx_topo *t = NULL;
		size_t nodes = 0;
		if (lab_load_saved(&c->cbx, labs[i], &t, &err) == 0)
			nodes = t->n_nodes;
		if (json)
			json_array_append_new(arr, json_pack("{s:s, s:s, s:i}", "name", labs[i],
							     "state", lab_state(&c->cbx, labs[i]),
							     "nodes", (int)nodes));
		else
			printf("%-12s %-11s %zu\n", labs[i], lab_state(&c->cbx, labs[i]), nodes);
	}
	if (json)
		cli_print_json(json_pack("{s:o}", "labs", arr));
	lab_list_free(labs, n);
	return 0;
}
