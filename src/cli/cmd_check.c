/* check: the reachability matrix and the checks, as a table, as TAP, and
 * as JUnit XML for CI. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/cleanup.h"

/* A table of who reaches whom up to this many nodes; past it, a line per
 * node. */
#define MATRIX_NODES_MAX 32

/* One cell: the pairs from `from` to the addresses of `to`. */
enum cell {
	CELL_NONE,       /* nothing expected, nothing answered */
	CELL_OK,         /* every expected address answered */
	CELL_UNEXPECTED, /* answered where the routes do not lead */
	CELL_FAIL,       /* an expected address did not answer */
};

static enum cell cell_of(const struct lab_check_report *rep, const struct cbx_node *from,
			 const struct cbx_node *to)
{
	bool ok = false, fail = false, extra = false;

	for (size_t i = 0; i < rep->n_pairs; i++) {
		const struct lab_reach_pair *p = &rep->pairs[i];
		if (p->from != from || p->to != to)
			continue;
		fail |= p->expected && !p->reached;
		ok |= p->expected && p->reached;
		extra |= !p->expected && p->reached;
	}
	return fail ? CELL_FAIL : ok ? CELL_OK : extra ? CELL_UNEXPECTED : CELL_NONE;
}

static void print_matrix(const struct cbx_topo *t, const struct lab_check_report *rep)
{
	static const char *const shown[] = { ".", "ok", "+", "XX" };
	int w = 4;

	for (size_t i = 0; i < t->n_nodes; i++)
		if ((int)strlen(t->nodes[i].name) > w)
			w = (int)strlen(t->nodes[i].name);
	if (w > 16)
		w = 16;
	printf("  %-*s", w + 4, "FROM\\TO");
	for (size_t j = 0; j < t->n_nodes; j++)
		printf(" %3zu", j + 1);
	putchar('\n');
	for (size_t i = 0; i < t->n_nodes; i++) {
		printf("  %2zu %-*.*s ", i + 1, w, w, t->nodes[i].name);
		for (size_t j = 0; j < t->n_nodes; j++)
			printf(" %3s",
			       i == j ? "-" : shown[cell_of(rep, &t->nodes[i], &t->nodes[j])]);
		putchar('\n');
	}
	printf("  ok: every address the routes lead to answers; XX: one does not; .: none expected; +: answers unexpected\n");
}

static void print_per_node(const struct cbx_topo *t, const struct lab_check_report *rep)
{
	for (size_t a = 0; a < t->n_nodes; a++) {
		size_t expected = 0, reached = 0, extra = 0;
		for (size_t i = 0; i < rep->n_pairs; i++) {
			const struct lab_reach_pair *p = &rep->pairs[i];
			if (p->from != &t->nodes[a])
				continue;
			expected += p->expected;
			reached += p->expected && p->reached;
			extra += !p->expected && p->reached;
		}
		printf("  %-16s reaches %zu of %zu expected addresses%s\n", t->nodes[a].name,
		       reached, expected, extra ? " (and some unexpected)" : "");
	}
}

static void print_text(const struct cbx_topo *t, const struct lab_check_report *rep)
{
	char ip[CBX_PREFIX_STRLEN];
	size_t pairs_failed = 0, checks_failed = 0;

	if (rep->n_pairs) {
		printf("lab %s: %zu node(s), %zu address pair(s) probed in %.3f s\n", t->name,
		       t->n_nodes, rep->n_pairs, rep->seconds);
		if (t->n_nodes <= MATRIX_NODES_MAX)
			print_matrix(t, rep);
		else
			print_per_node(t, rep);
	}
	for (size_t i = 0; i < rep->n_pairs; i++) {
		const struct lab_reach_pair *p = &rep->pairs[i];
		if (!p->expected || p->reached)
			continue;
		pairs_failed++;
		printf("FAIL %s -> %s %s: no reply (the routes lead there and back)\n",
		       p->from->name, p->to->name, cbx_ip_str(&p->addr, ip, sizeof(ip)));
	}
	if (rep->n_results)
		printf("checks:\n");
	for (size_t i = 0; i < rep->n_results; i++) {
		const struct lab_check_result *r = &rep->results[i];
		checks_failed += !r->ok;
		printf("  %-4s %s: %s\n", r->ok ? "ok" : "FAIL", r->check->name, r->detail);
	}
	if (rep->failed)
		printf("lab %s: %zu pair(s) and %zu check(s) failed\n", t->name, pairs_failed,
		       checks_failed);
	else
		printf("lab %s: every pair and check holds\n", t->name);
}

