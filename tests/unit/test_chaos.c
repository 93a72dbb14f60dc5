/* Chaos plans without root: parsing and its errors, and the generated
 * nemeses: deterministic for a seed, and each of the shape it claims. */
#include <string.h>

#include "chaos/chaos.h"
#include "tap.h"

static const char lab[] =
	"{\"name\": \"c\", \"networks\": {\"n\": {\"subnet\": \"10.0.0.0/24\"}}, \"nodes\": {"
	"\"n1\": {\"interfaces\": {\"eth0\": {\"network\": \"n\"}}},"
	"\"n2\": {\"interfaces\": {\"eth0\": {\"network\": \"n\"}}},"
	"\"n3\": {\"interfaces\": {\"eth0\": {\"network\": \"n\"}}},"
	"\"n4\": {\"interfaces\": {\"eth0\": {\"network\": \"n\"}}},"
	"\"n5\": {\"interfaces\": {\"eth0\": {\"network\": \"n\"}}}}}";

static struct cbx_topo *t;

static int parse(const char *json, struct chaos_plan *p, struct cbx_error *err)
{
	json_t *doc = json_loads(json, 0, NULL);
	int rc = chaos_plan_parse(p, t, doc, 1, "plan.json", err);

	json_decref(doc);
	return rc;
}

static void rejects(const char *json, const char *want, const char *what)
{
	struct chaos_plan p;
	struct cbx_error err;

	if (ok(parse(json, &p, &err) < 0 && err.kind == CBX_ERR_INPUT, "rejected: %s", what))
		has_str(err.msg, want, "message for: %s", what);
	else
		chaos_plan_free(&p);
}

static void test_parse(void)
{
	struct chaos_plan p;
	struct cbx_error err;
	char what[256];

	ok(parse("{\"steps\": [{\"at\": \"5s\", \"do\": \"partition\", \"groups\": [[\"n1\",\"n2\"],[\"n3\"]]},"
		 " {\"at\": \"15s\", \"do\": \"heal\"},"
		 " {\"at\": \"20s\", \"do\": \"impair\", \"iface\": \"n2:eth0\", \"loss\": \"30%\"},"
		 " {\"at\": \"25s\", \"do\": \"pause\", \"node\": \"n3\"}]}",
		 &p, &err) == 0,
	   "a plan parses");
	is_int(p.n, 4, "four steps");
	is_int(p.steps[0].at_us, 5000000, "at 5s");
	chaos_step_describe(&p, &p.steps[0], what, sizeof(what));
	is_str(what, "partition: n1 drops n3; n2 drops n3; n3 drops n1,n2", "a partition step");
	chaos_step_describe(&p, &p.steps[2], what, sizeof(what));
	is_str(what, "impair n2:eth0 loss=30%", "an impairment step");
	ok(chaos_step_removes(&p.steps[1]) && !chaos_step_removes(&p.steps[3]), "heal removes, pause applies");
	chaos_plan_free(&p);

	rejects("{\"steps\": [{\"at\": \"5s\", \"do\": \"heal\"}, {\"at\": \"2s\", \"do\": \"heal\"}]}",
		"steps[1]: \"at\" is 2s, before the step above it (5s)", "a step in the past");
	rejects("{\"steps\": [{\"at\": \"1s\", \"do\": \"pause\", \"node\": \"ghost\"}]}",
		"lab c has no node \"ghost\"", "unknown node");
	rejects("{\"steps\": [{\"at\": \"1s\", \"do\": \"impair\", \"iface\": \"n1:eth9\", \"loss\": \"1%\"}]}",
		"node n1 has no interface \"eth9\"", "unknown interface");
	rejects("{\"steps\": [{\"at\": \"1s\", \"do\": \"impair\", \"iface\": \"n1:eth0\", \"loss\": \"150%\"}]}",
		"bad loss", "loss over 100%");
	rejects("{\"steps\": [{\"at\": \"1s\", \"do\": \"impair\", \"iface\": \"n1:eth0\", \"rate\": \"fast\"}]}",
		"bad rate", "rate fast");
	rejects("{\"steps\": [{\"at\": \"1s\", \"do\": \"partition\", \"groups\": [[\"n1\",\"n2\"],[\"n2\"]]}]}",
		"node n2 is in two groups", "overlapping groups");
	rejects("{\"steps\": [{\"at\": \"soon\", \"do\": \"heal\"}]}", "bad \"at\"", "bad time");
	rejects("{\"steps\": [{\"at\": \"1s\", \"do\": \"explode\"}]}", "unknown \"do\": \"explode\"", "unknown op");
	rejects("{\"steps\": [{\"at\": \"1s\", \"do\": \"heal\", \"when\": 1}]}", "unknown key \"when\"",
		"unknown key");
	rejects("{\"nemesis\": \"random-halves\", \"interval\": \"10s\", \"duration\": \"5s\"}",
		"at least one cycle", "duration shorter than a cycle");
}

