/* Reading a chaos plan file: hand-written steps, checked whole before the
 * first runs, or a nemesis's settings (nemesis.c generates its steps). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chaos/chaos.h"

static const char *const step_keys[] = {
	"at",	"do",	  "groups", "oneway",  "grudge", "iface",   "node", "delay",
	"jitter", "loss", "duplicate", "corrupt", "reorder", "rate", "description", NULL,
};

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

static int parse_groups(struct chaos_step *s, const struct cbx_topo *t, json_t *groups,
			bool oneway, const char *source, const char *path, struct cbx_error *err)
{
	json_t *g, *node;
	size_t i, k;

	if (!json_is_array(groups) || json_array_size(groups) < 2)
		return fail(err, source, path, "\"groups\" is a list of at least two lists of nodes");
	json_array_foreach(groups, i, g) {
		if (!json_is_array(g) || !json_array_size(g))
			return fail(err, source, path, "groups[%zu] is not a non-empty list of node names",
				    i);
		json_array_foreach(g, k, node)
			if (!json_is_string(node))
				return fail(err, source, path, "groups[%zu][%zu] is not a node name", i, k);
	}
	if (grudge_parse_group_lists(&s->grudge, t, groups, oneway, err) < 0)
		return cbx_error_wrap(err, "%s: %s", source, path);
	return 0;
}

static int parse_step(struct chaos_step *s, const struct cbx_topo *t, json_t *step,
		      const char *source, const char *path, struct cbx_error *err)
{
	const char *key, *op = str_of(step, "do"), *at = str_of(step, "at"), *why;
	json_t *v;

	if (!json_is_object(step))
		return fail(err, source, path, "a step is an object: {\"at\": \"5s\", \"do\": ...}");
	json_object_foreach(step, key, v)
		if (!known_key(key, step_keys))
			return fail(err, source, path, "unknown key \"%s\"", key);
	if (!at)
		return fail(err, source, path, "a step needs \"at\" (e.g. \"5s\" from the start)");
	if (!cbx_parse_duration_us(at, &s->at_us, &why))
		return fail(err, source, path, "bad \"at\" \"%s\": %s", at, why);
	if (!op)
		return fail(err, source, path, "a step needs \"do\": partition, heal, impair, clear, link-down, link-up, pause, resume, stop, start, restart, kill or end");
	if (!chaos_op_from_name(op, &s->op))
		return fail(err, source, path, "unknown \"do\": \"%s\"", op);

	switch (s->op) {
	case CHAOS_PARTITION:
		if (grudge_init(&s->grudge, t->n_nodes, err) < 0)
			return -1;
		if (json_object_get(step, "grudge"))
			return grudge_parse_json(&s->grudge, t, json_object_get(step, "grudge"), path, err);
		return parse_groups(s, t, json_object_get(step, "groups"),
				    json_is_true(json_object_get(step, "oneway")), source, path, err);
	case CHAOS_IMPAIR:
	case CHAOS_CLEAR:
	case CHAOS_LINK_DOWN:
	case CHAOS_LINK_UP:
		if (!str_of(step, "iface"))
			return fail(err, source, path, "\"%s\" needs \"iface\": \"node:interface\"", op);
		if (fault_iface(t, str_of(step, "iface"), &s->iface, err) < 0)
			return cbx_error_wrap(err, "%s: %s", source, path);
		if (s->op != CHAOS_IMPAIR)
			return 0;
		json_object_foreach(step, key, v) {
			if (!strcmp(key, "at") || !strcmp(key, "do") || !strcmp(key, "iface") ||
			    !strcmp(key, "description"))
				continue;
			if (!json_is_string(v) || !cbx_impair_set(&s->impair, key, json_string_value(v), &why))
				return fail(err, source, path, "bad %s: %s", key,
					    json_is_string(v) ? why : "expected a string such as \"30%\"");
		}
		if (!cbx_impair_is_set(&s->impair))
			return fail(err, source, path, "impair sets nothing (delay, loss, rate, ...)");
		if ((why = cbx_impair_problem(&s->impair)))
			return fail(err, source, path, "%s", why);
		return 0;
	case CHAOS_PAUSE:
	case CHAOS_RESUME:
	case CHAOS_STOP:
	case CHAOS_START:
	case CHAOS_RESTART:
	case CHAOS_KILL:
		if (!str_of(step, "node"))
			return fail(err, source, path, "\"%s\" needs \"node\"", op);
		if (fault_node(t, str_of(step, "node"), &s->node, err) < 0)
			return cbx_error_wrap(err, "%s: %s", source, path);
		return 0;
	case CHAOS_HEAL:
	case CHAOS_END:
		return 0;
	}
	return 0;
}

static int parse_nemesis(struct chaos_plan *p, const struct cbx_topo *t, json_t *doc,
			 uint64_t seed, const char *source, struct cbx_error *err)
{
	static const char *const keys[] = { "nemesis", "interval", "duration", "nodes", "loss",
					    "description", NULL };
	struct nemesis_spec spec;
	const char *key;
	json_t *v, *nodes = json_object_get(doc, "nodes");
	int rc;

	json_object_foreach(doc, key, v)
		if (!known_key(key, keys))
			return fail(err, source, key, "unknown key (a generated plan has: nemesis, interval, duration, nodes, loss)");
	if (chaos_nemesis_spec_init(&spec, str_of(doc, "nemesis"), str_of(doc, "interval"),
				    str_of(doc, "duration"), str_of(doc, "loss"), NEMESIS_FROM_PLAN,
				    err) < 0)
		return cbx_error_wrap(err, "%s", source);
	if (nodes) {
		size_t i;
		if (!json_is_array(nodes))
			return fail(err, source, "nodes", "expected a list of node names");
		spec.nodes = calloc(json_array_size(nodes) + 1, sizeof(*spec.nodes));
		if (!spec.nodes)
			return cbx_error_sys(err, ENOMEM, "chaos plan");
		json_array_foreach(nodes, i, v) {
			if (!json_is_string(v) || fault_node(t, json_string_value(v), &spec.nodes[i], err) < 0) {
				free(spec.nodes);
				return json_is_string(v) ? cbx_error_wrap(err, "%s: nodes[%zu]", source, i)
							 : fail(err, source, "nodes", "expected node names");
			}
		}
		spec.n_nodes = json_array_size(nodes);
	}
	rc = chaos_plan_generate(p, t, &spec, seed, err);
	free(spec.nodes);
	return rc < 0 ? cbx_error_wrap(err, "%s", source) : 0;
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
		return cbx_error_set(err, CBX_ERR_INPUT, "%s: a plan is an object with \"steps\" or \"nemesis\"", source);
	if (json_object_get(doc, "nemesis"))
		return parse_nemesis(p, t, doc, seed, source, err);
	steps = json_object_get(doc, "steps");
	if (!json_is_array(steps) || !json_array_size(steps))
		return cbx_error_set(err, CBX_ERR_INPUT, "%s: a plan needs \"steps\" (a list) or \"nemesis\"", source);
	json_array_foreach(steps, i, step) {
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
			fail(err, source, path, "\"at\" is %gs, before the step above it (%gs): steps run in order",
			     s->at_us / 1e6, p->steps[i - 1].at_us / 1e6);
			chaos_plan_free(p);
			return -1;
		}
	}
	return 0;
}

