/* Chaos plans without root: parsing and its errors, and the generated
 * nemeses: deterministic for a seed, and each of the shape it claims. */
#include <stdlib.h>
#include <string.h>

#include "chaos/chaos.h"
#include "tap.h"

static const char lab[] =
	"{\"name\": \"c\", \"networks\": {\"n\": {\"subnet\": \"10.0.0.0/24\"}}, \"nodes\": {"
	"\"n1\": {\"interfaces\": {\"eth0\": {\"network\": \"n\"}}},"
	"\"n2\": {\"interfaces\": {\"eth0\": {\"network\": \"n\"}}, \"storage_size\": \"8M\"},"
	"\"n3\": {\"interfaces\": {\"eth0\": {\"network\": \"n\"}}},"
	"\"n4\": {\"interfaces\": {\"eth0\": {\"network\": \"n\"}}, \"storage_size\": \"8M\"},"
	"\"n5\": {\"interfaces\": {\"eth0\": {\"network\": \"n\"}}, \"storage\": \"disk\"}}}";

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

/* A slow disk's limits as the CLI, plans and the record spell them. */
static void test_io_max(void)
{
	struct lab_io_max io = { 0 };
	const char *why = NULL;
	char text[128];

	ok(!lab_io_max_is_set(&io), "no limits: none set");
	ok(lab_io_max_set(&io, "rbps", "2M", &why) && io.rbps == 2 << 20, "rbps=2M");
	ok(lab_io_max_set(&io, "wiops", "50", &why) && io.wiops == 50, "wiops=50");
	lab_io_max_format(&io, text, sizeof(text));
	is_str(text, "rbps=2097152 wiops=50", "formatted, the ones set, in io.max's order");
	ok(!lab_io_max_set(&io, "wbps", "0", &why), "wbps=0 refused (it would stop the disk)");
	ok(!lab_io_max_set(&io, "riops", "-1", &why) && !lab_io_max_set(&io, "riops", "1x", &why),
	   "riops must be a whole number");
	ok(!lab_io_max_set(&io, "speed", "1", &why), "an unknown limit refused");
	has_str(why, "rbps, wbps, riops, wiops", "naming the ones there are");
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
	ok(chaos_step_removes(&p.steps[1]) && !chaos_step_removes(&p.steps[3]),
	   "heal removes, pause applies");
	chaos_plan_free(&p);

	ok(parse("{\"steps\": [{\"at\": \"1s\", \"do\": \"heal\", \"all\": true},"
		 " {\"at\": \"2s\", \"do\": \"heal\", \"all\": false}]}",
		 &p, &err) == 0,
	   "heal with \"all\" parses");
	ok(p.steps[0].fault.kind == LAB_FAULT_HEAL_ALL && p.steps[1].fault.kind == LAB_FAULT_HEAL,
	   "\"all\": true undoes every fault; false is a plain heal");
	chaos_step_describe(&p, &p.steps[0], what, sizeof(what));
	is_str(what, "heal-all", "named heal-all, as the run's own last heal is logged");
	ok(chaos_step_removes(&p.steps[0]), "heal-all removes");
	chaos_plan_free(&p);
	rejects("{\"steps\": [{\"at\": \"1s\", \"do\": \"heal\", \"all\": \"yes\"}]}",
		"\"all\" is true or false", "all not a boolean");
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
	rejects("{\"steps\": [{\"at\": \"1s\", \"do\": \"explode\"}]}",
		"unknown \"do\": \"explode\"", "unknown op");
	rejects("{\"steps\": [{\"at\": \"1s\", \"do\": \"heal\", \"when\": 1}]}",
		"unknown key \"when\"", "unknown key");
	rejects("{\"nemesis\": \"random-halves\", \"interval\": \"10s\", \"duration\": \"5s\"}",
		"at least one cycle", "duration shorter than a cycle");

	/* Disk and clock faults. */
	ok(parse("{\"steps\": [{\"at\": \"1s\", \"do\": \"fill\", \"node\": \"n2\"},"
		 " {\"at\": \"2s\", \"do\": \"unfill\", \"node\": \"n2\"},"
		 " {\"at\": \"3s\", \"do\": \"clock-skew\", \"node\": \"n1\", \"skew\": \"+300s\"},"
		 " {\"at\": \"4s\", \"do\": \"restart\", \"node\": \"n1\"}]}",
		 &p, &err) == 0,
	   "a plan of disk and clock faults parses");
	chaos_step_describe(&p, &p.steps[0], what, sizeof(what));
	is_str(what, "fill n2", "a fill step");
	ok(!chaos_step_removes(&p.steps[0]) && chaos_step_removes(&p.steps[1]),
	   "fill applies, unfill removes");
	chaos_step_describe(&p, &p.steps[2], what, sizeof(what));
	is_str(what, "clock-skew n1 +300s", "a clock-skew step names its skew");
	is_int(p.steps[2].fault.clock_skew_us, 300000000, "the skew in microseconds");
	is_int(p.steps[2].fault.grace_ms, CHAOS_STOP_GRACE_MS, "clock-skew restarts with a grace");
	chaos_plan_free(&p);
	rejects("{\"steps\": [{\"at\": \"1s\", \"do\": \"fill\", \"node\": \"n1\"}]}",
		"node n1 has no storage of its own to fill", "fill of a node without storage_size");
	rejects("{\"steps\": [{\"at\": \"1s\", \"do\": \"clock-skew\", \"node\": \"n1\"}]}",
		"\"clock-skew\" needs \"skew\"", "clock-skew without its skew");
	rejects("{\"steps\": [{\"at\": \"1s\", \"do\": \"clock-skew\", \"node\": \"n1\", \"skew\": \"later\"}]}",
		"bad skew", "a bad skew");
	ok(parse("{\"steps\": [{\"at\": \"1s\", \"do\": \"throttle\", \"node\": \"n5\", \"wbps\": \"1M\", \"riops\": \"100\"},"
		 " {\"at\": \"2s\", \"do\": \"unthrottle\", \"node\": \"n5\"}]}",
		 &p, &err) == 0,
	   "a plan of a slow disk parses");
	chaos_step_describe(&p, &p.steps[0], what, sizeof(what));
	is_str(what, "throttle n5 wbps=1048576 riops=100", "a throttle step names its limits");
	ok(!chaos_step_removes(&p.steps[0]) && chaos_step_removes(&p.steps[1]),
	   "throttle applies, unthrottle removes");
	chaos_plan_free(&p);
	rejects("{\"steps\": [{\"at\": \"1s\", \"do\": \"throttle\", \"node\": \"n1\", \"wbps\": \"1M\"}]}",
		"node n1 keeps its files in memory", "throttle of a node in memory");
	rejects("{\"steps\": [{\"at\": \"1s\", \"do\": \"throttle\", \"node\": \"n5\"}]}",
		"throttle sets nothing", "throttle without limits");
	rejects("{\"steps\": [{\"at\": \"1s\", \"do\": \"throttle\", \"node\": \"n5\", \"wiops\": \"0\"}]}",
		"bad wiops: expected operations per second", "wiops 0");
	rejects("{\"nemesis\": \"disk-full-random\", \"interval\": \"1s\", \"duration\": \"2s\", \"nodes\": [\"n1\", \"n3\"]}",
		"needs a node with \"storage_size\"",
		"disk-full-random over nodes without storage");
}