static void print_tap(const struct lab_check_report *rep)
{
	char ip[CBX_PREFIX_STRLEN];
	size_t n = 0;

	printf("TAP version 13\n");
	for (size_t i = 0; i < rep->n_pairs; i++) {
		const struct lab_reach_pair *p = &rep->pairs[i];
		if (!p->expected)
			continue;
		printf("%s %zu - %s reaches %s %s\n", p->reached ? "ok" : "not ok", ++n,
		       p->from->name, p->to->name, cbx_ip_str(&p->addr, ip, sizeof(ip)));
	}
	for (size_t i = 0; i < rep->n_results; i++) {
		const struct lab_check_result *r = &rep->results[i];
		printf("%s %zu - %s\n", r->ok ? "ok" : "not ok", ++n, r->check->name);
		printf("  # %s\n", r->detail);
	}
	printf("1..%zu\n", n);
}

/* --json: {"lab", "result", "seconds", "failed", "pairs": [{"from", "to", "address",
 * "expected", "reached", "rtt_ms"}], "checks": [{"name", "kind", "ok",
 * "detail"}], "warning"?} (docs/json.md). */
static void print_json(const struct cbx_topo *t, const struct lab_check_report *rep)
{
	json_t *pairs = json_array(), *checks = json_array(), *o;
	char ip[CBX_PREFIX_STRLEN];

	for (size_t i = 0; i < rep->n_pairs; i++) {
		const struct lab_reach_pair *p = &rep->pairs[i];
		o = json_pack("{s:s, s:s, s:s, s:b, s:b}", "from", p->from->name, "to", p->to->name,
			      "address", cbx_ip_str(&p->addr, ip, sizeof(ip)), "expected",
			      p->expected, "reached", p->reached);
		json_object_set_new(o, "rtt_ms", p->reached ? json_real(p->rtt_ms) : json_null());
		json_array_append_new(pairs, o);
	}
	for (size_t i = 0; i < rep->n_results; i++) {
		const struct lab_check_result *r = &rep->results[i];
		json_array_append_new(checks,
				      json_pack("{s:s, s:s, s:b, s:s}", "name", r->check->name,
						"kind", cbx_check_kind_name(r->check->kind), "ok",
						r->ok, "detail", r->detail));
	}
	o = json_pack("{s:s, s:s, s:f, s:I, s:o, s:o}", "lab", t->name, "result",
		      rep->failed ? "fail" : "pass", "seconds", rep->seconds, "failed",
		      (json_int_t)rep->failed, "pairs", pairs, "checks", checks);
	if (o && rep->warning[0])
		json_object_set_new(o, "warning", json_string(rep->warning));
	cli_print_json(o);
}

/* Text for XML: markup characters as entities, control bytes (which XML
 * 1.0 does not allow) as '?'. */
static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc((unsigned char)*s < 0x20 && *s != '\t' ? '?' : *s, f);
		}
	}
}