static void generate(const char *name, uint64_t seed, struct chaos_plan *p)
{
	struct nemesis_spec spec = { .name = name, .interval_us = 1000000, .duration_us = 10000000,
				     .loss = 20 };
	struct cbx_error err;

	if (chaos_plan_generate(p, t, &spec, seed, &err) < 0) {
		ok(0, "generate %s: %s", name, err.msg);
		memset(p, 0, sizeof(*p));
	}
}

static bool same_plan(const struct chaos_plan *a, const struct chaos_plan *b)
{
	char x[1024], y[1024];

	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		chaos_step_describe(a, &a->steps[i], x, sizeof(x));
		chaos_step_describe(b, &b->steps[i], y, sizeof(y));
		if (strcmp(x, y) || a->steps[i].at_us != b->steps[i].at_us)
			return false;
	}
	return true;
}

static size_t drops_of(const struct chaos_step *s, size_t i)
{
	size_t k = 0;

	for (size_t j = 0; j < s->fault.grudge.n; j++)
		k += s->fault.grudge.drops[i * s->fault.grudge.n + j];
	return k;
}

static void test_nemeses(void)
{
	struct chaos_plan a, b, c;
	bool shape = true;

	for (const char *const *n = chaos_nemeses; *n; n++) {
		generate(*n, 42, &a);
		generate(*n, 42, &b);
		ok(a.n > 0 && same_plan(&a, &b), "%s: the same seed gives the same schedule", *n);
		ok(a.n && a.steps[a.n - 1].end && a.steps[a.n - 1].at_us == 10000000,
		   "%s: the schedule ends at the duration", *n);
		chaos_plan_free(&a);
		chaos_plan_free(&b);
	}
	generate("random-halves", 1, &a);
	generate("random-halves", 2, &b);
	ok(!same_plan(&a, &b), "different seeds give different schedules");
	is_int(a.n, 11, "5 cycles of fault and heal, then end");
	ok(a.steps[0].fault.kind == LAB_FAULT_PARTITION && a.steps[1].fault.kind == LAB_FAULT_HEAL &&
		   a.steps[1].at_us == 1000000 && a.steps[2].at_us == 2000000,
	   "fault for an interval, healed for an interval");
	for (size_t i = 0; i < 5; i++) {
		size_t k = drops_of(&a.steps[0], i);
		shape &= k == 2 || k == 3; /* halves of 2 and 3 nodes */
	}
	ok(shape, "random-halves: each node drops the other half");
	chaos_plan_free(&a);
	chaos_plan_free(&b);

	generate("majorities-ring", 9, &c);
	shape = true;
	for (size_t i = 0; i < 5; i++)
		shape &= drops_of(&c.steps[0], i) == 2; /* sees itself + 2 of 4: a majority of 5 */
	ok(shape, "majorities-ring: every node sees a majority (drops 2 of 5)");
	chaos_plan_free(&c);

	generate("isolate-one", 9, &c);
	{
		size_t alone = 0, others = 0;
		for (size_t i = 0; i < 5; i++) {
			alone += drops_of(&c.steps[0], i) == 4;
			others += drops_of(&c.steps[0], i) == 1;
		}
		ok(alone == 1 && others == 4, "isolate-one: one node cut from the four others");
	}
	chaos_plan_free(&c);

	generate("bridge", 9, &c);
	{
		size_t bridges = 0;
		for (size_t i = 0; i < 5; i++)
			bridges += drops_of(&c.steps[0], i) == 0;
		ok(bridges == 1, "bridge: exactly one node drops nothing");
	}
	chaos_plan_free(&c);

	generate("pause-random", 9, &c);
	ok(c.steps[0].fault.kind == LAB_FAULT_PAUSE && c.steps[1].fault.kind == LAB_FAULT_RESUME &&
		   c.steps[0].fault.node == c.steps[1].fault.node,
	   "pause-random: the paused node is resumed");
	chaos_plan_free(&c);
}

