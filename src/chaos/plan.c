/* Chaos plans: their steps, describing and printing them, and the seeded
 * generator the nemeses draw from. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chaos/chaos.h"

const char *chaos_step_name(const struct chaos_step *s)
{
	return s->end ? "end" : lab_fault_kind_name(s->fault.kind);
}

/* Which events remove a fault rather than apply one (for the log). */
bool chaos_step_removes(const struct chaos_step *s)
{
	return s->end || lab_fault_removes(s->fault.kind);
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
		lab_grudge_free(&p->steps[i].fault.grudge);
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
	const struct lab_fault_op *f = &s->fault;
	json_t *out = json_array();

	if (s->end)
		return out;
	if (f->node)
		json_array_append_new(out, json_string(f->node->name));
	else if (f->iface)
		json_array_append_new(out, json_string(f->iface->node->name));
	else if (f->kind == LAB_FAULT_PARTITION)
		for (size_t i = 0; i < p->t->n_nodes; i++)
			for (size_t j = 0; j < p->t->n_nodes; j++)
				if (f->grudge.drops[i * f->grudge.n + j] ||
				    f->grudge.drops[j * f->grudge.n + i]) {
					json_array_append_new(out,
							      json_string(p->t->nodes[i].name));
					break;
				}
	return out;
}

void chaos_step_describe(const struct chaos_plan *p, const struct chaos_step *s, char *buf,
			 size_t size)
{
	if (s->end)
		snprintf(buf, size, "end");
	else
		lab_fault_describe(p->t, &s->fault, buf, size);
}

void cbx_chaos_plan_print(const struct chaos_plan *p, FILE *out)
{
	char what[4096];

	if (p->nemesis)
		fprintf(out, "nemesis %s, seed %llu\n", p->nemesis, (unsigned long long)p->seed);
	for (size_t i = 0; i < p->n; i++) {
		chaos_step_describe(p, &p->steps[i], what, sizeof(what));
		fprintf(out, "%8.3fs  %s\n", p->steps[i].at_us / 1e6, what);
	}
}

void cbx_chaos_plan_free(struct chaos_plan *p)
{
	if (!p)
		return;
	chaos_plan_free(p);
	free(p);
}

uint64_t cbx_chaos_seed(void)
{
	return (uint64_t)time(NULL) * 1000003u ^ (uint64_t)getpid();
}