static int write_junit(const char *path, const struct cbx_topo *t,
		       const struct lab_check_report *rep)
{
	char ip[CBX_PREFIX_STRLEN], name[256];
	size_t pairs = 0, pairs_failed = 0, checks_failed = 0;
	FILE *f = !strcmp(path, "-") ? stdout : fopen(path, "w");

	if (!f) {
		cli_error("system", 2, "check: write %s: %m", path);
		return -1;
	}
	for (size_t i = 0; i < rep->n_pairs; i++) {
		pairs += rep->pairs[i].expected;
		pairs_failed += rep->pairs[i].expected && !rep->pairs[i].reached;
	}
	for (size_t i = 0; i < rep->n_results; i++)
		checks_failed += !rep->results[i].ok;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"");
	xml_text(f, t->name);
	fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" time=\"%.3f\">\n", pairs + rep->n_results,
		pairs_failed + checks_failed, rep->seconds);
	fprintf(f, "  <testsuite name=\"reachability\" tests=\"%zu\" failures=\"%zu\">\n", pairs,
		pairs_failed);
	for (size_t i = 0; i < rep->n_pairs; i++) {
		const struct lab_reach_pair *p = &rep->pairs[i];
		if (!p->expected)
			continue;
		snprintf(name, sizeof(name), "%s reaches %s %s", p->from->name, p->to->name,
			 cbx_ip_str(&p->addr, ip, sizeof(ip)));
		fprintf(f, "    <testcase classname=\"reachability\" name=\"");
		xml_text(f, name);
		if (p->reached)
			fprintf(f, "\" time=\"%.4f\"/>\n", p->rtt_ms / 1000);
		else
			fprintf(f, "\"><failure message=\"no reply\"/></testcase>\n");
	}
	fprintf(f, "  </testsuite>\n  <testsuite name=\"checks\" tests=\"%zu\" failures=\"%zu\">\n",
		rep->n_results, checks_failed);
	for (size_t i = 0; i < rep->n_results; i++) {
		const struct lab_check_result *r = &rep->results[i];
		fprintf(f, "    <testcase classname=\"%s\" name=\"",
			cbx_check_kind_name(r->check->kind));
		xml_text(f, r->check->name);
		if (r->ok) {
			fprintf(f, "\"/>\n");
			continue;
		}
		fprintf(f, "\"><failure message=\"");
		xml_text(f, r->detail);
		fprintf(f, "\"/></testcase>\n");
	}
	fprintf(f, "  </testsuite>\n</testsuites>\n");
	if (f != stdout && fclose(f) != 0) {
		cli_error("system", 2, "check: write %s: %m", path);
		return -1;
	}
	return 0;
}

static int parse_timeout(const char *s, int *ms)
{
	const char *why;
	uint64_t us;
	char *end;
	double sec;

	if (!s) {
		*ms = 2000;
		return 0;
	}
	sec = strtod(s, &end);
	if (end != s && !*end && sec >= 0 && sec <= 600) {
		*ms = (int)(sec * 1000);
		return 0;
	}
	if (cbx_parse_duration_us(s, &us, &why) && us <= 600000000ull) {
		*ms = (int)(us / 1000);
		return 0;
	}
	return cli_usage_error("check",
			       "--timeout %s: expected seconds (2, 0.5) or a duration (500ms)", s);
}

int cmd_check(const struct cli_call *c)
{
	struct lab_check_opts o = { .matrix = !c->opt[OPT_NO_MATRIX], .checks = true };
	cleanup_topo struct cbx_topo *t = NULL;
	struct lab_check_report rep;
	struct cbx_error err;
	int rc;

	if (parse_timeout(c->opt[OPT_TIMEOUT], &o.timeout_ms) != 0)
		return 2;
	if ((c->opt[OPT_TAP] || c->opt[OPT_JSON]) && c->opt[OPT_JUNIT] &&
	    !strcmp(c->opt[OPT_JUNIT], "-"))
		return cli_usage_error("check", "--%s and --junit - both want standard output",
				       c->opt[OPT_TAP] ? "tap" : "json");
	if (c->opt[OPT_TAP] && c->opt[OPT_JSON])
		return cli_usage_error("check", "--tap or --json: one report on standard output");
	if (lab_load_saved(&c->cbx, c->argv[0], &t, &err) < 0 ||
	    (c->argc > 1 && cbx_topo_load_checks(t, c->argv[1], &err) < 0))
		return cli_fail(&err);
	/* The checks' commands read nothing: none may wait on our input. */
	{
		cleanup_close int null = open("/dev/null", O_RDONLY);
		if (null >= 0)
			dup2(null, 0);
	}
	if (lab_check(&c->cbx, t, &o, &rep, &err) < 0)
		return cli_fail(&err);
	if (rep.warning[0])
		cli_warn(rep.warning);
	if (c->opt[OPT_TAP])
		print_tap(&rep);
	else if (c->opt[OPT_JSON])
		print_json(t, &rep);
	else if (!(c->opt[OPT_JUNIT] && !strcmp(c->opt[OPT_JUNIT], "-")))
		print_text(t, &rep);
	rc = rep.failed ? 1 : 0;
	if (c->opt[OPT_JUNIT] && write_junit(c->opt[OPT_JUNIT], t, &rep) < 0)
		rc = 2;
	lab_check_report_free(&rep);
	fflush(stdout);
	return rc;
}
