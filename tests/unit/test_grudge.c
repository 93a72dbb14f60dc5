/* Grudges without root: who drops whose packets, from groups of nodes and
 * from a JSON map, the errors of each, and how a grudge is described. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab/cboxlab.h"
#include "tap.h"

static const char lab[] =
	"{\"name\": \"g\", \"nodes\": {\"a\": {}, \"b\": {}, \"c\": {}, \"d\": {}}}";

static struct cbx_topo *t;

static bool drops(const struct lab_grudge *g, const char *victim, const char *from)
{
	return g->drops[cbx_topo_node(t, victim)->index * g->n + cbx_topo_node(t, from)->index];
}

static void describe(const struct lab_grudge *g, const char *want, const char *what)
{
	char buf[256];

	lab_grudge_describe(g, t, buf, sizeof(buf));
	is_str(buf, want, "%s", what);
}

/* groups[] as the command line gives them must fail as bad input with `want`. */
static void groups_reject(char *const *groups, size_t n, bool oneway, const char *want,
			  const char *what)
{
	struct lab_grudge g;
	struct cbx_error err;

	lab_grudge_init(&g, t->n_nodes, &err);
	if (ok(lab_grudge_parse_groups(&g, t, groups, n, oneway, &err) < 0 &&
		       err.kind == CBX_ERR_INPUT,
	       "rejected: %s", what))
		has_str(err.msg, want, "message for: %s", what);
	lab_grudge_free(&g);
}

static void text_reject(const char *json, const char *want, const char *what)
{
	struct lab_grudge g;
	struct cbx_error err;

	lab_grudge_init(&g, t->n_nodes, &err);
	if (ok(lab_grudge_parse_text(&g, t, json, "steps[3]", &err) < 0 &&
		       err.kind == CBX_ERR_INPUT,
	       "rejected: %s", what))
		has_str(err.msg, want, "message for: %s", what);
	lab_grudge_free(&g);
}

static void test_groups(void)
{
	char *two[] = { "a,b", "c" }, *three[] = { "a", "b", "c" }, *overlap[] = { "a,b", "b,c" };
	char *ghost[] = { "a", "zz" }, *one[] = { "a,b" };
	struct lab_grudge g;
	struct cbx_error err;

	ok(lab_grudge_init(&g, t->n_nodes, &err) == 0 && lab_grudge_empty(&g),
	   "a new grudge is empty");
	ok(lab_grudge_parse_groups(&g, t, two, 2, false, &err) == 0, "two groups");
	ok(drops(&g, "a", "c") && drops(&g, "c", "a") && drops(&g, "b", "c") && drops(&g, "c", "b"),
	   "each side drops the other");
	ok(!drops(&g, "a", "b") && !drops(&g, "b", "a"), "a group talks within itself");
	ok(!drops(&g, "d", "a") && !drops(&g, "a", "d"), "a node in no group is not cut");
	ok(!lab_grudge_empty(&g), "and the grudge is not empty");
	describe(&g, "a drops c; b drops c; c drops a,b", "described victim by victim");
	lab_grudge_free(&g);

	lab_grudge_init(&g, t->n_nodes, &err);
	ok(lab_grudge_parse_groups(&g, t, two, 2, true, &err) == 0, "one way: two groups");
	ok(drops(&g, "c", "a") && drops(&g, "c", "b") && !drops(&g, "a", "c") &&
		   !drops(&g, "b", "c"),
	   "one way: only the second group drops what the first sends");
	lab_grudge_free(&g);

	lab_grudge_init(&g, t->n_nodes, &err);
	ok(lab_grudge_parse_groups(&g, t, three, 3, false, &err) == 0 && drops(&g, "a", "b") &&
		   drops(&g, "b", "c") && drops(&g, "c", "a"),
	   "three groups: every pair cut");
	lab_grudge_free(&g);

	groups_reject(overlap, 2, false,
		      "node b is in two groups (1 and 2): groups must not overlap",
		      "overlapping groups");
	groups_reject(ghost, 2, false, "lab g has no node \"zz\"", "an unknown node");
	groups_reject(one, 1, false, "a partition needs at least two groups", "one group");
	groups_reject(three, 3, true, "a one-way partition has two groups: FROM TO",
		      "one way with three groups");
}

static void test_json(void)
{
	struct lab_grudge g;
	struct cbx_error err;
	char path[] = "/tmp/cbxt-grudge-XXXXXX", arg[64];
	FILE *f;
	int fd;

	lab_grudge_init(&g, t->n_nodes, &err);
	ok(lab_grudge_parse_text(&g, t, "{\"a\": [\"c\", \"d\"], \"c\": [\"a\"]}", "grudge",
				 &err) == 0,
	   "a map of grudges");
	ok(drops(&g, "a", "c") && drops(&g, "a", "d") && drops(&g, "c", "a") &&
		   !drops(&g, "d", "a"),
	   "each node drops exactly whom it names");
	describe(&g, "a drops c,d; c drops a", "a map described");
	lab_grudge_free(&g);

	text_reject("[\"a\"]", "steps[3]: a grudge is an object", "not an object");
	text_reject("{\"a\": \"c\"}", "steps[3].a: expected an array of node names", "not a list");
	text_reject("{\"a\": [1]}", "steps[3].a[0]: expected a node name", "not a name");
	text_reject("{\"a\": [\"a\"]}", "steps[3].a: a node cannot drop its own packets", "itself");
	text_reject("{\"zz\": [\"a\"]}", "steps[3]: lab g has no node \"zz\"", "an unknown victim");
	text_reject("{\"a\": [\"b\", \"zz\"]}", "steps[3].a[1]: lab g has no node \"zz\"",
		    "an unknown node dropped");
	text_reject("{\"a\": ", "steps[3]: 1:", "a syntax error, with where");

	fd = mkstemp(path);
	f = fdopen(fd, "w");
	fputs("{\"b\": [\"d\"]}", f);
	fclose(f);
	snprintf(arg, sizeof(arg), "@%s", path);
	lab_grudge_init(&g, t->n_nodes, &err);
	ok(lab_grudge_load(&g, t, arg, &err) == 0 && drops(&g, "b", "d"), "@FILE loads a file");
	lab_grudge_free(&g);
	unlink(path);
	lab_grudge_init(&g, t->n_nodes, &err);
	ok(lab_grudge_load(&g, t, "{\"b\": ", &err) < 0 && err.kind == CBX_ERR_INPUT,
	   "a command line's grudge that is not JSON");
	has_str(err.msg, "grudge {\"b\": : 1:", "names it and where");
	lab_grudge_free(&g);
}

int main(void)
{
	struct cbx_error err;

	if (!ok(cbx_topo_load_text(lab, sizeof(lab) - 1, "g.json", &t, &err) == 0, "the lab loads"))
		return tap_done();
	test_groups();
	test_json();
	cbx_topo_free(t);
	return tap_done();
}
