/* Generated fault schedules in the shapes of Jepsen's nemeses. Each cycle
 * applies a fault for `interval` and removes it for `interval`, until
 * `duration`. Every random choice comes from one seeded generator, in a
 * fixed order, over the nodes in file order: the same seed and lab give the
 * same schedule. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "chaos/chaos.h"
#include "common/cleanup.h"

/* clang-format off */
const char *const chaos_nemeses[] = {
	"random-halves",   /* two random halves cannot talk */
	"isolate-one",     /* one random node cut from all others */
	"majorities-ring", /* each node sees a majority, no two the same one */
	"bridge",          /* two halves, one node in the middle sees both */
	"flaky-links",     /* random loss on random interfaces */
	"pause-random",    /* one random node frozen */
	"kill-random",     /* one random node killed, then started again */
	"disk-full-random", /* one random node with storage_size or volumes: full */
	"clock-skew-random", /* one random node restarted with its wall clock skewed */
	NULL,
};
/* clang-format on */

struct gen {
	struct chaos_plan *p;
	const struct nemesis_spec *spec;
	struct chaos_rng rng;
	const struct cbx_node **nodes; /* shuffled each cycle */
	size_t n;
	struct cbx_error *err;
};

static struct chaos_step *push(struct gen *g, uint64_t at, enum lab_fault_kind kind)
{
	struct chaos_step *s = chaos_plan_add_step(g->p, g->err);

	if (s) {
		s->at_us = at;
		s->fault.kind = kind;
	}
	return s;
}

static bool push_end(struct gen *g, uint64_t at)
{
	struct chaos_step *s = chaos_plan_add_step(g->p, g->err);

	if (s) {
		s->at_us = at;
		s->end = true;
	}
	return s != NULL;
}

/* Fisher-Yates with the plan's generator. */
static void shuffle(struct gen *g)
{
	for (size_t i = g->n; i > 1; i--) {
		size_t j = (size_t)chaos_rng_below(&g->rng, i);
		const struct cbx_node *tmp = g->nodes[i - 1];
		g->nodes[i - 1] = g->nodes[j];
		g->nodes[j] = tmp;
	}
}

static struct chaos_step *partition(struct gen *g, uint64_t at)
{
	struct chaos_step *s = push(g, at, LAB_FAULT_PARTITION);

	if (s && lab_grudge_init(&s->fault.grudge, g->p->t->n_nodes, g->err) < 0) {
		g->p->n--;
		return NULL;
	}
	return s;
}

static void drop(struct chaos_step *s, const struct cbx_node *victim, const struct cbx_node *from)
{
	s->fault.grudge.drops[victim->index * s->fault.grudge.n + from->index] = true;
}