static void test_rng(void)
{
	struct chaos_rng r = { 0 };
	bool in_range = true;

	/* splitmix64's first output for seed 0: the same on every machine. */
	is_int(chaos_rng_next(&r), (long long)0xe220a8397b1dcdafULL, "splitmix64 reference value");
	for (int i = 0; i < 1000; i++)
		in_range &= chaos_rng_below(&r, 7) < 7;
	ok(in_range, "below(n) stays below n");
}

/* The spec's settings, from a plan or from flags, named as each spells them. */
static void test_nemesis_spec(void)
{
	struct nemesis_spec spec;
	struct cbx_error err;

	ok(chaos_nemesis_spec_init(&spec, "flaky-links", "1s", "10s", NULL, NEMESIS_FROM_FLAGS, &err) == 0 &&
		   spec.interval_us == 1000000 && spec.duration_us == 10000000 && spec.loss == 20 &&
		   spec.n_nodes == 0,
	   "a spec from flags, with the default loss");
	ok(chaos_nemesis_spec_init(&spec, "flaky-links", "1s", "10s", "5%", NEMESIS_FROM_PLAN, &err) == 0 &&
		   spec.loss == 5,
	   "a plan's loss");
	if (ok(chaos_nemesis_spec_init(&spec, "isolate-one", "soon", "10s", NULL, NEMESIS_FROM_FLAGS, &err) < 0,
	       "bad --interval"))
		is_str(err.msg, "--interval: expected a duration such as 10s", "the flag is named");
	if (ok(chaos_nemesis_spec_init(&spec, "isolate-one", "1s", NULL, NULL, NEMESIS_FROM_FLAGS, &err) < 0,
	       "missing --duration"))
		is_str(err.msg, "--duration: expected a duration such as 60s", "the flag is named");
	if (ok(chaos_nemesis_spec_init(&spec, "isolate-one", "1s", "10s", "200%", NEMESIS_FROM_FLAGS, &err) < 0,
	       "bad --loss"))
		has_str(err.msg, "--loss: ", "the flag is named");
	rejects("{\"nemesis\": \"isolate-one\", \"interval\": \"soon\", \"duration\": \"10s\"}",
		"plan.json: interval: expected a duration such as \"10s\"", "bad interval in a plan");
	rejects("{\"nemesis\": 5, \"interval\": \"1s\", \"duration\": \"10s\"}",
		"plan.json: nemesis: expected a name such as \"random-halves\"", "a nemesis that is not a name");
}

int main(void)
{
	struct cbx_error err;

	if (!ok(cbx_topo_load_text(lab, sizeof(lab) - 1, "lab.json", &t, &err) == 0, "lab loads"))
		return tap_done();
	test_parse();
	test_nemeses();
	test_nemesis_spec();
	test_rng();
	cbx_topo_free(t);
	return tap_done();
}
