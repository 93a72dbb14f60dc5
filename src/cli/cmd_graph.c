/* graph: dot or Mermaid text, or SVG through Graphviz's dot. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/cleanup.h"

/* Is `prog` an executable in $PATH? */
static bool in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[4096];

	for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");
		if (n &&
		    snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, p, prog) < (int)sizeof(buf) &&
		    access(buf, X_OK) == 0)
			return true;
		p += n + (p[n] == ':');
	}
	return false;
}

static int to_svg(const char *dot, size_t len)
{
	FILE *p;
	int st;

	if (!in_path("dot")) {
		fprintf(stderr,
			"cboxlab: graph: SVG needs Graphviz's dot, which is not installed (Debian: apt install graphviz); --format dot prints the graph for it\n");
		return 1;
	}
	fflush(stdout);
	/* A fixed command: nothing of the user's reaches the shell. */
	p = popen("dot -Tsvg", "w");
	if (!p || fwrite(dot, 1, len, p) != len) {
		fprintf(stderr, "cboxlab: graph: run dot: %m\n");
		if (p)
			pclose(p);
		return 1;
	}
	st = pclose(p);
	if (st != 0) {
		fprintf(stderr, "cboxlab: graph: dot failed (status %d)\n",
			WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
		return 1;
	}
	return 0;
}

int cmd_graph(const struct cli_call *c)
{
	const char *fmt = c->opt[OPT_FORMAT] ? c->opt[OPT_FORMAT] : "dot";
	const char *arg = c->argv[0];
	cleanup_topo struct cbx_topo *t = NULL;
	struct lab_graph_state state = { 0 };
	struct lab_fault_view fv = { 0 };
	struct lab_status st = { 0 };
	bool running = false;
	struct cbx_error err;
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (strcmp(fmt, "dot") && strcmp(fmt, "mermaid") && strcmp(fmt, "svg"))
		return cli_usage_error("graph", "--format %s: expected dot, mermaid or svg", fmt);
	/* A file (or "-") is drawn as written; a lab's name, as it runs. */
	if (!strcmp(arg, "-") || strchr(arg, '/') || strstr(arg, ".json") || strstr(arg, ".yaml") ||
	    strstr(arg, ".yml")) {
		if (cbx_topo_load(arg, &t, &err) < 0)
			return cli_fail(&err);
	} else {
		if (lab_load_saved(&c->cbx, arg, &t, &err) < 0 ||
		    lab_status(&c->cbx, arg, t, &st, &err) < 0)
			return cli_fail(&err);
		if (lab_fault_view(&c->cbx, arg, t, &fv, &err) < 0) {
			lab_status_free(&st);
			return cli_fail(&err);
		}
		running = true;
		state.nodes = st.nodes;
		state.faults = &fv;
	}
	rc = lab_graph(t, running ? &state : NULL,
		       !strcmp(fmt, "mermaid") ? LAB_GRAPH_MERMAID : LAB_GRAPH_DOT, &text, &len,
		       &err);
	if (running) {
		lab_status_free(&st);
		lab_fault_view_free(&fv);
	}
	if (rc < 0)
		return cli_fail(&err);
	if (!strcmp(fmt, "svg"))
		rc = to_svg(text, len);
	else
		rc = fwrite(text, 1, len, stdout) == len ? 0 : 1;
	free(text);
	return rc;
}
