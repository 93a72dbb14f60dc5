/* Reading a chaos plan file: hand-written steps, checked whole before the
 * first runs, or a nemesis's settings (nemesis.c generates its steps). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chaos/chaos.h"
#include "common/cleanup.h"

/* clang-format off */
static const char *const step_keys[] = {
	"at",	"do",	  "groups", "oneway",  "grudge", "iface",   "node", "delay",
	"jitter", "loss", "duplicate", "corrupt", "reorder", "rate", "skew", "rbps", "wbps", "riops", "wiops", "all", "path", "description", NULL,
};
/* clang-format on */

static bool known_key(const char *key, const char *const *keys)
{
	for (; *keys; keys++)
		if (!strcmp(*keys, key))
			return true;
	return false;
}

static int fail(struct cbx_error *err, const char *source, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(struct cbx_error *err, const char *source, const char *path, const char *fmt, ...)
{
	char msg[CBX_ERROR_MSG_MAX / 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return cbx_error_set(err, CBX_ERR_INPUT, "%s: %s: %s", source, path, msg);
}

static const char *str_of(json_t *step, const char *key)
{
	json_t *v = json_object_get(step, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int parse_groups(struct chaos_step *s, const struct cbx_topo *t, json_t *groups, bool oneway,
			const char *source, const char *path, struct cbx_error *err)
{
	struct lab_grudge_groups gs;
	json_t *g, *node;
	size_t i, k;
	int rc = 0;

	if (!json_is_array(groups) || json_array_size(groups) < 2)
		return fail(err, source, path,
			    "\"groups\" is a list of at least two lists of nodes");
	json_array_foreach (groups, i, g) {
		if (!json_is_array(g) || !json_array_size(g))
			return fail(err, source, path,
				    "groups[%zu] is not a non-empty list of node names", i);
		json_array_foreach (g, k, node)
			if (!json_is_string(node))
				return fail(err, source, path,
					    "groups[%zu][%zu] is not a node name", i, k);
	}
	if (lab_grudge_groups_start(&gs, t, json_array_size(groups), oneway, err) < 0)
		return cbx_error_wrap(err, "%s: %s", source, path);
	json_array_foreach (groups, i, g)
		json_array_foreach (g, k, node)
			if (rc == 0)
				rc = lab_grudge_groups_add(&gs, json_string_value(node), i, err);
	if (lab_grudge_groups_finish(&gs, &s->fault.grudge, rc) < 0)
		return cbx_error_wrap(err, "%s: %s", source, path);
	return 0;
}

/* A step's "grudge": the lab's one reader of grudges reads it, from its
 * text, with the step's path in its messages. */
static int parse_grudge(struct chaos_step *s, const struct cbx_topo *t, json_t *grudge,
			const char *path, struct cbx_error *err)
{
	cleanup_free char *text = json_dumps(grudge, JSON_ENCODE_ANY | JSON_COMPACT);

	if (!text)
		return cbx_error_sys(err, ENOMEM, "chaos plan");
	return lab_grudge_parse_text(&s->fault.grudge, t, text, path, err);
}

static int parse_partition(struct chaos_step *s, const struct cbx_topo *t, json_t *step,
			   const char *source, const char *path, struct cbx_error *err)
{
	if (lab_grudge_init(&s->fault.grudge, t->n_nodes, err) < 0)
		return -1;
	if (json_object_get(step, "grudge"))
		return parse_grudge(s, t, json_object_get(step, "grudge"), path, err);
	return parse_groups(s, t, json_object_get(step, "groups"),
			    json_is_true(json_object_get(step, "oneway")), source, path, err);
}

/* impair, clear, link-down, link-up: an interface, and impair's settings. */
static int parse_iface_fault(struct chaos_step *s, const struct cbx_topo *t, json_t *step,
			     const char *op, const char *source, const char *path,
			     struct cbx_error *err)
{
	struct lab_fault_op *f = &s->fault;
	const char *key, *why;
	json_t *v;

	if (!str_of(step, "iface"))
		return fail(err, source, path, "\"%s\" needs \"iface\": \"node:interface\"", op);
	if (lab_find_iface(t, str_of(step, "iface"), &f->iface, err) < 0)
		return cbx_error_wrap(err, "%s: %s", source, path);
	if (f->kind != LAB_FAULT_IMPAIR)
		return 0;
	json_object_foreach (step, key, v) {
		if (!strcmp(key, "at") || !strcmp(key, "do") || !strcmp(key, "iface") ||
		    !strcmp(key, "description"))
			continue;
		if (!json_is_string(v) ||
		    !cbx_impair_set(&f->impair, key, json_string_value(v), &why))
			return fail(err, source, path, "bad %s: %s", key,
				    json_is_string(v) ? why : "expected a string such as \"30%\"");
	}
	if (!cbx_impair_is_set(&f->impair))
		return fail(err, source, path, "impair sets nothing (delay, loss, rate, ...)");
	if ((why = cbx_impair_problem(&f->impair)))
		return fail(err, source, path, "%s", why);
	return 0;
}

/* fill, unfill: the node's storage, or with "path" its volume there. */
static int parse_fill(struct chaos_step *s, json_t *step, const char *source, const char *path,
		      struct cbx_error *err)
{
	const struct cbx_node *n = s->fault.node;
	json_t *v = json_object_get(step, "path");

	if (!v) {
		if (!n->storage_size)
			return fail(err, source, path,
				    "node %s has no storage of its own to fill: give it \"storage_size\"%s",
				    n->name,
				    n->n_volumes ? ", or fill one of its volumes with \"path\""
						 : "");
		return 0;
	}
	if (!json_is_string(v))
		return fail(err, source, path,
			    "\"path\" is a volume's DST, e.g. \"/var/lib/redis\"");
	for (size_t i = 0; i < n->n_volumes; i++)
		if (!strcmp(n->volumes[i].dst, json_string_value(v))) {
			s->fault.path = n->volumes[i].dst;
			return 0;
		}
	return fail(err, source, path, "node %s has no volume at %s", n->name,
		    json_string_value(v));
}

/* pause, resume, stop, start, restart, kill, fill, unfill, clock-skew,
 * throttle, unthrottle: a node; clock-skew its "skew", throttle its limits. */
static int parse_node_fault(struct chaos_step *s, const struct cbx_topo *t, json_t *step,
			    const char *op, const char *source, const char *path,
			    struct cbx_error *err)
{
	if (!str_of(step, "node"))
		return fail(err, source, path, "\"%s\" needs \"node\"", op);
	if (lab_find_node(t, str_of(step, "node"), &s->fault.node, err) < 0)
		return cbx_error_wrap(err, "%s: %s", source, path);
	/* Said before the run, not mid-run by lab_fault_apply. */
	if (!cbx_node_kinds[s->fault.node->kind].processes)
		return fail(err, source, path,
			    "\"%s\": node %s is \"kind\": \"%s\", which has no processes to act on",
			    op, s->fault.node->name, cbx_node_kinds[s->fault.node->kind].word);
	s->fault.grace_ms = CHAOS_STOP_GRACE_MS;
	if (s->fault.kind == LAB_FAULT_CLOCK_SKEW) {
		const char *why;
		if (!str_of(step, "skew"))
			return fail(err, source, path,
				    "\"clock-skew\" needs \"skew\": the wall clock's offset, e.g. \"+300s\"");
		if (!cbx_parse_clock_offset_us(str_of(step, "skew"), &s->fault.clock_skew_us, &why))
			return fail(err, source, path, "bad skew: %s", why);
	}
	if (s->fault.kind == LAB_FAULT_THROTTLE) {
		static const char *const keys[] = { "rbps", "wbps", "riops", "wiops" };
		const char *why;
		for (size_t i = 0; i < 4; i++) {
			json_t *v = json_object_get(step, keys[i]);
			if (v &&
			    (!json_is_string(v) ||
			     !lab_io_max_set(&s->fault.io, keys[i], json_string_value(v), &why)))
				return fail(err, source, path, "bad %s: %s", keys[i],
					    json_is_string(v) ? why
							      : "expected a string such as \"1M\"");
		}
		if (!lab_io_max_is_set(&s->fault.io))
			return fail(err, source, path,
				    "throttle sets nothing (rbps, wbps, riops, wiops)");
	}
	if ((s->fault.kind == LAB_FAULT_THROTTLE || s->fault.kind == LAB_FAULT_UNTHROTTLE) &&
	    s->fault.node->storage != CBX_STORAGE_DISK)
		return fail(err, source, path,
			    "node %s keeps its files in memory: only a node with \"storage\": \"disk\" can have a slow disk",
			    s->fault.node->name);
	if (s->fault.kind == LAB_FAULT_FILL || s->fault.kind == LAB_FAULT_UNFILL)
		return parse_fill(s, step, source, path, err);
	return 0;
}

static int parse_step(struct chaos_step *s, const struct cbx_topo *t, json_t *step,
		      const char *source, const char *path, struct cbx_error *err)
{
	const char *key, *op = str_of(step, "do"), *at = str_of(step, "at"), *why;
	json_t *v;

	if (!json_is_object(step))
		return fail(err, source, path,
			    "a step is an object: {\"at\": \"5s\", \"do\": ...}");
	json_object_foreach (step, key, v)
		if (!known_key(key, step_keys))
			return fail(err, source, path, "unknown key \"%s\"", key);
	if (!at)
		return fail(err, source, path, "a step needs \"at\" (e.g. \"5s\" from the start)");
	if (!cbx_parse_duration_us(at, &s->at_us, &why))
		return fail(err, source, path, "bad \"at\" \"%s\": %s", at, why);
	if (!op)
		return fail(err, source, path,
			    "a step needs \"do\": partition, heal, impair, clear, link-down, link-up, pause, resume, stop, start, restart, kill, fill, unfill, clock-skew, throttle, unthrottle or end");
	if (!strcmp(op, "end")) {
		s->end = true;
		return 0;
	}
	if (!lab_fault_kind_from_name(op, &s->fault.kind))
		return fail(err, source, path, "unknown \"do\": \"%s\"", op);
	switch (s->fault.kind) {
	case LAB_FAULT_PARTITION:
		return parse_partition(s, t, step, source, path, err);
	case LAB_FAULT_IMPAIR:
	case LAB_FAULT_CLEAR:
	case LAB_FAULT_LINK_DOWN:
	case LAB_FAULT_LINK_UP:
		return parse_iface_fault(s, t, step, op, source, path, err);
	case LAB_FAULT_HEAL:
		/* "all": true: every fault undone, as `heal --all`. */
		if (json_object_get(step, "all") && !json_is_boolean(json_object_get(step, "all")))
			return fail(err, source, path, "\"all\" is true or false");
		if (json_is_true(json_object_get(step, "all")))
			s->fault.kind = LAB_FAULT_HEAL_ALL;
		return 0;
	case LAB_FAULT_HEAL_ALL:
	case LAB_FAULT_KIND_MAX:
		return 0;
	default:
		return parse_node_fault(s, t, step, op, source, path, err);
	}
}

static int parse_nemesis(struct chaos_plan *p, const struct cbx_topo *t, json_t *doc, uint64_t seed,
			 const char *source, struct cbx_error *err)
{
	/* clang-format off */
	static const char *const keys[] = {
		"nemesis", "interval", "duration", "nodes", "loss", "description", NULL,
	};
	/* clang-format on */
	cleanup_free const struct cbx_node **node_list = NULL;
	struct nemesis_spec spec;
	const char *key;
	json_t *v, *nodes = json_object_get(doc, "nodes");

	json_object_foreach (doc, key, v)
		if (!known_key(key, keys))
			return fail(err, source, key,
				    "unknown key (a generated plan has: nemesis, interval, duration, nodes, loss)");
	if (chaos_nemesis_spec_init(&spec, str_of(doc, "nemesis"), str_of(doc, "interval"),
				    str_of(doc, "duration"), str_of(doc, "loss"), NEMESIS_FROM_PLAN,
				    err) < 0)
		return cbx_error_wrap(err, "%s", source);
	if (nodes) {
		size_t i;
		if (!json_is_array(nodes))
			return fail(err, source, "nodes", "expected a list of node names");
		spec.nodes = node_list = calloc(json_array_size(nodes) + 1, sizeof(*spec.nodes));
		if (!spec.nodes)
			return cbx_error_sys(err, ENOMEM, "chaos plan");
		json_array_foreach (nodes, i, v) {
			if (!json_is_string(v))
				return fail(err, source, "nodes", "expected node names");
			if (lab_find_node(t, json_string_value(v), &node_list[i], err) < 0)
				return cbx_error_wrap(err, "%s: nodes[%zu]", source, i);
		}
		spec.n_nodes = json_array_size(nodes);
	}
	if (chaos_plan_generate(p, t, &spec, seed, err) < 0)
		return cbx_error_wrap(err, "%s", source);
	return 0;
}

int chaos_plan_parse(struct chaos_plan *p, const struct cbx_topo *t, json_t *doc, uint64_t seed,
		     const char *source, struct cbx_error *err)
{
	json_t *steps, *step;
	size_t i;

	memset(p, 0, sizeof(*p));
	p->t = t;
	p->seed = seed;
	if (!json_is_object(doc))
		return cbx_error_set(err, CBX_ERR_INPUT,
				     "%s: a plan is an object with \"steps\" or \"nemesis\"",
				     source);
	if (json_object_get(doc, "nemesis"))
		return parse_nemesis(p, t, doc, seed, source, err);
	steps = json_object_get(doc, "steps");
	if (!json_is_array(steps) || !json_array_size(steps))
		return cbx_error_set(err, CBX_ERR_INPUT,
				     "%s: a plan needs \"steps\" (a list) or \"nemesis\"", source);
	json_array_foreach (steps, i, step) {
		char path[32];
		struct chaos_step *s = chaos_plan_add_step(p, err);

		snprintf(path, sizeof(path), "steps[%zu]", i);
		if (!s || parse_step(s, t, step, source, path, err) < 0) {
			chaos_plan_free(p);
			return -1;
		}
		/* A timeline runs forward: a step before the one above it is
		 * in the past by the time its turn comes. */
		if (i > 0 && s->at_us < p->steps[i - 1].at_us) {
			fail(err, source, path,
			     "\"at\" is %gs, before the step above it (%gs): steps run in order",
			     s->at_us / 1e6, p->steps[i - 1].at_us / 1e6);
			chaos_plan_free(p);
			return -1;
		}
	}
	return 0;
}

int cbx_chaos_plan_load(const struct cbx_topo *t, const char *path, uint64_t seed,
			struct chaos_plan **out, struct cbx_error *err)
{
	cleanup_free struct chaos_plan *p = calloc(1, sizeof(*p));
	json_error_t je;
	json_t *doc;
	char why[256];
	int rc;

	*out = NULL;
	if (!p)
		return cbx_error_sys(err, ENOMEM, "chaos plan");
	/* "-": standard input, as every command that reads a file takes it. */
	doc = strcmp(path, "-") ? json_load_file(path, JSON_REJECT_DUPLICATES, &je)
				: json_loadf(stdin, JSON_REJECT_DUPLICATES, &je);
	if (!doc)
		return cbx_error_set(err, CBX_ERR_INPUT, "%s:%d:%d: %s", path, je.line, je.column,
				     cbx_json_error_text(je.text, why, sizeof(why)));
	rc = chaos_plan_parse(p, t, doc, seed, path, err);
	json_decref(doc);
	if (rc < 0)
		return -1;
	*out = p;
	p = NULL;
	return 0;
}