/* One cycle's fault at `at`, removed at `at + interval`. */
static int cycle(struct gen *g, uint64_t at)
{
	const char *name = g->spec->name;
	uint64_t off = at + g->spec->interval_us;
	struct chaos_step *s;

	shuffle(g);
	if (!strcmp(name, "random-halves") || !strcmp(name, "bridge")) {
		/* bridge: nodes[0] sees both halves of the rest. */
		size_t first = !strcmp(name, "bridge") ? 1 : 0, mid = first + (g->n - first) / 2;
		if (!(s = partition(g, at)))
			return -1;
		for (size_t i = first; i < g->n; i++)
			for (size_t j = first; j < g->n; j++)
				if ((i < mid) != (j < mid))
					drop(s, g->nodes[i], g->nodes[j]);
		return push(g, off, LAB_FAULT_HEAL) ? 0 : -1;
	}
	if (!strcmp(name, "isolate-one")) {
		if (!(s = partition(g, at)))
			return -1;
		for (size_t j = 1; j < g->n; j++) {
			drop(s, g->nodes[0], g->nodes[j]);
			drop(s, g->nodes[j], g->nodes[0]);
		}
		return push(g, off, LAB_FAULT_HEAL) ? 0 : -1;
	}
	if (!strcmp(name, "majorities-ring")) {
		/* In ring order, each node sees the majority of nodes around
		 * it (itself included): ring neighbours overlap, but no two
		 * nodes see the same set. */
		size_t seen = g->n / 2 + 1, left = (seen - 1) / 2, right = seen - 1 - left;
		if (!(s = partition(g, at)))
			return -1;
		for (size_t i = 0; i < g->n; i++)
			for (size_t j = 0; j < g->n; j++) {
				size_t ahead = (j + g->n - i) % g->n,
				       behind = (i + g->n - j) % g->n;
				if (i != j && ahead > right && behind > left)
					drop(s, g->nodes[i], g->nodes[j]);
			}
		return push(g, off, LAB_FAULT_HEAL) ? 0 : -1;
	}
	if (!strcmp(name, "pause-random") || !strcmp(name, "kill-random")) {
		bool pause = !strcmp(name, "pause-random");
		if (!(s = push(g, at, pause ? LAB_FAULT_PAUSE : LAB_FAULT_KILL)))
			return -1;
		s->fault.node = g->nodes[0];
		if (!(s = push(g, off, pause ? LAB_FAULT_RESUME : LAB_FAULT_START)))
			return -1;
		s->fault.node = g->nodes[0];
		return 0;
	}
	if (!strcmp(name, "disk-full-random")) {
		/* The first of the shuffled nodes that has storage of its own
		 * (chaos_plan_generate checked that one has). */
		size_t i = 0;
		const char *vol = NULL;
		while (!g->nodes[i]->storage_size && !g->nodes[i]->n_volumes)
			i++;
		/* Without storage of its own, one of its volumes (drawn only
		 * then: plans of nodes with storage stay as they were). */
		if (!g->nodes[i]->storage_size)
			vol = g->nodes[i]
				      ->volumes[chaos_rng_below(&g->rng, g->nodes[i]->n_volumes)]
				      .dst;
		if (!(s = push(g, at, LAB_FAULT_FILL)))
			return -1;
		s->fault.node = g->nodes[i];
		s->fault.path = vol;
		if (!(s = push(g, off, LAB_FAULT_UNFILL)))
			return -1;
		s->fault.node = g->nodes[i];
		s->fault.path = vol;
		return 0;
	}
	if (!strcmp(name, "clock-skew-random")) {
		/* A whole number of seconds, 1 to CHAOS_SKEW_MAX_S ahead or
		 * behind; back to the topology's skew by a plain restart. */
		int64_t mag = 1 + (int64_t)chaos_rng_below(&g->rng, CHAOS_SKEW_MAX_S);
		int64_t skew = chaos_rng_below(&g->rng, 2) ? mag : -mag;
		if (!(s = push(g, at, LAB_FAULT_CLOCK_SKEW)))
			return -1;
		s->fault.node = g->nodes[0];
		s->fault.grace_ms = CHAOS_STOP_GRACE_MS;
		s->fault.clock_skew_us = skew * 1000000;
		if (!(s = push(g, off, LAB_FAULT_RESTART)))
			return -1;
		s->fault.node = g->nodes[0];
		s->fault.grace_ms = CHAOS_STOP_GRACE_MS;
		return 0;
	}
	if (!strcmp(name, "flaky-links")) {
		/* About half of the chosen nodes' interfaces lose packets;
		 * at least one always does. */
		const struct cbx_iface *chosen[64];
		size_t k = 0;
		for (size_t i = 0; i < g->n; i++)
			for (size_t f = 0; f < g->nodes[i]->n_ifaces && k < 64; f++)
				if (chaos_rng_below(&g->rng, 2))
					chosen[k++] = g->nodes[i]->ifaces[f];
		if (!k) {
			for (size_t i = 0; i < g->n && !k; i++)
				if (g->nodes[i]->n_ifaces)
					chosen[k++] = g->nodes[i]->ifaces[0];
			if (!k)
				return cbx_error_set(g->err, CBX_ERR_INPUT,
						     "flaky-links: the nodes have no interfaces");
		}
		for (size_t i = 0; i < k; i++) {
			if (!(s = push(g, at, LAB_FAULT_IMPAIR)))
				return -1;
			s->fault.iface = chosen[i];
			s->fault.impair.loss = g->spec->loss;
		}
		for (size_t i = 0; i < k; i++) {
			if (!(s = push(g, off, LAB_FAULT_CLEAR)))
				return -1;
			s->fault.iface = chosen[i];
		}
		return 0;
	}
	return cbx_error_set(g->err, CBX_ERR_INPUT, "unknown nemesis \"%s\"", name);
}

int chaos_nemesis_spec_init(struct nemesis_spec *spec, const char *name, const char *interval,
			    const char *duration, const char *loss, enum nemesis_source from,
			    struct cbx_error *err)
{
	/* A plan's values are JSON strings, quoted in examples; flags are not. */
	const char *dash = from == NEMESIS_FROM_FLAGS ? "--" : "";
	const char *q = from == NEMESIS_FROM_FLAGS ? "" : "\"";
	const char *why;

	*spec = (struct nemesis_spec){ .name = name, .loss = 20 };
	/* A plan's "nemesis" that is not a string arrives as NULL. */
	if (!name)
		return cbx_error_set(err, CBX_ERR_INPUT,
				     "%snemesis: expected a name such as %srandom-halves%s", dash,
				     q, q);
	if (!interval || !cbx_parse_duration_us(interval, &spec->interval_us, &why))
		return cbx_error_set(err, CBX_ERR_INPUT,
				     "%sinterval: expected a duration such as %s10s%s", dash, q, q);
	if (!duration || !cbx_parse_duration_us(duration, &spec->duration_us, &why))
		return cbx_error_set(err, CBX_ERR_INPUT,
				     "%sduration: expected a duration such as %s60s%s", dash, q, q);
	if (loss && !cbx_parse_percent(loss, &spec->loss, &why))
		return cbx_error_set(err, CBX_ERR_INPUT, "%sloss: %s", dash, why);
	return 0;
}

/* Does the nemesis act on a node's processes (its faults are TARGET_NODE's)? */
static bool on_processes(const char *name)
{
	return !strcmp(name, "pause-random") || !strcmp(name, "kill-random") ||
	       !strcmp(name, "disk-full-random") || !strcmp(name, "clock-skew-random");
}

