/* Chaos plans: their steps, describing and printing them, and the seeded
 * generator the nemeses draw from. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chaos/chaos.h"

static const char *const op_names[] = {
	[CHAOS_PARTITION] = "partition", [CHAOS_HEAL] = "heal",	      [CHAOS_IMPAIR] = "impair",
	[CHAOS_CLEAR] = "clear",	 [CHAOS_LINK_DOWN] = "link-down", [CHAOS_LINK_UP] = "link-up",
	[CHAOS_PAUSE] = "pause",	 [CHAOS_RESUME] = "resume",	      [CHAOS_STOP] = "stop",
	[CHAOS_START] = "start",	 [CHAOS_RESTART] = "restart",     [CHAOS_KILL] = "kill",
	[CHAOS_END] = "end",
};

const char *chaos_op_name(enum chaos_op op)
{
	return op_names[op];
}

bool chaos_op_from_name(const char *name, enum chaos_op *op)
{
	for (size_t i = 0; i < sizeof(op_names) / sizeof(op_names[0]); i++)
		if (!strcmp(name, op_names[i])) {
			*op = (enum chaos_op)i;
			return true;
		}
	return false;
}

/* Which events remove a fault rather than apply one (for the log). */
bool chaos_step_removes(const struct chaos_step *s)
{
	return s->op == CHAOS_HEAL || s->op == CHAOS_CLEAR || s->op == CHAOS_LINK_UP ||
	       s->op == CHAOS_RESUME || s->op == CHAOS_START || s->op == CHAOS_END;
}

uint64_t chaos_rng_next(struct chaos_rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t chaos_rng_below(struct chaos_rng *r, uint64_t n)
{
	/* Rejection keeps it uniform (and the same on every machine). */
	uint64_t limit = UINT64_MAX - UINT64_MAX % n, v;

	do
		v = chaos_rng_next(r);
	while (v >= limit);
	return v % n;
}

void chaos_plan_free(struct chaos_plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		grudge_free(&p->steps[i].grudge);
	free(p->steps);
	p->steps = NULL;
	p->n = p->cap = 0;
}

struct chaos_step *chaos_plan_add_step(struct chaos_plan *p, struct cbx_error *err)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		struct chaos_step *grown = realloc(p->steps, cap * sizeof(*grown));
		if (!grown) {
			cbx_error_sys(err, ENOMEM, "chaos plan");
			return NULL;
		}
		p->steps = grown;
		p->cap = cap;
	}
	memset(&p->steps[p->n], 0, sizeof(p->steps[0]));
	return &p->steps[p->n++];
}

json_t *chaos_step_nodes(const struct chaos_plan *p, const struct chaos_step *s)
{
	json_t *out = json_array();

	if (s->node)
		json_array_append_new(out, json_string(s->node->name));
	else if (s->iface)
		json_array_append_new(out, json_string(s->iface->node->name));
	else if (s->op == CHAOS_PARTITION)
		for (size_t i = 0; i < p->t->n_nodes; i++)
			for (size_t j = 0; j < p->t->n_nodes; j++)
				if (s->grudge.drops[i * s->grudge.n + j] ||
				    s->grudge.drops[j * s->grudge.n + i]) {
					json_array_append_new(out, json_string(p->t->nodes[i].name));
					break;
				}
	return out;
}

void chaos_step_describe(const struct chaos_plan *p, const struct chaos_step *s, char *buf,
			 size_t size)
{
	char detail[2048];

	switch (s->op) {
	case CHAOS_PARTITION:
		grudge_describe(&s->grudge, p->t, detail, sizeof(detail));
		snprintf(buf, size, "partition: %s", detail);
		break;
	case CHAOS_IMPAIR:
		cbx_impair_format(&s->impair, detail, sizeof(detail));
		snprintf(buf, size, "impair %s:%s %s", s->iface->node->name, s->iface->name, detail);
		break;
	case CHAOS_CLEAR:
	case CHAOS_LINK_DOWN:
	case CHAOS_LINK_UP:
		snprintf(buf, size, "%s %s:%s", op_names[s->op], s->iface->node->name, s->iface->name);
		break;
	case CHAOS_HEAL:
	case CHAOS_END:
		snprintf(buf, size, "%s", op_names[s->op]);
		break;
	default:
		snprintf(buf, size, "%s %s", op_names[s->op], s->node->name);
		break;
	}
}

void chaos_plan_print(const struct chaos_plan *p, FILE *out)
{
	char what[4096];

	if (p->nemesis)
		fprintf(out, "nemesis %s, seed %llu\n", p->nemesis, (unsigned long long)p->seed);
	for (size_t i = 0; i < p->n; i++) {
		chaos_step_describe(p, &p->steps[i], what, sizeof(what));
		fprintf(out, "%8.3fs  %s\n", p->steps[i].at_us / 1e6, what);
	}
}