static void generate(const char *name, uint64_t seed, struct chaos_plan *p)
{
	struct nemesis_spec spec = {
		.name = name, .interval_us = 1000000, .duration_us = 10000000, .loss = 20
	};
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
	ok(a.steps[0].fault.kind == LAB_FAULT_PARTITION &&
		   a.steps[1].fault.kind == LAB_FAULT_HEAL && a.steps[1].at_us == 1000000 &&
		   a.steps[2].at_us == 2000000,
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

/* The schedule a nemesis gives for a seed, as `chaos --dry-run` prints it. */
static char *printed(const char *name, uint64_t seed, uint64_t interval_us, uint64_t duration_us,
		     double loss, const struct cbx_node **nodes, size_t n_nodes)
{
	struct nemesis_spec spec = { .name = name,
				     .interval_us = interval_us,
				     .duration_us = duration_us,
				     .loss = loss,
				     .nodes = nodes,
				     .n_nodes = n_nodes };
	struct chaos_plan p;
	struct cbx_error err;
	char *text = NULL;
	size_t len;
	FILE *f;

	if (chaos_plan_generate(&p, t, &spec, seed, &err) < 0)
		return strdup(err.msg);
	f = open_memstream(&text, &len);
	if (f) {
		cbx_chaos_plan_print(&p, f);
		fclose(f);
	}
	chaos_plan_free(&p);
	return text;
}

/* Pinned seeds: seed 42 on this lab gives exactly these schedules, on every
 * machine and in every version, so a run someone reports can be replayed.
 * The node choices were checked against an independent splitmix64 and
 * Fisher-Yates written in Python (random-halves, kill-random, flaky-links,
 * disk-full-random, clock-skew-random). */
static void test_golden(void)
{
	static const struct {
		const char *name, *want;
	} golden[] = {
		{ "random-halves",
		  "nemesis random-halves, seed 42\n"
		  "   0.000s  partition: n1 drops n2,n3; n2 drops n1,n4,n5; n3 drops n1,n4,n5; n4 drops n2,n3; n5 drops n2,n3\n"
		  "   1.000s  heal\n"
		  "   2.000s  partition: n1 drops n4,n5; n2 drops n4,n5; n3 drops n4,n5; n4 drops n1,n2,n3; n5 drops n1,n2,n3\n"
		  "   3.000s  heal\n"
		  "   4.000s  end\n" },
		{ "isolate-one",
		  "nemesis isolate-one, seed 42\n"
		  "   0.000s  partition: n1 drops n2; n2 drops n1,n3,n4,n5; n3 drops n2; n4 drops n2; n5 drops n2\n"
		  "   1.000s  heal\n"
		  "   2.000s  partition: n1 drops n5; n2 drops n5; n3 drops n5; n4 drops n5; n5 drops n1,n2,n3,n4\n"
		  "   3.000s  heal\n"
		  "   4.000s  end\n" },
		{ "majorities-ring",
		  "nemesis majorities-ring, seed 42\n"
		  "   0.000s  partition: n1 drops n2,n4; n2 drops n1,n5; n3 drops n4,n5; n4 drops n1,n3; n5 drops n2,n3\n"
		  "   1.000s  heal\n"
		  "   2.000s  partition: n1 drops n4,n5; n2 drops n3,n4; n3 drops n2,n5; n4 drops n1,n2; n5 drops n1,n3\n"
		  "   3.000s  heal\n"
		  "   4.000s  end\n" },
		{ "bridge",
		  "nemesis bridge, seed 42\n"
		  "   0.000s  partition: n1 drops n4,n5; n3 drops n4,n5; n4 drops n1,n3; n5 drops n1,n3\n"
		  "   1.000s  heal\n"
		  "   2.000s  partition: n1 drops n3,n4; n2 drops n3,n4; n3 drops n1,n2; n4 drops n1,n2\n"
		  "   3.000s  heal\n"
		  "   4.000s  end\n" },
		{ "flaky-links", "nemesis flaky-links, seed 42\n"
				 "   0.000s  impair n1:eth0 loss=20%\n"
				 "   0.000s  impair n4:eth0 loss=20%\n"
				 "   1.000s  clear n1:eth0\n"
				 "   1.000s  clear n4:eth0\n"
				 "   2.000s  impair n1:eth0 loss=20%\n"
				 "   2.000s  impair n5:eth0 loss=20%\n"
				 "   2.000s  impair n4:eth0 loss=20%\n"
				 "   3.000s  clear n1:eth0\n"
				 "   3.000s  clear n5:eth0\n"
				 "   3.000s  clear n4:eth0\n"
				 "   4.000s  end\n" },
		{ "pause-random", "nemesis pause-random, seed 42\n"
				  "   0.000s  pause n2\n"
				  "   1.000s  resume n2\n"
				  "   2.000s  pause n5\n"
				  "   3.000s  resume n5\n"
				  "   4.000s  end\n" },
		{ "kill-random", "nemesis kill-random, seed 42\n"
				 "   0.000s  kill n2\n"
				 "   1.000s  start n2\n"
				 "   2.000s  kill n5\n"
				 "   3.000s  start n5\n"
				 "   4.000s  end\n" },
		/* Only n2 and n4 have storage of their own. */
		{ "disk-full-random", "nemesis disk-full-random, seed 42\n"
				      "   0.000s  fill n2\n"
				      "   1.000s  unfill n2\n"
				      "   2.000s  fill n4\n"
				      "   3.000s  unfill n4\n"
				      "   4.000s  end\n" },
		{ "clock-skew-random", "nemesis clock-skew-random, seed 42\n"
				       "   0.000s  clock-skew n2 -251s\n"
				       "   1.000s  restart n2\n"
				       "   2.000s  clock-skew n1 -108s\n"
				       "   3.000s  restart n1\n"
				       "   4.000s  end\n" },
	};
	size_t pinned = 0;

	for (size_t i = 0; i < sizeof(golden) / sizeof(golden[0]); i++) {
		char *got = printed(golden[i].name, 42, 1000000, 4000000, 20, NULL, 0);
		is_str(got, golden[i].want, "%s: seed 42 gives its pinned schedule",
		       golden[i].name);
		free(got);
	}
	/* And the list above is every nemesis there is. */
	for (const char *const *n = chaos_nemeses; *n; n++)
		for (size_t i = 0; i < sizeof(golden) / sizeof(golden[0]); i++)
			pinned += !strcmp(*n, golden[i].name);
	is_int(pinned, sizeof(golden) / sizeof(golden[0]), "every nemesis has a pinned schedule");

	/* The seed is what decides: each nemesis gives another schedule for
	 * some other seed (a generator that ignored it would not). */
	for (const char *const *n = chaos_nemeses; *n; n++) {
		char *a = printed(*n, 42, 1000000, 4000000, 20, NULL, 0);
		bool differs = false;
		for (uint64_t seed = 1; seed <= 8 && !differs; seed++) {
			char *b = printed(*n, seed, 1000000, 4000000, 20, NULL, 0);
			/* Past the first line, which names the seed. */
			differs = a && b && strcmp(strchr(a, '\n'), strchr(b, '\n'));
			free(b);
		}
		ok(differs, "%s: another seed gives another schedule", *n);
		free(a);
	}
}

/* kill-random: each cycle kills one node and starts that same node an
 * interval later, before the next cycle; only the nodes it was given. */
static void test_kill_random_shape(void)
{
	const struct cbx_node *some[2] = { cbx_topo_node(t, "n2"), cbx_topo_node(t, "n4") };
	bool shape = true, only_given = true, both_seen[2] = { false, false };

	for (uint64_t seed = 1; seed <= 20; seed++) {
		struct nemesis_spec spec = { .name = "kill-random",
					     .interval_us = 1000000,
					     .duration_us = 10000000,
					     .nodes = some,
					     .n_nodes = 2 };
		struct chaos_plan p;
		struct cbx_error err;

		if (chaos_plan_generate(&p, t, &spec, seed, &err) < 0) {
			ok(0, "kill-random, seed %llu: %s", (unsigned long long)seed, err.msg);
			return;
		}
		shape &= p.n == 11;
		for (size_t c = 0; c < 5 && p.n == 11; c++) {
			const struct chaos_step *kill = &p.steps[2 * c],
						*start = &p.steps[2 * c + 1];
			shape &= kill->fault.kind == LAB_FAULT_KILL && kill->at_us == 2000000 * c;
			shape &= start->fault.kind == LAB_FAULT_START &&
				 start->at_us == 2000000 * c + 1000000;
			shape &= kill->fault.node && kill->fault.node == start->fault.node;
			only_given &= kill->fault.node == some[0] || kill->fault.node == some[1];
			both_seen[0] |= kill->fault.node == some[0];
			both_seen[1] |= kill->fault.node == some[1];
		}
		shape &= p.n == 11 && p.steps[10].end;
		chaos_plan_free(&p);
		if (!shape)
			break;
	}
	ok(shape, "kill-random: each cycle kills a node, then starts that node an interval later");
	ok(only_given, "kill-random: only the nodes given (--nodes n2,n4) are killed");
	ok(both_seen[0] && both_seen[1], "kill-random: over 20 seeds, either node is chosen");
}

/* A nemesis of faults on processes never picks a netns node, which has none;
 * one with only netns nodes to pick from is refused. */
static void test_netns_nodes_not_picked(void)
{
	static const char mixed[] =
		"{\"name\": \"m\", \"nodes\": {\"a\": {\"kind\": \"netns\"}, \"b\": {},"
		" \"c\": {\"kind\": \"netns\"}}}";
	static const char *const names[] = { "pause-random", "kill-random", "clock-skew-random" };
	struct cbx_topo *m;
	struct cbx_error err;
	bool only_b = true;

	if (!ok(cbx_topo_load_text(mixed, sizeof(mixed) - 1, "m.json", &m, &err) == 0,
		"a lab with netns nodes loads"))
		return;
	for (size_t k = 0; k < 3; k++)
		for (uint64_t seed = 1; seed <= 10; seed++) {
			struct nemesis_spec spec = { .name = names[k],
						     .interval_us = 1000000,
						     .duration_us = 4000000 };
			struct chaos_plan p;
			if (chaos_plan_generate(&p, m, &spec, seed, &err) < 0) {
				only_b = false;
				continue;
			}
			for (size_t i = 0; i < p.n; i++)
				only_b &= p.steps[i].end || p.steps[i].fault.node == &m->nodes[1];
			chaos_plan_free(&p);
		}
	ok(only_b, "pause-, kill- and clock-skew-random pick the container alone");
	{
		json_t *doc =
			json_loads("{\"steps\": [{\"at\": \"1s\", \"do\": \"kill\", \"node\": \"a\"}]}",
				   0, NULL);
		struct chaos_plan p;
		if (!ok(chaos_plan_parse(&p, m, doc, 1, "plan.json", &err) < 0 &&
				err.kind == CBX_ERR_INPUT,
			"a plan that kills a netns node is refused"))
			chaos_plan_free(&p);
		else
			has_str(err.msg, "\"kill\": node a is \"kind\": \"netns\"",
				"naming the node");
		json_decref(doc);
	}
	{
		const struct cbx_node *netns_only[2] = { &m->nodes[0], &m->nodes[2] };
		struct nemesis_spec spec = { .name = "kill-random",
					     .interval_us = 1000000,
					     .duration_us = 4000000,
					     .nodes = netns_only,
					     .n_nodes = 2 };
		struct chaos_plan p;
		if (!ok(chaos_plan_generate(&p, m, &spec, 1, &err) < 0 && err.kind == CBX_ERR_INPUT,
			"kill-random over netns nodes alone is refused"))
			chaos_plan_free(&p);
		else
			has_str(err.msg, "every node it may pick is \"kind\": \"netns\"",
				"saying why");
	}
	cbx_topo_free(m);
}

/* flaky-links: each cycle gives the chosen interfaces the spec's loss, at
 * least one of them, and clears those same interfaces an interval later. */
static void test_flaky_links_shape(void)
{
	const struct cbx_node *some[2] = { cbx_topo_node(t, "n1"), cbx_topo_node(t, "n3") };
	bool shape = true, loss = true, only_given = true, cleared = true;
	size_t chosen_n[5] = { 0 };

	for (uint64_t seed = 1; seed <= 20; seed++) {
		struct nemesis_spec spec = { .name = "flaky-links",
					     .interval_us = 1000000,
					     .duration_us = 4000000,
					     .loss = 37.5,
					     .nodes = some,
					     .n_nodes = 2 };
		struct chaos_plan p;
		struct cbx_error err;
		size_t i = 0;

		if (chaos_plan_generate(&p, t, &spec, seed, &err) < 0) {
			ok(0, "flaky-links, seed %llu: %s", (unsigned long long)seed, err.msg);
			return;
		}
		for (uint64_t at = 0; at < 4000000; at += 2000000) {
			const struct cbx_iface *on[8];
			size_t k = 0, first = i;
			for (; i < p.n && p.steps[i].fault.kind == LAB_FAULT_IMPAIR &&
			       p.steps[i].at_us == at;
			     i++) {
				const struct chaos_step *s = &p.steps[i];
				loss &= s->fault.impair.loss == 37.5 &&
					s->fault.impair.delay_us == 0 &&
					s->fault.impair.rate_bps == 0;
				only_given &= s->fault.iface && (s->fault.iface->node == some[0] ||
								 s->fault.iface->node == some[1]);
				if (k < 8)
					on[k++] = s->fault.iface;
				chosen_n[s->fault.iface->node->index]++;
			}
			shape &= i > first; /* at least one interface loses packets */
			for (size_t j = 0; j < k; j++, i++)
				cleared &= i < p.n && p.steps[i].fault.kind == LAB_FAULT_CLEAR &&
					   p.steps[i].at_us == at + 1000000 &&
					   p.steps[i].fault.iface == on[j];
		}
		shape &= i == p.n - 1 && p.steps[i].end;
		chaos_plan_free(&p);
	}
	ok(shape, "flaky-links: every cycle impairs at least one interface, then the run ends");
	ok(loss, "flaky-links: each impairment is the spec's loss (37.5%%) and nothing else");
	ok(cleared, "flaky-links: the same interfaces are cleared an interval later");
	ok(only_given, "flaky-links: only the given nodes' interfaces are impaired");
	ok(chosen_n[some[0]->index] && chosen_n[some[1]->index],
	   "flaky-links: over 20 seeds, both nodes' interfaces are chosen");
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

	ok(chaos_nemesis_spec_init(&spec, "flaky-links", "1s", "10s", NULL, NEMESIS_FROM_FLAGS,
				   &err) == 0 &&
		   spec.interval_us == 1000000 && spec.duration_us == 10000000 && spec.loss == 20 &&
		   spec.n_nodes == 0,
	   "a spec from flags, with the default loss");
	ok(chaos_nemesis_spec_init(&spec, "flaky-links", "1s", "10s", "5%", NEMESIS_FROM_PLAN,
				   &err) == 0 &&
		   spec.loss == 5,
	   "a plan's loss");
	if (ok(chaos_nemesis_spec_init(&spec, "isolate-one", "soon", "10s", NULL,
				       NEMESIS_FROM_FLAGS, &err) < 0,
	       "bad --interval"))
		is_str(err.msg, "--interval: expected a duration such as 10s", "the flag is named");
	if (ok(chaos_nemesis_spec_init(&spec, "isolate-one", "1s", NULL, NULL, NEMESIS_FROM_FLAGS,
				       &err) < 0,
	       "missing --duration"))
		is_str(err.msg, "--duration: expected a duration such as 60s", "the flag is named");
	if (ok(chaos_nemesis_spec_init(&spec, "isolate-one", "1s", "10s", "200%",
				       NEMESIS_FROM_FLAGS, &err) < 0,
	       "bad --loss"))
		has_str(err.msg, "--loss: ", "the flag is named");
	rejects("{\"nemesis\": \"isolate-one\", \"interval\": \"soon\", \"duration\": \"10s\"}",
		"plan.json: interval: expected a duration such as \"10s\"",
		"bad interval in a plan");
	rejects("{\"nemesis\": 5, \"interval\": \"1s\", \"duration\": \"10s\"}",
		"plan.json: nemesis: expected a name such as \"random-halves\"",
		"a nemesis that is not a name");
}

/* Volumes: a plan fills one by its DST; disk-full-random picks one of a
 * node without storage of its own. */
static void test_volumes(void)
{
	static const char vlab[] =
		"{\"name\": \"v\", \"nodes\": {\"a\": {\"volumes\": [\"/var/lib/redis:8M\", \"/data:8M\"]},"
		"\"b\": {}, \"c\": {\"storage\": \"disk\", \"volumes\": [\"/srv:4M\"]}}}";
	struct cbx_topo *saved = t, *vt = NULL;
	struct chaos_plan p;
	struct cbx_error err;
	char what[256];

	if (!ok(cbx_topo_load_text(vlab, sizeof(vlab) - 1, "v.json", &vt, &err) == 0,
		"a lab with volumes loads"))
		return;
	t = vt;
	ok(parse("{\"steps\": [{\"at\": \"1s\", \"do\": \"fill\", \"node\": \"a\", \"path\": \"/data\"},"
		 " {\"at\": \"2s\", \"do\": \"unfill\", \"node\": \"c\", \"path\": \"/srv\"}]}",
		 &p, &err) == 0,
	   "fill and unfill of volumes parse");
	is_str(p.steps[0].fault.path, "/data", "the volume's DST");
	chaos_step_describe(&p, &p.steps[0], what, sizeof(what));
	is_str(what, "fill a:/data", "a fill step names node and volume");
	chaos_step_describe(&p, &p.steps[1], what, sizeof(what));
	is_str(what, "unfill c:/srv", "a disk node's volume");
	chaos_plan_free(&p);
	rejects("{\"steps\": [{\"at\": \"1s\", \"do\": \"fill\", \"node\": \"a\", \"path\": \"/nope\"}]}",
		"node a has no volume at /nope", "a path that is no volume");
	rejects("{\"steps\": [{\"at\": \"1s\", \"do\": \"fill\", \"node\": \"a\"}]}",
		"or fill one of its volumes with \"path\"",
		"a node with volumes only, without path");
	rejects("{\"steps\": [{\"at\": \"1s\", \"do\": \"fill\", \"node\": \"a\", \"path\": 3}]}",
		"\"path\" is a volume's DST", "a path that is not a string");
	{
		struct nemesis_spec spec = { .name = "disk-full-random",
					     .interval_us = 1000000,
					     .duration_us = 2000000 };
		const struct cbx_node *only_b[] = { cbx_topo_node(vt, "b") };
		if (ok(chaos_plan_generate(&p, vt, &spec, 7, &err) == 0,
		       "disk-full-random over nodes with volumes only")) {
			ok(p.steps[0].fault.kind == LAB_FAULT_FILL && p.steps[0].fault.path &&
				   p.steps[1].fault.path == p.steps[0].fault.path,
			   "fills a volume, then unfills the same one");
			chaos_plan_free(&p);
		}
		spec.nodes = only_b;
		spec.n_nodes = 1;
		ok(chaos_plan_generate(&p, vt, &spec, 7, &err) < 0 &&
			   strstr(err.msg, "needs a node with \"storage_size\" or \"volumes\""),
		   "disk-full-random over a node with neither refused");
	}
	t = saved;
	cbx_topo_free(vt);
}

int main(void)
{
	struct cbx_error err;

	if (!ok(cbx_topo_load_text(lab, sizeof(lab) - 1, "lab.json", &t, &err) == 0, "lab loads"))
		return tap_done();
	test_parse();
	test_io_max();
	test_nemeses();
	test_golden();
	test_kill_random_shape();
	test_netns_nodes_not_picked();
	test_flaky_links_shape();
	test_nemesis_spec();
	test_rng();
	test_volumes();
	cbx_topo_free(t);
	return tap_done();
}