int chaos_plan_generate(struct chaos_plan *p, const struct cbx_topo *t,
			const struct nemesis_spec *spec, uint64_t seed, struct cbx_error *err)
{
	struct gen g = { .p = p, .spec = spec, .rng = { seed }, .err = err };
	size_t min_nodes = !strcmp(spec->name, "bridge") ? 3 : 2;
	bool known = false;
	size_t with_storage = 0, total;
	int rc = 0;

	memset(p, 0, sizeof(*p));
	p->t = t;
	p->seed = seed;
	for (const char *const *n = chaos_nemeses; *n; n++)
		known |= !strcmp(*n, spec->name);
	if (!known)
		return cbx_error_set(err, CBX_ERR_INPUT,
				     "unknown nemesis \"%s\" (random-halves, isolate-one, majorities-ring, bridge, flaky-links, pause-random, kill-random, disk-full-random, clock-skew-random)",
				     spec->name);
	p->nemesis = spec->name;
	if (!spec->interval_us || spec->duration_us < 2 * spec->interval_us)
		return cbx_error_set(err, CBX_ERR_INPUT,
				     "the duration must hold at least one cycle: twice the interval");
	g.n = spec->n_nodes ? spec->n_nodes : t->n_nodes;
	if (g.n < min_nodes && strcmp(spec->name, "pause-random") &&
	    strcmp(spec->name, "kill-random") && strcmp(spec->name, "flaky-links") &&
	    strcmp(spec->name, "disk-full-random") && strcmp(spec->name, "clock-skew-random"))
		return cbx_error_set(err, CBX_ERR_INPUT, "nemesis %s needs at least %zu nodes",
				     spec->name, min_nodes);
	g.nodes = calloc(g.n ? g.n : 1, sizeof(*g.nodes));
	if (!g.nodes)
		return cbx_error_sys(err, ENOMEM, "chaos plan");
	total = g.n;
	g.n = 0;
	for (size_t i = 0; i < total; i++) {
		const struct cbx_node *n = spec->n_nodes ? spec->nodes[i] : &t->nodes[i];
		/* A fault on processes picks among the nodes that have some
		 * (not netns nodes: lab_fault_apply would refuse it mid-run). */
		if (on_processes(spec->name) && !cbx_node_kinds[n->kind].processes)
			continue;
		g.nodes[g.n++] = n;
		with_storage += n->storage_size != 0 || n->n_volumes != 0;
	}
	if (!g.n) {
		free(g.nodes);
		return cbx_error_set(err, CBX_ERR_INPUT,
				     "nemesis %s acts on nodes' processes, and every node it may pick is \"kind\": \"netns\", which has none",
				     spec->name);
	}
	if (!strcmp(spec->name, "disk-full-random") && !with_storage) {
		free(g.nodes);
		return cbx_error_set(err, CBX_ERR_INPUT,
				     "nemesis disk-full-random needs a node with \"storage_size\" or \"volumes\" among its nodes: only those can be filled");
	}
	for (uint64_t at = 0; rc == 0 && at + 2 * spec->interval_us <= spec->duration_us;
	     at += 2 * spec->interval_us)
		rc = cycle(&g, at);
	if (rc == 0 && !push_end(&g, spec->duration_us))
		rc = -1;
	free(g.nodes);
	if (rc < 0)
		chaos_plan_free(p);
	return rc;
}

/* "a,b": the nodes a nemesis picks from. */
static int parse_node_list(struct nemesis_spec *spec, const struct cbx_topo *t, const char *list,
			   struct cbx_error *err)
{
	cleanup_free char *copy = strdup(list);
	char *save = NULL;

	spec->nodes = calloc(strlen(list) + 1, sizeof(*spec->nodes));
	if (!copy || !spec->nodes)
		return cbx_error_sys(err, ENOMEM, "chaos");
	for (char *n = strtok_r(copy, ",", &save); n; n = strtok_r(NULL, ",", &save))
		if (lab_find_node(t, n, &spec->nodes[spec->n_nodes++], err) < 0)
			return -1;
	return 0;
}

int cbx_chaos_plan_nemesis(const struct cbx_topo *t, const struct cbx_nemesis_args *a,
			   uint64_t seed, struct chaos_plan **out, struct cbx_error *err)
{
	cleanup_free struct chaos_plan *p = calloc(1, sizeof(*p));
	struct nemesis_spec spec;
	int rc = -1;

	*out = NULL;
	if (!p)
		return cbx_error_sys(err, ENOMEM, "chaos");
	if (chaos_nemesis_spec_init(&spec, a->name, a->interval, a->duration, a->loss,
				    NEMESIS_FROM_FLAGS, err) == 0 &&
	    (!a->nodes || parse_node_list(&spec, t, a->nodes, err) == 0))
		rc = chaos_plan_generate(p, t, &spec, seed, err);
	free(spec.nodes);
	if (rc < 0)
		return -1;
	*out = p;
	p = NULL;
	return 0;
}
